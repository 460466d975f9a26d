import Foundation
import Synchronization

/// The engine: runs a workflow's tasks as processes, as many at once as allowed, in
/// dependency order, with timeouts and retries; evaluates gates; records every event; and
/// returns the report. Everything it does is published on `bus`.
///
/// The scheduler decides (`Scheduler`, a value with no process, file or thread of its own);
/// the engine carries its decisions out (`SchedulerEffect`). Under the engine's lock it
/// publishes the decided events, in the order decided, and signals running attempts (a flag
/// and a wake, never a wait); outside the lock it starts attempts' threads and writes result
/// files. Locks are taken in one order: the engine's, then the event bus's, then a
/// subscriber's buffer; never the other way.
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
    /// Why `parallelism` is lower than the workflow or the options asked, when it is.
    public let parallelismNote: String?
    private let options: RunOptions
    private let state: Mutex<EngineState>
    /// The run's files that could not be written; any makes the run `unrecorded`.
    private let problems: RunFileProblems
    /// Where a resumed run goes on from; nil for a new run.
    private let resumePoint: ResumePoint?
    /// The events a resumed run recorded before this process took it up (none for a new
    /// run): a view folds them before the bus's.
    public var history: [RunEvent] { resumePoint?.history ?? [] }
    /// Writes the result files; the report waits until every one is written.
    private let resultFiles: ResultFiles
    /// Kills the tasks' process groups (and cancels their Slurm jobs) if this process dies
    /// before the run ends.
    private let watchdog: Watchdog?
    /// What Slurm lists of the run's jobs, shared by its attempts (nil when it runs locally).
    private let slurmQueue: SlurmQueue?

    /// What the engine's lock guards: the scheduler's decisions, the attempts under way, and
    /// who waits for the run to settle.
    private struct EngineState {
        var scheduler: Scheduler
        var launcher: TaskLauncher
        /// The attempt under way for each task that has one.
        var processes: [String: TaskProcess] = [:]
        /// Resumed when nothing runs any more and nothing can start.
        var whenIdle: CheckedContinuation<Void, Never>?
        /// A finished run waits here to be reopened by a retry (true) or closed (false).
        var whenSettledDecided: CheckedContinuation<Bool, Never>?
        /// A retry reopened the run before anyone waited on `whenSettledDecided`.
        var reopenRequested = false
        /// The run may not be reopened any more.
        var closed = false
    }

    /// What a lock holder does next, outside the lock: result files to write, attempts to
    /// hand to threads, and, when the run has nothing left, the waiting `run()` to resume
    /// (which then waits until every result file is written).
    private struct Work {
        var results: [ResultFiles.Result] = []
        var launches: [TaskProcess] = []
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

    /// Prepares a run: checks the workflow, creates the run directory and starts its recording.
    public convenience init(workflow: Workflow, options: RunOptions = RunOptions()) throws {
        let workflow = try Self.selected(workflow, options.taskFilter)
        try Self.checkExecutor(workflow, options)
        let runID = options.runID ?? RunDirectory.newRunID(workflow: workflow.name)
        let directory = try RunDirectory.create(in: options.runsDirectory, runID: runID)
        if let root = options.compatibilityOutputDirectory {
            for folder in [".conductor/task-results", "test-results"] {
                try? FileManager.default.createDirectory(atPath: "\(root)/\(folder)", withIntermediateDirectories: true)
            }
        }
        // A copy of the workflow as it was, for `tutti resume`.
        if let source = workflow.sourcePath, FileManager.default.isReadableFile(atPath: source) {
            try? FileManager.default.copyItem(atPath: source, toPath: directory.workflowCopyPath(for: source))
        }
        let now = Date().timeIntervalSince1970
        let startedAt = Date(timeIntervalSince1970: now.rounded(.down))
        var header = RecordingHeader(runID: runID, workflow: workflow.name, workflowFile: workflow.sourcePath,
                                     host: ProcessInfo.processInfo.hostName, startedAt: startedAt)
        header.clockOrigin = now
        header.executor = options.executor(for: workflow)
        let problems = RunFileProblems()
        let recorder: EventRecorder
        do { recorder = try EventRecorder(path: directory.eventsPath, header: header, problems: problems) } catch {
            // Nothing could be recorded: the run does not start, and leaves no empty folder behind.
            try? FileManager.default.removeItem(atPath: directory.path)
            throw error
        }
        self.init(workflow: workflow, options: options, runID: runID, directory: directory, startedAt: startedAt,
                  bus: EventBus(recorder: recorder), problems: problems, resumePoint: nil)
    }

    /// Prepares to go on with the interrupted run in `directory`, in the same recording (see
    /// `ResumePoint`): only the tasks it announced take part, at its parallelism unless the
    /// options say otherwise, on its clock, so the time it was not running shows as a gap.
    public convenience init(resuming point: ResumePoint, in directory: RunDirectory, workflow: Workflow,
                            options: RunOptions = RunOptions()) throws {
        var options = options
        options.taskFilter = point.announced
        options.parallelism = options.parallelism ?? point.parallelism
        let workflow = try Self.selected(workflow, options.taskFilter)
        try Self.checkExecutor(workflow, options)
        let problems = RunFileProblems()
        let recorder = try EventRecorder(appendingTo: directory.eventsPath, problems: problems)
        // The run's clock goes on from its origin; without one, from the last recorded event.
        let now = Date().timeIntervalSince1970
        let time = point.header.clockOrigin.map { max(point.lastTime, now - $0) } ?? point.lastTime
        self.init(workflow: workflow, options: options, runID: point.header.runID, directory: directory,
                  startedAt: point.header.startedAt, bus: EventBus(recorder: recorder, after: point.lastSeq, at: time),
                  problems: problems, resumePoint: point)
    }

    /// On Slurm, its commands must be here before anything starts.
    private static func checkExecutor(_ workflow: Workflow, _ options: RunOptions) throws {
        guard options.executor(for: workflow) == .slurm else { return }
        for command in ["srun", "squeue", "scontrol", "scancel"] where ExecutableLookup.path(of: command) == nil {
            throw RunSetupError.slurmMissing(command)
        }
    }

    /// The workflow checked, with only the tasks `filter` names (when it names some; a group's
    /// name stands for its tasks), and their dependencies on tasks left out dropped. A
    /// dependency on a group is kept while a task of the group runs, and stands for those.
    private static func selected(_ workflow: Workflow, _ filter: [String]?) throws -> Workflow {
        try WorkflowLoader.validate(workflow)
        var workflow = workflow
        if let filter {
            guard !filter.isEmpty else { throw RunSetupError.noTasksSelected(known: workflow.tasks.map(\.id)) }
            let ids = Set(workflow.tasks.map(\.id))
            let allGroups = workflow.groups
            let unknown = filter.filter { !ids.contains($0) && allGroups[$0] == nil }
            guard unknown.isEmpty else {
                throw RunSetupError.unknownTasks(unknown, known: workflow.tasks.map(\.id) + allGroups.keys.sorted().map { "\($0) (a group)" })
            }
            let wanted = Set(filter.flatMap { allGroups[$0] ?? [$0] })
            workflow.tasks = workflow.tasks.filter { wanted.contains($0.id) }
            let groups = Set(workflow.tasks.compactMap(\.group))
            for index in workflow.tasks.indices {
                workflow.tasks[index].dependsOn.removeAll { !wanted.contains($0) && !groups.contains($0) }
            }
        }
        return workflow
    }

    private init(workflow: Workflow, options: RunOptions, runID: String, directory: RunDirectory, startedAt: Date,
                 bus: EventBus, problems: RunFileProblems, resumePoint: ResumePoint?) {
        self.workflow = workflow
        self.options = options
        let onCluster = options.executor(for: workflow) == .slurm
        watchdog = Watchdog(onDeath: onCluster ? SlurmJob.cancelAllCommand(runID: runID) : nil)
        slurmQueue = onCluster ? SlurmQueue(jobName: SlurmSubmission.jobName(runID: runID)) : nil
        self.runID = runID
        self.directory = directory
        self.problems = problems
        self.resumePoint = resumePoint
        resultFiles = ResultFiles(problems: problems)
        self.bus = bus
        let asked = options.sequential || workflow.execution.mode == .sequential
            ? 1 : max(1, options.parallelism ?? workflow.execution.parallelizationFactor ?? workflow.tasks.count)
        // Each running task holds a few file descriptors: no more run at once than the limit allows.
        if let capacity = FileLimit.taskCapacity(), asked > capacity, asked > 1 {
            parallelismNote = "at most \(capacity) tasks run at once, not \(asked): the open-file limit "
                + "(ulimit -n \(FileLimit.current)) leaves descriptors for no more; raise its hard limit to run more"
            parallelism = capacity
        } else {
            parallelismNote = nil
            parallelism = asked
        }
        let scheduler = Scheduler(workflow: workflow, runID: runID, directory: directory, parallelism: parallelism,
                                  failFast: options.failFast ?? workflow.execution.failFast, startedAt: startedAt,
                                  clock: { bus.elapsed })
        state = Mutex(EngineState(scheduler: scheduler,
                                  launcher: TaskLauncher(runID: runID, directory: directory, workflow: workflow, options: options)))
        // A file that cannot be written is said at once (from another thread: whoever found out
        // may hold the bus's lock).
        problems.whenNew { [weak self] in
            guard let engine = self else { return }
            DispatchQueue.global().async { engine.publishFileProblems() }
        }
    }

    /// Publishes the file problems not published yet, in order with the run's other events.
    private func publishFileProblems() {
        state.withLock { _ in
            for problem in problems.takeUnpublished() { bus.emit(.runFileFailed(problem)) }
        }
    }

    /// Runs every task to its end and returns the report (also written to the run directory).
    /// With `RunOptions.staysOpen`, a finished run waits for `close()`, and a retry meanwhile
    /// reopens it: it ends again, with a new report.
    public func run() async -> RunReport {
        let timer = workflow.execution.timeoutSeconds.map { limit in
            Task { [self] in
                guard (try? await Task.sleep(for: .seconds(limit))) != nil else { return }
                act { scheduler in
                    scheduler.stop(outcome: .timedOut, status: .timedOut, reason: "workflow timed out after \(NumberFormat.compact(limit))s")
                }.perform().forEach(launch)
            }
        }
        var announced = false
        var report: RunReport
        while true {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let work = state.withLock { engine in
                    engine.whenIdle = continuation
                    if !announced {
                        if let resumePoint { engine.scheduler.resume(from: resumePoint) } else { engine.scheduler.start() }
                    }
                    return carryOut(&engine)
                }
                work.perform().forEach(launch)
            }
            announced = true
            await withCheckedContinuation { done in resultFiles.unwritten.notify(queue: .global()) { done.resume() } }
            // A retry may have come in meanwhile: then the run is not finished after all.
            let settled = state.withLock { engine -> (report: RunReport, writing: OwnThread.Result<[Int32]>?)? in
                guard engine.scheduler.isIdle else { return nil }
                return finish(&engine, writingReport: true)
            }
            guard let settled else { continue }
            report = settled.report
            // Waited for outside the lock: a control action meanwhile does not wait for the disk.
            let errors = settled.writing?.wait() ?? []
            var unwritten = false
            for (file, error) in zip(reportFiles, errors) where error != 0 {
                problems.failed(file.path, error: error, consequence: file.consequence)
                unwritten = true
            }
            // The verdict just published could not be kept: the run ends again, unrecorded.
            if unwritten, report.outcome != .unrecorded {
                report = state.withLock { engine in finish(&engine).report }
            } else if unwritten {
                publishFileProblems()
            }
            guard await reopened() else { break }
        }
        timer?.cancel()
        bus.finish()
        // Every task has ended: nothing is left for the watchdog to kill.
        watchdog?.stop()
        return report
    }

    /// The files the run's report is written to, and what the run lacks without each.
    private var reportFiles: [(path: String, consequence: String)] {
        [(directory.reportPath, "the run has no report.json")]
            + (options.compatibilityOutputDirectory.map { root in
                [("\(root)/test-results/\(RunDirectory.safeFileName(workflow.name))-results.json", "the run's test-results file is missing")]
            } ?? [])
    }

    /// Publishes what could not be written, then ends the run: `unrecorded` if anything could
    /// not be written. Under the engine's lock. With `writingReport`, the report files are
    /// written meanwhile on another core, while the last event is encoded: the report is
    /// encoded twice, compact in that event and indented in report.json, each about 20 ms at
    /// 10,000 tasks (report.json a chunk at a time, so the two are not both held whole). Wait
    /// on what it returns, after the lock, for each file's errno value.
    private func finish(_ engine: inout EngineState, writingReport: Bool = false) -> (report: RunReport, writing: OwnThread.Result<[Int32]>?) {
        for problem in problems.takeUnpublished() { bus.emit(.runFileFailed(problem)) }
        let report = engine.scheduler.finish(unrecorded: problems.summary)
        let writing = writingReport ? OwnThread.Result("tutti-report") { [paths = reportFiles.map(\.path)] in
            JSONFile.write(to: paths, indented: true) { report.write(to: &$0) }
        } : nil
        _ = carryOut(&engine)
        return (report, writing)
    }

    /// After the run finished: true when a retry reopened it, false when it is closed (at
    /// once unless the run stays open).
    private func reopened() async -> Bool {
        await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            state.withLock { engine in
                if engine.reopenRequested {
                    engine.reopenRequested = false
                    continuation.resume(returning: true)
                } else if engine.closed || !options.staysOpen {
                    engine.closed = true
                    continuation.resume(returning: false)
                } else {
                    engine.whenSettledDecided = continuation
                }
            }
        }
    }

    /// Ends a run kept open after it finished (`RunOptions.staysOpen`): `run()` returns. A run
    /// still going ends when its tasks do, without waiting again.
    public func close() {
        state.withLock { engine in
            engine.closed = true
            engine.whenSettledDecided?.resume(returning: false)
            engine.whenSettledDecided = nil
        }
    }

    /// Stops the run: every running task's group gets SIGTERM (then SIGKILL), nothing new
    /// starts, and the report is marked interrupted. With `actor` (a signal, the dashboard),
    /// the stop is recorded as an action of theirs.
    public func interrupt(reason: String = "interrupted", actor: String? = nil) {
        act { scheduler in
            if let actor, scheduler.stopping == nil, !scheduler.finished {
                scheduler.emit(.action(ActionTaken(action: .cancel, task: nil, actor: actor, accepted: true, message: reason)))
            }
            scheduler.stop(outcome: .interrupted, status: .cancelled, reason: reason)
        }.perform().forEach(launch)
    }

    /// Pauses, resumes, holds, retries or cancels, as `actor` asked. Every request is recorded
    /// as an event, with the answer; one that does not apply is refused, saying why.
    @discardableResult
    public func perform(_ action: ControlAction, actor: String) -> ControlResult {
        let (result, work) = state.withLock { engine in
            if engine.closed, engine.scheduler.finished {
                return (ControlResult.refused("the run has ended"), carryOut(&engine))
            }
            let result = engine.scheduler.perform(action, actor: actor)
            return (result, carryOut(&engine))
        }
        work.perform().forEach(launch)
        return result
    }

    /// "running", "paused", "held", "stopping" or "finished".
    public var stateName: String { state.withLock { $0.scheduler.stateName } }

    /// A task's status as the engine sees it now (a paused task is `running` with its
    /// process stopped).
    public func status(of task: String) -> TaskStatus? { state.withLock { $0.scheduler.records[task]?.status } }

    /// Lets the scheduler decide, under the lock, and carries out what must be done there.
    private func act(_ decide: (inout Scheduler) -> Void) -> Work {
        state.withLock { engine in
            decide(&engine.scheduler)
            return carryOut(&engine)
        }
    }

    /// Carries out the scheduler's decisions that belong under the lock — events published
    /// in the order decided, attempts created and signalled — and returns the rest.
    private func carryOut(_ engine: inout EngineState) -> Work {
        var work = Work(resultFiles: resultFiles)
        for effect in engine.scheduler.takeEffects() {
            switch effect {
            case .emit(let events):
                bus.emit(all: events)
            case .start(let id, let attempt, let delay):
                guard let spec = engine.scheduler.spec(id) else { continue }
                let process = TaskProcess(
                    taskID: id, attempt: attempt, launch: engine.launcher.launchSpec(for: spec, attempt: attempt),
                    logPath: directory.logPath(task: id, attempt: attempt), bus: bus, timeout: spec.timeoutSeconds,
                    killGrace: options.killGrace, startDelay: delay, watchdog: watchdog, slurmQueue: slurmQueue, problems: problems)
                engine.processes[id] = process
                work.launches.append(process)
            case .terminate(let id, let status, let reason):
                engine.processes[id]?.terminate(as: status, reason: reason)
            case .setPaused(let id, let paused):
                engine.processes[id]?.setPaused(paused)
            case .writeResult(let report):
                resultFiles.unwritten.enter()
                work.results.append((report, engine.launcher.resultPaths(task: report.id)))
            case .reopened:
                if let continuation = engine.whenSettledDecided {
                    engine.whenSettledDecided = nil
                    continuation.resume(returning: true)
                } else {
                    engine.reopenRequested = true
                }
            }
        }
        if engine.scheduler.isIdle, work.launches.isEmpty, let continuation = engine.whenIdle {
            engine.whenIdle = nil
            work.runDone = continuation
        }
        return work
    }

    /// Runs an attempt on a new thread, then whatever its end lets start, on the same thread;
    /// the ended attempt's result file is written while the next one's process runs.
    private func launch(_ first: TaskProcess) {
        OwnThread.start("tutti.attempt") { [self] in
            // This thread is the parent of the tasks it starts. With SIGCHLD unblocked here
            // (a thread inherits its creator's mask, and Swift's and dispatch's threads block
            // it), the kernel drops the ignored signal when a task ends, instead of waking
            // another thread with it.
            let savedMask = ChildExitSignal.unblock()
            defer { ChildExitSignal.restore(savedMask) }
            let wakeup = Wakeup()
            var next: TaskProcess? = first
            var writeResults: (@Sendable () -> Void)?
            while let attempt = next {
                let outcome = attempt.runToEnd(wakeup: wakeup, onceStarted: writeResults)
                let work = state.withLock { engine in
                    if engine.processes[attempt.taskID] === attempt { engine.processes[attempt.taskID] = nil }
                    engine.scheduler.attemptEnded(attempt.taskID, attempt: attempt.attempt, outcome: outcome)
                    return carryOut(&engine)
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
    /// A selection names tasks the workflow does not have.
    case unknownTasks([String], known: [String])
    /// A selection names no task at all (`--tasks ""`).
    case noTasksSelected(known: [String])
    /// The tasks are to run on Slurm, but its commands are not on this machine.
    case slurmMissing(String)

    public var description: String {
        switch self {
        case .slurmMissing(let command):
            return "the tasks are to run on a Slurm cluster, but \(command) is not on the PATH; "
                + "install Slurm's client commands (srun, squeue, scontrol, scancel) or run with --executor local"
        case .noTasksSelected(let known):
            return "the task selection is empty; name at least one of: \(known.joined(separator: ", "))"
        case .unknownTasks(let unknown, let known):
            return "unknown task id\(unknown.count == 1 ? "" : "s") \(unknown.joined(separator: ", ")); "
                + "this workflow has: \(known.joined(separator: ", "))"
        }
    }
}
