import Foundation

/// A run as its events tell it: the one fold every view of a run shares — the dashboard (live,
/// watched or replayed), the headless printer and the MCP server's status. Pure: no clock of
/// its own; time comes from events and `tick(now:)`.
public struct RunState: Sendable {
    public var workflow = ""
    public var runID = ""
    public var parallelism = 0
    public var tasks: [TaskState] = []
    /// The display clock: it moves with `tick(now:)` and at the run's end, so a progress event
    /// changes only what it changed, not every elapsed time.
    public var now: Double = 0
    public var outcome: RunOutcome?
    public var outcomeReason: String?
    /// Whether the run starts new tasks (running), or not (paused, held).
    public var dispatch: DispatchState = .running
    /// How often the run reports progress, as the workflow says.
    public var pollingInterval: Double = 5
    /// The final report, once the run has ended.
    public var report: RunReport?
    /// The run's files that could not be written, in the order it found out.
    public var fileProblems: [RunFileFailed] = []
    /// How long the workflow's tasks took in earlier runs (set by the view, not by events).
    public var history = DurationHistory()
    private var index: [String: Int] = [:]
    /// Each group's tasks, from the run's announcement.
    private var groups: [String: [String]] = [:]

    public init() {}

    /// The state the run is in, as a header says it.
    public var stateText: String {
        if let outcome {
            switch outcome {
            case .passed: return "FINISHED"
            case .failed: return "FAILED"
            case .interrupted: return "INTERRUPTED"
            case .timedOut: return "TIMED OUT"
            case .unrecorded: return "NOT RECORDED"
            }
        }
        switch dispatch {
        case .paused: return "PAUSED"
        case .held: return "HOLDING"
        case .running: return tasks.isEmpty ? "STARTING" : "RUNNING"
        }
    }

    // The header's figures are read every frame: each looks at the tasks in place, by index,
    // never copying a task (a copy retains every string and list it holds; 10,000 of them
    // took most of a frame).
    public var doneCount: Int { total { $0.status.isFinal ? 1 : 0 } }
    /// Tasks whose process failed or timed out.
    public var failedCount: Int { total { $0.status == .failed || $0.status == .timedOut ? 1 : 0 } }
    /// Tasks whose process succeeded but that failed a gate.
    public var failedGatesCount: Int { total { $0.failedGates ? 1 : 0 } }
    public var gatesPassed: Int { total { $0.gatesPassed } }
    public var gatesTotal: Int { total { $0.gatesTotal } }

    /// Sum of the tasks' busy time over the wall time so far.
    public var liveEfficiency: Double {
        guard now > 0 else { return 0 }
        var busy = 0.0
        tasks.withUnsafeBufferPointer { all in
            for index in all.indices { busy += all[index].elapsed(now: now) }
        }
        return busy / now
    }

    /// The sum of `value` over the tasks, each read in place.
    private func total(_ value: (borrowing TaskState) -> Int) -> Int {
        tasks.withUnsafeBufferPointer { all in
            var sum = 0
            for index in all.indices { sum += value(all[index]) }
            return sum
        }
    }

    /// The task with this id.
    public func task(_ id: String) -> TaskState? { index[id].map { tasks[$0] } }

