/// What a person or a program can ask of a running run.
public enum ControlVerb: String, Sendable, Hashable, Codable, CaseIterable {
    /// A task: SIGSTOP its process group. The run: start nothing new and pause every running task.
    case pause
    /// Undo `pause` (for the run, `hold` too).
    case resume
    /// The run only: let running tasks finish, start nothing new.
    case hold
    /// A task that failed, timed out or was cancelled: a new attempt. No task: every such task.
    case retry
    /// A task: SIGTERM its group, SIGKILL after the grace period. The run: the same for every task.
    case cancel
}

/// One control request: a verb and, for task actions, the task.
public struct ControlAction: Sendable, Hashable, Codable {
    public var verb: ControlVerb
    /// The task acted on; nil acts on the run (for `retry`: every failed task).
    public var task: String?

    public init(_ verb: ControlVerb, task: String? = nil) {
        self.verb = verb
        self.task = task
    }

    /// "pause task 4", "retry every failed task", "hold dispatch".
    public var description: String {
        switch (verb, task) {
        case (.retry, nil): return "retry every failed task"
        case (.hold, _): return "hold dispatch"
        case (let verb, nil): return "\(verb.rawValue) the run"
        case (let verb, let task?): return "\(verb.rawValue) task \(task)"
        }
    }
}

/// The engine's answer to a control request.
public struct ControlResult: Sendable, Hashable, Codable {
    public var accepted: Bool
    public var message: String

    public init(accepted: Bool, message: String) {
        self.accepted = accepted
        self.message = message
    }

    static func refused(_ message: String) -> ControlResult { ControlResult(accepted: false, message: message) }
    static func done(_ message: String) -> ControlResult { ControlResult(accepted: true, message: message) }
}

/// Whether the run starts new tasks.
public enum DispatchState: String, Sendable, Hashable, Codable {
    /// Tasks start as soon as they are ready.
    case running
    /// Nothing new starts and running tasks are stopped (SIGSTOP).
    case paused
    /// Nothing new starts; running tasks go on.
    case held
}
