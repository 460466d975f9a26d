import Foundation

/// A Tutti workflow as Conductor's definitions: a WorkflowDef (schemaVersion 2) whose
/// independent tasks sit in FORK_JOIN branches with a JOIN (a plain list would run one after
/// another in Conductor), and a TaskDef per task with its retries and timeout (also inline in
/// the task, so the definition alone is complete). Tutti's own
/// settings travel in the task's `inputParameters` (agent or command, parameters, gates, the
/// exact dependencies) and the definition's `inputTemplate.tutti`, so reading the export back
/// gives the same workflow. What Conductor cannot express is said in `notes`.
public struct ConductorExport: Sendable {
    public var workflowDefinition: JSONValue
    public var taskDefinitions: [JSONValue]
    /// What has no Conductor equivalent, and what the export does instead.
    public var notes: [String]

    public init(_ workflow: Workflow, ownerEmail: String = "tutti@example.com") {
        // Conductor's structure names tasks only: there a dependency on a group is one on each
        // of its tasks. Each task's inputParameters keep the group and the dependencies as written.
        let expanded = workflow.expandingGroups()
        var notes: [String] = []
        let shape: WorkflowShape
        if workflow.execution.mode == .sequential {
            shape = .series(DependencyGraph(expanded.tasks).topologicalOrder().map(WorkflowShape.task))
        } else {
            var layout = ShapeFinder(expanded.tasks)
            shape = layout.shape()
            var extra: [String: [String]] = [:]
            var order: [String] = []
            for (task, waits) in layout.addedWaits {
                if extra[task] == nil { order.append(task) }
                extra[task, default: []] += waits
            }
            if !order.isEmpty {
                let list = order.map { "\($0) also waits for \(extra[$0]!.joined(separator: ", "))" }.joined(separator: "; ")
                notes.append("in Conductor some tasks wait for more than their dependencies, because a task that waits for only part "
                             + "of a fork has no Conductor form: \(list). Tutti keeps the exact dependencies in inputParameters.depends_on")
            }
        }
        let names = Self.names(workflow)
        var definitions: [String: JSONValue] = [:]
        for task in workflow.tasks {
            definitions[task.id] = ConductorTaskDefinition.json(name: names[task.id]?.definition ?? task.id, task: task, ownerEmail: ownerEmail)
        }
        var emitter = ShapeEmitter(workflow: workflow, names: names, definitions: definitions)
        let tasks = emitter.emit(shape)
        taskDefinitions = workflow.tasks.compactMap { definitions[$0.id] }
        var fields: [String: JSONValue] = [
            "name": .string(workflow.name), "version": .number(Double(Self.integerVersion(workflow.version) ?? 1)),
            "schemaVersion": .number(2), "ownerEmail": .string(ownerEmail), "tasks": .array(tasks),
            "timeoutSeconds": .number(workflow.execution.timeoutSeconds.map { $0.rounded(.up) } ?? 0),
            "timeoutPolicy": .string(workflow.execution.timeoutSeconds == nil ? "ALERT_ONLY" : "TIME_OUT_WF"),
            "restartable": .bool(true), "inputParameters": .array([]), "outputParameters": .object([:]),
            "inputTemplate": .object([ConductorImport.settingsKey: .object(Self.settings(workflow))]),
        ]
        if let description = workflow.description { fields["description"] = .string(description) }
        workflowDefinition = .object(fields)
        notes += Self.notes(workflow, widestFork: emitter.widestFork)
        self.notes = notes
    }

    /// Each task's TaskDef name (`<workflow>_task_<id>`: task definitions are shared by every
    /// workflow of a Conductor server) and reference name (`task_<id>`), unique.
    static func names(_ workflow: Workflow) -> [String: (definition: String, reference: String)] {
        var used: Set<String> = []
        var names: [String: (definition: String, reference: String)] = [:]
        for task in workflow.tasks {
            var reference = "task_\(slug(task.id))"
            var suffix = 1
            while !used.insert(reference).inserted {
                suffix += 1
                reference = "task_\(slug(task.id))_\(suffix)"
            }
            names[task.id] = ("\(slug(workflow.name))_\(reference)", reference)
        }
        return names
    }

