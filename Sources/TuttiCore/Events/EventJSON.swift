import Foundation

/// Writes events as NDJSON lines by hand: the same bytes JSONEncoder writes with sorted keys,
/// several times faster. The recorder writes every event under the bus lock, so this is on
/// the hot path of every task. (Reading back uses Codable.)
enum EventJSON {
    /// One event as a JSON object with sorted keys, no newline.
    static func encode(_ event: RunEvent) -> [UInt8] {
        var fields: [(String, JSONBytes)] = [("seq", .raw(String(event.seq))), ("t", .number(event.time)),
                                             ("type", .string(event.kind.type))]
        fields += payload(event.kind)
        var out: [UInt8] = []
        out.reserveCapacity(160)
        JSONBytes.object(fields).write(to: &out)
        return out
    }

    static func payload(_ kind: EventKind) -> [(String, JSONBytes)] {
        switch kind {
        case .runStarted(let e):
            let tasks = e.tasks.map { task in
                JSONBytes.object([("agent", .string(task.agent)), ("depends_on", .array(task.dependsOn.map(JSONBytes.string))),
                                  ("gates", .int(task.gates)), ("id", .string(task.id)), ("max_attempts", .int(task.maxAttempts)),
                                  ("name", .string(task.name))])
            }
            return [("mode", .string(e.mode)), ("parallelism", .int(e.parallelism)), ("polling_interval", .number(e.pollingInterval)),
                    ("run_id", .string(e.runID)), ("tasks", .array(tasks)), ("workflow", .string(e.workflow))]
        case .runFinished(let e):
            return [("outcome", .string(e.outcome.rawValue))] + optional("reason", e.reason.map(JSONBytes.string))
                + optional("report", e.report.map(\.json))
        case .taskQueued(let e):
            return [("task", .string(e.task))]
        case .taskStarted(let e):
            return [("attempt", .int(e.attempt)), ("command", .array(e.command.map(JSONBytes.string))),
                    ("pid", .int(Int(e.pid))), ("task", .string(e.task))]
                + optional("working_directory", e.workingDirectory.map(JSONBytes.string))
        case .taskProgress(let e):
            return [("percent", .number(e.percent)), ("task", .string(e.task))]
        case .taskLog(let e):
            return [("line", .string(e.line)), ("stream", .string(e.stream.rawValue)), ("task", .string(e.task))]
        case .taskLogDropped(let e):
            return [("count", .int(e.count)), ("task", .string(e.task))]
        case .taskMetric(let e):
            return [("name", .string(e.name)), ("task", .string(e.task)), ("value", .value(e.value))]
        case .taskMessage(let e):
            return [("task", .string(e.task)), ("text", .string(e.text))]
        case .taskGate(let e):
            let r = e.result
            let result = JSONBytes.object(optional("actual", r.actual.map(JSONBytes.value)) + [
                ("actualText", .string(r.actualText)), ("metric", .string(r.metric)), ("passed", .bool(r.passed)),
            ] + optional("reason", r.reason.map(JSONBytes.string)) + [("threshold", .string(r.threshold))])
            return [("result", result), ("task", .string(e.task))]
        case .taskFinished(let e):
            return [("attempt", .int(e.attempt)), ("duration", .number(e.duration))]
                + optional("exit_code", e.exitCode.map { .int(Int($0)) }) + optional("reason", e.reason.map(JSONBytes.string))
                + optional("paused", e.paused.map(JSONBytes.number))
                + optional("signal", e.signal.map { .int(Int($0)) }) + [("status", .string(e.status.rawValue)), ("task", .string(e.task))]
        case .taskRetrying(let e):
            return [("delay", .number(e.delay)), ("next_attempt", .int(e.nextAttempt)), ("task", .string(e.task))]
        case .taskSkipped(let e):
            return [("reason", .string(e.reason)), ("task", .string(e.task))]
        case .action(let e):
            return [("accepted", .bool(e.accepted)), ("action", .string(e.action.rawValue)), ("actor", .string(e.actor)),
                    ("message", .string(e.message))] + optional("task", e.task.map(JSONBytes.string))
        case .taskPaused(let e), .taskResumed(let e):
            return [("task", .string(e.task))]
        case .dispatchChanged(let e):
            return [("state", .string(e.state.rawValue))]
        case .runReopened(let e):
            return [("reason", .string(e.reason))]
        }
    }

    static func optional(_ key: String, _ value: JSONBytes?) -> [(String, JSONBytes)] {
        value.map { [(key, $0)] } ?? []
    }
}

