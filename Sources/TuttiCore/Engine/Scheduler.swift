import Foundation

/// The engine's state and decisions: which task starts next, what an attempt's end means
/// (retry, skip dependents, fail fast), and the report. It is used under the engine's lock;
/// the attempts it decides to start are collected in `launches` for the caller to run.
struct Scheduler {
    let workflow: Workflow
    let options: RunOptions
    let bus: EventBus
    let runID: String
    let directory: RunDirectory
    let parallelism: Int
    let failFast: Bool
    let startedAt: Date
    let baseEnvironment = ProcessInfo.processInfo.environment

    var records: [String: TaskRecord] = [:]
    var order: [String] = []
    /// Tasks whose dependencies have all succeeded, in the order they became ready.
    var readyQueue: [String] = []
    var readyHead = 0
    var unmetDependencies: [String: Int] = [:]
    var dependents: [String: [String]] = [:]
    var running: [String: TaskProcess] = [:]
    /// Attempts started and not yet ended (a retry waiting for its delay counts).
    var active = 0
    var stopping: (outcome: RunOutcome, reason: String)?
    var finished = false
    var executables = ExecutableLookup()
    /// Attempts decided but not yet handed to a thread.
    var launches: [TaskProcess] = []
    /// Result files to write, by whoever holds the lock next, once it has let go of it.
    var resultsToWrite: [ResultFiles.Result] = []
    /// Writes them; the report waits until every one is written.
    let resultFiles = ResultFiles()
    /// Resumed when nothing runs any more and nothing can start.
    var whenIdle: CheckedContinuation<Void, Never>?
    /// Whether ready tasks start (running), or wait (paused, held).
    var dispatchState: DispatchState = .running
    /// The paused tasks, and why each is paused.
    var pausedBy: [String: PauseCause] = [:]
    /// Every task after the tasks it depends on.
    let topologicalOrder: [String]
    /// A finished run waits here to be reopened by a retry (true) or closed (false).
    var whenSettledDecided: CheckedContinuation<Bool, Never>?
    /// A retry reopened the run before anyone waited on `whenSettledDecided`.
    var reopenRequested = false
    /// The run may not be reopened any more.
    var closed = false
    /// Tasks being cancelled, with the reason, until their attempt ends.
    var cancelRequested: [String: String] = [:]

    /// A task's state while the run goes on.
    struct TaskRecord {
        var spec: TaskSpec
        var status: TaskStatus = .pending
        var attempts: [AttemptRecord] = []
        var metrics: [String: JSONValue] = [:]
        var findings: [Finding] = []
        var findingCount = 0
        var gates: [GateResult] = []
        var reason: String?
        var readyAt: Double?
        var maxAttempts: Int
    }

    init(workflow: Workflow, options: RunOptions, bus: EventBus, runID: String, directory: RunDirectory,
         parallelism: Int, startedAt: Date) {
        self.workflow = workflow
        self.options = options
        self.bus = bus
        self.runID = runID
        self.directory = directory
        self.parallelism = parallelism
        self.startedAt = startedAt
        failFast = options.failFast ?? workflow.execution.failFast
        topologicalOrder = DependencyGraph(workflow.tasks).topologicalOrder()
        for task in workflow.tasks {
            let attempts = workflow.errorHandling.retryAllowed ? task.retry.count + 1 : 1
            records[task.id] = TaskRecord(spec: task, maxAttempts: attempts)
            order.append(task.id)
            unmetDependencies[task.id] = task.dependsOn.count
            for dep in task.dependsOn { dependents[dep, default: []].append(task.id) }
        }
    }

    /// Announces the run and its tasks, and marks the tasks with no dependencies ready.
    mutating func announce() {
        bus.emit(.runStarted(RunStarted(
            runID: runID, workflow: workflow.name, parallelism: parallelism, mode: parallelism > 1 ? "parallel" : "sequential",
            pollingInterval: workflow.polling.intervalSeconds,
            tasks: order.compactMap { id in
                records[id].map { TaskInfo(id: id, name: $0.spec.name, agent: $0.spec.agentLabel, dependsOn: $0.spec.dependsOn,
                                           gates: $0.spec.gates.count, maxAttempts: $0.maxAttempts) }
            })))
        bus.emit(all: order.map { .taskQueued(TaskRef(task: $0)) })
        for id in order where unmetDependencies[id] == 0 { enqueueReady(id) }
    }

    /// Starts ready tasks while slots are free.
    mutating func dispatch() {
        guard stopping == nil, dispatchState == .running else { return }
        while running.count < parallelism, readyHead < readyQueue.count {
            let id = readyQueue[readyHead]
            readyHead += 1
            guard let record = records[id], record.status == .pending else { continue }
            records[id]?.status = .running
            startAttempt(id, attempt: record.attempts.count + 1, delay: 0)
        }
    }

    /// What the lock holder does next, outside the lock: result files to write, attempts to
    /// hand to threads, and, when the run has nothing left, the waiting `run()` to resume
    /// (which then waits until every result file is written).
    struct Work {
        var results: [ResultFiles.Result]
        var launches: [TaskProcess]
        var runDone: CheckedContinuation<Void, Never>?
        let resultFiles: ResultFiles

