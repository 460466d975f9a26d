import Foundation

/// Reads event lines fast, for long recordings: a small JSON parser, then the event types a
/// recording is mostly made of (progress, logs, metrics, task starts and ends) built
/// directly. Other types, and any line it cannot read, are left to Codable (nil here).
enum EventLineReader {
    /// One line of an events file as an event: the fast reader, else Codable (with `decoder`,
    /// or one made for the line); nil when the line is not an event.
    static func decode(_ line: UnsafeRawBufferPointer, decoder: JSONDecoder? = nil) -> RunEvent? {
        event(line) ?? (try? (decoder ?? .events).decodeChecked(RunEvent.self, from: Data(line)))
    }

    static func event(_ line: UnsafeRawBufferPointer) -> RunEvent? {
        var parser = JSONParser(bytes: line.bindMemory(to: UInt8.self))
        guard let fields = parser.parseFieldsDocument(),
              let seq = fields["seq"]?.number.flatMap({ Int(exactly: $0) }), let time = fields["t"]?.number,
              let type = fields["type"]?.string, let task = fields["task"]?.string else { return nil }
        func int(_ key: String) -> Int? { fields[key]?.number.flatMap { Int(exactly: $0) } }
        func int32(_ key: String) -> Int32? { fields[key]?.number.flatMap { Int32(exactly: $0) } }
        let kind: EventKind
        switch type {
        case "task_progress":
            guard let percent = fields["percent"]?.number else { return nil }
            kind = .taskProgress(TaskProgress(task: task, percent: percent))
        case "task_log":
            guard let stream = fields["stream"]?.string.flatMap(OutputStream.init(rawValue:)), let text = fields["line"]?.string else { return nil }
            kind = .taskLog(TaskLog(task: task, stream: stream, line: text))
        case "task_metric":
            guard let name = fields["name"]?.string, let value = fields["value"] else { return nil }
            kind = .taskMetric(TaskMetric(task: task, name: name, value: value, label: fields["label"]?.string))
        case "task_queued": kind = .taskQueued(TaskRef(task: task))
        case "task_paused": kind = .taskPaused(TaskRef(task: task))
        case "task_resumed": kind = .taskResumed(TaskRef(task: task))
        case "task_message":
            guard let text = fields["text"]?.string else { return nil }
            kind = .taskMessage(TaskMessage(task: task, text: text))
        case "task_log_dropped":
            guard let count = int("count") else { return nil }
            kind = .taskLogDropped(TaskLogDropped(task: task, count: count))
        case "task_started":
            guard let attempt = int("attempt"), let pid = int32("pid"), case .array(let command)? = fields["command"] else { return nil }
            let argv = command.compactMap(\.string)
            guard argv.count == command.count else { return nil }
            kind = .taskStarted(TaskStarted(task: task, attempt: attempt, pid: pid, command: argv,
                                            workingDirectory: fields["working_directory"]?.string))
        case "task_finished":
            guard let attempt = int("attempt"), let status = fields["status"]?.string.flatMap(TaskStatus.init(rawValue:)),
                  let duration = fields["duration"]?.number else { return nil }
            kind = .taskFinished(TaskFinished(task: task, attempt: attempt, status: status, exitCode: int32("exit_code"),
                                              signal: int32("signal"), reason: fields["reason"]?.string, duration: duration,
                                              paused: fields["paused"]?.number))
        default:
            return nil
        }
        return RunEvent(seq: seq, time: time, kind: kind)
    }
}
