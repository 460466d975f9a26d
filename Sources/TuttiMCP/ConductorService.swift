import Foundation
import TuttiCore

/// A tool call that cannot be done as asked; the message says what is valid.
struct ToolError: Error, Sendable {
    let message: String
}

/// What the MCP tools do, apart from the protocol: start runs, report on them, act on them.
/// Runs started here are ordinary runs: recorded, with a control socket, in the runs folder.
final class ConductorService: Sendable {
    let workflowsDirectory: String
    let runsDirectory: String
    let executions = Executions()

    init(workflowsDirectory: String, runsDirectory: String) {
        self.workflowsDirectory = workflowsDirectory
        self.runsDirectory = runsDirectory
    }

    // MARK: - Workflows

    /// The workflow files in the workflows folder, and the built-in quality report.
    func workflows() -> [WorkflowEntry] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: workflowsDirectory)) ?? [])
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        var entries = names.map { name -> WorkflowEntry in
            let path = (workflowsDirectory as NSString).appendingPathComponent(name)
            let workflow = try? WorkflowLoader.load(path: path)
            return WorkflowEntry(name: (name as NSString).deletingPathExtension, path: path, description: workflow?.description,
                                 tasks: workflow?.tasks.count ?? 0)
        }
        if !names.contains(BuiltInWorkflows.qualityReportName),
           let builtIn = try? WorkflowLoader.parse(yaml: BuiltInWorkflows.qualityReport, file: BuiltInWorkflows.qualityReportName) {
            entries.append(WorkflowEntry(name: (BuiltInWorkflows.qualityReportName as NSString).deletingPathExtension, path: "(built-in)",
                                         description: builtIn.description, tasks: builtIn.tasks.count))
        }
        return entries
    }

    /// A workflow by name (from the workflows folder) or path; by default the seed's template 3.
    func workflow(_ reference: String?) throws(ToolError) -> (Workflow, String) {
        let reference = reference ?? (BuiltInWorkflows.qualityReportName as NSString).deletingPathExtension
        do {
            if let found = try BuiltInWorkflows.named(reference, in: workflowsDirectory) { return found }
            if FileManager.default.fileExists(atPath: reference) { return (try WorkflowLoader.load(path: reference), reference) }
        } catch {
            throw ToolError(message: "the workflow '\(reference)' is not valid:\n\(error.description)")
        }
        throw ToolError(message: "unknown workflow '\(reference)'; available: \(workflows().map(\.name).joined(separator: ", ")) "
                        + "(from \(workflowsDirectory)), or a path to a workflow file")
    }

    // MARK: - Runs

    /// Starts a run and returns at once; it goes on in this process.
    func execute(workflow reference: String?, taskIDs: [String]?, parallel: Bool) throws(ToolError) -> ExecutionStarted {
        let (workflow, file) = try self.workflow(reference)
        var options = RunOptions(runsDirectory: runsDirectory, sequential: !parallel, taskFilter: taskIDs,
                                 compatibilityOutputDirectory: workflow.execution.conductorFiles
                                    ? FileManager.default.currentDirectoryPath : nil)
        // A finished run stays open, so a failed task can still be retried.
        options.staysOpen = true
        let engine: RunEngine
        do { engine = try RunEngine(workflow: workflow, options: options) } catch let error as RunSetupError {
            throw ToolError(message: error.description)
        } catch {
            throw ToolError(message: "cannot start the run: \(error)")
        }
        let execution = Execution(engine: engine, workflowFile: file)
        // The client may have gone meanwhile: the run then starts and stops at once, recording and all.
        guard executions.start(execution, reasonIfClosing: "the MCP client disconnected") else {
            throw ToolError(message: "the server is shutting down")
        }
        return ExecutionStarted(workflowExecutionId: execution.id, workflow: workflow.name, taskIds: engine.workflow.tasks.map(\.id),
                                parallel: parallel && engine.parallelism > 1, status: "running", runDirectory: engine.directory.path,
                                note: engine.parallelismNote)
    }

    /// Goes on with an ended run in this server, in the same recording: what succeeded stays
    /// done, the rest runs again.
    private func resume(_ id: String, in directory: RunDirectory) throws(ToolError) -> ActionAnswer {
        var options = RunOptions()
        options.staysOpen = true
        let resumed: ResumedRun
        do { resumed = try ResumedRun(directory, options: options) } catch {
            throw ToolError(message: "run '\(id)' cannot be resumed: \(error)")
        }
        let (engine, point) = (resumed.engine, resumed.point)
        let execution = Execution(engine: engine, workflowFile: engine.workflow.sourcePath ?? directory.workflowCopyPath, history: point.history)
        guard executions.start(execution, reasonIfClosing: "the MCP client disconnected") else {
            throw ToolError(message: "the server is shutting down")
        }
        return ActionAnswer(workflowExecutionId: id, accepted: true,
                            message: "run \(id) resumed: \(point.kept.count) task\(point.kept.count == 1 ? "" : "s") kept, "
                                + "\(point.rerun.count) to run again (\(point.rerun.joined(separator: ", ")))")
    }

    /// A run's state: a live one of this server's, or any recorded run.
    func status(_ id: String) throws(ToolError) -> (WorkflowStatus, RunReport?) {
        if let execution = executions.find(id) {
            let model = execution.snapshot()
            let state = execution.engine.stateName
            return (WorkflowStatus(id: id, model: model, state: state, live: true, runDirectory: execution.engine.directory.path),
                    model.report)
        }
        let directory = try recorded(id)
        guard let recording = try? Recording.read(path: directory.eventsPath) else {
            throw ToolError(message: "the recording of run '\(id)' cannot be read")
        }
        var model = RunState()
        for event in recording.events { model.apply(event) }
        let live = EventRecorder.isBeingRecorded(directory.eventsPath)
        let state = model.report != nil ? "finished" : live ? "running elsewhere" : "ended"
        return (WorkflowStatus(id: id, model: model, state: state, live: live, runDirectory: directory.path), model.report)
    }

    /// A run as Conductor's Workflow JSON (for the tools with Conductor's names).
    func conductorWorkflow(_ id: String) throws(ToolError) -> JSONValue {
        if let execution = executions.find(id) {
            return ConductorExecutionJSON.workflow(execution.snapshot(), id: id, origin: execution.clockOrigin)
        }
        let directory = try recorded(id)
        guard let recording = try? Recording.read(path: directory.eventsPath) else {
            throw ToolError(message: "the recording of run '\(id)' cannot be read")
        }
        var model = RunState()
        for event in recording.events { model.apply(event) }
        let origin = recording.header.clockOrigin ?? recording.header.startedAt.timeIntervalSince1970
        return ConductorExecutionJSON.workflow(model, id: id, origin: origin)
    }

    /// Pause, resume, hold, retry or cancel: this server's runs directly, a live run of
    /// another process through its control socket.
    func act(_ id: String, _ action: ControlAction) throws(ToolError) -> ActionAnswer {
        guard let execution = executions.find(id) else {
            if let directory = try? recorded(id), EventRecorder.isBeingRecorded(directory.eventsPath) {
                do {
                    let answer = try ControlClient(socketPath: directory.socketPath).perform(action, actor: "mcp")
                    return ActionAnswer(workflowExecutionId: id, accepted: answer.accepted, message: answer.message)
                } catch {
                    throw ToolError(message: "run '\(id)' runs in another process that did not answer: \(error)")
                }
            }
            let directory = try recorded(id)
            // Resuming or retrying a whole run that has ended goes on with it, as `tutti resume` does.
            if action.task == nil, action.verb == .resume || action.verb == .retry {
                return try resume(id, in: directory)
            }
            throw ToolError(message: "run '\(id)' has ended; it can be resumed or retried as a whole, but not paused or cancelled")
        }
        let result = execution.engine.perform(action, actor: "mcp")
        return ActionAnswer(workflowExecutionId: id, accepted: result.accepted, message: result.message)
    }

    /// The latest lines of a task's log (its last attempt).
    func logs(_ id: String, task: String, lines count: Int) throws(ToolError) -> TaskLogs {
        let (status, _) = try self.status(id)
        guard let row = status.tasks.first(where: { $0.taskId == task }) else {
            throw ToolError(message: "run '\(id)' has no task '\(task)'; its tasks are \(status.tasks.map(\.taskId).joined(separator: ", "))")
        }
        let attempt = max(1, row.attempt)
        let path = RunDirectory(path: status.runDirectory).logPath(task: task, attempt: attempt)
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        let all = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let trimmed = all.last == "" ? Array(all.dropLast()) : all
        return TaskLogs(workflowExecutionId: id, taskId: task, attempt: attempt, lines: Array(trimmed.suffix(max(1, count))),
                        logFile: FileManager.default.fileExists(atPath: path) ? path : nil)
    }

    /// Recorded runs, newest first.
    func runs(limit: Int) -> [RunEntry] {
        let formatter = ISO8601DateFormatter()
        return RunLocator(runsDirectory: runsDirectory).runs().prefix(max(1, limit)).map { run in
            let standing = run.standing
            return RunEntry(workflowExecutionId: run.header.runID, workflow: run.header.workflow,
                            startedAt: formatter.string(from: run.header.startedAt), state: standing.state,
                            wallSeconds: standing.report?.wallSeconds, gatesPassed: standing.report?.gates.passed,
                            gatesTotal: standing.report?.gates.total)
        }
    }

    /// A finished run's report.
    func report(_ id: String) throws(ToolError) -> RunReport {
        let (status, report) = try self.status(id)
        guard let report else { throw ToolError(message: "run '\(id)' has not finished (it is \(status.state)); ask for its status instead") }
        return report
    }

    private func recorded(_ id: String) throws(ToolError) -> RunDirectory {
        do { return try RunLocator(runsDirectory: runsDirectory).locate(id) } catch {
            let mine = executions.ids
            throw ToolError(message: "unknown workflow_execution_id '\(id)'; "
                            + (mine.isEmpty ? "no run was started in this session" : "runs of this session: \(mine.joined(separator: ", "))")
                            + "; list_conductor_runs lists the recorded ones")
        }
    }
}