        /// Writes the result files, then resumes the run if it is done; returns the launches.
        func perform() -> [TaskProcess] {
            resultFiles.write(results)
            runDone?.resume()
            return launches
        }

        /// Like `perform`, but when there is an attempt to start, the result files are left
        /// to the returned closure, for the caller to write while that attempt's process runs
        /// instead of before it starts.
        func performWritingLater() -> (launches: [TaskProcess], writeResults: (@Sendable () -> Void)?) {
            guard !launches.isEmpty, !results.isEmpty else { return (perform(), nil) }
            return (launches, { [results, resultFiles] in resultFiles.write(results) })
        }
    }

    mutating func takeWork() -> Work {
        var work = Work(results: resultsToWrite, launches: launches, runDone: nil, resultFiles: resultFiles)
        resultsToWrite.removeAll()
        launches.removeAll()
        if isIdle, work.launches.isEmpty, let continuation = whenIdle {
            whenIdle = nil
            work.runDone = continuation
        }
        return work
    }

    /// Nothing runs and nothing more will start. Ready tasks waiting for a paused or held
    /// run keep it going: they start when it is resumed.
    var isIdle: Bool {
        guard active == 0 else { return false }
        guard stopping == nil, dispatchState != .running else { return true }
        return !readyQueue[readyHead...].contains { records[$0]?.status == .pending }
    }

    mutating func enqueueReady(_ id: String) {
        let now = bus.elapsed
        records[id]?.readyAt = now
        readyQueue.append(id)
    }

    /// A task succeeded: dependents whose dependencies are now all done become ready.
    mutating func releaseDependents(of id: String) {
        for dependent in dependents[id] ?? [] {
            let unmet = (unmetDependencies[dependent] ?? 1) - 1
            unmetDependencies[dependent] = unmet
            if unmet == 0, records[dependent]?.status == .pending { enqueueReady(dependent) }
        }
    }

    mutating func startAttempt(_ id: String, attempt: Int, delay: Double) {
        guard let record = records[id] else { return }
        let process = TaskProcess(
            taskID: id, attempt: attempt, launch: launchSpec(for: record.spec, attempt: attempt),
            logPath: directory.logPath(task: id, attempt: attempt), bus: bus, timeout: record.spec.timeoutSeconds,
            killGrace: options.killGrace, startDelay: delay)
        running[id] = process
        active += 1
        launches.append(process)
        if dispatchState == .paused { pauseTask(id, cause: .run) }
    }

    /// Records an attempt's end, then starts what can start (collected in `launches`).
    mutating func attemptEnded(_ id: String, attempt: Int, outcome: AttemptOutcome) {
        running[id] = nil
        let pause = pausedBy.removeValue(forKey: id)
        active -= 1
        var outcome = outcome
        // A cancel that came as the process was exiting on its own still wins over a retry.
        if let reason = cancelRequested.removeValue(forKey: id), outcome.status != .succeeded {
            outcome.status = .cancelled
            outcome.reason = reason
        }
        handle(id, attempt: attempt, outcome: outcome)
        // A task paused while an attempt ended stays paused into its next attempt.
        if let pause, running[id] != nil, pausedBy[id] == nil { pauseTask(id, cause: pause) }
        dispatch()
    }

    mutating func handle(_ id: String, attempt: Int, outcome: AttemptOutcome) {
        guard var record = records[id] else { return }
        let log = directory.logPath(task: id, attempt: attempt)
        let attemptRecord = AttemptRecord(attempt: attempt, start: outcome.startTime, end: outcome.endTime, status: outcome.status,
                                          exitCode: outcome.exitCode, signal: outcome.signal, reason: outcome.reason,
                                          log: String(log.dropFirst(directory.path.count + 1)),
                                          paused: outcome.pausedSeconds > 0 ? outcome.pausedSeconds : nil)
        record.attempts.append(attemptRecord)
        record.metrics = outcome.metrics
        record.findings = outcome.findings
        record.findingCount = outcome.findingsReported
        bus.emit(.taskFinished(TaskFinished(task: id, attempt: attempt, status: outcome.status, exitCode: outcome.exitCode,
                                            signal: outcome.signal, reason: outcome.reason, duration: attemptRecord.duration,
                                            paused: attemptRecord.paused)))

        let retryable = outcome.status == .failed || outcome.status == .timedOut
        if retryable, attempt < record.maxAttempts, stopping == nil {
            let delay = record.spec.retry.delay(beforeAttempt: attempt + 1)
            bus.emit(.taskRetrying(TaskRetrying(task: id, nextAttempt: attempt + 1, delay: delay)))
            records[id] = record
            startAttempt(id, attempt: attempt + 1, delay: delay)
            return
        }

        record.status = outcome.status
        record.reason = outcome.reason
        record.gates = record.spec.gates.map { $0.evaluate(outcome.metrics, labels: outcome.labels) }
        for gate in record.gates { bus.emit(.taskGate(TaskGate(task: id, result: gate))) }
        records[id] = record
        writeResult(id)

        if outcome.status == .succeeded {
            releaseDependents(of: id)
        } else {
            skipDependents(of: id)
            // A task cancelled on purpose is not a failure to stop the run for.
            if failFast, stopping == nil, outcome.status != .cancelled {
                stop(outcome: .failed, status: .cancelled, reason: "fail-fast: task \(id) \(outcome.status.rawValue)")
            }
        }
    }

