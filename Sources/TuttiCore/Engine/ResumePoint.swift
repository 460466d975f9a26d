import Foundation

/// Where an interrupted run stands, read from its recording: each task's attempts so far,
/// what it ended as, and its results; the attempts the old process left running; and where
/// the recording ends. `tutti resume` goes on from here in the same recording.
public struct ResumePoint: Sendable {
    /// One task's history.
    struct TaskHistory {
        var attempts: [AttemptRecord] = []
        var status: TaskStatus = .pending
        var reason: String?
        var metrics: [String: JSONValue] = [:]
        var findings: [Finding] = []
        var gates: [GateResult] = []
        /// From the task's result file, when it has one: how many findings its agent reported
        /// (the recording keeps the first ones) and when it became ready.
        var findingCount: Int?
        var readyAt: Double?
        /// The attempt under way when the recording ends, and when it started.
        var open: (attempt: Int, start: Double)?
        /// The process of the attempt under way, once it had started.
        var openPID: Int32?
        /// On a cluster: the attempt's job and node, and when it left the queue.
        var openJob: (id: String, node: String?, ran: Double?)?

        /// The attempt under way, ended at `time` (or when it started, if later): on a cluster
        /// it ran from when its job left the queue, as the engine counts it. Nil when none is.
        func openAttemptEnded(of task: String, at time: Double, status: TaskStatus, reason: String?, exitCode: Int32? = nil, signal: Int32? = nil,
                              paused: Double? = nil, in directory: RunDirectory) -> AttemptRecord? {
            guard let open else { return nil }
            let end = max(open.start, time)
            let ran = min(end, openJob?.ran ?? open.start)
            return AttemptRecord(attempt: open.attempt, start: ran, end: end, status: status, exitCode: exitCode, signal: signal,
                                 reason: reason, log: directory.relativeLogPath(task: task, attempt: open.attempt), paused: paused,
                                 job: openJob?.id, node: openJob?.node,
                                 queued: openJob.map { _ in EventBus.microseconds(max(0, ran - open.start)) })
        }
    }

    public let header: RecordingHeader
    /// The tasks the run announced (a run of some tasks only names those), in order.
    public let announced: [String]
    public let parallelism: Int
    public let lastSeq: Int
    /// The time of the last recorded event: when the old process was last known alive.
    public let lastTime: Double
    /// The events recorded so far: what a view of the resumed run folds first.
    public let history: [RunEvent]
    var tasks: [String: TaskHistory]

    /// A run that cannot be resumed, and why.
    public enum Refusal: Error, CustomStringConvertible, Equatable {
        case stillRunning(String)
        case passed(String)
        case notStarted(String)

        public var description: String {
            switch self {
            case .stillRunning(let run): return "run \(run) is still running; its own process goes on with it (tutti watch \(run) to follow it)"
            case .passed(let run): return "run \(run) passed: every task succeeded, so there is nothing to resume"
            case .notStarted(let run): return "run \(run) recorded no run_started event, so there is nothing to resume; run its workflow again"
            }
        }
    }

    /// Reads where the run in `directory` stands; throws when its recording cannot be read or
    /// the run cannot be resumed (still running, passed, never started).
    public static func read(_ directory: RunDirectory) throws -> ResumePoint {
        let recording = try Recording.read(path: directory.eventsPath)
        let run = recording.header.runID
        guard !EventRecorder.isBeingRecorded(directory.eventsPath) else { throw Refusal.stillRunning(run) }
        var point = ResumePoint(recording, directory: directory)
        for id in point.kept {
            guard let data = FileManager.default.contents(atPath: directory.resultPath(task: id)),
                  let result = try? JSONDecoder.events.decodeChecked(TaskReport.self, from: data), result.status == .succeeded else { continue }
            point.tasks[id]?.findingCount = result.findingCount
            point.tasks[id]?.readyAt = result.readyAt
        }
        guard !point.announced.isEmpty else { throw Refusal.notStarted(run) }
        if recording.finished, point.announced.allSatisfy({ point.tasks[$0]?.status == .succeeded }) { throw Refusal.passed(run) }
        return point
    }

