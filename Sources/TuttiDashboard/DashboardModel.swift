import TuttiCore

/// A key the dashboard understands, decoded by the terminal backend.
public enum KeyInput: Sendable, Hashable {
    case character(Character)
    case up, down, left, right, pageUp, pageDown, home, end, enter, escape, tab, interrupt
}

/// What the dashboard asks of the program around it.
public enum DashboardCommand: Sendable, Hashable {
    /// Leave the dashboard (the run has ended, or the user confirmed stopping it).
    case quit
    /// Stop the run (then the dashboard shows its end and waits for `q`).
    case stopRun
    /// Ask the engine for a control action (its answer comes back as an event).
    case perform(ControlAction)
}

/// Something that happened, shown for a while under the task list.
public struct Notice: Sendable, Hashable {
    public var time: Double
    public var text: String
    public var role: Role

    public init(time: Double, text: String, role: Role) {
        self.time = time
        self.text = text
        self.role = role
    }
}

/// The dashboard's state: a fold over the engine's events plus the user's navigation.
/// Pure: no terminal, no clock; time comes from events and `tick(now:)`.
public struct DashboardModel: Sendable {
    /// One task as the dashboard shows it.
    public struct TaskRow: Sendable, Hashable {
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
        /// The latest output lines (at most `DashboardModel.logLimit`; the full log is on disk).
        public var log: [String] = []
        /// Lines the engine kept out of events (they are in the log file).
        public var logDropped = 0

        /// An attempt on the timeline: when it ran and how it ended (nil while it runs).
        public struct Segment: Sendable, Hashable {
            public var start: Double
            public var end: Double?
            public var status: TaskStatus
            /// How it ended: "exit 1", "signal 9", and the reason, once it has.
            public var outcome: String?
        }

        /// Seconds the task has run so far (all attempts), not counting time paused.
        public func elapsed(now: Double) -> Double {
            finishedBusy + attemptBusy(now: now)
        }