    /// A name Conductor takes anywhere: letters, digits, `_` and `-`.
    static func slug(_ text: String) -> String {
        String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "_" })
    }

    static func integerVersion(_ version: String?) -> Int? {
        guard let version else { return nil }
        if let whole = Int(version) { return whole }
        if let number = Double(version), number == number.rounded(), number >= 0, number < 1e9 { return Int(number) }
        return nil
    }

    /// Tutti's workflow-level settings, as its YAML writes them.
    static func settings(_ workflow: Workflow) -> [String: JSONValue] {
        var settings: [String: JSONValue] = [:]
        if let version = workflow.version, String(integerVersion(version) ?? -1) != version { settings["version"] = .string(version) }
        settings["task_order"] = .array(workflow.tasks.map { .string($0.id) })
        let execution = workflow.execution
        var run: [String: JSONValue] = ["mode": .string(execution.mode.rawValue), "wait_for_all": .bool(execution.waitForAll),
                                        "fail_fast": .bool(execution.failFast)]
        if let factor = execution.parallelizationFactor { run["parallelization_factor"] = .number(Double(factor)) }
        if execution.conductorFiles { run["conductor_files"] = .bool(true) }
        if execution.executor != .local { run["executor"] = .string(execution.executor.rawValue) }
        if !execution.slurm.written.isEmpty { run["slurm"] = .object(execution.slurm.written) }
        if let timeout = execution.timeoutSeconds, timeout != timeout.rounded(.up) { run["timeout_seconds"] = .number(timeout) }
        settings["execution"] = .object(run)
        var polling: [String: JSONValue] = ["interval_seconds": .number(workflow.polling.intervalSeconds)]
        if let timeout = workflow.polling.timeoutSeconds { polling["timeout_seconds"] = .number(timeout) }
        settings["polling"] = .object(polling)
        if !workflow.successCriteria.isEmpty {
            settings["success_criteria"] = .array(workflow.successCriteria.map { entry in
                entry.advisory ? .object(["criterion": .string(entry.criterion.text), "advisory": .bool(true)]) : .string(entry.criterion.text)
            })
        }
        let handling = workflow.errorHandling
        var one: [String: JSONValue] = ["action": .string(handling.oneTaskFailure.rawValue), "retry_allowed": .bool(handling.retryAllowed)]
        if let message = handling.oneTaskFailureMessage { one["message"] = .string(message) }
        var errors: [String: JSONValue] = ["one_task_failure": .object(one)]
        if let message = handling.allTasksFailedMessage { errors["all_tasks_failed"] = .object(["action": .string("fail"), "message": .string(message)]) }
        settings["error_handling"] = .object(errors)
        return settings
    }

    /// What Conductor would do otherwise than Tutti with this workflow.
    static func notes(_ workflow: Workflow, widestFork: Int) -> [String] {
        var notes: [String] = []
        if let factor = workflow.execution.parallelizationFactor, workflow.execution.mode == .parallel, factor < widestFork {
            notes.append("Conductor runs all \(widestFork) branches of a fork at once: it has no limit like parallelization_factor \(factor) "
                         + "(a TaskDef's concurrentExecLimit limits one task definition only); Tutti keeps the limit in inputTemplate.tutti")
        }
        if !workflow.execution.failFast, workflow.tasks.count > 1 {
            notes.append("Conductor fails the whole workflow at the first task that fails; Tutti (one_task_failure: continue) lets the other "
                         + "branches finish, as inputTemplate.tutti keeps")
        }
        if workflow.tasks.contains(where: { !$0.gates.isEmpty }) {
            notes.append("Conductor does not check quality gates: they are carried in each task's inputParameters.quality_gates for Tutti")
        }
        if !workflow.successCriteria.isEmpty {
            notes.append("Conductor has no success criteria: they are carried in inputTemplate.tutti for Tutti")
        }
        for task in workflow.tasks {
            if let timeout = task.timeoutSeconds, timeout != timeout.rounded(.up) {
                notes.append("task \(task.id)'s timeout of \(NumberFormat.compact(timeout)) s is \(Int(timeout.rounded(.up))) s in Conductor, which counts whole seconds")
            }
            if task.retry.count > 0, task.retry.delaySeconds != task.retry.delaySeconds.rounded(.up) {
                notes.append("task \(task.id)'s retry delay of \(NumberFormat.compact(task.retry.delaySeconds)) s is "
                             + "\(Int(task.retry.delaySeconds.rounded(.up))) s in Conductor, which counts whole seconds")
            }
        }
        return notes
    }
}

