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

/// A run whose process ended before the run did goes on in a new process (`tutti resume`):
/// the tasks that succeeded stay done, the rest run again. Attempts the old process left
/// running are ended as cancelled at `lastRecorded`, the time of its last recorded event;
/// from then to this event is the gap.
public struct RunResumed: Sendable, Hashable, Codable {
    /// Tasks that succeeded before and stay done, with their results and gates.
    public var kept: [String]
    /// Tasks that run again (failed, cancelled, skipped, interrupted or never started).
    public var rerun: [String]
    /// Attempts that were running when the old process ended.
    public var interrupted: [AttemptRef]
    public var lastRecorded: Double

    enum CodingKeys: String, CodingKey { case kept, rerun, interrupted, lastRecorded = "last_recorded" }

    public init(kept: [String], rerun: [String], interrupted: [AttemptRef], lastRecorded: Double) {
        self.kept = kept
        self.rerun = rerun
        self.interrupted = interrupted
        self.lastRecorded = lastRecorded
    }

    /// Why an interrupted attempt ended, in its record.
    public static let interruptedReason = "tutti's process ended before this attempt did; the run was resumed"
}

/// One attempt of one task.
public struct AttemptRef: Sendable, Hashable, Codable {
    public var task: String
    public var attempt: Int
    public init(task: String, attempt: Int) {
        self.task = task
        self.attempt = attempt
    }
}

/// A finished run goes on again, because a task was retried.
public struct RunReopened: Sendable, Hashable, Codable {
    public var reason: String
    public init(reason: String) { self.reason = reason }
}
