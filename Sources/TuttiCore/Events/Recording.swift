import Foundation

/// A recording read back: header, events, and the lines that could not be read.
public struct Recording: Sendable {
    public var header: RecordingHeader
    public var events: [RunEvent]
    /// Lines that are not events, in file order; every other line was read.
    public var damage: [RecordingDamage] = []

    public init(header: RecordingHeader, events: [RunEvent], damage: [RecordingDamage] = []) {
        self.header = header
        self.events = events
        self.damage = damage
    }

    /// True when the file ends in an incomplete line (the recorder was cut off mid-write).
    public var truncated: Bool { damage.last?.problem == .cutOff }

    /// Whether the run finished: its last `run_finished` came after any reopening. A run whose
    /// process was killed never records one.
    public var finished: Bool {
        for event in events.reversed() {
            if case .runFinished = event.kind { return true }
            if case .runReopened = event.kind { return false }
            if case .runResumed = event.kind { return false }
        }
        return false
    }

    /// Reads an events file: every line that is an event, and where the others are.
    public static func read(path: String) throws -> Recording {
        try read(RecordingFile(path: path))
    }

    /// Reads the bytes of an events file (`path` names it in errors).
    public static func parse(_ data: Data, path: String) throws -> Recording {
        try read(RecordingFile(data: data, path: path))
    }

    /// Every event of an opened events file, decoded on every core; a line that is not an
    /// event is damage, and the lines after it are read all the same.
    public static func read(_ file: RecordingFile) -> Recording {
        let decoded = file.events(lines: 0..<file.lineCount)
        var events: [RunEvent] = []
        events.reserveCapacity(decoded.count)
        var damage: [RecordingDamage] = []
        for (index, event) in decoded.enumerated() where !file.isEmpty(line: index) {
            guard let event else {
                damage.append(file.damage(line: index))
                continue
            }
            // An event must come after the one before it; one that does not is damage too.
            if let previous = events.last, event.seq <= previous.seq {
                damage.append(RecordingDamage(afterHeader: index, problem: .outOfOrder(seq: event.seq, after: previous.seq)))
                continue
            }
            events.append(event)
        }
        return Recording(header: file.header, events: events, damage: damage)
    }
}
