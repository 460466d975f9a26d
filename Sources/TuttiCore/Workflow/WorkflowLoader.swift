import Foundation
import Yams

/// Loads workflow files: YAML to a validated `Workflow`, or every problem with its position.
public enum WorkflowLoader {
    static let topLevelKeys = ["name", "description", "version", "metadata", "tasks", "execution",
                               "dependencies", "polling", "success_criteria", "error_handling"]
    static let taskKeys = ["task_id", "name", "description", "type", "agent_type", "timeout_seconds", "on_timeout",
                           "depends_on", "parameters", "quality_gates", "command", "shell", "agent", "env",
                           "working_directory", "retries", "slurm", "group"]
    static let executionKeys = ["mode", "parallel_allowed", "parallelization_factor", "wait_for_all",
                                "timeout_seconds", "fail_fast", "conductor_files", "executor", "slurm"]
    static let pollingKeys = ["strategy", "interval_seconds", "max_attempts", "timeout_seconds"]
    static let retryKeys = ["count", "backoff", "delay_seconds", "max_delay_seconds"]
    static let errorHandlingKeys = ["one_task_failure", "all_tasks_failed"]
    static let oneFailureKeys = ["action", "message", "retry_allowed"]
    static let allFailedKeys = ["action", "message"]
    static let dependencyKeys = ["task_id", "depends_on"]
    /// The largest number of seconds accepted for a timeout, delay or interval: a year.
    public static let maximumSeconds: Double = 31_536_000
    /// The most retries a task may ask for.
    public static let maximumRetries = 1000

    /// Reads and validates the workflow file at `path`: Tutti's YAML, or a Conductor workflow
    /// definition when the file ends in `.json`.
    public static func load(path: String) throws(WorkflowLoadError) -> Workflow {
        if path.lowercased().hasSuffix(".json") { return try ConductorImport.load(path: path) }
        let text = try readText(path: path)
        let base = (URL(fileURLWithPath: path).deletingLastPathComponent().path as NSString).standardizingPath
        return try parse(yaml: text, file: path, baseDirectory: base)
    }

