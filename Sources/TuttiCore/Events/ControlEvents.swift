/// Someone asked for a control action; `accepted` tells whether the engine did it.
public struct ActionTaken: Sendable, Hashable, Codable {
    public var action: ControlVerb
    public var task: String?
    /// Who asked: "dashboard", "ctl (pid 4242)", "mcp", "SIGINT"...
    public var actor: String
    public var accepted: Bool
    /// What was done, or why it was refused.
    public var message: String

    public init(action: ControlVerb, task: String?, actor: String, accepted: Bool, message: String) {
        self.action = action
        self.task = task
        self.actor = actor
        self.accepted = accepted
        self.message = message
    }
}

/// The run's dispatch changed: running, paused or held.
public struct DispatchChanged: Sendable, Hashable, Codable {
    public var state: DispatchState
    public init(state: DispatchState) { self.state = state }
}

/// A file of the run could not be written (a full disk, permissions): which, why, and what
/// the run lacks because of it. The run goes on; it ends `unrecorded`.
public struct RunFileFailed: Sendable, Hashable, Codable {
    public var path: String
    public var reason: String
    /// What is missing because of it ("events missing from the recording").
    public var consequence: String

    public init(path: String, reason: String, consequence: String) {
        self.path = path
        self.reason = reason
        self.consequence = consequence
    }

    /// One line for a person.
    public var text: String { "cannot write \(path): \(reason); \(consequence)" }
}

/// A finished run goes on again, because a task was retried.
public struct RunReopened: Sendable, Hashable, Codable {
    public var reason: String
    public init(reason: String) { self.reason = reason }
}
