import Foundation
import Synchronization

/// The engine: runs a workflow's tasks as processes, as many at once as allowed, in
/// dependency order, with timeouts and retries; evaluates gates; records every event; and
/// returns the report. Everything it does is published on `bus`.
///
/// Each attempt runs on a thread of its own; when it ends, that same thread takes the
/// engine's lock, records the end and starts the next attempt itself, as make does, with no
/// hand-off to another thread in between.
public final class RunEngine: Sendable {
    public let bus: EventBus
    public let runID: String
    public let directory: RunDirectory
    public let workflow: Workflow
    public let parallelism: Int
    private let state: Mutex<Scheduler>

    /// Prepares a run: checks the workflow, creates the run directory and starts its recording.
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
        let runID = options.runID ?? RunDirectory.newRunID(workflow: workflow.name)
        self.runID = runID
        directory = try RunDirectory.create(in: options.runsDirectory, runID: runID)
        if let root = options.compatibilityOutputDirectory {
            for folder in [".conductor/task-results", "test-results"] {
                try? FileManager.default.createDirectory(atPath: "\(root)/\(folder)", withIntermediateDirectories: true)
            }
        }
        let now = Date().timeIntervalSince1970
        let startedAt = Date(timeIntervalSince1970: now.rounded(.down))
        var header = RecordingHeader(runID: runID, workflow: workflow.name, workflowFile: workflow.sourcePath,
                                     host: ProcessInfo.processInfo.hostName, startedAt: startedAt)
        header.clockOrigin = now
        bus = EventBus(recorder: try EventRecorder(path: directory.eventsPath, header: header))
        if options.sequential || workflow.execution.mode == .sequential {
            parallelism = 1
        } else {
            parallelism = max(1, options.parallelism ?? workflow.execution.parallelizationFactor ?? workflow.tasks.count)
        }
        state = Mutex(Scheduler(workflow: workflow, options: options, bus: bus, runID: runID, directory: directory,
                                parallelism: parallelism, startedAt: startedAt))
    }

    /// Runs every task to its end and returns the report (also written to the run directory).
    /// With `RunOptions.staysOpen`, a finished run waits for `close()`, and a retry meanwhile
    /// reopens it: it ends again, with a new report.
    public func run() async -> RunReport {
        let timer = workflow.execution.timeoutSeconds.map { limit in
            Task { [self] in
                guard (try? await Task.sleep(for: .seconds(limit))) != nil else { return }
                _ = state.withLock { scheduler in
                    scheduler.stop(outcome: .timedOut, status: .timedOut,
                                   reason: "workflow timed out after \(NumberFormat.compact(limit))s")
                    return scheduler.takeWork()
                }.perform()
            }
        }
        var announced = false
        var report: RunReport
        while true {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let work = state.withLock { scheduler in
                    scheduler.whenIdle = continuation
                    if !announced {
                        scheduler.announce()
                        scheduler.dispatch()
                    }
                    return scheduler.takeWork()
                }
                work.perform().forEach(launch)
            }
            announced = true
            let unwritten = state.withLock { $0.resultFiles.unwritten }
            await withCheckedContinuation { done in unwritten.notify(queue: .global()) { done.resume() } }
            // A retry may have come in meanwhile: then the run is not finished after all.
            let settled: RunReport? = state.withLock { scheduler in
                guard scheduler.isIdle, scheduler.resultsToWrite.isEmpty else { return nil }
                let report = scheduler.makeReport()
                bus.emit(.runFinished(RunFinished(outcome: report.outcome, reason: report.outcomeReason, report: report)))
                return report
            }
            guard let settled else { continue }
            report = settled
            let reportJSON = report.jsonBytes()
            JSONFile.write(reportJSON, to: directory.reportPath)
            if let root = state.withLock({ $0.options.compatibilityOutputDirectory }) {
                JSONFile.write(reportJSON, to: "\(root)/test-results/\(RunDirectory.safeFileName(workflow.name))-results.json")
            }
            guard await reopened() else { break }
        }
        timer?.cancel()
        bus.finish()
        return report
    }

    /// After the run finished: true when a retry reopened it, false when it is closed (at
    /// once unless the run stays open).
    private func reopened() async -> Bool {
        await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            state.withLock { scheduler in
                if scheduler.reopenRequested {
                    scheduler.reopenRequested = false
                    continuation.resume(returning: true)
                } else if scheduler.closed || !scheduler.options.staysOpen {
                    scheduler.closed = true
                    continuation.resume(returning: false)
                } else {
                    scheduler.whenSettledDecided = continuation
                }
            }
        }
    }

    /// Ends a run kept open after it finished (`RunOptions.staysOpen`): `run()` returns. A run
    /// still going ends when its tasks do, without waiting again.
    public func close() {
        state.withLock { scheduler in
            scheduler.closed = true
            scheduler.whenSettledDecided?.resume(returning: false)
            scheduler.whenSettledDecided = nil
        }
    }

    /// Stops the run: every running task's group gets SIGTERM (then SIGKILL), nothing new
    /// starts, and the report is marked interrupted. With `actor` (a signal, the dashboard),
    /// the stop is recorded as an action of theirs.
    public func interrupt(reason: String = "interrupted", actor: String? = nil) {
        _ = state.withLock { scheduler in
            if let actor, scheduler.stopping == nil, !scheduler.finished {
                bus.emit(.action(ActionTaken(action: .cancel, task: nil, actor: actor, accepted: true, message: reason)))
            }
            scheduler.stop(outcome: .interrupted, status: .cancelled, reason: reason)
            return scheduler.takeWork()
        }.perform()
    }

    /// Pauses, resumes, holds, retries or cancels, as `actor` asked. Every request is recorded
    /// as an event, with the answer; one that does not apply is refused, saying why.
    @discardableResult
    public func perform(_ action: ControlAction, actor: String) -> ControlResult {
        let (result, work) = state.withLock { scheduler in
            if scheduler.closed, scheduler.finished {
                return (ControlResult.refused("the run has ended"), scheduler.takeWork())
            }
            return (scheduler.perform(action, actor: actor), scheduler.takeWork())
        }
        work.perform().forEach(launch)
        return result
    }

    /// "running", "paused", "held", "stopping" or "finished".
    public var stateName: String { state.withLock { $0.stateName } }

    /// A task's status as the engine sees it now (a paused task is `running` with its
    /// process stopped).
    public func status(of task: String) -> TaskStatus? { state.withLock { $0.records[task]?.status } }

    /// Runs an attempt on a new thread, then whatever its end lets start, on the same thread;
    /// the ended attempt's result file is written while the next one's process runs.
    private func launch(_ first: TaskProcess) {
        DispatchQueue(label: "tutti.attempt").async { [self] in
            // This thread is the parent of the tasks it starts. With SIGCHLD unblocked here
            // (dispatch threads block it), the kernel drops the ignored signal when a task
            // ends, instead of waking another thread with it.
            let savedMask = ChildExitSignal.unblock()
            defer { ChildExitSignal.restore(savedMask) }
            let wakeup = Wakeup()
            var next: TaskProcess? = first
            var writeResults: (@Sendable () -> Void)?
            while let attempt = next {
                let outcome = attempt.runToEnd(wakeup: wakeup, onceStarted: writeResults)
                let work = state.withLock { scheduler in
                    scheduler.attemptEnded(attempt.taskID, attempt: attempt.attempt, outcome: outcome)
                    return scheduler.takeWork()
                }.performWritingLater()
                writeResults = work.writeResults
                next = work.launches.first
                work.launches.dropFirst().forEach(launch)
            }
        }
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
