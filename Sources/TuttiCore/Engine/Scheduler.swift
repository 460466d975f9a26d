import Foundation

/// The engine's decisions, as a value: which task starts next, what an attempt's end means
/// (retry, skip dependents, fail fast), what a control action does, and the report. It
/// touches no process, file or thread: each transition records the effects it decided
/// (`SchedulerEffect`), which `takeEffects()` hands to the engine to carry out. The clock is
/// injected, so every rule can be tested with no process and no waiting.
struct Scheduler {
    let workflow: Workflow
    let runID: String
    /// The run directory's path: attempts' log files are named relative to it.
    let directory: RunDirectory
    let parallelism: Int
    let failFast: Bool
    let startedAt: Date
    /// Seconds since the run started.
    let clock: @Sendable () -> Double

    var records: [String: TaskRecord] = [:]
    var order: [String] = []
    /// Tasks whose dependencies have all succeeded, in the order they became ready.
    var readyQueue: [String] = []
    var readyHead = 0
    /// What each pending task and each group still waits for.
    var unmetDependencies: [String: Int] = [:]
    /// The tasks waiting for each task or group, and the groups each task belongs to.
    var dependents: [String: [String]] = [:]
    /// Each group's tasks: a task waiting for a group waits for all of them, through the
    /// group (one edge each, not one per task of the group).
    let groups: [String: [String]]
    /// Tasks with an attempt started and not yet ended (a retry waiting for its delay counts),
    /// and that attempt's number.
    var running: [String: Int] = [:]
    var stopping: (outcome: RunOutcome, reason: String)?
    /// The run has ended and its report was made; a retry can reopen it.
    var finished = false
    /// Whether ready tasks start (running), or wait (paused, held).
    var dispatchState: DispatchState = .running
    /// The paused tasks, and why each is paused.
    var pausedBy: [String: PauseCause] = [:]
    /// Every task after the tasks it depends on.
    let topologicalOrder: [String]
    /// Tasks being cancelled, with the reason, until their attempt ends.
    var cancelRequested: [String: String] = [:]
    /// What was decided since the engine last took it; events decided since the last other
    /// effect wait in `events`, to go as one batch.
    private var effects: [SchedulerEffect] = []
    private var events: [EventKind] = []

    /// A task's state while the run goes on.
    struct TaskRecord {
        /// Where its spec is in the workflow's tasks (not a copy: a spec is large, a
        /// workflow may hold 100,000).
        let position: Int
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

    /// Why a task is paused: on its own, or because the whole run was paused.
    enum PauseCause { case task, run }

    init(workflow: Workflow, runID: String, directory: RunDirectory, parallelism: Int, failFast: Bool, startedAt: Date,
         clock: @escaping @Sendable () -> Double) {
        self.workflow = workflow
        self.runID = runID
        self.directory = directory
        self.parallelism = parallelism
        self.failFast = failFast
        self.startedAt = startedAt
        self.clock = clock
        let graph = DependencyGraph(workflow.tasks)
        topologicalOrder = graph.topologicalOrder()
        groups = graph.groups
        // Sized at once: growing a table of 10,000 rehashes every key several times.
        records.reserveCapacity(workflow.tasks.count)
        order.reserveCapacity(workflow.tasks.count)
        unmetDependencies.reserveCapacity(workflow.tasks.count + groups.count)
        for (position, task) in workflow.tasks.enumerated() {
            let attempts = workflow.errorHandling.retryAllowed ? task.retry.count + 1 : 1
            records[task.id] = TaskRecord(position: position, maxAttempts: attempts)
            order.append(task.id)
            unmetDependencies[task.id] = task.dependsOn.count
            for dep in task.dependsOn { dependents[dep, default: []].append(task.id) }
        }
        for (group, members) in groups {
            unmetDependencies[group] = members.count
            for member in members { dependents[member, default: []].append(group) }
        }
    }

    /// The effects decided since the last call, in order; consecutive events come as one batch.
    mutating func takeEffects() -> [SchedulerEffect] {
        flushEvents()
        // Handed over, not copied: emptying it in place while the caller holds it would
        // allocate a new buffer of the same capacity (the run's announcement makes it large).
        defer { effects = [] }
        return effects
    }

    /// Decides an effect other than an event.
    mutating func decide(_ effect: SchedulerEffect) {
        flushEvents()
        effects.append(effect)
    }

    /// Decides to publish an event.
    mutating func emit(_ event: EventKind) { events.append(event) }

    private mutating func flushEvents() {
        guard !events.isEmpty else { return }
        effects.append(.emit(events))
        events = []
    }

