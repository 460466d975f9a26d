import Foundation

/// One state change of a run, numbered and timed (seconds since the run started, monotonic).
public struct RunEvent: Sendable, Hashable, Codable {
    public var seq: Int
    public var time: Double
    public var kind: EventKind

    public init(seq: Int, time: Double, kind: EventKind) {
        self.seq = seq
        self.time = time
        self.kind = kind
    }

    enum CodingKeys: String, CodingKey { case seq, time = "t", type }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        seq = try container.decode(Int.self, forKey: .seq)
        time = try container.decode(Double.self, forKey: .time)
        kind = try EventKind(type: container.decode(String.self, forKey: .type), from: decoder)
    }

    /// Writes the event flat: its number, time and type beside its fields.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(seq, forKey: .seq)
        try container.encode(time, forKey: .time)
        try container.encode(kind.type, forKey: .type)
        try kind.encodePayload(to: encoder)
    }
}

/// What happened, with its details. Encoded flat: `{"seq":..,"t":..,"type":"task_started",...}`.
/// The rare large payloads are boxed (`indirect`): an event is as large as its largest case,
/// and a run of 10,000 tasks holds 10,000 `task_queued` events at once when it starts.
public enum EventKind: Sendable, Hashable {
    case runStarted(RunStarted)
    indirect case runFinished(RunFinished)
    case taskQueued(TaskRef)
    case taskStarted(TaskStarted)
    indirect case taskOnCluster(TaskOnCluster)
    case taskProgress(TaskProgress)
    case taskLog(TaskLog)
    case taskLogDropped(TaskLogDropped)
    case taskMetric(TaskMetric)
    case taskMessage(TaskMessage)
    case taskDetail(TaskDetail)
    indirect case taskFinding(TaskFinding)
    indirect case taskGate(TaskGate)
    case taskFinished(TaskFinished)
    case taskRetrying(TaskRetrying)
    case taskSkipped(TaskSkipped)
    case action(ActionTaken)
    case taskPaused(TaskRef)
    case taskResumed(TaskRef)
    case dispatchChanged(DispatchChanged)
    case runReopened(RunReopened)
    case runResumed(RunResumed)
    case runFileFailed(RunFileFailed)

    /// The event's type name in the events file.
    public var type: String {
        switch self {
        case .runStarted: return "run_started"
        case .runFinished: return "run_finished"
        case .taskQueued: return "task_queued"
        case .taskStarted: return "task_started"
        case .taskOnCluster: return "task_on_cluster"
        case .taskProgress: return "task_progress"
        case .taskLog: return "task_log"
        case .taskLogDropped: return "task_log_dropped"
        case .taskMetric: return "task_metric"
        case .taskMessage: return "task_message"
        case .taskDetail: return "task_detail"
        case .taskFinding: return "task_finding"
        case .taskGate: return "task_gate"
        case .taskFinished: return "task_finished"
        case .taskRetrying: return "task_retrying"
        case .taskSkipped: return "task_skipped"
        case .action: return "action"
        case .taskPaused: return "task_paused"
        case .taskResumed: return "task_resumed"
        case .dispatchChanged: return "dispatch"
        case .runReopened: return "run_reopened"
        case .runResumed: return "run_resumed"
        case .runFileFailed: return "run_file_failed"
        }
    }

    /// The task the event is about, if any.
    public var taskID: String? {
        switch self {
        case .runStarted, .runFinished, .dispatchChanged, .runReopened, .runResumed, .runFileFailed: return nil
        case .action(let e): return e.task
        case .taskPaused(let e): return e.task
        case .taskResumed(let e): return e.task
        case .taskQueued(let e): return e.task
        case .taskStarted(let e): return e.task
        case .taskOnCluster(let e): return e.task
        case .taskProgress(let e): return e.task
        case .taskLog(let e): return e.task
        case .taskLogDropped(let e): return e.task
        case .taskMetric(let e): return e.task
        case .taskMessage(let e): return e.task
        case .taskDetail(let e): return e.task
        case .taskFinding(let e): return e.task
        case .taskGate(let e): return e.task
        case .taskFinished(let e): return e.task
        case .taskRetrying(let e): return e.task
        case .taskSkipped(let e): return e.task
        }
    }

