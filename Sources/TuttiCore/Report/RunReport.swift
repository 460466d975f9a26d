import Foundation

/// One attempt of a task in the report.
public struct AttemptRecord: Sendable, Hashable, Codable {
    public var attempt: Int
    public var start: Double
    public var end: Double
    public var status: TaskStatus
    public var exitCode: Int32?
    public var signal: Int32?
    public var reason: String?
    public var log: String
    /// Seconds it spent paused (not part of its duration), when it was.
    public var paused: Double?
    /// On a Slurm cluster: its job, the node it ran on, and the seconds it waited in the
    /// queue before it ran (not part of its duration, nor of `start`…`end`).
    public var job: String?
    public var node: String?
    public var queued: Double?

    enum CodingKeys: String, CodingKey { case attempt, start, end, status, exitCode = "exit_code", signal, reason, log, paused, job, node, queued }

    public init(attempt: Int, start: Double, end: Double, status: TaskStatus, exitCode: Int32?, signal: Int32?,
                reason: String?, log: String, paused: Double? = nil, job: String? = nil, node: String? = nil, queued: Double? = nil) {
        self.paused = paused
        self.job = job
        self.node = node
        self.queued = queued
        self.attempt = attempt
        self.start = start
        self.end = end
        self.status = status
        self.exitCode = exitCode
        self.signal = signal
        self.reason = reason
        self.log = log
    }

    /// Seconds it ran, not counting time paused.
    public var duration: Double { EventBus.microseconds(max(0, end - start - (paused ?? 0))) }
}

/// A task's final state in the report (also written as its result JSON).
public struct TaskReport: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var agent: String
    public var status: TaskStatus
    /// The tasks and groups it waited for, as the workflow names them.
    public var dependsOn: [String]
    /// Its group, if any: a `depends_on` entry naming it stands for all of the group's tasks.
    public var group: String?
    public var attempts: [AttemptRecord]
    public var metrics: [String: JSONValue]
    public var gates: [GateResult]
    public var reason: String?
    /// When its dependencies were all done (seconds since run start).
    public var readyAt: Double?
    /// What its last attempt's agent found, as recorded (at most a hundred), worst first as
    /// the agent reported them.
    public var findings: [Finding]
    /// How many findings that attempt reported in all.
    public var findingCount: Int

    /// Its process succeeded but a gate that counts failed.
    public var failedGates: Bool { status == .succeeded && gates.contains(where: \.blocks) }
    /// Its verdict in a word: its status, or "gates_failed".
    public var verdict: String { failedGates ? "gates_failed" : status.rawValue }

    enum CodingKeys: String, CodingKey {
        case id, name, agent, status, dependsOn = "depends_on", group, attempts, metrics, gates, reason, readyAt = "ready_at",
             start, end, duration, findings, findingCount = "finding_count"
    }

    public init(id: String, name: String, agent: String, status: TaskStatus, dependsOn: [String], attempts: [AttemptRecord],
                metrics: [String: JSONValue], gates: [GateResult], reason: String?, readyAt: Double?,
                findings: [Finding] = [], findingCount: Int? = nil, group: String? = nil) {
        self.findings = findings
        self.group = group
        self.findingCount = max(findingCount ?? findings.count, findings.count)
        self.id = id
        self.name = name
        self.agent = agent
        self.status = status
        self.dependsOn = dependsOn
        self.attempts = attempts
        self.metrics = metrics
        self.gates = gates
        self.reason = reason
        self.readyAt = readyAt
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        name = try c.decode(String.self, forKey: .name)
        agent = try c.decode(String.self, forKey: .agent)
        status = try c.decode(TaskStatus.self, forKey: .status)
        dependsOn = try c.decode([String].self, forKey: .dependsOn)
        group = try c.decodeIfPresent(String.self, forKey: .group)
        attempts = try c.decode([AttemptRecord].self, forKey: .attempts)
        metrics = try c.decode([String: JSONValue].self, forKey: .metrics)
        gates = try c.decode([GateResult].self, forKey: .gates)
        reason = try c.decodeIfPresent(String.self, forKey: .reason)
        readyAt = try c.decodeIfPresent(Double.self, forKey: .readyAt)
        findings = try c.decodeIfPresent([Finding].self, forKey: .findings) ?? []
        findingCount = try c.decodeIfPresent(Int.self, forKey: .findingCount) ?? findings.count
    }

    /// Writes the task with its start, end and duration, computed from its attempts.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(agent, forKey: .agent)
        try c.encode(status, forKey: .status)
        try c.encode(dependsOn, forKey: .dependsOn)
        try c.encodeIfPresent(group, forKey: .group)
        try c.encode(attempts, forKey: .attempts)
        if findingCount > 0 {
            try c.encode(findingCount, forKey: .findingCount)
            try c.encode(findings, forKey: .findings)
        }
        try c.encode(metrics, forKey: .metrics)
        try c.encode(gates, forKey: .gates)
        try c.encodeIfPresent(reason, forKey: .reason)
        try c.encodeIfPresent(readyAt, forKey: .readyAt)
        try c.encodeIfPresent(start, forKey: .start)
        try c.encodeIfPresent(end, forKey: .end)
        try c.encode(duration, forKey: .duration)
    }

    /// When the first attempt started.
    public var start: Double? { attempts.first?.start }
    /// When the last attempt ended.
    public var end: Double? { attempts.last?.end }
    /// Busy time: the sum of its attempts' durations, in seconds.
    public var duration: Double { EventBus.microseconds(attempts.reduce(0) { $0 + $1.duration }) }
    /// Gates that passed.
    public var gatesPassed: Int { gates.filter(\.passed).count }
}