/// How a workflow's tasks run, as Conductor can say it: one after another, side by side, or
/// a single task.
indirect enum WorkflowShape: Equatable {
    case task(String)
    case series([WorkflowShape])
    case parallel([WorkflowShape])
}

/// Finds the shape of a dependency graph: side by side where tasks are unrelated, one after
/// another where every task of one part comes after every task of the other. A graph that
/// is neither (a task waiting for only part of a fork) is cut after its first tasks, which
/// makes some tasks wait for more than they need; `addedWaits` says which.
struct ShapeFinder {
    private let ids: [String]
    /// Per task (by index): every task it comes after.
    private var ancestors: [Set<Int>] = []
    private(set) var addedWaits: [(task: String, extra: [String])] = []

    init(_ tasks: [TaskSpec]) {
        let graph = DependencyGraph(tasks)
        ids = graph.topologicalOrder()
        let index = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0) })
        ancestors = Array(repeating: [], count: ids.count)
        for (position, id) in ids.enumerated() {
            for dep in graph.dependencies[id] ?? [] {
                guard let depIndex = index[dep] else { continue }
                ancestors[position].insert(depIndex)
                ancestors[position].formUnion(ancestors[depIndex])
            }
        }
    }

    mutating func shape() -> WorkflowShape { shape(of: Array(ids.indices)) }

    /// The shape of `part` (indices in topological order), whose dependencies outside it are met.
    private mutating func shape(of part: [Int]) -> WorkflowShape {
        if part.count == 1 { return .task(ids[part[0]]) }
        let groups = components(part)
        if groups.count > 1 { return .parallel(groups.map { shape(of: $0) }) }
        // One after another: the first k tasks all come before each of the rest.
        for split in 1..<part.count {
            let first = Set(part[..<split])
            if part[split...].allSatisfy({ first.isSubset(of: ancestors[$0]) }) {
                return .series(flattened([shape(of: Array(part[..<split])), shape(of: Array(part[split...]))]))
            }
        }
        // Neither: cut it in two where that adds the fewest waits; every task after the cut then
        // waits for every task before it.
        let (first, rest) = cheapestCut(part)
        for task in rest {
            let extra = first.filter { !ancestors[task].contains($0) }
            if !extra.isEmpty { addedWaits.append((ids[task], extra.map { ids[$0] })) }
            ancestors[task].formUnion(first)
        }
        return .series(flattened([shape(of: first), shape(of: rest)]))
    }

    /// Candidate cuts: each task with all it comes after, everything but each task and what
    /// comes after it, and the tasks that wait for none. The one whose later tasks gain the
    /// fewest waits wins.
    private func cheapestCut(_ part: [Int]) -> (first: [Int], rest: [Int]) {
        let inPart = Set(part)
        var candidates: [Set<Int>] = [Set(part.filter { ancestors[$0].isDisjoint(with: inPart) })]
        for task in part {
            candidates.append(ancestors[task].intersection(inPart).union([task]))
            candidates.append(inPart.subtracting(part.filter { $0 == task || ancestors[$0].contains(task) }))
        }
        var best: (cost: Int, first: Set<Int>)?
        for first in candidates where !first.isEmpty && first.count < part.count {
            let cost = part.reduce(0) { total, task in first.contains(task) ? total : total + first.subtracting(ancestors[task]).count }
            if best == nil || cost < best!.cost { best = (cost, first) }
        }
        let first = best?.first ?? [part[0]]
        return (part.filter(first.contains), part.filter { !first.contains($0) })
    }

    /// `part` split into groups no task of which depends on another group's.
    private func components(_ part: [Int]) -> [[Int]] {
        var group = Dictionary(uniqueKeysWithValues: part.map { ($0, $0) })
        func root(_ item: Int) -> Int {
            var item = item
            while let parent = group[item], parent != item { item = parent }
            return item
        }
        let inPart = Set(part)
        for task in part {
            for earlier in ancestors[task] where inPart.contains(earlier) {
                let (a, b) = (root(task), root(earlier))
                if a != b { group[a] = b }
            }
        }
        var order: [Int] = []
        var members: [Int: [Int]] = [:]
        for task in part {
            let key = root(task)
            if members[key] == nil { order.append(key) }
            members[key, default: []].append(task)
        }
        return order.map { members[$0] ?? [] }
    }

    private func flattened(_ parts: [WorkflowShape]) -> [WorkflowShape] {
        parts.flatMap { part -> [WorkflowShape] in
            if case .series(let inner) = part { return inner }
            return [part]
        }
    }
}