    /// Announces the run and its tasks, marks the tasks with no dependencies ready, and
    /// starts them.
    mutating func start() {
        emit(.runStarted(RunStarted(
            runID: runID, workflow: workflow.name, parallelism: parallelism, mode: parallelism > 1 ? "parallel" : "sequential",
            pollingInterval: workflow.polling.intervalSeconds,
            tasks: order.compactMap { id in
                records[id].map {
                    let spec = workflow.tasks[$0.position]
                    return AnnouncedTask(id: id, name: spec.name, agent: spec.agentLabel, dependsOn: spec.dependsOn,
                                         group: spec.group, gates: spec.gates.count, maxAttempts: $0.maxAttempts)
                }
            })))
        for id in order { emit(.taskQueued(TaskRef(task: id))) }
        for id in order where unmetDependencies[id] == 0 { enqueueReady(id) }
        dispatch()
    }

    /// Starts ready tasks while slots are free.
    mutating func dispatch() {
        guard stopping == nil, dispatchState == .running else { return }
        while running.count < parallelism, readyHead < readyQueue.count {
            let id = readyQueue[readyHead]
            readyHead += 1
            // A task queued before a retry sent one of its dependencies back waits again; it
            // comes back to the queue when that one succeeds.
            guard let record = records[id], record.status == .pending, unmetDependencies[id, default: 0] == 0 else { continue }
            records[id]?.status = .running
            startAttempt(id, attempt: record.attempts.count + 1, delay: 0)
        }
    }

    /// Nothing runs and nothing more will start. Ready tasks waiting for a paused or held
    /// run keep it going: they start when it is resumed.
    var isIdle: Bool {
        guard running.isEmpty else { return false }
        guard stopping == nil, dispatchState != .running else { return true }
        return !readyQueue[readyHead...].contains { records[$0]?.status == .pending }
    }

    mutating func enqueueReady(_ id: String) {
        records[id]?.readyAt = clock()
        readyQueue.append(id)
    }

    /// A task succeeded: dependents whose dependencies are now all done become ready.
    mutating func releaseDependents(of id: String) {
        for dependent in dependents[id] ?? [] {
            let unmet = (unmetDependencies[dependent] ?? 1) - 1
            unmetDependencies[dependent] = unmet
            guard unmet == 0 else { continue }
            if groups[dependent] != nil {
                releaseDependents(of: dependent)  // every task of the group has succeeded
            } else if records[dependent]?.status == .pending {
                enqueueReady(dependent)
            }
        }
    }

    /// The tasks a dependency stands for: the task, or a group's tasks.
    func tasks(of dependency: String) -> [String] { groups[dependency] ?? [dependency] }

    /// Counts again what each group and each pending task waits for (after a retry or a resume
    /// changed which tasks have succeeded). A group counts its tasks once, however many wait for it.
    mutating func recountUnmetDependencies() {
        for (group, members) in groups { unmetDependencies[group] = members.filter { records[$0]?.status != .succeeded }.count }
        for id in order where records[id]?.status == .pending {
            unmetDependencies[id] = spec(id)?.dependsOn.filter { dependency in
                groups[dependency] != nil ? unmetDependencies[dependency, default: 0] > 0 : records[dependency]?.status != .succeeded
            }.count ?? 0
        }
    }

    /// The spec of a task of the run.
    func spec(_ id: String) -> TaskSpec? { records[id].map { workflow.tasks[$0.position] } }

    mutating func startAttempt(_ id: String, attempt: Int, delay: Double) {
        running[id] = attempt
        decide(.start(task: id, attempt: attempt, delay: delay))
        if dispatchState == .paused { pauseTask(id, cause: .run) }
    }

    /// Records an attempt's end, then starts what can start.
    mutating func attemptEnded(_ id: String, attempt: Int, outcome: AttemptOutcome) {
        running[id] = nil
        let pause = pausedBy.removeValue(forKey: id)
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
        let attemptRecord = AttemptRecord(attempt: attempt, start: outcome.startTime, end: outcome.endTime, status: outcome.status,
                                          exitCode: outcome.exitCode, signal: outcome.signal, reason: outcome.reason,
                                          log: directory.relativeLogPath(task: id, attempt: attempt),
                                          paused: outcome.pausedSeconds > 0 ? outcome.pausedSeconds : nil, job: outcome.job,
                                          node: outcome.node, queued: outcome.job == nil ? nil : EventBus.microseconds(outcome.queuedSeconds))
        record.attempts.append(attemptRecord)
        record.metrics = outcome.metrics
        record.findings = outcome.findings
        record.findingCount = outcome.findingsReported
        emit(.taskFinished(TaskFinished(task: id, attempt: attempt, status: outcome.status, exitCode: outcome.exitCode,
                                        signal: outcome.signal, reason: outcome.reason, duration: attemptRecord.duration,
                                        paused: attemptRecord.paused)))

        // A timeout that ends the run is not retried.
        let endsRun = outcome.status == .timedOut && workflow.tasks[record.position].onTimeout == .endRun
        let retryable = outcome.status == .failed || (outcome.status == .timedOut && !endsRun)
        if retryable, attempt < record.maxAttempts, stopping == nil {
            let delay = workflow.tasks[record.position].retry.delay(beforeAttempt: attempt + 1)
            emit(.taskRetrying(TaskRetrying(task: id, nextAttempt: attempt + 1, delay: delay)))
            records[id] = record
            startAttempt(id, attempt: attempt + 1, delay: delay)
            return
        }

        record.status = outcome.status
        record.reason = outcome.reason
        record.gates = workflow.tasks[record.position].gates.map { $0.evaluate(outcome.metrics, labels: outcome.labels) }
        for gate in record.gates { emit(.taskGate(TaskGate(task: id, result: gate))) }
        records[id] = record
        writeResult(id)

        if outcome.status == .succeeded {
            releaseDependents(of: id)
        } else {
            skipDependents(of: id)
            if endsRun, stopping == nil {
                stop(outcome: .timedOut, status: .cancelled, reason: "task \(id) timed out, which ends the run (on_timeout: end_run)")
            }
            // A task cancelled on purpose is not a failure to stop the run for.
            if failFast, stopping == nil, outcome.status != .cancelled {
                stop(outcome: .failed, status: .cancelled, reason: "fail-fast: task \(id) \(outcome.status.rawValue)")
            }
        }
    }

