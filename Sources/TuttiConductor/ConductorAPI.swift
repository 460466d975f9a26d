import Foundation
import Synchronization
import TuttiCore

/// Conductor's workflow API over Tutti's runs, apart from HTTP: start a workflow (by name,
/// or as the seed's list of SIMPLE tasks), read it as Conductor's Workflow JSON, pause,
/// resume, retry and terminate it. Runs it starts are ordinary recorded runs.
public final class ConductorAPI: Sendable {
    /// A request Conductor would refuse, with its HTTP status.
    public struct Failure: Error, Sendable {
        public var status: Int
        public var message: String
        public init(_ status: Int, _ message: String) {
            self.status = status
            self.message = message
        }
    }

    let workflowsDirectory: String
    let runsDirectory: String
    public let executions = Executions()
    /// The task and workflow definitions registered through the metadata API, kept in the
    /// runs folder's `conductor/` between the server's runs.
    public let metadata: ConductorMetadata
    /// Per run: each task's Conductor reference name and definition name.
    private let names = Mutex<[String: [String: (reference: String, definition: String)]]>([:])
    private let inputs = Mutex<[String: (input: JSONValue, correlationId: String?, version: Int)]>([:])

    /// Throws when the definitions kept in the runs folder cannot be read.
    public init(workflowsDirectory: String, runsDirectory: String) throws {
        self.workflowsDirectory = workflowsDirectory
        self.runsDirectory = runsDirectory
        metadata = try ConductorMetadata(keptIn: runsDirectory + "/conductor")
    }

    // MARK: - Starting

    /// `POST /api/workflow` (StartWorkflowRequest) and `POST /api/workflow/{name}`: runs the
    /// workflow of that name (a registered definition, the version asked for or the latest;
    /// else a workflow file of the workflows folder); returns its id.
    public func start(name: String, version: Int? = nil, input: JSONValue = .object([:]), correlationId: String? = nil) throws(Failure) -> String {
        if let registered = metadata.lookUp(name, version: version) {
            // The registered task definitions go inline, so the copy in the run's folder is complete.
            let complete = Self.inliningTaskDefinitions(registered.definition, metadata.taskDefinitionsJSON)
            let text = String(decoding: (try? JSONEncoder.sortedPretty.encode(complete)) ?? Data(), as: UTF8.self)
            let workflow: Workflow
            do {
                workflow = try ConductorImport.parse(json: text, file: "the definition of \(name) version \(registered.version)",
                                                     taskDefinitions: metadata.definitions)
            } catch { throw Failure(400, error.description) }
            let names = Self.conductorNames(registered.definition)
            return try launch(workflow, taskIDs: nil, names: names, input: input, correlationId: correlationId, definition: text,
                              version: registered.version)
        }
        if let version { throw Failure(404, "No such workflow found by name: \(name), version: \(version)") }
        let workflow = try self.workflow(named: name)
        return try launch(workflow, taskIDs: nil, names: [:], input: input, correlationId: correlationId)
    }

    /// The definition with each SIMPLE task that has no `taskDefinition` given the registered one of its name.
    static func inliningTaskDefinitions(_ value: JSONValue, _ registered: [String: JSONValue]) -> JSONValue {
        switch value {
        case .array(let items): return .array(items.map { inliningTaskDefinitions($0, registered) })
        case .object(var fields):
            if (fields["type"]?.string ?? "SIMPLE") == "SIMPLE", fields["taskReferenceName"] != nil, fields["taskDefinition"] == nil,
               let name = fields["name"]?.string, let definition = registered[name] {
                fields["taskDefinition"] = definition
            }
            for key in ["tasks", "forkTasks"] { fields[key] = fields[key].map { inliningTaskDefinitions($0, registered) } }
            return .object(fields)
        default: return value
        }
    }

    /// Each SIMPLE task's reference and definition name in a WorkflowDef, by Tutti task id.
    static func conductorNames(_ definition: JSONValue) -> [String: (reference: String, definition: String)] {
        var names: [String: (reference: String, definition: String)] = [:]
        func visit(_ value: JSONValue) {
            switch value {
            case .array(let items): items.forEach(visit)
            case .object(let fields):
                if let reference = fields["taskReferenceName"]?.string, (fields["type"]?.string ?? "SIMPLE") == "SIMPLE" {
                    var id = reference
                    if case .object(let inputs)? = fields["inputParameters"], let given = inputs["task_id"].flatMap(identifier) { id = given }
                    names[id] = (reference, fields["name"]?.string ?? reference)
                }
                fields["forkTasks"].map(visit)
                fields["tasks"].map(visit)
            default: break
            }
        }
        visit(definition)
        return names
    }