    /// Folds one event into the state.
    public mutating func apply(_ event: RunEvent) {
        switch event.kind {
        case .runStarted(let started):
            workflow = started.workflow
            runID = started.runID
            parallelism = started.parallelism
            pollingInterval = started.pollingInterval
            tasks = started.tasks.map {
                var task = TaskState(id: $0.id, name: $0.name, agent: $0.agent, maxAttempts: $0.maxAttempts, gatesTotal: $0.gates)
                task.dependsOn = $0.dependsOn
                task.group = $0.group
                return task
            }
            groups = [:]
            for task in tasks { if let group = task.group { groups[group, default: []].append(task.id) } }
            index = Dictionary(uniqueKeysWithValues: tasks.enumerated().map { ($1.id, $0) })
        case .runFinished(let finished):
            now = max(now, event.time)
            outcome = finished.outcome
            outcomeReason = finished.reason
            report = finished.report
        case .taskStarted(let started):
            update(started.task) { task in
                task.status = .running
                task.attempt = started.attempt
                task.percent = 0
                task.pid = started.pid
                task.command = started.command
                task.workingDirectory = started.workingDirectory
                task.cluster = nil
                task.details = [:]
                task.startedAt = task.startedAt ?? event.time
                task.attemptStartedAt = event.time
                task.maxAttempts = max(task.maxAttempts, started.attempt)
                task.pausedSince = nil
                task.attemptPaused = 0
                task.endedAt = nil
                task.reason = nil
                task.exitCode = nil
                task.signal = nil
                task.segments.append(TaskState.Segment(start: event.time, end: nil, status: .running))
                task.gateResults = []
                task.gatesPassed = 0
                task.gatesFailed = 0
                task.findings = []
            }
        case .taskOnCluster(let job):
            update(job.task) { task in
                guard job.attempt == task.attempt else { return }
                task.cluster = job
                // The attempt ran from when its job left the queue: the wait is not run time.
                if let started = job.started, let start = task.attemptStartedAt, task.status == .running || task.status == .paused {
                    let from = max(start, min(started, event.time))
                    task.queuedSeconds += from - start
                    task.attemptStartedAt = from
                    if let last = task.segments.indices.last, task.segments[last].end == nil { task.segments[last].start = from }
                }
            }
        case .taskProgress(let progress):
            update(progress.task) { $0.percent = progress.percent }
        case .taskMetric(let metric):
            update(metric.task) { $0.metrics[metric.name] = metric.value }
        case .taskGate(let gate):
            update(gate.task) { task in
                if gate.result.passed { task.gatesPassed += 1 } else { task.gatesFailed += 1 }
                task.gateResults.append(gate.result)
            }
        case .taskLog(let line):
            update(line.task) { task in
                task.log.append(String(line.line.prefix(TaskState.logLineLimit)))
                if task.log.count > TaskState.logLimit { task.log.removeFirst(task.log.count - TaskState.logLimit) }
            }
        case .taskLogDropped(let dropped):
            update(dropped.task) { $0.logDropped += dropped.count }
        case .taskFinished(let finished):
            update(finished.task) { task in
                task.endAttempt(at: event.time, status: finished.status, reason: finished.reason, exitCode: finished.exitCode,
                                signal: finished.signal, duration: finished.duration)
            }
        case .taskRetrying(let retry):
            update(retry.task) { task in
                // Waiting for the next attempt: no attempt runs, so no time is counted.
                task.status = .running
                task.attemptStartedAt = nil
                task.reason = "retrying in \(DurationText.format(retry.delay))"
            }
        case .taskSkipped(let skipped):
            update(skipped.task) { $0.status = .skipped; $0.reason = skipped.reason }
        case .taskQueued(let queued):
            // Queued again after it ended: a retry, or a dependency retried.
            update(queued.task) { task in
                guard task.status.isFinal else { return }
                task.status = .pending
                task.reason = nil
                task.percent = 0
                task.gateResults = []
                task.gatesPassed = 0
                task.gatesFailed = 0
            }
        case .taskPaused(let paused):
            update(paused.task) { task in
                task.status = .paused
                task.pausedSince = event.time
            }
        case .taskResumed(let resumed):
            update(resumed.task) { task in
                task.status = .running
                task.attemptPaused += task.pausedSince.map { event.time - $0 } ?? 0
                task.pausedSince = nil
            }
        case .dispatchChanged(let change):
            dispatch = change.state
        case .runReopened:
            outcome = nil
            outcomeReason = nil
            report = nil
        case .runResumed(let resumed):
            outcome = nil
            outcomeReason = nil
            report = nil
            dispatch = .running
            // The tasks to run again are queued by the events that follow.
            for attempt in resumed.interrupted {
                update(attempt.task) { task in
                    task.endAttempt(at: resumed.lastRecorded, status: .cancelled, reason: RunResumed.interruptedReason,
                                    exitCode: nil, signal: nil, duration: task.attemptBusy(now: resumed.lastRecorded))
                }
            }
        case .taskFinding(let found):
            update(found.task) { $0.findings.append(found.finding) }
        case .runFileFailed(let failed):
            fileProblems.append(failed)
        case .taskDetail(let detail):
            update(detail.task) { $0.details[detail.name] = detail.text }
        case .action, .taskMessage:
            break
        }
    }

    /// Seconds left for a running task: from its own progress when it reports some, else
    /// from how long it took in earlier runs (`estimated`); nil when neither can tell.
    public func eta(_ task: TaskState) -> (seconds: Double, estimated: Bool)? {
        if let eta = task.eta(now: now) { return (eta, false) }
        guard task.status == .running, let estimate = history.estimate(task.id) else { return nil }
        return (max(0, estimate.seconds - task.attemptBusy(now: now)), true)
    }

    /// Why a task that has not started waits: the tasks it depends on that have not
    /// succeeded, a paused or held run, or the parallel limit; nil when it is not waiting.
    public func whyWaiting(_ id: String) -> String? {
        guard let task = task(id), task.status == .pending, outcome == nil else { return nil }
        let waitingFor = task.dependsOn.compactMap { dependency -> String? in
            if let members = groups[dependency] {
                let left = members.filter { self.task($0)?.status != .succeeded }.count
                return left == 0 ? nil : "group \(dependency) (\(left) of \(members.count) tasks not done)"
            }
            guard let other = self.task(dependency), other.status != .succeeded else { return nil }
            return "task \(other.id) (\(other.status == .pending ? "waiting" : other.status.rawValue))"
        }
        if !waitingFor.isEmpty { return "waits for " + waitingFor.joined(separator: ", ") }
        switch dispatch {
        case .paused: return "the run is paused (P resumes it)"
        case .held: return "dispatch is held (h releases it)"
        case .running:
            let running = tasks.filter { $0.status == .running || $0.status == .paused }.count
            return running >= parallelism ? "the parallel limit: \(running) of \(parallelism) running" : "about to start"
        }
    }

    /// Moves the clock forward between events (elapsed times, ETAs); a finished run's clock stands still.
    public mutating func tick(now: Double) {
        if outcome == nil { self.now = max(self.now, now) }
    }

    private mutating func update(_ id: String, _ change: (inout TaskState) -> Void) {
        guard let position = index[id] else { return }
        change(&tasks[position])
    }
}