    init(_ recording: Recording, directory: RunDirectory) {
        header = recording.header
        var announced: [String] = []
        var parallelism = 1
        var tasks: [String: TaskHistory] = [:]
        func close(_ task: String, at time: Double, status: TaskStatus, reason: String?, exitCode: Int32? = nil,
                   signal: Int32? = nil, paused: Double? = nil) {
            guard let record = tasks[task]?.openAttemptEnded(of: task, at: time, status: status, reason: reason, exitCode: exitCode,
                                                             signal: signal, paused: paused, in: directory) else { return }
            tasks[task]?.attempts.append(record)
            tasks[task]?.open = nil
            tasks[task]?.openPID = nil
            tasks[task]?.openJob = nil
            tasks[task]?.status = status
            tasks[task]?.reason = reason
        }
        for event in recording.events {
            switch event.kind {
            case .runStarted(let started):
                announced = started.tasks.map(\.id)
                parallelism = started.parallelism
                for id in announced where tasks[id] == nil { tasks[id] = TaskHistory() }
            case .taskStarted(let started):
                tasks[started.task]?.open = (started.attempt, event.time)
                tasks[started.task]?.openPID = started.pid
                tasks[started.task]?.status = .running
                tasks[started.task]?.metrics = [:]
                tasks[started.task]?.findings = []
                tasks[started.task]?.gates = []
            case .taskOnCluster(let job):
                guard let open = tasks[job.task]?.open, open.attempt == job.attempt else { break }
                let known = tasks[job.task]?.openJob
                tasks[job.task]?.openJob = (job.jobID, job.node ?? known?.node, job.started ?? known?.ran)
            case .taskMetric(let metric):
                tasks[metric.task]?.metrics[metric.name] = metric.value
            case .taskFinding(let found):
                tasks[found.task]?.findings.append(found.finding)
            case .taskGate(let gate):
                tasks[gate.task]?.gates.append(gate.result)
            case .taskFinished(let finished):
                close(finished.task, at: event.time, status: finished.status, reason: finished.reason, exitCode: finished.exitCode,
                      signal: finished.signal, paused: finished.paused)
            case .taskRetrying(let retrying):
                tasks[retrying.task]?.status = .pending
            case .taskSkipped(let skipped):
                tasks[skipped.task]?.status = .skipped
                tasks[skipped.task]?.reason = skipped.reason
            case .runResumed(let resumed):
                for attempt in resumed.interrupted {
                    close(attempt.task, at: resumed.lastRecorded, status: .cancelled, reason: RunResumed.interruptedReason)
                }
                for id in resumed.rerun { tasks[id]?.status = .pending }
            default:
                break
            }
        }
        self.announced = announced
        self.parallelism = parallelism
        self.tasks = tasks
        history = recording.events
        lastSeq = recording.events.last?.seq ?? 0
        lastTime = recording.events.last?.time ?? 0
    }

    /// The tasks that succeeded: they stay done.
    public var kept: [String] { announced.filter { tasks[$0]?.status == .succeeded } }
    /// The tasks that run again.
    public var rerun: [String] { announced.filter { tasks[$0]?.status != .succeeded } }
    /// The attempts left running when the old process ended.
    public var interrupted: [AttemptRef] {
        announced.compactMap { id in tasks[id]?.open.map { AttemptRef(task: id, attempt: $0.attempt) } }
    }
}

/// An interrupted run made ready to go on: its engine, where it stands, and the process
/// groups its old attempts had left running (now ended).
public struct ResumedRun: Sendable {
    public let engine: RunEngine
    public let point: ResumePoint
    public let endedGroups: [Int32]

    /// Reads where the run in `directory` stands, ends what it left running, and prepares its
    /// engine (in the runs folder that holds it, with `options` for the rest). Throws a
    /// `ResumePoint.Refusal`, the recording's or the workflow's problem, or the engine's.
    public init(_ directory: RunDirectory, options: RunOptions = RunOptions()) throws {
        let point = try ResumePoint.read(directory)
        let workflow = try point.workflow(in: directory)
        endedGroups = point.endLeftovers()
        // It goes on where it ran (`tutti run --executor slurm` is in its recording's header),
        // unless told otherwise; a recording older than that field ran where its workflow says.
        let ranOn = point.header.executor ?? workflow.execution.executor
        var options = options
        options.executor = options.executor ?? ranOn
        options.runsDirectory = (directory.path as NSString).deletingLastPathComponent
        engine = try RunEngine(resuming: point, in: directory, workflow: workflow, options: options)
        // Jobs its old attempts left on a cluster (its watchdog died too) end before new ones start.
        if ranOn == .slurm || point.tasks.values.contains(where: { $0.openJob != nil }), !point.interrupted.isEmpty {
            ChildProcess.run(SlurmJob.cancelAllCommand(runID: point.header.runID))
        }
        self.point = point
    }
}

extension ResumePoint {
    /// Ends what the interrupted attempts left running, in case the old process could not
    /// (its watchdog was killed with it: `pkill -9 -f tutti`): each attempt's process group,
    /// when its leader is still the process the recording names — it started within two
    /// seconds of the recorded start, so a process id used again is left alone. Returns the
    /// groups ended.
    @discardableResult
    public func endLeftovers() -> [Int32] {
        guard let origin = header.clockOrigin else { return [] }
        var ended: [Int32] = []
        for id in announced {
            guard let history = tasks[id], let open = history.open, let pid = history.openPID, pid > 1,
                  let started = ProcessStart.epochSeconds(of: pid), abs(started - (origin + open.start)) < 2 else { continue }
            if kill(-pid, SIGKILL) == 0 { ended.append(pid) }
        }
        return ended
    }

    /// The run's workflow: the copy kept in its folder, else the file it was started with
    /// (the built-in quality report when it was that one).
    public func workflow(in directory: RunDirectory) throws -> Workflow {
        if FileManager.default.fileExists(atPath: directory.workflowCopyPath) {
            return try WorkflowLoader.load(path: directory.workflowCopyPath)
        }
        guard let file = header.workflowFile else { throw ResumeWorkflowMissing(run: header.runID, file: nil) }
        if file == BuiltInWorkflows.qualityReportSource { return try BuiltInWorkflows.qualityReportWorkflow() }
        guard FileManager.default.fileExists(atPath: file) else { throw ResumeWorkflowMissing(run: header.runID, file: file) }
        return try WorkflowLoader.load(path: file)
    }
}

/// The workflow of a run to resume is in neither its folder nor where it was.
public struct ResumeWorkflowMissing: Error, CustomStringConvertible {
    public var run: String
    public var file: String?
    public var description: String {
        "run \(run)'s workflow is not in its folder" + (file.map { " and \($0) is gone" } ?? "")
            + "; resume it from the folder it was started in, with its workflow file in place"
    }
}