    /// The UTF-8 text of a workflow file.
    static func readText(path: String) throws(WorkflowLoadError) -> String {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw WorkflowLoadError([Diagnostic("cannot read the file: \(error.localizedDescription)",
                                                at: SourceLocation(file: path, line: 1, column: 1),
                                                hint: "check the path and its permissions")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw WorkflowLoadError([Diagnostic("the file is not UTF-8 text",
                                                at: SourceLocation(file: path, line: 1, column: 1))])
        }
        return text
    }

    /// Parses and validates workflow YAML; `file` names it in diagnostics.
    public static func parse(yaml: String, file: String = "<workflow>",
                             baseDirectory: String = FileManager.default.currentDirectoryPath)
        throws(WorkflowLoadError) -> Workflow {
        let diagnostics = DiagnosticCollector(file: file)
        let root = try compose(yaml, file: file, emptyHint: "a workflow needs at least 'name:' and 'tasks:'")
        let workflow = read(root, diagnostics: diagnostics, file: file, baseDirectory: baseDirectory)
        if let workflow {
            WorkflowValidator.validate(workflow, diagnostics: diagnostics)
        }
        guard diagnostics.diagnostics.isEmpty, let workflow else {
            throw WorkflowLoadError(diagnostics.sorted)
        }
        return workflow
    }

    /// The text's YAML nodes, with their positions (JSON is read as the YAML it also is):
    /// keys that are aliases, syntax errors, an empty file and alias bombs refused.
    static func compose(_ text: String, file: String, emptyHint: String) throws(WorkflowLoadError) -> Node {
        if let key = YAMLKeyScanner.aliasKey(in: text) {
            throw WorkflowLoadError([Diagnostic("a mapping key here is an alias, or holds one; workflow keys are plain names",
                                                at: SourceLocation(file: file, line: key.line, column: key.column),
                                                hint: "write the key out; aliases (*name) may stand for values, not keys")])
        }
        let root: Node?
        do { root = try Yams.compose(yaml: text, YAMLLimits.resolver) } catch { throw WorkflowLoadError([syntaxDiagnostic(error, file: file)]) }
        guard let root else {
            throw WorkflowLoadError([Diagnostic("the file is empty", at: SourceLocation(file: file, line: 1, column: 1), hint: emptyHint)])
        }
        if let tooLarge = YAMLLimits.check(root, text: text, file: file) { throw WorkflowLoadError([tooLarge]) }
        return root
    }

    /// Checks a workflow built in code (ids, dependencies, cycles) as a file would be checked.
    public static func validate(_ workflow: Workflow) throws(WorkflowLoadError) {
        let diagnostics = DiagnosticCollector(file: workflow.sourcePath ?? "<workflow>")
        WorkflowValidator.validate(workflow, diagnostics: diagnostics)
        if !diagnostics.diagnostics.isEmpty { throw WorkflowLoadError(diagnostics.diagnostics) }
    }

    static func syntaxDiagnostic(_ error: Error, file: String) -> Diagnostic {
        let hint = "fix the YAML syntax (indentation, quotes, colons) at this position"
        switch error as? YamlError {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            if problem.hasPrefix("Maximum nesting level reached") {
                return Diagnostic("values are nested more than 1000 levels deep here",
                                  at: SourceLocation(file: file, line: mark.line, column: mark.column),
                                  hint: "a workflow needs a few levels of nesting; flatten this value")
            }
            let where_ = context.map { " \($0.text) (which began at \($0.mark.line):\($0.mark.column))" } ?? ""
            return Diagnostic("YAML syntax error: \(problem)\(where_)",
                              at: SourceLocation(file: file, line: mark.line, column: mark.column), hint: hint)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let key = duplicates.first ?? ""
            let first = context.mark
            let again = secondOccurrence(of: key, after: first, in: context.text) ?? (first.line, first.column)
            return Diagnostic("duplicate key '\(key)' (first given at line \(first.line))",
                              at: SourceLocation(file: file, line: again.line, column: again.column),
                              hint: "a key may appear once in a mapping; remove or rename one of them")
        default:
            return Diagnostic("YAML syntax error: \(error)", at: SourceLocation(file: file, line: 1, column: 1), hint: hint)
        }
    }

    /// Where `key:` is written again at the same column, after its first place.
    static func secondOccurrence(of key: String, after first: Mark, in yaml: String) -> (line: Int, column: Int)? {
        let lines = yaml.components(separatedBy: "\n")
        guard first.line >= 1, first.line <= lines.count else { return nil }
        for index in first.line..<lines.count {
            let line = lines[index]
            let indent = line.prefix { $0 == " " || $0 == "-" }.count
            let rest = line.dropFirst(indent)
            if indent + 1 == first.column, rest.hasPrefix(key + ":") || rest.hasPrefix("\"\(key)\":") {
                return (index + 1, indent + 1)
            }
        }
        return nil
    }

    static func read(_ root: Node, diagnostics: DiagnosticCollector, file: String, baseDirectory: String) -> Workflow? {
        guard let top = MappingReader(root, section: "the workflow", allowed: topLevelKeys, diagnostics: diagnostics)
        else { return nil }
        let name = top.required("name").flatMap { _ in top.string("name") } ?? ""
        var tasks: [TaskSpec] = []
        if let taskNodes = top.required("tasks").flatMap({ _ in top.sequence("tasks") }) {
            if taskNodes.isEmpty { diagnostics.error("'tasks' is empty: a workflow needs at least one task", at: top["tasks"]) }
            tasks = taskNodes.compactMap { readTask($0, diagnostics: diagnostics) }
        }
        readExtraDependencies(top, into: &tasks, diagnostics: diagnostics)

        var workflow = Workflow(name: name, description: top.string("description"), version: top.string("version"),
                                tasks: tasks, sourcePath: file, baseDirectory: baseDirectory)
        if let node = top["execution"],
           let section = MappingReader(node, section: "execution", allowed: executionKeys, diagnostics: diagnostics) {
            workflow.execution = readExecution(section, diagnostics: diagnostics)
        }
        if let node = top["polling"],
           let section = MappingReader(node, section: "polling", allowed: pollingKeys, diagnostics: diagnostics) {
            workflow.polling = readPolling(section)
        }
        if let node = top["error_handling"] {
            workflow.errorHandling = readErrorHandling(node, diagnostics: diagnostics)
            if workflow.errorHandling.oneTaskFailure == .failFast { workflow.execution.failFast = true }
        }
        for entry in top.sequence("success_criteria") ?? [] {
            if let criterion = readCriterion(entry, diagnostics: diagnostics) { workflow.successCriteria.append(criterion) }
        }
        if let metadata = top["metadata"], metadata.null == nil, metadata.mapping == nil {
            diagnostics.error("'metadata' must be a mapping", at: metadata)
        }
        return workflow
    }

    static func readTask(_ node: Node, diagnostics: DiagnosticCollector) -> TaskSpec? {
        guard let task = MappingReader(node, section: "a task", allowed: taskKeys, diagnostics: diagnostics,
                                       namedBy: ("task_id", "task")) else { return nil }
        guard let idNode = task.required("task_id") else { return nil }
        guard let id = idNode.identifier else {
            diagnostics.error("task_id must be a number or a name", at: idNode)
            return nil
        }
        let section = "task \(id)"
        var spec = TaskSpec(id: id, name: task.string("name"), description: task.string("description"),
                            type: task.string("type"), agentType: task.string("agent_type"),
                            launch: .command([]), location: diagnostics.location(node))
        spec.launch = readLaunch(task, section: section, agentType: spec.agentType, diagnostics: diagnostics)
        if task["timeout_seconds"] != nil { spec.timeoutSeconds = task.seconds("timeout_seconds") }
        if let action = task.choice("on_timeout", TimeoutAction.self) { spec.onTimeout = action }
        for depNode in task.sequence("depends_on") ?? [] {
            guard let dep = depNode.identifier else {
                diagnostics.error("expected a task id or group name in depends_on of \(section)", at: depNode)
                continue
            }
            spec.dependsOn.append(dep)
            spec.dependencyLocations[dep] = diagnostics.location(depNode)
        }
        readGroup(task, into: &spec, where: "group of \(section)", diagnostics: diagnostics)
        if let parameters = task["parameters"], parameters.null == nil {
            if case .object(let object) = parameters.jsonValue {
                spec.parameters = object
            } else {
                diagnostics.error("'parameters' in \(section) must be a mapping", at: parameters)
            }
        }
        if let env = task["env"] { spec.environment = readEnvironment(env, section: section, diagnostics: diagnostics) }
        if case .agent("sim") = spec.launch {
            do { _ = try SimAgentSettings(parameters: spec.parameters) } catch {
                diagnostics.error("\(error.description) in \(section)", at: task["parameters"] ?? node)
            }
        }
        spec.workingDirectory = task.string("working_directory")
        if let slurm = task["slurm"] { spec.slurm = SlurmOptions.read(slurm, section: section, diagnostics: diagnostics) }
        if let retries = task["retries"] {
            spec.retry = readRetry(retries, section: section, diagnostics: diagnostics)
        }
        for gateNode in task.sequence("quality_gates") ?? [] {
            if let gate = readGate(gateNode, section: section, diagnostics: diagnostics) { spec.gates.append(gate) }
        }
        return spec
    }

    /// A task's `group` (in a workflow file, or a Conductor task's inputParameters), where.
    static func readGroup(_ task: MappingReader, into spec: inout TaskSpec, where place: String, diagnostics: DiagnosticCollector) {
        guard let node = task["group"] else { return }
        guard let group = node.identifier else {
            diagnostics.error("expected a group name in \(place)", at: node, hint: "a group is named like a task: letters, digits, '.', '_' and '-'")
            return
        }
        spec.group = group
        spec.groupLocation = diagnostics.location(node)
    }

    static func readPolling(_ section: MappingReader) -> PollingSettings {
        _ = section.string("strategy")
        _ = section.integer("max_attempts")
        return PollingSettings(intervalSeconds: section.seconds("interval_seconds") ?? 5, timeoutSeconds: section.seconds("timeout_seconds"))
    }

    /// A task's `env`: names to single values.
    static func readEnvironment(_ env: Node, section: String, diagnostics: DiagnosticCollector) -> [String: String] {
        guard env.null == nil else { return [:] }
        guard let mapping = env.mapping else {
            diagnostics.error("'env' in \(section) must be a mapping of names to values", at: env)
            return [:]
        }
        var environment: [String: String] = [:]
        for (key, value) in mapping {
            guard let name = key.string, value.scalar != nil else {
                diagnostics.error("env values in \(section) must be single values", at: value)
                continue
            }
            environment[name] = value.null == nil ? (value.string ?? "") : ""
        }
        return environment
    }

    static func readLaunch(_ task: MappingReader, section: String, agentType: String?,
                           diagnostics: DiagnosticCollector) -> TaskLaunch {
        let useShell = task.bool("shell") ?? false
        if let commandNode = task["command"], task["agent"] != nil {
            diagnostics.error("\(section) has both 'command' and 'agent'", at: commandNode,
                              hint: "a task runs either a command or a built-in agent; remove one")
        }
        if let commandNode = task["command"] {
            if let items = commandNode.sequence {
                let argv = items.compactMap { item -> String? in
                    guard item.scalar != nil, let text = item.string else {
                        diagnostics.error("each item of 'command' must be a single value", at: item)
                        return nil
                    }
                    return text
                }
                if argv.isEmpty { diagnostics.error("'command' in \(section) is empty", at: commandNode) }
                if useShell {
                    diagnostics.error("with 'shell: true', 'command' in \(section) must be one string", at: commandNode,
                                      hint: "write the script as a string, e.g. command: \"make test && make docs\"")
                }
                return .command(argv)
            }
            if let text = commandNode.string, commandNode.scalar != nil {
                if useShell { return .shell(text) }
                diagnostics.error("'command' in \(section) is a string, but no shell was asked for", at: commandNode,
                                  hint: "write it as an argv list, e.g. [\"make\", \"test\"], or add 'shell: true'")
                return .command([text])
            }
            diagnostics.error("'command' in \(section) must be a list of arguments", at: commandNode)
            return .command([])
        }
        if let agentNode = task["agent"], let agent = task.string("agent") {
            if BuiltInAgents.named(agent) == nil {
                let hint = Suggestion.closest(to: agent, in: BuiltInAgents.names).map { "did you mean '\($0)'?" }
                    ?? "built-in agents: \(BuiltInAgents.names.joined(separator: ", ")); or give a 'command'"
                diagnostics.error("unknown built-in agent '\(agent)' in \(section)", at: agentNode, hint: hint)
            }
            return .agent(agent)
        }
        if let agentType {
            return .agent(BuiltInAgents.name(forAgentType: agentType))
        }
        diagnostics.error("\(section) has nothing to run", at: task.node,
                          hint: "add 'command: [program, args...]', 'agent: sim' or 'agent_type:'")
        return .command([])
    }

    static func readIdentifiers(_ nodes: [Node], diagnostics: DiagnosticCollector) -> [String] {
        nodes.compactMap { node in
            guard let id = node.identifier else {
                diagnostics.error("expected a task id", at: node)
                return nil
            }
            return id
        }
    }

    static func readRetry(_ node: Node, section: String, diagnostics: DiagnosticCollector) -> RetryPolicy {
        if let count = node.int, node.scalar != nil {
            if count < 0 || count > maximumRetries {
                diagnostics.error("'retries' in \(section) must be from 0 to \(maximumRetries)", at: node)
            }
            return RetryPolicy(count: min(maximumRetries, max(0, count)))
        }
        guard let retry = MappingReader(node, section: "retries of \(section)", allowed: retryKeys,
                                        diagnostics: diagnostics) else { return .none }
        var policy = RetryPolicy(count: retry.integer("count") ?? 0)
        if policy.count < 0 || policy.count > maximumRetries {
            diagnostics.error("'count' in retries of \(section) must be from 0 to \(maximumRetries)", at: retry["count"])
            policy.count = min(maximumRetries, max(0, policy.count))
        }
        policy.backoff = retry.choice("backoff", RetryPolicy.Backoff.self) ?? .fixed
        if let delay = retry.number("delay_seconds") {
            if delay < 0 || delay > maximumSeconds {
                diagnostics.error("'delay_seconds' must be from 0 to \(Int(maximumSeconds)) (a year)", at: retry["delay_seconds"])
            }
            policy.delaySeconds = min(maximumSeconds, max(0, delay))
        }
        if retry["max_delay_seconds"] != nil { policy.maxDelaySeconds = retry.seconds("max_delay_seconds") }
        return policy
    }

    static let advisoryKey = "advisory"

    static func readGate(_ node: Node, section: String, diagnostics: DiagnosticCollector) -> QualityGate? {
        let hint = "write a gate as '- metric: \">= 95%\"' (also \"100%\", \">= 90/100\", \"== 0\", <, <=, >, !=, required, true), "
            + "with 'advisory: true' beside it for a gate that warns instead of failing"
        guard let mapping = node.mapping else {
            diagnostics.error("a quality gate in \(section) must be one 'metric: threshold' pair", at: node, hint: hint)
            return nil
        }
        let advisoryNode = mapping.first { $0.key.string == advisoryKey }?.value
        let pairs = mapping.filter { $0.key.string != advisoryKey }
        guard pairs.count == 1, let (keyNode, valueNode) = pairs.first else {
            diagnostics.error("a quality gate in \(section) must be one 'metric: threshold' pair", at: node, hint: hint)
            return nil
        }
        guard let metric = keyNode.string, !metric.isEmpty else {
            diagnostics.error("a quality gate needs a metric name", at: keyNode, hint: hint)
            return nil
        }
        guard valueNode.scalar != nil, let expectation = GateExpectation.parse(valueNode.jsonValue) else {
            let written = valueNode.string ?? "\(valueNode.any)"
            diagnostics.error("invalid gate expression '\(written)' for \(metric) in \(section)", at: valueNode, hint: hint)
            return nil
        }
        guard let advisory = readAdvisory(advisoryNode, diagnostics: diagnostics) else { return nil }
        return QualityGate(metric: metric, expectation: expectation, advisory: advisory, location: diagnostics.location(keyNode))
    }

    /// `advisory: true|false`; false when absent, nil (after an error) when not a boolean.
    static func readAdvisory(_ node: Node?, diagnostics: DiagnosticCollector) -> Bool? {
        guard let node else { return false }
        guard node.scalar != nil, let flag = node.bool else {
            diagnostics.error("'advisory' must be true or false", at: node, hint: "advisory: true reports a failure as a warning")
            return nil
        }
        return flag
    }

    /// A criterion as text (`total_time < 900`), or `{criterion: TEXT, advisory: true}`.
    static func readCriterion(_ entry: Node, diagnostics: DiagnosticCollector) -> WorkflowCriterion? {
        var textNode = entry
        var advisory = false
        if entry.mapping != nil {
            guard let section = MappingReader(entry, section: "a success criterion", allowed: ["criterion", advisoryKey],
                                              diagnostics: diagnostics) else { return nil }
            guard let criterion = section.required("criterion") else { return nil }
            guard let flag = readAdvisory(section[advisoryKey], diagnostics: diagnostics) else { return nil }
            textNode = criterion
            advisory = flag
        }
        guard let text = textNode.string, textNode.scalar != nil, let criterion = SuccessCriterion.parse(text) else {
            let written = textNode.string ?? "\(textNode.any)"
            let word = String(written.prefix { $0.isLetter || $0 == "_" })
            let hint = Suggestion.closest(to: word, in: SuccessCriterion.knownNames).map { "did you mean '\($0)'?" }
                ?? "known criteria: all_tasks_completed, no_task_blocked_by_another, total_time < N, "
                + "parallel_efficiency >= N, gates_pass_rate >= N"
            diagnostics.error("unknown success criterion '\(written)'", at: textNode, hint: hint)
            return nil
        }
        return WorkflowCriterion(criterion, advisory: advisory)
    }

    static func readExecution(_ section: MappingReader, diagnostics: DiagnosticCollector) -> ExecutionSettings {
        var execution = ExecutionSettings()
        execution.mode = section.choice("mode", ExecutionSettings.Mode.self) ?? .parallel
        if let factor = section.integer("parallelization_factor") {
            if factor < 1 {
                diagnostics.error("parallelization_factor must be at least 1, got \(factor)",
                                  at: section["parallelization_factor"], hint: "use 1 to run one task at a time")
            }
            execution.parallelizationFactor = max(1, factor)
        }
        if section.bool("parallel_allowed") == false { execution.mode = .sequential }
        execution.waitForAll = section.bool("wait_for_all") ?? true
        if section["timeout_seconds"] != nil { execution.timeoutSeconds = section.seconds("timeout_seconds") }
        execution.failFast = section.bool("fail_fast") ?? false
        execution.conductorFiles = section.bool("conductor_files") ?? false
        execution.executor = section.choice("executor", Executor.self) ?? .local
        if let slurm = section["slurm"] { execution.slurm = SlurmOptions.read(slurm, section: "execution", diagnostics: diagnostics) }
        return execution
    }

    static func readErrorHandling(_ node: Node, diagnostics: DiagnosticCollector) -> ErrorHandling {
        var handling = ErrorHandling()
        guard let section = MappingReader(node, section: "error_handling", allowed: errorHandlingKeys,
                                          diagnostics: diagnostics) else { return handling }
        if let one = section["one_task_failure"],
           let reader = MappingReader(one, section: "one_task_failure", allowed: oneFailureKeys, diagnostics: diagnostics) {
            handling.oneTaskFailure = reader.choice("action", ErrorHandling.OnFailure.self) ?? .continue
            handling.retryAllowed = reader.bool("retry_allowed") ?? true
            handling.oneTaskFailureMessage = reader.string("message")
        }
        if let all = section["all_tasks_failed"],
           let reader = MappingReader(all, section: "all_tasks_failed", allowed: allFailedKeys, diagnostics: diagnostics) {
            if let action = reader.string("action"), action != "fail" {
                diagnostics.error("'\(action)' is not a valid action in all_tasks_failed", at: reader["action"],
                                  hint: "the only action is 'fail': a run whose tasks all failed has failed")
            }
            handling.allTasksFailedMessage = reader.string("message")
        }
        return handling
    }

    /// The top-level `dependencies` list: entries `{task_id: 7, depends_on: [6]}` add edges.
    static func readExtraDependencies(_ top: MappingReader, into tasks: inout [TaskSpec], diagnostics: DiagnosticCollector) {
        for entry in top.sequence("dependencies") ?? [] {
            guard let reader = MappingReader(entry, section: "a dependencies entry", allowed: dependencyKeys,
                                             diagnostics: diagnostics),
                  let idNode = reader.required("task_id"), let id = idNode.identifier else { continue }
            let extra = readIdentifiers(reader.sequence("depends_on") ?? [], diagnostics: diagnostics)
            guard let index = tasks.firstIndex(where: { $0.id == id }) else {
                diagnostics.error("dependencies entry names task \(id), which does not exist", at: idNode)
                continue
            }
            for dep in extra where !tasks[index].dependsOn.contains(dep) { tasks[index].dependsOn.append(dep) }
        }
    }
}
