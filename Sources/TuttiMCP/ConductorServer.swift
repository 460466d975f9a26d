import Foundation
import MCP
import TuttiCore

/// `tutti mcp`: the MCP server over stdio. Stdout is the protocol; everything else goes to
/// stderr. When the client goes away, the runs it started are stopped and their recordings
/// completed.
public enum ConductorServer {
    /// Serves until the client goes away, then stops the runs it started.
    public static func run(workflowsDirectory: String, runsDirectory: String, log: @escaping @Sendable (String) -> Void) async throws {
        let service = ConductorService(workflowsDirectory: workflowsDirectory, runsDirectory: runsDirectory)
        let server = Server(name: "tutti", version: "0.1.0", title: "Tutti",
                            instructions: "Runs workflows' tasks in parallel as real processes. Start one with execute_conductor_workflow, "
                                + "then poll get_conductor_workflow_status (every few seconds) until its state is finished.",
                            capabilities: .init(tools: .init(listChanged: false)))
        await server.withMethodHandler(ListTools.self) { _ in .init(tools: ConductorTools.all) }
        await server.withMethodHandler(CallTool.self) { [server] call in
            do {
                var (structured, text) = try handle(call.name, call.arguments ?? [:], service: service)
                if call.name == "execute_conductor_workflow", call.arguments?["wait"]?.boolValue == true,
                   let id = structured.objectValue?["workflow_execution_id"]?.stringValue {
                    (structured, text) = try await waitForEnd(of: id, service: service, progressToken: call._meta?.progressToken) { message in
                        try? await server.notify(message)
                    }
                }
                return .init(content: [.text(text: text, annotations: nil, _meta: nil)], structuredContent: Optional.some(structured), isError: false)
            } catch {
                let message = (error as? ToolError)?.message ?? "\(error)"
                log("tutti mcp: \(call.name): \(message)")
                return .init(content: [.text(text: message, annotations: nil, _meta: nil)], isError: true)
            }
        }
        // Signals (and a client that has gone: SIGPIPE) must not kill the runs before they are stopped.
        let stop = SignalForwarder { _ in
            Task {
                await service.executions.finishAll(reason: "the MCP server was stopped")
                exit(ExitStatus.interrupted)
            }
        }
        log("tutti mcp: serving on stdio (workflows from \(workflowsDirectory), runs in \(runsDirectory))")
        try await server.start(transport: LineTransport())
        await server.waitUntilCompleted()
        stop.stop()
        log("tutti mcp: the client has gone; stopping its runs")
        await service.executions.finishAll(reason: "the MCP client disconnected")
    }

    /// Waits until the run has finished, sending progress notifications (percent of the tasks'
    /// progress) when the caller asked for them with a progress token; returns what
    /// `execute_conductor_workflow` returns, with the final state and the summary.
    static func waitForEnd(of id: String, service: ConductorService, progressToken: ProgressToken?,
                           notify: @Sendable (Message<ProgressNotification>) async -> Void) async throws -> (Value, String) {
        // Driven by the run's own events, as they are folded: each change that moves progress by
        // a point or more is told, and the run's end returns.
        var changes = service.executions.find(id)?.changes().makeAsyncIterator()
        var lastProgress = -1.0
        while true {
            let (status, report) = try service.status(id)
            let progress = status.tasks.isEmpty ? 0 : status.tasks.reduce(0) { $0 + $1.percent } / Double(status.tasks.count)
            if let progressToken, progress >= lastProgress + 1 || (report != nil && progress > lastProgress) {
                lastProgress = progress
                await notify(ProgressNotification.message(.init(
                    progressToken: progressToken, progress: (progress * 10).rounded() / 10, total: 100,
                    message: "\(status.tasksDone)/\(status.tasksTotal) tasks done")))
            }
            if let report {
                let started = ExecutionStarted(workflowExecutionId: id, workflow: status.workflow, taskIds: status.tasks.map(\.taskId),
                                               parallel: report.parallelism > 1, status: report.outcome.rawValue,
                                               runDirectory: status.runDirectory)
                return (encode(started), status.text(report: report))
            }
            guard await changes?.next() != nil else { throw ToolError(message: "run '\(id)' ended without finishing") }
        }
    }