    mutating func skipDependents(of failed: String) {
        var queue = [failed]
        /// Each group reached, and its task the walk came through.
        var groupsPassed: [String: String] = [:]
        let status = records[failed]?.status.rawValue ?? "failed"
        while let current = queue.popLast() {
            for id in dependents[current] ?? [] {
                // A group with a task that will not succeed: the tasks waiting for it are skipped.
                if groups[id] != nil {
                    if groupsPassed[id] == nil {
                        groupsPassed[id] = current
                        queue.append(id)
                    }
                    continue
                }
                guard records[id]?.status == .pending else { continue }
                let reason: String
                if current == failed {
                    reason = "dependency \(failed) \(status)"
                } else if let member = groupsPassed[current] {
                    reason = "dependency group \(current) (" + (member == failed ? "" : "\(member) skipped: ") + "\(failed) \(status))"
                } else {
                    reason = "dependency \(current) skipped (\(failed) \(status))"
                }
                skip(id, reason: reason)
                queue.append(id)
            }
        }
    }

    mutating func skip(_ id: String, reason: String) {
        guard settleUnrun(id, as: .skipped, reason: reason) else { return }
        emit(.taskSkipped(TaskSkipped(task: id, reason: reason)))
        writeResult(id)
    }

    /// Ends a task that does not run (skipped, or cancelled before it started): every gate
    /// fails as not run. False when there is no such task.
    mutating func settleUnrun(_ id: String, as status: TaskStatus, reason: String) -> Bool {
        guard var record = records[id] else { return false }
        record.status = status
        record.reason = reason
        record.gates = workflow.tasks[record.position].gates.map {
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
        for id in order where running[id] != nil { decide(.terminate(task: id, status: status, reason: reason)) }
        for id in order where records[id]?.status == .pending { skip(id, reason: reason) }
    }

    func taskReport(_ id: String) -> TaskReport? {
        guard let record = records[id] else { return nil }
        let spec = workflow.tasks[record.position]
        return TaskReport(id: id, name: spec.name, agent: spec.agentLabel, status: record.status,
                          dependsOn: spec.dependsOn, attempts: record.attempts, metrics: record.metrics,
                          gates: record.gates, reason: record.reason, readyAt: record.readyAt, findings: record.findings,
                          findingCount: record.findingCount, group: spec.group)
    }

    mutating func writeResult(_ id: String) {
        guard let report = taskReport(id) else { return }
        decide(.writeResult(report))
    }

    /// The run has ended: its report, and the `run_finished` event that carries it.
    /// Ends the run and decides its report. With `unrecorded` (why the run's files could not
    /// all be written), the outcome is `unrecorded` whatever the tasks did, which the reason
    /// still says.
    mutating func finish(unrecorded: String? = nil) -> RunReport {
        finished = true
        let outcome = stopping?.outcome ?? .passed
        var reports: [TaskReport] = []
        reports.reserveCapacity(order.count)
        for id in order { if let task = taskReport(id) { reports.append(task) } }
        var report = RunMetrics.report(runID: runID, workflow: workflow, tasks: reports,
                                       parallelism: parallelism, startedAt: startedAt, wallSeconds: clock(),
                                       outcome: outcome, outcomeReason: stopping?.reason)
        if report.outcome == .failed, report.tasks.allSatisfy({ $0.status != .succeeded }),
           let message = workflow.errorHandling.allTasksFailedMessage {
            report.outcomeReason = message
        }
        if let unrecorded {
            report.outcomeReason = "\(unrecorded); the tasks' verdict was \(report.outcome.rawValue)"
                + (report.outcomeReason.map { " (\($0))" } ?? "")
            report.outcome = .unrecorded
            report.exitCode = ExitStatus.notRecorded
        }
        emit(.runFinished(RunFinished(outcome: report.outcome, reason: report.outcomeReason, report: report)))
        return report
    }
}
