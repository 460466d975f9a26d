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
    /// Open a file at a line (a finding) in the person's editor, then come back.
    case open(path: String, line: Int?)
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

/// The dashboard's state: the run's fold (`RunState`, whose fields it offers as its own) plus
/// what the person looks at — selection, panel, search, overlays — and the notices the events
/// make. Pure: no terminal, no clock; time comes from events and `tick(now:)`.
@dynamicMemberLookup
public struct DashboardModel: Sendable {
    /// The run, as its events tell it.
    public var run = RunState()
    /// The widest id, name and agent label of the run's tasks, measured when they are announced.
    private var widths = TableWidths([])

    /// The widths the table draws with: those measured, or measured now for tasks given
    /// another way than announced.
    var tableWidths: TableWidths { widths.count == run.tasks.count ? widths : TableWidths(run.tasks) }

    /// Overlays drawn over the main screen.
    public enum Overlay: Sendable, Hashable {
        case help, details, confirmStop
        /// "Cancel task 4? y/n": a hard action waits for a yes.
        case confirm(ControlAction)
        /// The lines around a finding, when there is no editor to open it in.
        case source(path: String, line: Int?, lines: [String], firstLine: Int)
    }

    /// What the lower panel shows; Tab moves to the next.
    public enum Panel: String, Sendable, Hashable, CaseIterable { case timeline, gates, log, findings }

    public var panel: Panel = .timeline
    /// The gates panel lists every task's gates, not just the selected task's (`a`).
    public var allGates = false
    /// The log filter: only lines containing it are shown (`/` to type it).
    public var search: String?
    /// The search being typed, while `/` is active.
    public var typing: String?
    /// Lines scrolled back from the end of the log (PgUp/PgDn while the log shows).
    public var logScroll = 0
    /// The finding the cursor is on in the findings panel.
    public var findingCursor = 0
    /// Watching a run another process owns, or a replay: `q` leaves at once.
    public var detachOnQuit = false
    /// Set while replaying a recording: where the replay is, and how fast.
    public var replay: ReplayStatus?
    /// A message in the footer until the next key: an answer the notices cannot show (the
    /// summary covers them once the run has ended; a replay refusing an action).
    public var flash: Notice?
    public var notices: [Notice] = []
    public var selected = 0
    public var overlay: Overlay?

    public init() {}

    /// The run's fields, read and written as the model's own (`model.tasks`, `model.now`).
    public subscript<Value>(dynamicMember keyPath: WritableKeyPath<RunState, Value>) -> Value {
        get { run[keyPath: keyPath] }
        set { run[keyPath: keyPath] = newValue }
    }

    /// The run's computed figures (`model.stateText`, `model.liveEfficiency`).
    public subscript<Value>(dynamicMember keyPath: KeyPath<RunState, Value>) -> Value { run[keyPath: keyPath] }

    /// Folds one event into the run, and adds the notice it makes.
    public mutating func apply(_ event: RunEvent) {
        run.apply(event)
        switch event.kind {
        case .runStarted:
            // Names do not change during a run: their widths are measured once, not every frame.
            widths = TableWidths(run.tasks)
        case .taskFinished(let finished):
            if let task = run.task(finished.task) { notice(for: task, finished: finished, at: event.time) }
        case .taskRetrying(let retry):
            if let task = run.task(retry.task) {
                notices.append(Notice(time: event.time, text: "Task \(task.id) retrying (attempt \(retry.nextAttempt) of \(task.maxAttempts))",
                                      role: .timedOut))
            }
        case .runReopened(let reopened):
            notices.append(Notice(time: event.time, text: "Run reopened: \(reopened.reason)", role: .running))
        case .runFileFailed(let failed):
            notices.append(Notice(time: event.time, text: "The run goes on, but \(failed.text)", role: .failed))
        case .action(let action):
            let text = action.accepted ? "\(action.message.prefix(1).uppercased())\(action.message.dropFirst()) (\(action.actor))"
                : "Refused \(ControlAction(action.action, task: action.task).description): \(action.message)"
            notices.append(Notice(time: event.time, text: text, role: action.accepted ? .notice : .failed))
            if run.report != nil { flash = notices.last }
        default:
            break
        }
        if notices.count > 20 { notices.removeFirst(notices.count - 20) }
    }

    /// Moves the clock forward between events (elapsed times, ETAs).
    public mutating func tick(now: Double) { run.tick(now: now) }

    /// The selected task.
    public var selectedTask: TaskState? { run.tasks.indices.contains(selected) ? run.tasks[selected] : nil }

    private mutating func notice(for task: TaskState, finished: TaskFinished, at time: Double) {
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

/// The widest id, name and agent label among a run's tasks, as the table draws them.
struct TableWidths: Sendable, Hashable {
    var id: Int
    var name: Int
    var agent: Int
    /// How many tasks were measured (a model given its tasks another way is measured again).
    var count: Int

    init(_ tasks: [TaskState]) {
        count = tasks.count
        id = tasks.map(\.id.count).max() ?? 2
        name = tasks.map(\.name.terminalSafe.count).max() ?? 8
        agent = tasks.map { DashboardRenderer.agentLabel($0.agent).terminalSafe.count }.max() ?? 5
    }
}
