import Foundation
import Yams

/// Reads a Conductor workflow definition (WorkflowDef JSON) as a Tutti workflow. Conductor
/// runs a `tasks` list one after another and the branches of a FORK_JOIN side by side until
/// their JOIN; those orders become each task's dependencies. A SIMPLE task runs the Tutti agent
/// it is named after, or what its `inputParameters` say (`agent`, `command`, Tutti's task
/// keys); its task definition (inline `taskDefinition`, or registered) gives retries and
/// timeout. Every problem is reported with its line and column.
public enum ConductorImport {
    /// The WorkflowDef fields read.
    static let workflowKeys = ["name", "description", "version", "tasks", "timeoutSeconds", "timeoutPolicy", "schemaVersion",
                               "failureWorkflow", "inputTemplate"]
    /// WorkflowDef fields that change nothing in a Tutti run.
    static let passedOverWorkflowKeys = ["ownerEmail", "createTime", "updateTime", "createdBy", "updatedBy", "inputParameters",
                                         "outputParameters", "restartable", "workflowStatusListenerEnabled",
                                         "workflowStatusListenerSink", "variables", "ownerApp", "accessPolicy", "tags",
                                         "rateLimitConfig", "metadata", "maskedFields", "enforceSchema", "inputSchema",
                                         "outputSchema", "overwriteTags", "cacheConfig"]
    /// The WorkflowTask fields read.
    static let taskKeys = ["name", "taskReferenceName", "type", "inputParameters", "forkTasks", "joinOn", "taskDefinition",
                           "description", "optional", "startDelay"]
    /// WorkflowTask fields that change nothing in a Tutti run.
    static let passedOverTaskKeys = ["asyncComplete", "rateLimited", "retryCount", "onStateChange", "cacheConfig", "permissive",
                                     "sink", "dynamicTaskNameParam", "caseValueParam", "caseExpression", "scriptExpression",
                                     "decisionCases", "defaultCase", "dynamicForkTasksParam", "dynamicForkTasksInputParamName",
                                     "dynamicForkJoinTasksParam", "subWorkflowParam", "loopCondition", "loopOver",
                                     "defaultExclusiveJoinTask", "evaluatorType", "expression", "joinStatus"]
    /// Tutti's own task keys a SIMPLE task may carry in its `inputParameters`.
    static let inputKeys = ["task_id", "name", "description", "type", "agent_type", "agent", "command", "shell", "parameters",
                            "env", "working_directory", "quality_gates", "depends_on", "slurm", "group"]
    /// The keys that make a task's `inputParameters` Tutti's: what to run, or its parameters.
    static let markerKeys = ["task_id", "agent", "agent_type", "command", "parameters", "quality_gates", "depends_on"]
    /// Where a WorkflowDef keeps Tutti's workflow-level settings: `inputTemplate.tutti`.
    static let settingsKey = "tutti"
    static let settingsKeys = ["version", "task_order", "execution", "polling", "success_criteria", "error_handling"]

    /// Reads and checks the WorkflowDef file at `path`.
    public static func load(path: String, taskDefinitions: [String: ConductorTaskDefinition] = [:]) throws(WorkflowLoadError) -> Workflow {
        let text = try WorkflowLoader.readText(path: path)
        let base = (URL(fileURLWithPath: path).deletingLastPathComponent().path as NSString).standardizingPath
        return try parse(json: text, file: path, baseDirectory: base, taskDefinitions: taskDefinitions)
    }

    /// Reads and checks one WorkflowDef; `file` names it in diagnostics.
    public static func parse(json: String, file: String, baseDirectory: String = FileManager.default.currentDirectoryPath,
                             taskDefinitions: [String: ConductorTaskDefinition] = [:]) throws(WorkflowLoadError) -> Workflow {
        let root = try compose(json, file: file)
        return try read(root, file: file, baseDirectory: baseDirectory, taskDefinitions: taskDefinitions)
    }

