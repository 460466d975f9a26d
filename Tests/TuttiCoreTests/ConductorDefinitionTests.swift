import Foundation
import Testing
@testable import TuttiCore

/// Conductor's workflow definitions in and out: every workflow of the repository survives an
/// export and an import unchanged; hand-written definitions (nested forks, task definitions,
/// unsupported types) read as Conductor runs them.
@Suite struct ConductorDefinitionTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("workflows").path
    static let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()

    /// Everything about a workflow that decides how it runs, as text to compare.
    static func canonical(_ workflow: Workflow) -> String {
        var lines = ["name \(workflow.name) version \(workflow.version ?? "-") description \(workflow.description ?? "-")",
                     "execution \(workflow.execution.mode) \(workflow.execution.parallelizationFactor ?? 0) wait \(workflow.execution.waitForAll) "
                        + "timeout \(workflow.execution.timeoutSeconds ?? 0) failFast \(workflow.execution.failFast) files \(workflow.execution.conductorFiles) "
                        + "executor \(workflow.execution.executor) \(workflow.execution.slurm)",
                     "polling \(workflow.polling.intervalSeconds) \(workflow.polling.timeoutSeconds ?? 0)",
                     "errors \(workflow.errorHandling.oneTaskFailure) \(workflow.errorHandling.retryAllowed) "
                        + "\(workflow.errorHandling.oneTaskFailureMessage ?? "-") \(workflow.errorHandling.allTasksFailedMessage ?? "-")",
                     "criteria " + workflow.successCriteria.map { "\($0.criterion.text) \($0.advisory)" }.joined(separator: ", ")]
        for task in workflow.tasks {
            lines.append("task \(task.id) \(task.name) | \(task.description ?? "-") | \(task.type ?? "-") | \(task.agentType ?? "-") | \(task.launch)")
            lines.append("  parameters \(JSONValue.object(task.parameters)) env \(task.environment.sorted { $0.key < $1.key }) dir \(task.workingDirectory ?? "-")")
            lines.append("  timeout \(task.timeoutSeconds ?? 0) \(task.onTimeout) depends \(task.dependsOn.sorted()) retry \(task.retry) slurm \(task.slurm)")
            lines.append("  gates " + task.gates.map { "\($0.metric) \($0.expectation) \($0.advisory)" }.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }

    static func exported(_ workflow: Workflow) throws -> String {
        String(decoding: try JSONEncoder.sortedPretty.encode(ConductorExport(workflow).workflowDefinition), as: UTF8.self)
    }

    @Test(arguments: files) func everyWorkflowReadsBackTheSameFromItsExport(_ file: String) throws {
        let original = try WorkflowLoader.load(path: "\(Self.folder)/\(file)")
        let json = try Self.exported(original)
        let back = try ConductorImport.parse(json: json, file: "export.json", baseDirectory: original.baseDirectory)
        #expect(Self.canonical(back) == Self.canonical(original))
    }

    /// Conductor runs what the export says in an order the workflow allows: every task after
    /// its dependencies, whatever extra waits the fork structure adds.
    @Test(arguments: files) func theStructureAloneRunsEachTaskAfterItsDependencies(_ file: String) throws {
        let original = try WorkflowLoader.load(path: "\(Self.folder)/\(file)")
        var definition = ConductorExport(original).workflowDefinition
        definition = Self.removingDependsOn(definition)
        let json = String(decoding: try JSONEncoder.sortedCompact.encode(definition), as: UTF8.self)
        #expect(!json.contains("depends_on"))
        let structural = try ConductorImport.parse(json: json, file: "export.json")
        let graph = DependencyGraph(structural.tasks)
        func before(_ id: String) -> Set<String> {
            var seen: Set<String> = []
            var stack = graph.dependencies[id] ?? []
            while let next = stack.popLast() {
                if seen.insert(next).inserted { stack += graph.dependencies[next] ?? [] }
            }
            return seen
        }
        for task in original.tasks {
            #expect(Set(task.dependsOn).isSubset(of: before(task.id)), "task \(task.id) of \(file)")
        }
    }

    static func removingDependsOn(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(var fields):
            fields.removeValue(forKey: "depends_on")
            return .object(fields.mapValues(removingDependsOn))
        case .array(let items): return .array(items.map(removingDependsOn))
        default: return value
        }
    }

    @Test func independentTasksAreBranchesOfOneForkWithItsJoin() throws {
        let workflow = try WorkflowLoader.load(path: "\(Self.folder)/template-03-parallel-execution.yaml")
        let export = ConductorExport(workflow)
        guard case .object(let def) = export.workflowDefinition, case .array(let tasks)? = def["tasks"] else {
            Issue.record("no tasks")
            return
        }
        #expect(def["schemaVersion"] == .number(2))
        #expect(def["ownerEmail"] == .string("tutti@example.com"))
        #expect(tasks.count == 2)
        guard case .object(let fork) = tasks[0], case .object(let join) = tasks[1], case .array(let branches)? = fork["forkTasks"] else {
            Issue.record("not a fork and a join: \(tasks)")
            return
        }
        #expect(fork["type"] == .string("FORK_JOIN"))
        #expect(branches.count == 4)
        #expect(join["type"] == .string("JOIN"))
        #expect(join["joinOn"] == .array(["task_4", "task_5", "task_6", "task_7"].map(JSONValue.string)))
        #expect(export.taskDefinitions.count == 4)
        guard case .object(let first) = export.taskDefinitions[0] else { return }
        #expect(first["name"] == .string("template-03-parallel-execution_task_4"))
        #expect(first["timeoutSeconds"] == .number(900))
        #expect(first["responseTimeoutSeconds"] == .number(900))
        #expect(export.notes.contains { $0.contains("quality gates") })
    }

    @Test func aSequentialWorkflowIsAPlainList() throws {
        let workflow = try WorkflowLoader.load(path: "\(Self.folder)/template-02-dependency-chain.yaml")
        guard case .object(let def) = ConductorExport(workflow).workflowDefinition, case .array(let tasks)? = def["tasks"] else { return }
        #expect(tasks.map { task -> String in
            if case .object(let fields) = task { return fields["type"]?.string ?? "?" }
            return "?"
        } == ["SIMPLE", "SIMPLE", "SIMPLE"])
    }

    static let nested = """
    {
      "name": "nested", "version": 3, "schemaVersion": 2, "ownerEmail": "a@example.com",
      "timeoutSeconds": 120, "timeoutPolicy": "TIME_OUT_WF",
      "tasks": [
        {"name": "sim", "taskReferenceName": "first", "type": "SIMPLE",
         "inputParameters": {"parameters": {"duration_seconds": 0.1}}},
        {"name": "outer", "taskReferenceName": "outer", "type": "FORK_JOIN", "forkTasks": [
          [{"name": "build", "taskReferenceName": "a", "inputParameters": {"command": ["true"]},
            "taskDefinition": {"name": "build", "retryCount": 2, "retryLogic": "EXPONENTIAL_BACKOFF", "retryDelaySeconds": 3,
                               "maxRetryDelaySeconds": 10, "timeoutSeconds": 30}},
           {"name": "inner", "taskReferenceName": "inner", "type": "FORK_JOIN", "forkTasks": [
             [{"name": "lint", "taskReferenceName": "b", "inputParameters": {"command": ["true"]}}],
             [{"name": "docs", "taskReferenceName": "c", "inputParameters": {"command": "echo hi", "shell": true}}]]},
           {"name": "inner_join", "taskReferenceName": "inner_join", "type": "JOIN", "joinOn": ["b", "c"]}],
          [{"name": "slow", "taskReferenceName": "d", "inputParameters": {"agent": "sim", "parameters": {"duration_seconds": 0.2}}}]]},
        {"name": "outer_join", "taskReferenceName": "outer_join", "type": "JOIN", "joinOn": ["inner_join", "d"]},
        {"name": "report", "taskReferenceName": "last", "inputParameters": {"command": ["true"]}}
      ]
    }
    """

    @Test func nestedForksGiveEachTaskWhatConductorRunsBeforeIt() throws {
        let registered = ConductorTaskDefinition(name: "report", retry: RetryPolicy(count: 1, delaySeconds: 5), timeoutSeconds: 9)
        let workflow = try ConductorImport.parse(json: Self.nested, file: "nested.json", taskDefinitions: ["report": registered])
        let deps = Dictionary(uniqueKeysWithValues: workflow.tasks.map { ($0.id, $0.dependsOn.sorted()) })
        #expect(workflow.tasks.map(\.id) == ["first", "a", "b", "c", "d", "last"])
        #expect(deps == ["first": [], "a": ["first"], "b": ["a"], "c": ["a"], "d": ["first"], "last": ["b", "c", "d"]])
        #expect(workflow.version == "3")
        #expect(workflow.execution.timeoutSeconds == 120)
        #expect(workflow.task("first")?.launch == .agent("sim"))
        #expect(workflow.task("c")?.launch == .shell("echo hi"))
        #expect(workflow.task("a")?.retry == RetryPolicy(count: 2, backoff: .exponential, delaySeconds: 3, maxDelaySeconds: 10))
        #expect(workflow.task("a")?.timeoutSeconds == 30)
        #expect(workflow.task("last")?.retry == registered.retry)
        #expect(workflow.task("last")?.timeoutSeconds == 9)
        // No task definition: Tutti's defaults, no retries and no time limit.
        #expect(workflow.task("b")?.retry == RetryPolicy.none)
        #expect(workflow.task("b")?.timeoutSeconds == nil)
    }

    /// A timeout that ends the run is Conductor's TIME_OUT_WF (its default), both ways; one
    /// that is retried is RETRY.
    @Test func aTimeoutThatEndsTheRunIsConductorsTimeOutWorkflowBothWays() throws {
        let workflow = try WorkflowLoader.parse(yaml: """
        name: w
        tasks:
          - {task_id: a, command: ["true"], timeout_seconds: 30, on_timeout: end_run}
          - {task_id: b, command: ["true"], timeout_seconds: 30}
        """, file: "w.yaml", baseDirectory: "/tmp")
        let policies = ConductorExport(workflow).taskDefinitions.map { definition -> String? in
            guard case .object(let fields) = definition, case .string(let policy)? = fields["timeoutPolicy"] else { return nil }
            return policy
        }
        #expect(policies == ["TIME_OUT_WF", "RETRY"])
        let back = try ConductorImport.parse(json: try Self.exported(workflow), file: "export.json", baseDirectory: "/tmp")
        #expect(back.tasks.map(\.onTimeout) == [.endRun, .retry])
        let definitions = try ConductorTaskDefinition.parse(json: #"[{"name": "x", "timeoutSeconds": 5}, {"name": "y", "timeoutSeconds": 5, "timeoutPolicy": "RETRY"}]"#,
                                                            file: "defs.json").map(\.definition)
        #expect(definitions.map(\.onTimeout) == [.endRun, .retry], "a definition that does not say times the workflow out")
    }

    @Test func conductorDefaultsApplyToWhatATaskDefinitionLeavesOut() throws {
        let definitions = try ConductorTaskDefinition.parse(json: #"[{"name": "x", "retryLogic": "LINEAR_BACKOFF", "backoffScaleFactor": 2}, {"name": "y", "timeoutSeconds": 50, "timeoutPolicy": "ALERT_ONLY"}]"#,
                                                            file: "defs.json").map(\.definition)
        #expect(definitions[0].retry == RetryPolicy(count: 3, backoff: .linear, delaySeconds: 120))
        #expect(definitions[0].timeoutSeconds == nil)
        // ALERT_ONLY only reports a timeout: the task is not ended.
        #expect(definitions[1].timeoutSeconds == nil)
    }

    @Test func whatTuttiCannotRunIsNamedWithItsPosition() throws {
        let json = """
        {"name": "w", "tasks": [
          {"name": "sim", "taskReferenceName": "a"},
          {"name": "decide", "taskReferenceName": "b", "type": "SWITCH"},
          {"name": "mystery", "taskReferenceName": "c"},
          {"name": "sim", "taskReferenceName": "a"},
          {"name": "sim", "taskReferenceName": "e", "retryCont": 3},
          {"name": "j", "taskReferenceName": "j", "type": "JOIN", "joinOn": ["nowhere"]}
        ]}
        """
        do {
            _ = try ConductorImport.parse(json: json, file: "bad.json")
            Issue.record("accepted")
        } catch {
            let text = error.description
            #expect(text.contains("bad.json:3:56: error: task type SWITCH has no Tutti equivalent"), "\(text)")
            #expect(text.contains("bad.json:4:12: error: task c has nothing Tutti can run"), "\(text)")
            #expect(!text.contains("given twice"), "\(text)")
            #expect(text.contains("taskReferenceName 'a' is used twice"), "\(text)")
            #expect(text.contains("unknown key 'retryCont'") && text.contains("did you mean 'retryCount'?"), "\(text)")
            #expect(text.contains("waits for 'nowhere', which names no task before it"), "\(text)")
        }
    }

    @Test func aJoinWaitsOnlyForTheBranchesItNames() throws {
        let json = """
        {"name": "w", "tasks": [
          {"name": "f", "taskReferenceName": "f", "type": "FORK_JOIN", "forkTasks": [
            [{"name": "sim", "taskReferenceName": "a", "inputParameters": {"parameters": {"duration_seconds": 0.1}}}],
            [{"name": "sim", "taskReferenceName": "b", "inputParameters": {"parameters": {"duration_seconds": 0.1}}}]]},
          {"name": "j", "taskReferenceName": "j", "type": "JOIN", "joinOn": ["a"]},
          {"name": "sim", "taskReferenceName": "c", "inputParameters": {"parameters": {"duration_seconds": 0.1}}}
        ]}
        """
        let workflow = try ConductorImport.parse(json: json, file: "w.json")
        #expect(workflow.task("c")?.dependsOn == ["a"])
        // A plain Conductor definition fails at the first failed task, as Conductor does.
        #expect(workflow.execution.failFast)
    }

    @Test func forksNeedTheirJoinAndJoinsSayWhatTheyWaitFor() throws {
        let json = """
        {"name": "w", "tasks": [
          {"name": "f", "taskReferenceName": "f", "type": "FORK_JOIN", "forkTasks": [[{"name": "sim", "taskReferenceName": "a"}]]},
          {"name": "sim", "taskReferenceName": "c"},
          {"name": "j", "taskReferenceName": "j", "type": "JOIN"}
        ], "version": "two"}
        """
        do {
            _ = try ConductorImport.parse(json: json, file: "w.json")
            Issue.record("accepted")
        } catch {
            #expect(error.description.contains("w.json:2:3: error: FORK_JOIN task 'f' is not followed by a JOIN"), "\(error)")
            #expect(error.description.contains("JOIN task 'j' names nothing in joinOn"), "\(error)")
            #expect(error.description.contains("'version' must be a whole number"), "\(error)")
        }
    }

    @Test func aTaskIdThatIsAnotherTasksReferenceIsATaskGivenTwice() throws {
        let json = """
        {"name": "w", "tasks": [
          {"name": "sim", "taskReferenceName": "x", "inputParameters": {"task_id": "y", "parameters": {"duration_seconds": 0.1}}},
          {"name": "sim", "taskReferenceName": "y", "inputParameters": {"parameters": {"duration_seconds": 0.1}}}
        ]}
        """
        let error = #expect(throws: WorkflowLoadError.self) { try ConductorImport.parse(json: json, file: "w.json") }
        #expect(error?.description.contains("w.json:3:3: error: task y is given twice") == true, "\(String(describing: error))")
    }

    @Test func aWorkersOwnInputsAreItsBusiness() throws {
        // No Tutti key: the inputs are left alone ("time" is not taken for a typo of "name").
        let json = #"{"name": "w", "tasks": [{"name": "sim", "taskReferenceName": "s", "inputParameters": {"time": 3, "name": "${workflow.input.x}"}}]}"#
        let workflow = try ConductorImport.parse(json: json, file: "w.json")
        #expect(workflow.tasks.map(\.name) == ["sim"] && workflow.tasks[0].parameters.isEmpty)
    }

    @Test func everyTaskDefinitionIsReadWithItsOwnJSONOrTheWholeBodyIsRefused() throws {
        let error = #expect(throws: WorkflowLoadError.self) {
            try ConductorTaskDefinition.parse(json: #"[{"name": ""}, {"name": "b", "retryCount": 5}]"#, file: "defs.json")
        }
        #expect(error?.description.contains("'name' in task definition 1 must be a name") == true, "\(String(describing: error))")
        let read = try ConductorTaskDefinition.parse(json: #"[{"name": "a"}, {"name": "b", "retryCount": 5}]"#, file: "defs.json")
        #expect(read.map(\.definition.name) == ["a", "b"])
        #expect(read[1].json == .object(["name": .string("b"), "retryCount": .number(5)]))
    }

    @Test func dependenciesTheStructureDoesNotAllowAreRefused() throws {
        let json = """
        {"name": "w", "tasks": [
          {"name": "sim", "taskReferenceName": "a", "inputParameters": {"depends_on": ["b"]}},
          {"name": "sim", "taskReferenceName": "b"}
        ]}
        """
        #expect(throws: WorkflowLoadError.self) { try ConductorImport.parse(json: json, file: "w.json") }
    }

    @Test func aWorkflowThatIsNotForksAndJoinsNamesTheWaitsConductorAdds() throws {
        // c waits for a only, d for a and b: no fork and join says exactly that.
        let workflow = Workflow(name: "n", tasks: ["a", "b", "c", "d"].map { id in
            TaskSpec(id: id, launch: .command(["true"]), dependsOn: ["c": ["a"], "d": ["a", "b"]][id] ?? [])
        })
        let export = ConductorExport(workflow)
        #expect(export.notes.contains { $0.contains("c also waits for b") }, "\(export.notes)")
        let json = String(decoding: try JSONEncoder.sortedCompact.encode(export.workflowDefinition), as: UTF8.self)
        let back = try ConductorImport.parse(json: json, file: "n.json")
        #expect(back.tasks.map { $0.dependsOn.sorted() } == [[], [], ["a"], ["a", "b"]])
    }
}