    init(type: String, from decoder: Decoder) throws {
        switch type {
        case "run_started": self = .runStarted(try RunStarted(from: decoder))
        case "run_finished": self = .runFinished(try RunFinished(from: decoder))
        case "task_queued": self = .taskQueued(try TaskRef(from: decoder))
        case "task_started": self = .taskStarted(try TaskStarted(from: decoder))
        case "task_on_cluster": self = .taskOnCluster(try TaskOnCluster(from: decoder))
        case "task_progress": self = .taskProgress(try TaskProgress(from: decoder))
        case "task_log": self = .taskLog(try TaskLog(from: decoder))
        case "task_log_dropped": self = .taskLogDropped(try TaskLogDropped(from: decoder))
        case "task_metric": self = .taskMetric(try TaskMetric(from: decoder))
        case "task_message": self = .taskMessage(try TaskMessage(from: decoder))
        case "task_detail": self = .taskDetail(try TaskDetail(from: decoder))
        case "task_finding": self = .taskFinding(try TaskFinding(from: decoder))
        case "task_gate": self = .taskGate(try TaskGate(from: decoder))
        case "task_finished": self = .taskFinished(try TaskFinished(from: decoder))
        case "task_retrying": self = .taskRetrying(try TaskRetrying(from: decoder))
        case "task_skipped": self = .taskSkipped(try TaskSkipped(from: decoder))
        case "action": self = .action(try ActionTaken(from: decoder))
        case "task_paused": self = .taskPaused(try TaskRef(from: decoder))
        case "task_resumed": self = .taskResumed(try TaskRef(from: decoder))
        case "dispatch": self = .dispatchChanged(try DispatchChanged(from: decoder))
        case "run_reopened": self = .runReopened(try RunReopened(from: decoder))
        case "run_resumed": self = .runResumed(try RunResumed(from: decoder))
        case "run_file_failed": self = .runFileFailed(try RunFileFailed(from: decoder))
        default:
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "unknown event type '\(type)'"))
        }
    }

    func encodePayload(to encoder: Encoder) throws {
        switch self {
        case .runStarted(let e): try e.encode(to: encoder)
        case .runFinished(let e): try e.encode(to: encoder)
        case .taskQueued(let e): try e.encode(to: encoder)
        case .taskStarted(let e): try e.encode(to: encoder)
        case .taskOnCluster(let e): try e.encode(to: encoder)
        case .taskProgress(let e): try e.encode(to: encoder)
        case .taskLog(let e): try e.encode(to: encoder)
        case .taskLogDropped(let e): try e.encode(to: encoder)
        case .taskMetric(let e): try e.encode(to: encoder)
        case .taskMessage(let e): try e.encode(to: encoder)
        case .taskDetail(let e): try e.encode(to: encoder)
        case .taskFinding(let e): try e.encode(to: encoder)
        case .taskGate(let e): try e.encode(to: encoder)
        case .taskFinished(let e): try e.encode(to: encoder)
        case .taskRetrying(let e): try e.encode(to: encoder)
        case .taskSkipped(let e): try e.encode(to: encoder)
        case .action(let e): try e.encode(to: encoder)
        case .taskPaused(let e): try e.encode(to: encoder)
        case .taskResumed(let e): try e.encode(to: encoder)
        case .dispatchChanged(let e): try e.encode(to: encoder)
        case .runReopened(let e): try e.encode(to: encoder)
        case .runResumed(let e): try e.encode(to: encoder)
        case .runFileFailed(let e): try e.encode(to: encoder)
        }
    }
}

/// A task as announced at the start of a run.
public struct AnnouncedTask: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var agent: String
    /// The tasks it waits for, and groups by name (each standing for all of its tasks).
    public var dependsOn: [String]
    /// Its group: a task depending on the group's name waits for every task of it.
    public var group: String?
    public var gates: Int
    public var maxAttempts: Int

    enum CodingKeys: String, CodingKey { case id, name, agent, dependsOn = "depends_on", group, gates, maxAttempts = "max_attempts" }

    public init(id: String, name: String, agent: String, dependsOn: [String], group: String? = nil, gates: Int, maxAttempts: Int) {
        self.id = id
        self.name = name
        self.agent = agent
        self.dependsOn = dependsOn
        self.group = group
        self.gates = gates
        self.maxAttempts = maxAttempts
    }
}