    /// `POST /api/workflows`, the seed's call: SIMPLE tasks that name the workflow's tasks by
    /// `inputParameters.task_id`; they run together, as the seed says.
    public func startTasks(_ body: JSONValue) throws(Failure) -> String {
        guard case .object(let fields) = body, let name = fields["name"]?.string, !name.isEmpty else {
            throw Failure(400, "the body needs \"name\" (a workflow in \(workflowsDirectory)) and \"tasks\"")
        }
        guard case .array(let tasks)? = fields["tasks"], !tasks.isEmpty else {
            throw Failure(400, "\"tasks\" must list the SIMPLE tasks to run, each with inputParameters.task_id")
        }
        let workflow = try self.workflow(named: name)
        var ids: [String] = []
        var names: [String: (reference: String, definition: String)] = [:]
        for (index, task) in tasks.enumerated() {
            guard case .object(let task) = task, case .object(let parameters)? = task["inputParameters"],
                  let id = parameters["task_id"].flatMap(Self.identifier) else {
                throw Failure(400, "tasks[\(index)] needs inputParameters.task_id naming one of \(workflow.tasks.map(\.id).joined(separator: ", "))")
            }
            if let type = task["type"]?.string, type != "SIMPLE" {
                throw Failure(400, "tasks[\(index)] is \(type); this endpoint runs SIMPLE tasks")
            }
            ids.append(id)
            names[id] = (task["taskReferenceName"]?.string ?? "task_\(id)", task["name"]?.string ?? id)
        }
        return try launch(workflow, taskIDs: ids, names: names, input: fields["input"] ?? .object([:]), correlationId: fields["correlationId"]?.string)
    }

    static func identifier(_ value: JSONValue) -> String? {
        switch value {
        case .string(let text): return text
        case .number(let number): return Int(exactly: number).map(String.init)
        default: return nil
        }
    }

    private func workflow(named name: String) throws(Failure) -> Workflow {
        let found: (workflow: Workflow, path: String)?
        do { found = try BuiltInWorkflows.named(name, in: workflowsDirectory) } catch { throw Failure(400, error.description) }
        guard let found else { throw Failure(404, "no workflow named '\(name)' in \(workflowsDirectory)") }
        return found.workflow
    }

    private func launch(_ workflow: Workflow, taskIDs: [String]?, names: [String: (reference: String, definition: String)],
                        input: JSONValue, correlationId: String?, definition: String? = nil, version: Int = 1) throws(Failure) -> String {
        var options = RunOptions(runsDirectory: runsDirectory, taskFilter: taskIDs)
        options.staysOpen = true
        let engine: RunEngine
        do { engine = try RunEngine(workflow: workflow, options: options) } catch let error as RunSetupError {
            throw Failure(400, error.description)
        } catch {
            throw Failure(500, "cannot start the run: \(error)")
        }
        // A registered definition is kept in the run's folder, as a file's copy is, for `tutti resume`.
        if let definition { try? Data(definition.utf8).write(to: URL(fileURLWithPath: engine.directory.workflowCopyPath(for: "workflow.json"))) }
        let execution = Execution(engine: engine, workflowFile: workflow.sourcePath ?? workflow.name)
        self.names.withLock { $0[execution.id] = names }
        inputs.withLock { $0[execution.id] = (input, correlationId, version) }
        guard executions.start(execution, reasonIfClosing: "the server is shutting down") else {
            throw Failure(503, "the server is shutting down")
        }
        return execution.id
    }

    // MARK: - Reading and acting

    /// `GET /api/workflow/{id}`: the run as Conductor's Workflow JSON.
    public func workflow(_ id: String, includeTasks: Bool = true) throws(Failure) -> JSONValue {
        guard let execution = executions.find(id) else { throw Failure(404, "no workflow with id '\(id)'") }
        let state = execution.snapshot()
        let (input, correlationId, version) = inputs.withLock { $0[id] } ?? (.object([:]), nil, 1)
        return ConductorExecutionJSON.workflow(state, id: id, origin: execution.clockOrigin, names: names.withLock { $0[id] } ?? [:],
                                               input: input, correlationId: correlationId, version: version, includeTasks: includeTasks)
    }

    /// `POST /api/workflow/{id}/restart`: a workflow that has ended runs again from the
    /// beginning, in the same run: every task as a new attempt, in dependency order.
    public func restart(_ id: String) throws(Failure) {
        guard let execution = executions.find(id) else { throw Failure(404, "no workflow with id '\(id)'") }
        let state = execution.snapshot()
        guard state.outcome != nil else { throw Failure(409, "workflow '\(id)' is still running; only an ended workflow restarts") }
        // The tasks that wait for none: running them again brings every task after them along.
        for task in state.tasks where task.dependsOn.isEmpty && task.status.isFinal {
            let result = execution.engine.perform(ControlAction(.retry, task: task.id), actor: "conductor API (restart)")
            guard result.accepted else { throw Failure(409, result.message) }
        }
    }

    /// Pause, resume, retry (the failed tasks) or terminate a run of this server.
    public func act(_ id: String, _ verb: ControlVerb, reason: String? = nil) throws(Failure) {
        guard let execution = executions.find(id) else { throw Failure(404, "no workflow with id '\(id)'") }
        let result = execution.engine.perform(ControlAction(verb), actor: reason.map { "conductor API (\($0))" } ?? "conductor API")
        guard result.accepted else { throw Failure(409, result.message) }
    }
}