    /// Reads every WorkflowDef of `json`: one object, or an array of them (Conductor's `PUT
    /// /metadata/workflow`). Each comes with its JSON as written.
    public static func parseMany(json: String, file: String, baseDirectory: String = FileManager.default.currentDirectoryPath,
                                 taskDefinitions: [String: ConductorTaskDefinition] = [:])
        throws(WorkflowLoadError) -> [(workflow: Workflow, definition: JSONValue, version: Int)] {
        let root = try compose(json, file: file)
        var read: [(Workflow, JSONValue, Int)] = []
        var problems: [Diagnostic] = []
        for node in root.sequence.map(Array.init) ?? [root] {
            do {
                let workflow = try self.read(node, file: file, baseDirectory: baseDirectory, taskDefinitions: taskDefinitions)
                read.append((workflow, node.jsonValue, ConductorExport.integerVersion(workflow.version) ?? 1))
            } catch { problems += error.diagnostics }
        }
        guard problems.isEmpty else { throw WorkflowLoadError(problems) }
        return read
    }

    /// The JSON's nodes, with their positions.
    static func compose(_ text: String, file: String) throws(WorkflowLoadError) -> Node {
        try WorkflowLoader.compose(text, file: file, emptyHint: "a Conductor workflow definition is a JSON object with \"name\" and \"tasks\"")
    }

    static func read(_ root: Node, file: String, baseDirectory: String,
                     taskDefinitions: [String: ConductorTaskDefinition]) throws(WorkflowLoadError) -> Workflow {
        let diagnostics = DiagnosticCollector(file: file)
        guard let def = MappingReader(root, section: "the workflow definition", allowed: workflowKeys + passedOverWorkflowKeys,
                                      diagnostics: diagnostics, unknownKeys: .ignoredUnlessNearMiss) else {
            throw WorkflowLoadError(diagnostics.sorted)
        }
        let name = def.required("name").flatMap { _ in def.string("name") } ?? ""
        if let schema = def["schemaVersion"], schema.int != 2 {
            diagnostics.error("schemaVersion \(schema.string ?? "?") is not supported", at: schema,
                              hint: "Conductor's current definitions are schemaVersion 2")
        }
        if let failure = def.string("failureWorkflow"), !failure.isEmpty {
            diagnostics.error("a failure workflow ('\(failure)') has no Tutti equivalent", at: def["failureWorkflow"],
                              hint: "remove failureWorkflow; Tutti reports what failed in the run's summary and report")
        }
        var walker = StructureWalker(diagnostics: diagnostics, taskDefinitions: taskDefinitions, baseDirectory: baseDirectory)
        if let tasks = def.required("tasks").flatMap({ _ in def.sequence("tasks") }) {
            if tasks.isEmpty { diagnostics.error("'tasks' is empty: a workflow needs at least one task", at: def["tasks"]) }
            _ = walker.walk(tasks, after: [])
        }
        // Whole numbers, as Conductor reads them (2.0 is 2).
        if let version = def["version"], ConductorExport.integerVersion(version.string) == nil {
            diagnostics.error("'version' must be a whole number", at: version, hint: "Conductor numbers a definition's versions 1, 2, 3…")
        }
        var workflow = Workflow(name: name, description: def.string("description"), version: def["version"]?.string,
                                tasks: walker.finishedTasks(), sourcePath: file, baseDirectory: baseDirectory)
        // A workflow's timeout ends it only with TIME_OUT_WF; Conductor's default, ALERT_ONLY, just reports it.
        let policy = def.choice("timeoutPolicy", ConductorTaskDefinition.TimeoutPolicy.self) ?? .alertOnly
        if policy == .retry {
            diagnostics.error("a workflow's timeoutPolicy is TIME_OUT_WF or ALERT_ONLY; RETRY is for tasks", at: def["timeoutPolicy"])
        }
        if let timeout = def.number("timeoutSeconds"), timeout != 0, policy != .alertOnly {
            if timeout < 0 || timeout > WorkflowLoader.maximumSeconds {
                diagnostics.error("'timeoutSeconds' must be from 0 (no limit) to \(Int(WorkflowLoader.maximumSeconds)) (a year)",
                                  at: def["timeoutSeconds"])
            } else {
                workflow.execution.timeoutSeconds = timeout
            }
        }
        // Conductor fails the whole workflow at the first task that fails; Tutti's own
        // settings, when the definition carries them, say otherwise.
        workflow.execution.failFast = true
        workflow.errorHandling.oneTaskFailure = .failFast
        readSettings(def, into: &workflow, diagnostics: diagnostics)
        WorkflowValidator.validate(workflow, diagnostics: diagnostics)
        guard diagnostics.diagnostics.isEmpty else { throw WorkflowLoadError(diagnostics.sorted) }
        return workflow
    }