/// Gates passed out of all gates, with the rate in percent.
public struct GateTally: Sendable, Hashable, Codable {
    public var passed: Int
    public var total: Int
    public var rate: Double { total == 0 ? 100 : Double(passed) / Double(total) * 100 }

    enum CodingKeys: String, CodingKey { case passed, total, rate }

    public init(passed: Int, total: Int) {
        self.passed = passed
        self.total = total
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        passed = try c.decode(Int.self, forKey: .passed)
        total = try c.decode(Int.self, forKey: .total)
    }

    /// Writes the tally with its rate, rounded to a tenth.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(passed, forKey: .passed)
        try c.encode(total, forKey: .total)
        try c.encode((rate * 10).rounded() / 10, forKey: .rate)
    }
}

/// The final report of a run: what ran, how long, how parallel, and the verdicts.
public struct RunReport: Sendable, Hashable, Codable {
    public static let schemaVersion = 1

    public var schemaVersion: Int = RunReport.schemaVersion
    public var runID: String
    public var workflow: String
    public var workflowFile: String?
    public var mode: String
    public var parallelism: Int
    public var outcome: RunOutcome
    public var outcomeReason: String?
    public var startedAt: Date
    public var wallSeconds: Double
    public var sumOfDurations: Double
    public var parallelEfficiency: Double
    /// The best efficiency possible for these durations: sum / the longest of the critical
    /// path and sum / parallelism (sum / longest task when tasks are independent).
    public var maximumEfficiency: Double
    public var timeSavedSeconds: Double
    public var slowestTask: String?
    public var criticalPath: [String]
    public var criticalPathSeconds: Double
    public var gates: GateTally
    public var successCriteria: [CriterionResult]
    public var tasks: [TaskReport]
    public var exitCode: Int32
    /// On a cluster: seconds of the run when nothing ran and tasks waited in the queue. A
    /// busy cluster is not a slow run: the efficiency and time saved leave this time out.
    public var queueWaitSeconds: Double?

    enum CodingKeys: String, CodingKey {
        case queueWaitSeconds = "queue_wait_seconds"
        case schemaVersion = "schema_version", runID = "run_id", workflow, workflowFile = "workflow_file", mode, parallelism,
             outcome, outcomeReason = "outcome_reason", startedAt = "started_at", wallSeconds = "wall_seconds",
             sumOfDurations = "sum_of_durations", parallelEfficiency = "parallel_efficiency",
             maximumEfficiency = "maximum_efficiency", timeSavedSeconds = "time_saved_seconds", slowestTask = "slowest_task",
             criticalPath = "critical_path", criticalPathSeconds = "critical_path_seconds", gates,
             successCriteria = "success_criteria", tasks, exitCode = "exit_code"
    }

    /// The task with this id.
    public func task(_ id: String) -> TaskReport? { tasks.first { $0.id == id } }
}

/// Process exit codes of `tutti` commands.
public enum ExitStatus {
    /// Every task, gate and criterion passed.
    public static let success: Int32 = 0
    /// A task, gate or success criterion failed.
    public static let failure: Int32 = 1
    /// The input (workflow file, arguments) was invalid.
    public static let invalidInput: Int32 = 2
    /// The run's process has ended: nothing can act on it (`ctl`), or it ended before the run
    /// finished (`watch`, `replay`, `report`).
    public static let runNotLive: Int32 = 3
    /// `tutti ctl`, `tutti watch`: the run belongs to another user (its socket refused us).
    public static let permissionDenied: Int32 = 4
    /// The run's files could not all be written (a full disk): its outcome is `unrecorded`.
    public static let notRecorded: Int32 = 5
    /// The run was interrupted (Ctrl-C, SIGTERM).
    public static let interrupted: Int32 = 130
}
