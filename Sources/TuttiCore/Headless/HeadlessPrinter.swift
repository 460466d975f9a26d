import Foundation
import Synchronization

/// Prints a run as plain lines for logs and CI: start lines, a progress line at the polling
/// interval (`t=30s   Task 4: 35% | Task 5: 28%`), a line per completion, failure, retry or
/// skip. It folds the same `RunState` every view of a run folds.
public final class HeadlessPrinter: Sendable {
    private let state = Mutex(RunState())
    private let glyphs: Glyphs
    private let write: @Sendable (String) -> Void

    /// A printer that hands each line to `write`.
    /// (Names, reasons and output from the workflow and its tasks have their control
    /// characters written out, so no line can steer the terminal or pass for two.)
    public init(glyphs: Glyphs = .forEnvironment(), write: @escaping @Sendable (String) -> Void) {
        self.glyphs = glyphs
        self.write = { line in write(line.escapingControls) }
    }

    /// Prints lines for events until the stream ends.
    public func consume(_ events: AsyncStream<RunEvent>) async {
        for await event in events { handle(event) }
    }

    /// The line for one event, if it deserves one; also folds it into the run's state.
    public func handle(_ event: RunEvent) {
        for line in lines(for: event) { write(line) }
    }

    func lines(for event: RunEvent) -> [String] {
        state.withLock { run in
            run.apply(event)
            return Self.lines(for: event, in: run, glyphs: glyphs)
        }
    }

    /// The lines an event makes, told from the run's state after it.
    static func lines(for event: RunEvent, in run: RunState, glyphs: Glyphs) -> [String] {
        switch event.kind {
        case .runStarted(let started):
            let mode = started.parallelism > 1 ? "Parallel" : "Sequential"
            return ["Starting \(mode) Workflow: \(started.workflow)",
                    "Run ID: \(started.runID)",
                    "Tasks: \(started.tasks.count), up to \(started.parallelism) at once", ""]
        case .taskStarted(let started):
            guard let task = run.task(started.task) else { return [] }
            let attempt = started.attempt > 1 ? " (attempt \(started.attempt) of \(task.maxAttempts))" : ""
            return ["\(glyphs.start) Task \(started.task) (\(task.agent)): START \(glyphs.arrow) Running\(attempt) "
                    + "[t=\(Int(event.time))s]"]
        case .taskFinished(let finished):
            guard let task = run.task(finished.task) else { return [] }
            let took = DurationText.format(finished.duration)
            switch finished.status {
            case .succeeded: return ["\(glyphs.done) Task \(finished.task) Complete! (\(task.name), \(took))"]
            case .timedOut:
                return ["\(glyphs.timedOut) Task \(finished.task) Timed out (\(task.name), \(took)): \(finished.reason ?? "")"]
            case .cancelled:
                return ["\(glyphs.cancelled) Task \(finished.task) Cancelled (\(task.name), \(took)): \(finished.reason ?? "")"]
            default:
                return ["\(glyphs.failed) Task \(finished.task) Failed (\(task.name), \(took)): \(finished.reason ?? "failed")"]
            }
        case .taskRetrying(let retry):
            let total = run.task(retry.task)?.maxAttempts ?? retry.nextAttempt
            return ["\(glyphs.retry) Task \(retry.task) will retry in \(DurationText.format(retry.delay)) "
                    + "(attempt \(retry.nextAttempt) of \(total))"]
        case .taskSkipped(let skipped):
            return ["\(glyphs.skipped) Task \(skipped.task) Skipped: \(skipped.reason)"]
        case .taskGate(let gate) where !gate.result.passed:
            let result = gate.result
            return ["   \(result.isAdvisory ? glyphs.warn : glyphs.fail) Task \(gate.task) gate \(result.metricText): \(result.actualText) "
                    + "(\(result.reason ?? "needs \(result.threshold)")\(result.isAdvisory ? "; advisory" : ""))"]
        case .action(let action):
            return action.accepted ? ["\(glyphs.control) \(action.actor): \(action.message)"]
                : ["\(glyphs.control) \(action.actor) asked to \(ControlAction(action.action, task: action.task).description): "
                   + "refused, \(action.message)"]
        case .runReopened(let reopened):
            return ["\(glyphs.retry) Run reopened: \(reopened.reason)"]
        case .runResumed(let resumed):
            let gap = NumberFormat.compact(event.time - resumed.lastRecorded)
            return ["\(glyphs.retry) Run resumed after a gap of \(gap)s: \(resumed.kept.count) task\(resumed.kept.count == 1 ? "" : "s") kept, "
                    + "\(resumed.rerun.count) to run again" + (resumed.rerun.isEmpty ? "" : " (\(resumed.rerun.joined(separator: ", ").escapingControls))")]
        case .runFileFailed(let failed):
            return ["\(glyphs.warn) The run goes on, but \(failed.text)"]
        case .taskOnCluster(let job):
            if job.isQueued {
                return ["\(glyphs.control) Task \(job.task): Slurm job \(job.jobID) queued" + (job.reason.map { " (\($0))" } ?? "")]
            }
            if job.state == "RUNNING", run.task(job.task)?.status == .running {
                return ["\(glyphs.start) Task \(job.task): Slurm job \(job.jobID) running" + (job.node.map { " on \($0)" } ?? "")]
            }
            return []
        case .taskProgress, .taskPaused, .taskResumed, .taskLogDropped, .taskLog, .taskMetric, .taskMessage, .taskDetail, .taskFinding, .taskGate,
             .taskQueued, .runFinished, .dispatchChanged:
            return []
        }
    }

    /// The periodic progress line for time `elapsed`, or nil when nothing is running.
    public func progressLine(elapsed: Double) -> String? {
        unescapedProgressLine(elapsed: elapsed)?.escapingControls
    }

    private func unescapedProgressLine(elapsed: Double) -> String? {
        state.withLock { run in
            // Running: an attempt under way (not paused, not waiting for a retry).
            let running = run.tasks.filter { $0.status == .running && $0.attemptStartedAt != nil }.map { "Task \($0.id): \(Int($0.percent))%" }
            guard !running.isEmpty else { return nil }
            let time = run.pollingInterval < 1 ? String(format: "t=%.1fs", elapsed) : "t=\(Int(elapsed.rounded()))s"
            return time.padding(toLength: max(time.count + 2, 8), withPad: " ", startingAt: 0)
                + running.joined(separator: " | ")
        }
    }

    /// Prints the progress line now.
    public func tick(elapsed: Double) {
        if let line = unescapedProgressLine(elapsed: elapsed) { write(line) }
    }
}