    /// One tool call: its structured result and its text for people.
    static func handle(_ name: String, _ arguments: [String: Value], service: ConductorService) throws -> (Value, String) {
        func string(_ key: String) -> String? { arguments[key]?.stringValue }
        func id(_ key: String = "workflow_execution_id") throws -> String {
            guard let id = string(key), !id.isEmpty else { throw ToolError(message: "'\(key)' is required: the id execute_conductor_workflow returned") }
            return id
        }
        func taskID(_ value: Value?) -> String? {
            guard let value else { return nil }
            if let text = value.stringValue { return text }
            if let number = value.intValue { return String(number) }
            if let number = value.doubleValue, let whole = Int(exactly: number) { return String(whole) }
            return nil
        }
        func action(_ verb: ControlVerb, _ execution: String, task: String?) throws -> (Value, String) {
            let answer = try service.act(execution, ControlAction(verb, task: task))
            return (encode(answer), answer.accepted ? answer.message : "Refused: \(answer.message)")
        }
        func execute(_ workflow: String?, _ options: [String: Value]) throws -> (Value, String) {
            let tasks = options["task_ids"]?.arrayValue?.compactMap(taskID)
            if let raw = options["task_ids"], raw.arrayValue == nil || tasks?.count != raw.arrayValue?.count {
                throw ToolError(message: "'task_ids' must be a list of task ids, such as [4, 5, 6, 7]")
            }
            let parallel = options["parallel"]?.boolValue ?? true
            let started = try service.execute(workflow: workflow, taskIDs: tasks, parallel: parallel)
            return (encode(started), "Started \(started.workflow) as \(started.workflowExecutionId): tasks \(started.taskIds.joined(separator: ", ")), "
                    + (started.parallel ? "in parallel" : "one at a time") + ". Poll get_conductor_workflow_status with this id."
                    + (started.note.map { " Note: \($0)." } ?? ""))
        }
        func status(_ execution: String) throws -> (Value, String) {
            let (status, report) = try service.status(execution)
            return (encode(status), status.text(report: report))
        }
        switch name {
        case "execute_conductor_workflow": return try execute(string("workflow"), arguments)
        case "start_workflow_by_name":
            guard let workflow = string("name") else { throw ToolError(message: "'name' is required: a workflow from list_conductor_workflows") }
            let (started, _) = try execute(workflow, arguments["input"]?.objectValue ?? [:])
            // Conductor answers a start with the workflow's id.
            let workflowId = started.objectValue?["workflow_execution_id"]?.stringValue ?? ""
            return (.object(["workflowId": .string(workflowId)]), workflowId)
        case "get_conductor_workflow_status": return try status(try id())
        case "get_workflow_by_id":
            let workflow = try service.conductorWorkflow(try id("workflowId"))
            let text = String(decoding: (try? JSONEncoder.sortedPretty.encode(workflow)) ?? Data(), as: UTF8.self)
            return (encodeJSON(workflow), text)
        case "pause_conductor_workflow": return try action(.pause, try id(), task: taskID(arguments["task_id"]))
        case "resume_conductor_workflow": return try action(.resume, try id(), task: taskID(arguments["task_id"]))
        case "hold_conductor_workflow": return try action(.hold, try id(), task: nil)
        case "retry_conductor_workflow": return try action(.retry, try id(), task: taskID(arguments["task_id"]))
        case "cancel_conductor_workflow": return try action(.cancel, try id(), task: taskID(arguments["task_id"]))
        case "pause_workflow": return try action(.pause, try id("workflowId"), task: nil)
        case "resume_workflow": return try action(.resume, try id("workflowId"), task: nil)
        case "retry_workflow": return try action(.retry, try id("workflowId"), task: nil)
        case "terminate_workflow": return try action(.cancel, try id("workflowId"), task: nil)
        case "get_conductor_task_logs":
            guard let task = taskID(arguments["task_id"]) else { throw ToolError(message: "'task_id' is required") }
            let logs = try service.logs(try id(), task: task, lines: arguments["lines"]?.intValue ?? 50)
            return (encode(logs), logs.lines.isEmpty ? "Task \(task) has printed nothing." : logs.lines.joined(separator: "\n"))
        case "list_conductor_workflows":
            let workflows = service.workflows()
            return (encode(["workflows": workflows]), workflows.map { "\($0.name): \($0.tasks) tasks — \($0.description ?? $0.path)" }
                .joined(separator: "\n"))
        case "list_conductor_runs":
            let runs = service.runs(limit: arguments["limit"]?.intValue ?? 20)
            return (encode(["runs": runs]), runs.isEmpty ? "No runs recorded yet."
                    : runs.map { "\($0.workflowExecutionId)  \($0.workflow)  \($0.state)" }.joined(separator: "\n"))
        case "get_conductor_run_report":
            let report = try service.report(try id())
            return (encode(report), SummaryFormatter.lines(for: report, glyphs: .unicode).joined(separator: "\n"))
        default:
            throw ToolError(message: "unknown tool '\(name)'; the tools are \(ConductorTools.all.map(\.name).joined(separator: ", "))")
        }
    }

    /// Conductor's JSON as an MCP value, its keys as they are.
    static func encodeJSON(_ value: JSONValue) -> Value {
        guard let data = try? JSONEncoder.sortedCompact.encode(value), let decoded = try? JSONDecoder().decode(Value.self, from: data) else { return .null }
        return decoded
    }

    /// A Codable value as an MCP value, with snake_case keys and ISO-8601 dates.
    static func encode<T: Encodable>(_ value: T) -> Value {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        guard let data = try? encoder.encode(value), let decoded = try? JSONDecoder().decode(Value.self, from: data) else { return .null }
        return decoded
    }
}