    /// Tutti's workflow-level settings, kept in `inputTemplate.tutti` (Conductor has no place for them).
    static func readSettings(_ def: MappingReader, into workflow: inout Workflow, diagnostics: DiagnosticCollector) {
        guard let template = def["inputTemplate"],
              let inputs = MappingReader(template, section: "inputTemplate", allowed: [settingsKey], diagnostics: diagnostics,
                                         unknownKeys: .ignoredUnlessNearMiss),
              let node = inputs[settingsKey],
              let settings = MappingReader(node, section: "inputTemplate.tutti", allowed: settingsKeys, diagnostics: diagnostics)
        else { return }
        if let version = settings.string("version") { workflow.version = version }
        // The order the tasks are listed in (the dashboard's rows), which forks and joins do not keep.
        if let order = settings.sequence("task_order") {
            let ids = WorkflowLoader.readIdentifiers(order, diagnostics: diagnostics)
            if Set(ids) == Set(workflow.tasks.map(\.id)), ids.count == workflow.tasks.count {
                let position = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0) })
                workflow.tasks.sort { position[$0.id, default: 0] < position[$1.id, default: 0] }
            }
        }
        if let node = settings["execution"],
           let section = MappingReader(node, section: "execution", allowed: WorkflowLoader.executionKeys, diagnostics: diagnostics) {
            let timeout = workflow.execution.timeoutSeconds
            workflow.execution = WorkflowLoader.readExecution(section, diagnostics: diagnostics)
            workflow.execution.timeoutSeconds = workflow.execution.timeoutSeconds ?? timeout
        }
        if let node = settings["polling"],
           let section = MappingReader(node, section: "polling", allowed: WorkflowLoader.pollingKeys, diagnostics: diagnostics) {
            workflow.polling = WorkflowLoader.readPolling(section)
        }
        if let node = settings["error_handling"] {
            workflow.errorHandling = WorkflowLoader.readErrorHandling(node, diagnostics: diagnostics)
            if workflow.errorHandling.oneTaskFailure == .failFast { workflow.execution.failFast = true }
        }
        for entry in settings.sequence("success_criteria") ?? [] {
            if let criterion = WorkflowLoader.readCriterion(entry, diagnostics: diagnostics) { workflow.successCriteria.append(criterion) }
        }
    }
}

/// Walks a WorkflowDef's task lists in Conductor's order, giving each SIMPLE task the tasks
/// it runs after: those that end the list before it, or the branches its JOIN waits for.
struct StructureWalker {
    let diagnostics: DiagnosticCollector
    let taskDefinitions: [String: ConductorTaskDefinition]
    let baseDirectory: String
    private var tasks: [TaskSpec] = []
    /// Per task: every task Conductor runs before it.
    private var before: [String: Set<String>] = [:]
    /// Per reference name: the tasks that have ended when that task (or JOIN) has.
    private var ends: [String: Set<String>] = [:]
    /// Per task: the dependencies its `inputParameters.depends_on` gives, and where.
    private var declared: [String: (ids: [String], node: Node)] = [:]

    init(diagnostics: DiagnosticCollector, taskDefinitions: [String: ConductorTaskDefinition], baseDirectory: String) {
        self.diagnostics = diagnostics
        self.taskDefinitions = taskDefinitions
        self.baseDirectory = baseDirectory
    }