    mutating func skipDependents(of failed: String) {
        var queue = [failed]
        while let current = queue.popLast() {
            for id in dependents[current] ?? [] where records[id]?.status == .pending {
                let reason = current == failed
                    ? "dependency \(failed) \(records[failed]?.status.rawValue ?? "failed")"
                    : "dependency \(current) skipped (\(failed) \(records[failed]?.status.rawValue ?? "failed"))"
                skip(id, reason: reason)
                queue.append(id)
            }
        }
    }

    mutating func skip(_ id: String, reason: String) {
        guard settleUnrun(id, as: .skipped, reason: reason) else { return }
        bus.emit(.taskSkipped(TaskSkipped(task: id, reason: reason)))
        writeResult(id)
    }

    /// Ends a task that does not run (skipped, or cancelled before it started): every gate
    /// fails as not run. False when there is no such task.
    mutating func settleUnrun(_ id: String, as status: TaskStatus, reason: String) -> Bool {
        guard var record = records[id] else { return false }
        record.status = status
        record.reason = reason
        record.gates = record.spec.gates.map {
            GateResult(metric: $0.metric, threshold: $0.expectation.thresholdText, actual: nil, actualText: "—",
                       passed: false, reason: "task \(status.rawValue)", advisory: $0.advisory)
        }
        records[id] = record
        return true
    }

    /// Stops the run: running attempts are terminated, pending tasks skipped.
    mutating func stop(outcome: RunOutcome, status: TaskStatus, reason: String) {
        guard stopping == nil, !finished else { return }
        stopping = (outcome, reason)
        for process in running.values { process.terminate(as: status, reason: reason) }
        for id in order where records[id]?.status == .pending { skip(id, reason: reason) }
    }

    mutating func launchSpec(for task: TaskSpec, attempt: Int) -> LaunchSpec {
        var environment = baseEnvironment
        for (key, value) in task.environment { environment[key] = value }
        environment["TUTTI_RUN_ID"] = runID
        environment["TUTTI_RUN_DIR"] = directory.path
        environment["TUTTI_TASK_ID"] = task.id
        environment["TUTTI_ATTEMPT"] = String(attempt)
        var argv: [String]
        switch task.launch {
        case .command(let command): argv = command
        case .shell(let script): argv = ["/bin/sh", "-c", script]
        case .agent(let name):
            let parameters = (try? JSONEncoder.sortedCompact.encode(JSONValue.object(task.parameters)))
                .map { String(decoding: $0, as: UTF8.self) } ?? "{}"
            argv = [options.agentExecutable, "agent", name, "--parameters", parameters]
        }
        if let program = argv.first {
            argv[0] = executables.resolve(program, searchPath: environment["PATH"])
        }
        var directoryPath = task.workingDirectory
        if let relative = directoryPath, !relative.hasPrefix("/") {
            directoryPath = (workflow.baseDirectory as NSString).appendingPathComponent(relative)
        }
        return LaunchSpec(argv: argv, environment: environment, workingDirectory: directoryPath)
    }

    func taskReport(_ id: String) -> TaskReport? {
        guard let record = records[id] else { return nil }
        return TaskReport(id: id, name: record.spec.name, agent: record.spec.agentLabel, status: record.status,
                          dependsOn: record.spec.dependsOn, attempts: record.attempts, metrics: record.metrics,
                          gates: record.gates, reason: record.reason, readyAt: record.readyAt, findings: record.findings,
                          findingCount: record.findingCount)
    }

    mutating func writeResult(_ id: String) {
        guard let report = taskReport(id) else { return }
        var paths = [directory.resultPath(task: id)]
        if let root = options.compatibilityOutputDirectory { paths.append("\(root)/.conductor/task-results/task-\(id).json") }
        resultFiles.unwritten.enter()
        resultsToWrite.append((report, paths))
    }

    /// The final report (the caller writes it once the result files are on disk).
    mutating func makeReport() -> RunReport {
        finished = true
        let outcome = stopping?.outcome ?? .passed
        var report = RunMetrics.report(runID: runID, workflow: workflow, tasks: order.compactMap(taskReport),
                                       parallelism: parallelism, startedAt: startedAt, wallSeconds: bus.elapsed,
                                       outcome: outcome, outcomeReason: stopping?.reason)
        if report.outcome == .failed, report.tasks.allSatisfy({ $0.status != .succeeded }),
           let message = workflow.errorHandling.allTasksFailedMessage {
            report.outcomeReason = message
        }
        return report
    }
}