/// The run began: what runs, how wide.
public struct RunStarted: Sendable, Hashable, Codable {
    public var runID: String
    public var workflow: String
    public var parallelism: Int
    public var mode: String
    public var pollingInterval: Double
    public var tasks: [AnnouncedTask]

    enum CodingKeys: String, CodingKey {
        case runID = "run_id", workflow, parallelism, mode, pollingInterval = "polling_interval", tasks
    }

    public init(runID: String, workflow: String, parallelism: Int, mode: String, pollingInterval: Double, tasks: [AnnouncedTask]) {
        self.runID = runID
        self.workflow = workflow
        self.parallelism = parallelism
        self.mode = mode
        self.pollingInterval = pollingInterval
        self.tasks = tasks
    }
}

/// How a whole run ended.
public enum RunOutcome: String, Sendable, Hashable, Codable {
    case passed, failed, interrupted
    case timedOut = "timed_out"
    /// The run's files could not all be written (a full disk): whatever its tasks did, the
    /// run claims no verdict it could not record.
    case unrecorded
}

/// The run ended (every task is done), with its report. A run kept open for control ends
/// again, with a new report, after a retry reopens it.
public struct RunFinished: Sendable, Hashable, Codable {
    public var outcome: RunOutcome
    public var reason: String?
    public var report: RunReport?

    public init(outcome: RunOutcome, reason: String? = nil, report: RunReport? = nil) {
        self.outcome = outcome
        self.reason = reason
        self.report = report
    }
}

/// An event that names only its task.
public struct TaskRef: Sendable, Hashable, Codable {
    public var task: String
    public init(task: String) { self.task = task }
}

/// An attempt's process started.
public struct TaskStarted: Sendable, Hashable, Codable {
    public var task: String
    public var attempt: Int
    public var pid: Int32
    public var command: [String]
    /// Where it runs (absolute), when not the engine's own working directory.
    public var workingDirectory: String?

    enum CodingKeys: String, CodingKey { case task, attempt, pid, command, workingDirectory = "working_directory" }

    public init(task: String, attempt: Int, pid: Int32, command: [String], workingDirectory: String? = nil) {
        self.task = task
        self.attempt = attempt
        self.pid = pid
        self.command = command
        self.workingDirectory = workingDirectory
    }
}

/// Where an attempt's Slurm job is: its id, its state in the queue (PENDING, RUNNING,
/// SUSPENDED…), why it waits (Resources, Priority…) and, once it runs, its node.
public struct TaskOnCluster: Sendable, Hashable, Codable {
    public var task: String
    public var attempt: Int
    public var jobID: String
    public var state: String
    public var reason: String?
    public var node: String?
    /// When it began to run (run time, seconds), told once, with the first RUNNING after it
    /// waited in the queue.
    public var started: Double?

    enum CodingKeys: String, CodingKey { case task, attempt, jobID = "job_id", state, reason, node, started }

    public init(task: String, attempt: Int, jobID: String, state: String, reason: String? = nil, node: String? = nil,
                started: Double? = nil) {
        self.task = task
        self.attempt = attempt
        self.jobID = jobID
        self.state = state
        self.reason = reason
        self.node = node
        self.started = started
    }

    /// Whether the job waits in the queue.
    public var isQueued: Bool { Self.isQueued(state) }

    /// Whether a job in Slurm's `state` waits in the queue.
    public static func isQueued(_ state: String) -> Bool { state == "PENDING" || state == "CONFIGURING" }
}

/// The agent reported progress, 0...100.
public struct TaskProgress: Sendable, Hashable, Codable {
    public var task: String
    public var percent: Double
    public init(task: String, percent: Double) {
        self.task = task
        self.percent = percent
    }
}

