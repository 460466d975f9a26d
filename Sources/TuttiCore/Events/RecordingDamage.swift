import Foundation

/// A line of a recording that is not an event: where it is and what is wrong with it.
public struct RecordingDamage: Sendable, Equatable, CustomStringConvertible {
    /// What is wrong with a line.
    public enum Problem: Sendable, Equatable {
        /// The last line stops short: the recorder was interrupted while writing it.
        case cutOff
        /// The line is not JSON.
        case notJSON
        /// JSON nested deeper than any event is.
        case nestedTooDeep
        /// JSON, but not an event this version reads (its type, when it names one).
        case notAnEvent(type: String?)
        /// An event whose sequence number does not follow the one before it.
        case outOfOrder(seq: Int, after: Int)
    }

    /// The line's number in the file, from 1 (the header is line 1).
    public let line: Int
    public let problem: Problem

    public init(line: Int, problem: Problem) {
        self.line = line
        self.problem = problem
    }

    /// Damage to the line numbered `index` (from 0) after the header, which is the file's
    /// line `index + 2`.
    public init(afterHeader index: Int, problem: Problem) {
        self.init(line: Self.line(afterHeader: index), problem: problem)
    }

    /// The file's line number (from 1) of the line numbered `index` (from 0) after the header.
    public static func line(afterHeader index: Int) -> Int { index + 2 }

    public var description: String {
        switch problem {
        case .cutOff: return "line \(line) is cut off (the run was interrupted while writing it)"
        case .notJSON: return "line \(line) is not JSON"
        case .nestedTooDeep: return "line \(line) nests values more than \(JSONParser.maximumDepth) levels deep"
        case .notAnEvent(let type?): return "line \(line) is not an event this version reads (type '\(type)')"
        case .notAnEvent(nil): return "line \(line) is JSON but not an event"
        case .outOfOrder(let seq, let after): return "line \(line) is event \(seq), out of order after event \(after)"
        }
    }

    /// What is wrong with a line that did not decode as an event.
    static func problem(of line: UnsafeRawBufferPointer) -> Problem {
        var parser = JSONParser(bytes: line.bindMemory(to: UInt8.self))
        guard let value = parser.parseDocument() else { return parser.exceededDepth ? .nestedTooDeep : .notJSON }
        if case .object(let fields) = value { return .notAnEvent(type: fields["type"]?.string) }
        return .notAnEvent(type: nil)
    }

    /// The damage in words, for a notice: the first few lines, and how many more.
    public static func summary(_ damage: [RecordingDamage], limit: Int = 3) -> String? {
        guard !damage.isEmpty else { return nil }
        let shown = damage.prefix(limit).map(\.description).joined(separator: "; ")
        let more = damage.count > limit ? "; and \(damage.count - limit) more damaged line\(damage.count - limit == 1 ? "" : "s")" : ""
        return "The recording has lines that are not events, skipped: \(shown)\(more)."
    }
}

extension Recording {
    /// What a person must know before trusting what the recording shows: the lines that are
    /// not events, and whether the run never finished (`live`: its process still records it).
    public func notices(live: Bool) -> [String] {
        Self.notices(damage: damage, finished: finished, lastTime: events.last?.time ?? 0, live: live)
    }

    /// The same, from what a replay's index learnt of the file.
    public static func notices(damage: [RecordingDamage], finished: Bool, lastTime: Double, live: Bool) -> [String] {
        var notices: [String] = []
        if let damaged = RecordingDamage.summary(damage) { notices.append(damaged) }
        if !finished {
            let last = DurationText.format(lastTime)
            notices.append(live
                ? "The run is still going; this is its state at t=\(last) (tutti watch follows it live)."
                : "This run never finished: its process ended after t=\(last), before the run's end was recorded.")
        }
        return notices
    }
}