    /// Walks one list after the tasks in `frontier`; returns the tasks that end it.
    mutating func walk(_ list: [Node], after frontier: Set<String>) -> Set<String> {
        var frontier = frontier
        for (position, node) in list.enumerated() {
            guard let task = MappingReader(node, section: "a task", allowed: ConductorImport.taskKeys + ConductorImport.passedOverTaskKeys,
                                           diagnostics: diagnostics, unknownKeys: .ignoredUnlessNearMiss) else { continue }
            let reference = task.string("taskReferenceName") ?? ""
            var duplicateReference = false
            let section = reference.isEmpty ? "a task" : "task '\(reference)'"
            if reference.isEmpty {
                diagnostics.error("missing required key 'taskReferenceName' in \(section)", at: node,
                                  hint: "each task of a Conductor workflow needs a taskReferenceName unique in the workflow")
            } else if ends[reference] != nil {
                duplicateReference = true
                diagnostics.error("taskReferenceName '\(reference)' is used twice", at: task["taskReferenceName"],
                                  hint: "each task of a workflow needs its own taskReferenceName")
            }
            if task.bool("optional") == true {
                diagnostics.error("optional tasks have no Tutti equivalent (in Tutti, the tasks after a failed one do not run)",
                                  at: task["optional"], hint: "remove 'optional', or make the tasks after it not depend on it")
            }
            if let delay = task.number("startDelay"), delay > 0 {
                diagnostics.error("startDelay has no Tutti equivalent", at: task["startDelay"], hint: "remove startDelay")
            }
            let type = task.string("type") ?? "SIMPLE"
            switch type {
            case "SIMPLE":
                if let id = simple(task, section: section, after: frontier, duplicateReference: duplicateReference) {
                    frontier = [id]
                    if !reference.isEmpty { ends[reference] = [id] }
                }
            case "FORK_JOIN":
                let branches = task.sequence("forkTasks") ?? []
                if branches.isEmpty {
                    diagnostics.error("FORK_JOIN \(section) has no forkTasks", at: node,
                                      hint: "forkTasks is a list of branches, each a list of tasks: [[a], [b, c]]")
                }
                var joined: Set<String> = []
                for branch in branches {
                    guard let items = branch.sequence else {
                        diagnostics.error("each branch of forkTasks must be a list of tasks", at: branch)
                        continue
                    }
                    joined.formUnion(walk(Array(items), after: frontier))
                }
                // Until a JOIN says which branches it waits for, what follows waits for them all.
                frontier = joined
                if !reference.isEmpty { ends[reference] = joined }
                let next = position + 1 < list.count ? list[position + 1].mapping?.first { $0.key.string == "type" }?.value.string : nil
                if next != "JOIN" {
                    diagnostics.error("FORK_JOIN \(section) is not followed by a JOIN", at: node,
                                      hint: "Conductor needs a JOIN right after each FORK_JOIN, naming the last task of each branch in joinOn")
                }
            case "JOIN":
                var joined: Set<String> = []
                let waitsFor = task.sequence("joinOn") ?? []
                if waitsFor.isEmpty {
                    diagnostics.error("JOIN \(section) names nothing in joinOn", at: node,
                                      hint: "joinOn names the taskReferenceName of the last task of each branch it waits for")
                }
                for item in waitsFor {
                    guard let name = item.string, let end = ends[name] else {
                        diagnostics.error("JOIN \(section) waits for '\(item.string ?? "?")', which names no task before it",
                                          at: item, hint: "joinOn names the taskReferenceName of the last task of each branch")
                        continue
                    }
                    joined.formUnion(end)
                }
                if !waitsFor.isEmpty { frontier = joined }
                if !reference.isEmpty { ends[reference] = frontier }
            default:
                let hint = "Tutti runs SIMPLE tasks (an agent or a command), in sequence or in FORK_JOIN branches with a JOIN"
                diagnostics.error("task type \(type) has no Tutti equivalent", at: task["type"], hint: hint)
            }
        }
        return frontier
    }

