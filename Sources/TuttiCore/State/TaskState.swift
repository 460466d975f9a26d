import Foundation

/// One task of a run as its events tell it: state, progress, attempts, gates, findings and
/// its latest output.
public struct TaskState: Sendable, Hashable {
    public var id: String
    public var name: String
    public var agent: String
    public var status: TaskStatus = .pending
    public var percent: Double = 0
    public var attempt = 0
    public var maxAttempts: Int
    public var gatesTotal: Int
    public var gatesPassed = 0
    public var gatesFailed = 0
    public var startedAt: Double?
    public var attemptStartedAt: Double?
    /// When the current pause began, while the task is paused.
    public var pausedSince: Double?
    /// Time the current attempt spent paused before `pausedSince`.
    public var attemptPaused: Double = 0
    public var endedAt: Double?
    public var pid: Int32?
    public var command: [String] = []
    public var workingDirectory: String?
    /// On a Slurm cluster: where the current attempt's job is (its id, state, reason, node).
    public var cluster: TaskOnCluster?
    /// Seconds its attempts waited in a cluster's queue (not counted as running).
    public var queuedSeconds: Double = 0
    /// The tasks it waits for, and groups by name (each standing for all of its tasks).
    public var dependsOn: [String] = []
    /// Its group, if any (other tasks may wait for the whole group).
    public var group: String?
    /// What the task's agent said of its attempt: the command that really ran, its result
    /// in a line, its findings file.
    public var details: [TaskDetail.Name: String] = [:]
    public var reason: String?
    public var exitCode: Int32?
    public var signal: Int32?
    public var metrics: [String: JSONValue] = [:]
    /// Busy time of finished attempts.
    public var finishedBusy: Double = 0
    /// One entry per attempt, for the timeline.
    public var segments: [Segment] = []
    /// Gate verdicts as the engine reported them.
    public var gateResults: [GateResult] = []
    /// What the current attempt's agent found, as recorded, in the order it reported them.
    public var findings: [Finding] = []
    /// The latest output lines (at most `TaskState.logLimit`; the full log is on disk).
    public var log: [String] = []
    /// Lines the engine kept out of events (they are in the log file).
    public var logDropped = 0

    /// Output lines kept per task in memory, and characters kept of each.
    public static let logLimit = 500
    public static let logLineLimit = 400

    public init(id: String, name: String, agent: String, maxAttempts: Int, gatesTotal: Int) {
        self.id = id
        self.name = name
        self.agent = agent
        self.maxAttempts = maxAttempts
        self.gatesTotal = gatesTotal
    }

    /// An attempt on the timeline: when it ran and how it ended (nil while it runs).
    public struct Segment: Sendable, Hashable {
        public var start: Double
        public var end: Double?
        public var status: TaskStatus
        /// How it ended: "exit 1", "signal 9", and the reason, once it has.
        public var outcome: String?
    }

    /// The current attempt ended at `time`, as `status`, after `duration` seconds of work.
    mutating func endAttempt(at time: Double, status: TaskStatus, reason: String?, exitCode: Int32?, signal: Int32?, duration: Double) {
        self.status = status
        endedAt = time
        finishedBusy += duration
        self.reason = reason
        self.exitCode = exitCode
        self.signal = signal
        pid = nil
        pausedSince = nil
        if status == .succeeded { percent = 100 }
        if let last = segments.indices.last, segments[last].end == nil {
            segments[last].end = time
            segments[last].status = status
            let exit = exitCode.map { "exit \($0)" } ?? signal.map { "signal \($0)" }
            segments[last].outcome = [exit, reason].compactMap { $0 }.joined(separator: ", ")
        }
    }

    /// Its process succeeded but a gate that counts failed: its verdict is failure all the
    /// same, and it looks different from a process that failed.
    public var failedGates: Bool { status == .succeeded && gateResults.contains(where: \.blocks) }

    /// Seconds the task has run so far (all attempts), not counting time paused.
    public func elapsed(now: Double) -> Double {
        finishedBusy + attemptBusy(now: now)
    }

    /// Seconds the current attempt has run, not counting time paused.
    public func attemptBusy(now: Double) -> Double {
        guard status == .running || status == .paused, let start = attemptStartedAt else { return 0 }
        let paused = attemptPaused + (pausedSince.map { max(0, now - $0) } ?? 0)
        return max(0, now - start - paused)
    }

    /// Seconds left at the current attempt's rate of progress, when it can be told.
    public func eta(now: Double) -> Double? {
        let busy = attemptBusy(now: now)
        guard status == .running, percent > 0, percent < 100, busy > 0 else { return nil }
        return (100 - percent) / (percent / busy)
    }
}