/// Which output stream a log line came from.
public enum OutputStream: String, Sendable, Hashable, Codable { case stdout, stderr }

/// One line of a task's output that was not protocol.
public struct TaskLog: Sendable, Hashable, Codable {
    public var task: String
    public var stream: OutputStream
    public var line: String
    public init(task: String, stream: OutputStream, line: String) {
        self.task = task
        self.stream = stream
        self.line = line
    }
}

/// Lines that went to the log file only, because the task printed faster than events are kept.
public struct TaskLogDropped: Sendable, Hashable, Codable {
    public var task: String
    public var count: Int
    public init(task: String, count: Int) {
        self.task = task
        self.count = count
    }
}

/// The agent reported a metric.
public struct TaskMetric: Sendable, Hashable, Codable {
    public var task: String
    public var name: String
    public var value: JSONValue
    /// What the number measures, in words, when the agent said ("documented public API").
    public var label: String?
    public init(task: String, name: String, value: JSONValue, label: String? = nil) {
        self.task = task
        self.name = name
        self.value = value
        self.label = label
    }
}

/// What a task's details say of it, as its agent told: the command that really ran, its
/// result in a line, the file that lists its findings.
public struct TaskDetail: Sendable, Hashable, Codable {
    /// The details an agent can give.
    public enum Name: String, Sendable, Hashable, Codable, CaseIterable { case command, headline, findings }
    /// The longest text kept.
    public static let maximumLength = 1000

    public var task: String
    public var name: Name
    public var text: String
    public init(task: String, name: Name, text: String) {
        self.task = task
        self.name = name
        self.text = text
    }
}

/// A message from the agent or the engine about a task.
public struct TaskMessage: Sendable, Hashable, Codable {
    public var task: String
    public var text: String
    public init(task: String, text: String) {
        self.task = task
        self.text = text
    }
}

/// The engine evaluated one quality gate.
public struct TaskGate: Sendable, Hashable, Codable {
    public var task: String
    public var result: GateResult
    public init(task: String, result: GateResult) {
        self.task = task
        self.result = result
    }
}

/// How one attempt, or a task, ended.
public enum TaskStatus: String, Sendable, Hashable, Codable {
    case pending, running, paused, succeeded, failed, skipped, cancelled
    case timedOut = "timed_out"

    /// Whether the task is done for now (a retry can still start it again).
    public var isFinal: Bool { ![.pending, .running, .paused].contains(self) }

    /// Whether a retry may start it again: it failed, timed out or was cancelled.
    public var isRetryable: Bool { [.failed, .timedOut, .cancelled].contains(self) }
}

/// An attempt ended.
public struct TaskFinished: Sendable, Hashable, Codable {
    public var task: String
    public var attempt: Int
    public var status: TaskStatus
    public var exitCode: Int32?
    public var signal: Int32?
    public var reason: String?
    /// Seconds it ran, not counting time paused.
    public var duration: Double
    /// Seconds it spent paused, when it was.
    public var paused: Double?

    enum CodingKeys: String, CodingKey { case task, attempt, status, exitCode = "exit_code", signal, reason, duration, paused }

    public init(task: String, attempt: Int, status: TaskStatus, exitCode: Int32?, signal: Int32?, reason: String?, duration: Double,
                paused: Double? = nil) {
        self.task = task
        self.attempt = attempt
        self.status = status
        self.exitCode = exitCode
        self.signal = signal
        self.reason = reason
        self.duration = duration
        self.paused = paused
    }
}

/// A failed task will be tried again after a delay.
public struct TaskRetrying: Sendable, Hashable, Codable {
    public var task: String
    public var nextAttempt: Int
    public var delay: Double

    enum CodingKeys: String, CodingKey { case task, nextAttempt = "next_attempt", delay }

    public init(task: String, nextAttempt: Int, delay: Double) {
        self.task = task
        self.nextAttempt = nextAttempt
        self.delay = delay
    }
}

/// A task will not run, and why.
public struct TaskSkipped: Sendable, Hashable, Codable {
    public var task: String
    public var reason: String
    public init(task: String, reason: String) {
        self.task = task
        self.reason = reason
    }
}