/// Writes a shape as Conductor's WorkflowTask list.
struct ShapeEmitter {
    let workflow: Workflow
    let names: [String: (definition: String, reference: String)]
    /// Each task's TaskDef, also written inline so the definition alone carries retries and timeouts.
    let definitions: [String: JSONValue]
    /// Each task's position in the workflow.
    private let positions: [String: Int]
    private var forks = 0
    private(set) var widestFork = 1

    init(workflow: Workflow, names: [String: (definition: String, reference: String)], definitions: [String: JSONValue]) {
        self.workflow = workflow
        positions = Dictionary(workflow.tasks.enumerated().map { ($1.id, $0) }) { first, _ in first }
        self.names = names
        self.definitions = definitions
    }

    mutating func emit(_ shape: WorkflowShape) -> [JSONValue] {
        switch shape {
        case .task(let id):
            guard let position = positions[id] else { return [] }
            return [simple(workflow.tasks[position])]
        case .series(let parts):
            return parts.flatMap { emit($0) }
        case .parallel(let branches):
            forks += 1
            let number = forks
            widestFork = max(widestFork, branches.count)
            let lists = branches.map { emit($0) }
            let ends: [JSONValue] = lists.compactMap { list in
                if case .object(let last)? = list.last { return last["taskReferenceName"] }
                return nil
            }
            let fork: JSONValue = .object(["name": .string("fork_\(number)"), "taskReferenceName": .string("fork_\(number)"),
                                           "type": .string("FORK_JOIN"), "forkTasks": .array(lists.map(JSONValue.array))])
            let join: JSONValue = .object(["name": .string("join_\(number)"), "taskReferenceName": .string("join_\(number)"),
                                           "type": .string("JOIN"), "joinOn": .array(ends)])
            return [fork, join]
        }
    }

    /// A SIMPLE task carrying what Tutti runs in its inputParameters.
    private func simple(_ task: TaskSpec) -> JSONValue {
        var inputs: [String: JSONValue] = ["task_id": .string(task.id), "name": .string(task.name),
                                           "depends_on": .array(task.dependsOn.map(JSONValue.string))]
        if let group = task.group { inputs["group"] = .string(group) }
        if let description = task.description { inputs["description"] = .string(description) }
        if let type = task.type { inputs["type"] = .string(type) }
        if let agentType = task.agentType { inputs["agent_type"] = .string(agentType) }
        switch task.launch {
        case .agent(let name): inputs["agent"] = .string(name)
        case .command(let argv): inputs["command"] = .array(argv.map(JSONValue.string))
        case .shell(let script):
            inputs["command"] = .string(script)
            inputs["shell"] = .bool(true)
        }
        if !task.parameters.isEmpty { inputs["parameters"] = .object(task.parameters) }
        if !task.environment.isEmpty { inputs["env"] = .object(task.environment.mapValues(JSONValue.string)) }
        if let directory = task.workingDirectory { inputs["working_directory"] = .string(directory) }
        if !task.slurm.written.isEmpty { inputs["slurm"] = .object(task.slurm.written) }
        if !task.gates.isEmpty {
            inputs["quality_gates"] = .array(task.gates.map { gate in
                var entry: [String: JSONValue] = [gate.metric: .string(gate.expectation.writtenText)]
                if gate.advisory { entry[WorkflowLoader.advisoryKey] = .bool(true) }
                return .object(entry)
            })
        }
        let name = names[task.id] ?? (task.id, task.id)
        return .object(["name": .string(name.definition), "taskReferenceName": .string(name.reference), "type": .string("SIMPLE"),
                        "description": .string(task.name), "inputParameters": .object(inputs),
                        "taskDefinition": definitions[task.id] ?? .object([:])])
    }
}