    /// Reads a SIMPLE task to run after `frontier`; returns its id.
    private mutating func simple(_ task: MappingReader, section: String, after frontier: Set<String>, duplicateReference: Bool) -> String? {
        // A worker's own inputs are its business: they are read as Tutti's task keys only when
        // they say what Tutti runs.
        let inputNode = task["inputParameters"].flatMap { node in
            node.mapping?.contains { ConductorImport.markerKeys.contains($0.key.string ?? "") } == true ? node : nil
        }
        let inputs = inputNode.flatMap { MappingReader($0, section: "inputParameters of \(section)", allowed: ConductorImport.inputKeys,
                                                      diagnostics: diagnostics, unknownKeys: .ignoredUnlessNearMiss) }
        let definitionName = task.string("name")
        guard let id = inputs?["task_id"]?.identifier ?? task.string("taskReferenceName"), !id.isEmpty else { return nil }
        if before[id] != nil {
            // Named by a reference given twice: already reported as such.
            guard inputs?["task_id"] != nil || !duplicateReference else { return nil }
            diagnostics.error("task \(id) is given twice", at: inputs?["task_id"] ?? task.node,
                              hint: "each task needs its own inputParameters.task_id (or taskReferenceName)")
            return nil
        }
        let section = "task \(id)"
        var spec = TaskSpec(id: id, name: inputs?.string("name") ?? task.string("description") ?? definitionName,
                            description: inputs?.string("description"), type: inputs?.string("type"),
                            agentType: inputs?.string("agent_type"), launch: .command([]), location: diagnostics.location(task.node))
        spec.launch = launch(inputs, definitionName: definitionName, task: task, section: section, agentType: spec.agentType)
        if let inputs {
            if let parameters = inputs["parameters"], parameters.null == nil {
                if case .object(let object) = parameters.jsonValue { spec.parameters = object } else {
                    diagnostics.error("'parameters' in \(section) must be a mapping", at: parameters)
                }
            }
            if let env = inputs["env"] { spec.environment = WorkflowLoader.readEnvironment(env, section: section, diagnostics: diagnostics) }
            spec.workingDirectory = inputs.string("working_directory")
            if let slurm = inputs["slurm"] { spec.slurm = SlurmOptions.read(slurm, section: section, diagnostics: diagnostics) }
            for gateNode in inputs.sequence("quality_gates") ?? [] {
                if let gate = WorkflowLoader.readGate(gateNode, section: section, diagnostics: diagnostics) { spec.gates.append(gate) }
            }
            if let dependsOn = inputs["depends_on"] {
                declared[id] = (WorkflowLoader.readIdentifiers(inputs.sequence("depends_on") ?? [], diagnostics: diagnostics), dependsOn)
            }
            WorkflowLoader.readGroup(inputs, into: &spec, where: "inputParameters.group of \(section)", diagnostics: diagnostics)
        }
        if case .agent("sim") = spec.launch {
            do { _ = try SimAgentSettings(parameters: spec.parameters) } catch {
                diagnostics.error("\(error.description) in \(section)", at: inputs?["parameters"] ?? task.node)
            }
        }
        // Retries and timeout: the inline taskDefinition, else the one registered under the task's name.
        var definition: ConductorTaskDefinition?
        if let inline = task["taskDefinition"] {
            definition = ConductorTaskDefinition.read(inline, section: "taskDefinition of \(section)", diagnostics: diagnostics)
        } else if let definitionName {
            definition = taskDefinitions[definitionName]
        }
        if let definition {
            spec.retry = definition.retry
            spec.timeoutSeconds = definition.timeoutSeconds
            spec.onTimeout = definition.onTimeout
            spec.description = spec.description ?? definition.description
        }
        spec.dependsOn = tasks.map(\.id).filter(frontier.contains)
        before[id] = frontier.reduce(into: Set(frontier)) { all, earlier in all.formUnion(before[earlier] ?? []) }
        tasks.append(spec)
        return id
    }

    private func launch(_ inputs: MappingReader?, definitionName: String?, task: MappingReader, section: String,
                        agentType: String?) -> TaskLaunch {
        if let inputs, inputs["command"] != nil || inputs["agent"] != nil || agentType != nil {
            return WorkflowLoader.readLaunch(inputs, section: section, agentType: agentType, diagnostics: diagnostics)
        }
        if let definitionName, BuiltInAgents.named(definitionName) != nil { return .agent(definitionName) }
        diagnostics.error("\(section) has nothing Tutti can run", at: task["name"] ?? task.node,
                          hint: "name the task after a built-in agent (\(BuiltInAgents.names.joined(separator: ", "))), "
                            + "or give inputParameters.agent, or inputParameters.command as [program, args...]")
        return .command([])
    }

    /// The tasks read, each depending on what Conductor runs before it, or on what its
    /// `inputParameters.depends_on` names (which must be among those).
    func finishedTasks() -> [TaskSpec] {
        let groups = Workflow.groups(of: tasks)
        return tasks.map { task in
            guard let (ids, node) = declared[task.id] else { return task }
            var task = task
            let earlier = before[task.id] ?? []
            // A group's name stands for its tasks: each must run before.
            for id in ids where !(groups[id] ?? [id]).allSatisfy(earlier.contains) {
                diagnostics.error("task \(task.id) depends on \(id), which the definition does not run before it", at: node,
                                  hint: "put \(id) earlier in the list, or in a branch its JOIN waits for before task \(task.id)")
            }
            task.dependsOn = ids.filter { (groups[$0] ?? [$0]).allSatisfy(earlier.contains) }
            return task
        }
    }
}