        /// Seconds the current attempt has run, not counting time paused.
        func attemptBusy(now: Double) -> Double {
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

    /// Overlays drawn over the main screen.
    public enum Overlay: Sendable, Hashable {
        case help, details, confirmStop
        /// "Cancel task 4? y/n": a hard action waits for a yes.
        case confirm(ControlAction)
    }

    /// What the lower panel shows; Tab moves to the next.
    public enum Panel: String, Sendable, Hashable, CaseIterable { case timeline, gates, log }

    /// Output lines kept per task in memory, and characters kept of each.
    public static let logLimit = 500
    public static let logLineLimit = 400

    public var panel: Panel = .timeline
    /// The gates panel lists every task's gates, not just the selected task's (`a`).
    public var allGates = false
    /// The log filter: only lines containing it are shown (`/` to type it).
    public var search: String?
    /// The search being typed, while `/` is active.
    public var typing: String?
    /// Lines scrolled back from the end of the log (PgUp/PgDn while the log shows).
    public var logScroll = 0

    public var workflow = ""
    public var runID = ""
    public var parallelism = 0
    public var tasks: [TaskRow] = []
    public var now: Double = 0
    public var outcome: RunOutcome?
    /// Watching a run another process owns, or a replay: `q` leaves at once.
    public var detachOnQuit = false
    /// Set while replaying a recording: where the replay is, and how fast.
    public var replay: ReplayStatus?
    /// A message in the footer until the next key: an answer the notices cannot show (the
    /// summary covers them once the run has ended; a replay refusing an action).
    public var flash: Notice?
    /// Whether the run starts new tasks (running), or not (paused, held).
    public var dispatch: DispatchState = .running
    public var outcomeReason: String?
    public var notices: [Notice] = []
    public var selected = 0
    public var overlay: Overlay?
    /// The final report, once the run has ended.
    public var report: RunReport?
    private var index: [String: Int] = [:]

    public init() {}

    /// The state the run is in, as the header says it.
    public var stateText: String {
        if let outcome {
            switch outcome {
            case .passed: return "FINISHED"
            case .failed: return "FAILED"
            case .interrupted: return "INTERRUPTED"
            case .timedOut: return "TIMED OUT"
            }
        }
        switch dispatch {
        case .paused: return "PAUSED"
        case .held: return "HOLDING"
        case .running: return tasks.isEmpty ? "STARTING" : "RUNNING"
        }
    }

    public var doneCount: Int { tasks.filter { $0.status.isFinal }.count }
    public var gatesPassed: Int { tasks.reduce(0) { $0 + $1.gatesPassed } }
    public var gatesTotal: Int { tasks.reduce(0) { $0 + $1.gatesTotal } }

    /// Sum of the tasks' busy time over the wall time so far.
    public var liveEfficiency: Double {
        guard now > 0 else { return 0 }
        return tasks.reduce(0) { $0 + $1.elapsed(now: now) } / now
    }

    /// Folds one event into the state.
    /// The display clock (`now`) moves only with `tick(now:)` and at the run's end, so a
    /// progress event redraws only what it changed, not every elapsed time on screen.
    public mutating func apply(_ event: RunEvent) {
        switch event.kind {
        case .runStarted(let started):
            workflow = started.workflow
            runID = started.runID
            parallelism = started.parallelism
            tasks = started.tasks.map {
                TaskRow(id: $0.id, name: $0.name, agent: $0.agent, maxAttempts: $0.maxAttempts, gatesTotal: $0.gates)
            }
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
                task.startedAt = task.startedAt ?? event.time
                task.attemptStartedAt = event.time
                task.maxAttempts = max(task.maxAttempts, started.attempt)
                task.pausedSince = nil
                task.attemptPaused = 0
                task.endedAt = nil
                task.reason = nil
                task.exitCode = nil
                task.signal = nil
                task.segments.append(TaskRow.Segment(start: event.time, end: nil, status: .running))
                task.gateResults = []
                task.gatesPassed = 0
                task.gatesFailed = 0
                task.findings = []
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
                task.log.append(String(line.line.prefix(Self.logLineLimit)))
                if task.log.count > Self.logLimit { task.log.removeFirst(task.log.count - Self.logLimit) }
            }
        case .taskLogDropped(let dropped):
            update(dropped.task) { $0.logDropped += dropped.count }
        case .taskFinished(let finished):
            update(finished.task) { task in
                task.status = finished.status
                task.endedAt = event.time
                task.finishedBusy += finished.duration
                task.reason = finished.reason
                task.exitCode = finished.exitCode
                task.signal = finished.signal
                task.pid = nil
                task.pausedSince = nil
                if finished.status == .succeeded { task.percent = 100 }
                if let last = task.segments.indices.last, task.segments[last].end == nil {
                    task.segments[last].end = event.time
                    task.segments[last].status = finished.status
                    let exit = finished.exitCode.map { "exit \($0)" } ?? finished.signal.map { "signal \($0)" }
                    task.segments[last].outcome = [exit, finished.reason].compactMap { $0 }.joined(separator: ", ")
                }
            }
            if let task = row(finished.task) { notice(for: task, finished: finished, at: event.time) }
        case .taskRetrying(let retry):
            update(retry.task) { task in
                // Waiting for the next attempt: no attempt runs, so no time is counted.
                task.status = .running
                task.attemptStartedAt = nil
                task.reason = "retrying in \(DurationText.format(retry.delay))"
            }
            if let task = row(retry.task) {
                notices.append(Notice(time: event.time, text: "Task \(task.id) retrying (attempt \(retry.nextAttempt) of \(task.maxAttempts))",
                                      role: .timedOut))
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
        case .runReopened(let reopened):
            outcome = nil
            outcomeReason = nil
            report = nil
            notices.append(Notice(time: event.time, text: "Run reopened: \(reopened.reason)", role: .running))
        case .action(let action):
            let text = action.accepted ? "\(action.message.prefix(1).uppercased())\(action.message.dropFirst()) (\(action.actor))"
                : "Refused \(ControlAction(action.action, task: action.task).description): \(action.message)"
            notices.append(Notice(time: event.time, text: text, role: action.accepted ? .notice : .failed))
            if report != nil { flash = notices.last }
        case .taskFinding(let found):
            update(found.task) { $0.findings.append(found.finding) }
        case .taskMessage:
            break
        }
        if notices.count > 20 { notices.removeFirst(notices.count - 20) }
    }

    /// Moves the clock forward between events (elapsed times, ETAs).
    public mutating func tick(now: Double) {
        if outcome == nil { self.now = max(self.now, now) }
    }

    /// The selected task.
    public var selectedTask: TaskRow? { tasks.indices.contains(selected) ? tasks[selected] : nil }

    private func row(_ id: String) -> TaskRow? { index[id].map { tasks[$0] } }

    private mutating func update(_ id: String, _ change: (inout TaskRow) -> Void) {
        guard let position = index[id] else { return }
        change(&tasks[position])
    }

    private mutating func notice(for task: TaskRow, finished: TaskFinished, at time: Double) {
        let took = DurationText.format(task.finishedBusy)
        switch finished.status {
        case .succeeded:
            notices.append(Notice(time: time, text: "Task \(task.id) Complete! (\(task.name), \(took))", role: .succeeded))
        case .timedOut:
            notices.append(Notice(time: time, text: "Task \(task.id) timed out (\(task.name), \(took))", role: .timedOut))
        case .cancelled:
            notices.append(Notice(time: time, text: "Task \(task.id) cancelled (\(task.name))", role: .cancelled))
        default:
            notices.append(Notice(time: time, text: "Task \(task.id) failed (\(task.name), \(took)): \(finished.reason ?? "")",
                                  role: .failed))
        }
    }
}
