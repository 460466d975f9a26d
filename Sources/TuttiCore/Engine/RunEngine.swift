import Foundation

/// The scheduler: runs a workflow's tasks as processes, as many at once as allowed, in
/// dependency order, with timeouts and retries; evaluates gates; records every event; and
/// returns the report. Everything it does is published on `bus`.
public actor RunEngine {
    public nonisolated let bus: EventBus
    public nonisolated let runID: String
    public nonisolated let directory: RunDirectory
    public nonisolated let workflow: Workflow
    public nonisolated let parallelism: Int
    let options: RunOptions
    let startedAt: Date
    let failFast: Bool

    private var records: [String: TaskRecord] = [:]
    private var order: [String] = []
    /// Tasks whose dependencies have all succeeded, in the order they became ready.
    private var readyQueue: [String] = []
    private var readyHead = 0
    private var unmetDependencies: [String: Int] = [:]
    private var dependents: [String: [String]] = [:]
    private var running: [String: TaskProcess] = [:]
    private var stopping: (outcome: RunOutcome, reason: String)?
    private var finished = false
    private let fileWriter = DispatchQueue(label: "tutti.run-files")
    private let baseEnvironment = ProcessInfo.processInfo.environment
    private var executables = ExecutableLookup()
    private var completed: AsyncStream<Completion>.Continuation?

    /// A task's state while the run goes on.
    struct TaskRecord {
        var spec: TaskSpec
        var status: TaskStatus = .pending
        var attempts: [AttemptRecord] = []
        var metrics: [String: JSONValue] = [:]
        var gates: [GateResult] = []
        var reason: String?
        var readyAt: Double?
        var maxAttempts: Int
    }

    /// Prepares a run: creates its directory and starts its recording.
    public init(workflow: Workflow, options: RunOptions = RunOptions()) throws {
        try WorkflowLoader.validate(workflow)
        var workflow = workflow
        if let filter = options.taskFilter {
            let wanted = Set(filter)
            let unknown = filter.filter { id in !workflow.tasks.contains { $0.id == id } }
            guard unknown.isEmpty else { throw RunSetupError.unknownTasks(unknown, known: workflow.tasks.map(\.id)) }
            workflow.tasks = workflow.tasks.filter { wanted.contains($0.id) }
            for index in workflow.tasks.indices { workflow.tasks[index].dependsOn.removeAll { !wanted.contains($0) } }
        }
        self.workflow = workflow
        self.options = options
        let runID = options.runID ?? RunDirectory.newRunID(workflow: workflow.name)
        self.runID = runID
        directory = try RunDirectory.create(in: options.runsDirectory, runID: runID)
        startedAt = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let header = RecordingHeader(runID: runID, workflow: workflow.name, workflowFile: workflow.sourcePath,
                                     host: ProcessInfo.processInfo.hostName, startedAt: startedAt)
        bus = EventBus(recorder: try EventRecorder(path: directory.eventsPath, header: header))
        if options.sequential || workflow.execution.mode == .sequential {
            parallelism = 1
        } else {
            parallelism = max(1, options.parallelism ?? workflow.execution.parallelizationFactor ?? workflow.tasks.count)
        }
        failFast = options.failFast ?? workflow.execution.failFast
        for task in workflow.tasks {
            let attempts = workflow.errorHandling.retryAllowed ? task.retry.count + 1 : 1
            records[task.id] = TaskRecord(spec: task, maxAttempts: attempts)
            order.append(task.id)
            unmetDependencies[task.id] = task.dependsOn.count
            for dep in task.dependsOn { dependents[dep, default: []].append(task.id) }
        }
    }

    /// Runs every task to its end and returns the report (also written to the run directory).
    public func run() async -> RunReport {
        bus.emit(.runStarted(RunStarted(
            runID: runID, workflow: workflow.name, parallelism: parallelism, mode: parallelism > 1 ? "parallel" : "sequential",
            pollingInterval: workflow.polling.intervalSeconds,
            tasks: order.compactMap { id in
                records[id].map { TaskInfo(id: id, name: $0.spec.name, agent: $0.spec.agentLabel, dependsOn: $0.spec.dependsOn,
                                           gates: $0.spec.gates.count, maxAttempts: $0.maxAttempts) }
            })))
        for id in order { bus.emit(.taskQueued(TaskRef(task: id))) }
        for id in order where unmetDependencies[id] == 0 { enqueueReady(id) }

        // Attempts report their end on this stream straight from their threads: one hop to
        // the engine, then the next attempt starts at once.
        let (completions, completed) = AsyncStream<Completion>.makeStream()
        self.completed = completed
        let timer = workflow.execution.timeoutSeconds.map { limit in
            Task {
                guard (try? await Task.sleep(for: .seconds(limit))) != nil else { return }
                completed.yield(.workflowTimeout)
            }
        }
        var active = dispatch()
        if active > 0 {
            for await completion in completions {
                switch completion {
                case .workflowTimeout:
                    let limit = NumberFormat.compact(workflow.execution.timeoutSeconds ?? 0)
                    stop(outcome: .timedOut, status: .timedOut, reason: "workflow timed out after \(limit)s")
                case .attempt(let id, let attempt, let outcome):
                    active -= 1
                    if handle(id, attempt: attempt, outcome: outcome) { active += 1 }
                }
                active += dispatch()
                if active == 0 { break }
            }
        }
        timer?.cancel()
        completed.finish()
        return finish()
    }

    /// Stops the run: every running task's group gets SIGTERM (then SIGKILL), nothing new
    /// starts, and the report is marked interrupted.
    public func interrupt(reason: String = "interrupted") {
        stop(outcome: .interrupted, status: .cancelled, reason: reason)
    }

    // MARK: - Scheduling

    private enum Completion: Sendable {
        case attempt(String, Int, AttemptOutcome)
        case workflowTimeout
    }

    private func dispatch() -> Int {
        guard stopping == nil else { return 0 }
        var started = 0
        while running.count < parallelism, readyHead < readyQueue.count {
            let id = readyQueue[readyHead]
            readyHead += 1
            guard records[id]?.status == .pending else { continue }
            records[id]?.status = .running
            startAttempt(id, attempt: 1, delay: 0)
            started += 1
        }
        return started
    }

    private func enqueueReady(_ id: String) {
        records[id]?.readyAt = bus.elapsed
        readyQueue.append(id)
    }

    /// A task succeeded: dependents whose dependencies are now all done become ready.
    private func releaseDependents(of id: String) {
        for dependent in dependents[id] ?? [] {
            let unmet = (unmetDependencies[dependent] ?? 1) - 1
            unmetDependencies[dependent] = unmet
            if unmet == 0, records[dependent]?.status == .pending { enqueueReady(dependent) }
        }
    }

    private func startAttempt(_ id: String, attempt: Int, delay: Double) {
        guard let record = records[id] else { return }
        let process = TaskProcess(
            taskID: id, attempt: attempt, launch: launchSpec(for: record.spec, attempt: attempt),
            logPath: directory.logPath(task: id, attempt: attempt), bus: bus, timeout: record.spec.timeoutSeconds,
            killGrace: options.killGrace, startDelay: delay)
        running[id] = process
        let completed = self.completed
        process.start { outcome in completed?.yield(.attempt(id, attempt, outcome)) }
    }

    /// Records an attempt's end; returns true when a retry was started.
    private func handle(_ id: String, attempt: Int, outcome: AttemptOutcome) -> Bool {
        running[id] = nil
        guard var record = records[id] else { return false }
        let log = directory.logPath(task: id, attempt: attempt)
        let attemptRecord = AttemptRecord(attempt: attempt, start: outcome.startTime, end: outcome.endTime, status: outcome.status,
                                          exitCode: outcome.exitCode, signal: outcome.signal, reason: outcome.reason,
                                          log: String(log.dropFirst(directory.path.count + 1)))
        record.attempts.append(attemptRecord)
        record.metrics = outcome.metrics
        bus.emit(.taskFinished(TaskFinished(task: id, attempt: attempt, status: outcome.status, exitCode: outcome.exitCode,
                                            signal: outcome.signal, reason: outcome.reason, duration: attemptRecord.duration)))

        let retryable = outcome.status == .failed || outcome.status == .timedOut
        if retryable, attempt < record.maxAttempts, stopping == nil {
            let delay = record.spec.retry.delay(beforeAttempt: attempt + 1)
            bus.emit(.taskRetrying(TaskRetrying(task: id, nextAttempt: attempt + 1, delay: delay)))
            records[id] = record
            startAttempt(id, attempt: attempt + 1, delay: delay)
            return true
        }

        record.status = outcome.status
        record.reason = outcome.reason
        record.gates = record.spec.gates.map { $0.evaluate(outcome.metrics) }
        for gate in record.gates { bus.emit(.taskGate(TaskGate(task: id, result: gate))) }
        records[id] = record
        writeResult(id)

        if outcome.status == .succeeded {
            releaseDependents(of: id)
        } else {
            skipDependents(of: id)
            if failFast, stopping == nil {
                stop(outcome: .failed, status: .cancelled, reason: "fail-fast: task \(id) \(outcome.status.rawValue)")
            }
        }
        return false
    }

    private func skipDependents(of failed: String) {
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

    private func skip(_ id: String, reason: String) {
        guard var record = records[id] else { return }
        record.status = .skipped
        record.reason = reason
        record.gates = record.spec.gates.map {
            GateResult(metric: $0.metric, threshold: $0.expectation.thresholdText, actual: nil, actualText: "—",
                       passed: false, reason: "task skipped")
        }
        records[id] = record
        bus.emit(.taskSkipped(TaskSkipped(task: id, reason: reason)))
        writeResult(id)
    }

    private func stop(outcome: RunOutcome, status: TaskStatus, reason: String) {
        guard stopping == nil, !finished else { return }
        stopping = (outcome, reason)
        for process in running.values { process.terminate(as: status, reason: reason) }
        for id in order where records[id]?.status == .pending { skip(id, reason: reason) }
    }

    // MARK: - Processes

    private func launchSpec(for task: TaskSpec, attempt: Int) -> LaunchSpec {
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

    // MARK: - Results

    private func taskReport(_ id: String) -> TaskReport? {
        guard let record = records[id] else { return nil }
        return TaskReport(id: id, name: record.spec.name, agent: record.spec.agentLabel, status: record.status,
                          dependsOn: record.spec.dependsOn, attempts: record.attempts, metrics: record.metrics,
                          gates: record.gates, reason: record.reason, readyAt: record.readyAt)
    }

    private func writeResult(_ id: String) {
        guard let report = taskReport(id) else { return }
        var paths = [directory.resultPath(task: id)]
        if let root = options.compatibilityOutputDirectory { paths.append("\(root)/.conductor/task-results/task-\(id).json") }
        JSONFile.writeInBackground(report, to: paths, on: fileWriter)
    }

    private func finish() -> RunReport {
        finished = true
        let wall = bus.elapsed
        let outcome = stopping?.outcome ?? .passed
        var report = RunMetrics.report(runID: runID, workflow: workflow, tasks: order.compactMap(taskReport),
                                       parallelism: parallelism, startedAt: startedAt, wallSeconds: wall,
                                       outcome: outcome, outcomeReason: stopping?.reason)
        if report.outcome == .failed, report.tasks.allSatisfy({ $0.status != .succeeded }),
           let message = workflow.errorHandling.allTasksFailedMessage {
            report.outcomeReason = message
        }
        fileWriter.sync {}
        JSONFile.write(report, to: directory.reportPath)
        if let root = options.compatibilityOutputDirectory {
            JSONFile.write(report, to: "\(root)/test-results/\(RunDirectory.safeFileName(workflow.name))-results.json")
        }
        bus.emit(.runFinished(RunFinished(outcome: report.outcome, reason: report.outcomeReason)))
        bus.finish()
        return report
    }
}

/// A run that cannot start as asked.
public enum RunSetupError: Error, Sendable, CustomStringConvertible {
    case unknownTasks([String], known: [String])

    public var description: String {
        switch self {
        case .unknownTasks(let unknown, let known):
            return "unknown task id\(unknown.count == 1 ? "" : "s") \(unknown.joined(separator: ", ")); "
                + "this workflow has: \(known.joined(separator: ", "))"
        }
    }
}