/// A JSON value on its way to bytes.
indirect enum JSONBytes {
    case raw(String)
    case string(String)
    case number(Double)
    case int(Int)
    case bool(Bool)
    case value(JSONValue)
    case array([JSONBytes])
    case object([(String, JSONBytes)])

    /// Writes the value; with `indent`, objects and arrays go one item a line, indented by
    /// two spaces a level (the caller's level is `indent`).
    func write(to out: inout [UInt8], indent: Int? = nil) {
        switch self {
        case .raw(let text): out.append(contentsOf: text.utf8)
        case .string(let text): Self.writeString(text, to: &out)
        case .int(let number): out.append(contentsOf: String(number).utf8)
        case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let number): Self.writeNumber(number, to: &out)
        case .value(let value):
            switch value {
            case .null: out.append(contentsOf: "null".utf8)
            case .bool(let flag): JSONBytes.bool(flag).write(to: &out)
            case .number(let number):
                if number.isFinite, number == number.rounded(), abs(number) < 1e15 {
                    out.append(contentsOf: String(Int64(number)).utf8)
                } else {
                    Self.writeNumber(number, to: &out)
                }
            case .string(let text): Self.writeString(text, to: &out)
            case .array(let items): JSONBytes.array(items.map(JSONBytes.value)).write(to: &out, indent: indent)
            case .object(let fields): JSONBytes.object(fields.map { ($0.key, .value($0.value)) }).write(to: &out, indent: indent)
            }
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.newline(&out, indent.map { $0 + 1 })
                item.write(to: &out, indent: indent.map { $0 + 1 })
            }
            if !items.isEmpty { Self.newline(&out, indent) }
            out.append(UInt8(ascii: "]"))
        case .object(let fields):
            out.append(UInt8(ascii: "{"))
            // Callers mostly list fields in order already; sorting copies the array.
            let inOrder = zip(fields, fields.dropFirst()).allSatisfy { $0.0 < $1.0 }
            for (index, field) in (inOrder ? fields : fields.sorted(by: { $0.0 < $1.0 })).enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.newline(&out, indent.map { $0 + 1 })
                Self.writeString(field.0, to: &out)
                out.append(contentsOf: indent == nil ? [UInt8(ascii: ":")] : Array(" : ".utf8))
                field.1.write(to: &out, indent: indent.map { $0 + 1 })
            }
            if !fields.isEmpty { Self.newline(&out, indent) }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func newline(_ out: inout [UInt8], _ level: Int?) {
        guard let level else { return }
        out.append(0x0A)
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: level * 2))
    }

    /// Shortest form that reads back as the same Double; whole numbers as JSONEncoder
    /// writes them ("15", not "15.0").
    static func writeNumber(_ number: Double, to out: inout [UInt8]) {
        guard number.isFinite else {
            out.append(contentsOf: "0".utf8)
            return
        }
        if number == number.rounded(), abs(number) < 1e15 {
            out.append(contentsOf: String(Int64(number)).utf8)
        } else if !writeMicros(number, to: &out) {
            out.append(contentsOf: number.description.utf8)
        }
    }

    /// Event times and durations are whole microseconds: such a number is written from its
    /// digits, which is what `description` gives for it (the shortest form that reads back
    /// as the same Double; between 1e-4 and 1e9, where it needs no exponent), without
    /// formatting a Double. False for any other number.
    private static func writeMicros(_ number: Double, to out: inout [UInt8]) -> Bool {
        let magnitude = abs(number)
        guard magnitude >= 1e-4, magnitude < 1e9 else { return false }
        let micros = (magnitude * 1e6).rounded()
        guard micros / 1e6 == magnitude else { return false }
        let whole = Int64(micros) / 1_000_000
        var fraction = Int64(micros) % 1_000_000
        if number < 0 { out.append(UInt8(ascii: "-")) }
        out.append(contentsOf: String(whole).utf8)
        out.append(UInt8(ascii: "."))
        var digits = 6
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        let text = String(fraction)
        out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: digits - text.utf8.count))
        out.append(contentsOf: text.utf8)
        return true
    }

    static func writeString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Most strings (ids, paths, statuses) need no escape: copied in one go.
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            out.append(contentsOf: text.utf8)
            out.append(UInt8(ascii: "\""))
            return
        }
        for byte in text.utf8 {
            let escaped: UInt8?
            switch byte {
            case UInt8(ascii: "\""): escaped = UInt8(ascii: "\"")
            case UInt8(ascii: "\\"): escaped = UInt8(ascii: "\\")
            case 0x0A: escaped = UInt8(ascii: "n")
            case 0x0D: escaped = UInt8(ascii: "r")
            case 0x09: escaped = UInt8(ascii: "t")
            case 0x08: escaped = UInt8(ascii: "b")
            case 0x0C: escaped = UInt8(ascii: "f")
            case 0..<0x20:
                let hex: StaticString = "0123456789abcdef"
                let digits = hex.utf8Start
                out.append(92)
                out.append(UInt8(ascii: "u"))
                out.append(48)
                out.append(48)
                out.append(digits[Int(byte >> 4)])
                out.append(digits[Int(byte & 0xF)])
                continue
            default:
                out.append(byte)
                continue
            }
            out.append(92)
            out.append(escaped!)
        }
        out.append(UInt8(ascii: "\""))
    }
}
