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
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw RunFileError.notARecording(path, "cannot read it (\(error.localizedDescription))")
        }
        return try parse(data, path: path)
    }

    /// Reads the bytes of an events file (`path` names it in errors).
    public static func parse(_ data: Data, path: String) throws -> Recording {
        let decoder = JSONDecoder.events
        return try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws -> Recording in
            // Where each line is: a scan for newlines, without copying.
            var lines: [Range<Int>] = []
            lines.reserveCapacity(raw.count / 80)
            var start = 0
            while start < raw.count, let base = raw.baseAddress {
                let newline = memchr(base + start, 0x0A, raw.count - start)
                let end = newline.map { base.distance(to: UnsafeRawPointer($0)) } ?? raw.count
                lines.append(start..<end)
                start = end + 1
            }
            func bytes(_ range: Range<Int>) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: raw[range]) }
            guard let first = lines.first, let header = try? decoder.decodeChecked(RecordingHeader.self, from: Data(bytes(first))),
                  header.schema == RecordingHeader.schemaName else {
                throw RunFileError.notARecording(path, "its first line is not a recording header")
            }
            guard header.version <= RecordingHeader.currentVersion else { throw RunFileError.newerSchema(path, header.version) }
            // Lines decode independently: split them among the cores, then keep every event;
            // a line that is not one is damage, and the lines after it are read all the same.
            let bodies = Array(lines.dropFirst())
            var decoded = [RunEvent?](repeating: nil, count: bodies.count)
            let chunks = min(bodies.count, ProcessInfo.processInfo.activeProcessorCount * 4)
            nonisolated(unsafe) let file = raw
            decoded.withUnsafeMutableBufferPointer { results in
                nonisolated(unsafe) let results = results
                DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                    let decoder = JSONDecoder.events
                    for index in stride(from: chunk, to: bodies.count, by: chunks) where !bodies[index].isEmpty {
                        let line = UnsafeRawBufferPointer(rebasing: file[bodies[index]])
                        results[index] = EventLineReader.event(line) ?? (try? decoder.decodeChecked(RunEvent.self, from: Data(line)))
                    }
                }
            }
            var events: [RunEvent] = []
            events.reserveCapacity(decoded.count)
            var damage: [RecordingDamage] = []
            let endsInNewline = raw.last == 0x0A
            for (index, event) in decoded.enumerated() where !bodies[index].isEmpty {
                guard let event else {
                    let isLast = index == bodies.count - 1
                    let problem: RecordingDamage.Problem = isLast && !endsInNewline
                        ? .cutOff : RecordingDamage.problem(of: bytes(bodies[index]))
                    damage.append(RecordingDamage(line: index + 2, problem: problem))
                    continue
                }
                // An event must come after the one before it; one that does not is damage too.
                if let previous = events.last, event.seq <= previous.seq {
                    damage.append(RecordingDamage(line: index + 2, problem: .outOfOrder(seq: event.seq, after: previous.seq)))
                    continue
                }
                events.append(event)
            }
            return Recording(header: header, events: events, damage: damage)
        }
    }
}
