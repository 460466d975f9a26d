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

/// A finished run goes on again, because a task was retried.
public struct RunReopened: Sendable, Hashable, Codable {
    public var reason: String
    public init(reason: String) { self.reason = reason }
}
