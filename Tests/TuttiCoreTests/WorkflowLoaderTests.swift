import Foundation
import Testing
@testable import TuttiCore

/// The repository's workflow files, located from this source file.
private enum Workflows {
    static let folder: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("workflows", isDirectory: true)

    static func path(_ name: String) -> String { folder.appendingPathComponent(name).path }
}

/// Loading real workflow files and reading task fields from valid YAML.
@Suite struct WorkflowLoaderTests {
    @Test func seedTemplateLoadsWithItsTasksGatesAndSettings() throws {
        let path = Workflows.path("template-03-parallel-execution.yaml")
        let workflow = try WorkflowLoader.load(path: path)

        #expect(workflow.name == "template-03-parallel-execution")
        #expect(workflow.version == "1.0")
        #expect(workflow.sourcePath == path)
        #expect(workflow.baseDirectory.hasSuffix("workflows"))
        #expect(workflow.tasks.map(\.id) == ["4", "5", "6", "7"])
        #expect(workflow.tasks.map(\.gates.count) == [3, 3, 3, 3])
        #expect(workflow.tasks.map(\.timeoutSeconds) == [900, 900, 900, 900])
        #expect(workflow.tasks.allSatisfy { $0.dependsOn.isEmpty })
        #expect(workflow.execution.mode == .parallel)
        #expect(workflow.execution.parallelizationFactor == 4)
        #expect(workflow.execution.timeoutSeconds == 1200)
        #expect(workflow.execution.failFast == false)
        #expect(workflow.polling.intervalSeconds == 5)
        #expect(workflow.polling.timeoutSeconds == 1200)
        #expect(workflow.errorHandling.oneTaskFailure == .continue)
        #expect(workflow.successCriteria.count == 4)
        #expect(workflow.successCriteria.map(\.criterion) == [
            SuccessCriterion.allTasksCompleted,
            .noTaskBlockedByAnother,
            .measure(.totalTime, .less, 1200),
            .measure(.parallelEfficiency, .greaterOrEqual, 2.5),
        ])
    }

    @Test func seedTemplateDerivesAgentsAndGatesFromAgentType() throws {
        let workflow = try WorkflowLoader.load(path: Workflows.path("template-03-parallel-execution.yaml"))
        let task4 = try #require(workflow.task("4"))

        #expect(task4.launch == TaskLaunch.agent("testing"))
        #expect(task4.agentType == "TestingAgent")
        #expect(task4.name == "Testing Framework")
        #expect(workflow.task("5")?.launch == TaskLaunch.agent("security"))
        #expect(workflow.task("7")?.launch == TaskLaunch.agent("codegen"))
        #expect(task4.gates.map(\.metric) == ["test_coverage", "test_pass_rate", "performance_acceptable"])
        #expect(task4.gates.map(\.expectation) == [
            GateExpectation.compare(.greaterOrEqual, 95, .percent),
            .compare(.equal, 100, .percent),
            .boolean(true),
        ])
        #expect(workflow.task("5")?.gates.map(\.expectation) == [
            GateExpectation.compare(.greaterOrEqual, 90, .outOf(100)),
            .compare(.equal, 0, .plain),
            .required,
        ])
        #expect(task4.parameters["task_name"] == JSONValue.string("Testing Framework"))
    }

    @Test func everyWorkflowFileInTheRepositoryLoads() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Workflows.folder.path)
            .filter { $0.hasSuffix(".yaml") }
            .sorted()
        #expect(names.count >= 5)
        #expect(names.contains("template-03-parallel-execution.yaml"))
        for name in names {
            do {
                let workflow = try WorkflowLoader.load(path: Workflows.path(name))
                #expect(!workflow.tasks.isEmpty, "\(name) has no tasks")
            } catch {
                Issue.record("\(name) failed to load:\n\(error)")
            }
        }
    }

    @Test func fullOrchestrationTemplateHas22AcyclicTasks() throws {
        let workflow = try WorkflowLoader.load(path: Workflows.path("template-04-full-orchestration.yaml"))
        #expect(workflow.tasks.count == 22)
        #expect(workflow.tasks.map(\.id) == (1...22).map { String($0) })
        #expect(workflow.task("22")?.dependsOn == ["16", "19", "21"])
        #expect(DependencyGraph(workflow.tasks).findCycle() == nil)
        #expect(workflow.task("14")?.retry == RetryPolicy(count: 2, backoff: .exponential, delaySeconds: 1, maxDelaySeconds: 4))
    }

    @Test func dependencyChainTemplateOrdersSixSevenEight() throws {
        let workflow = try WorkflowLoader.load(path: Workflows.path("template-02-dependency-chain.yaml"))
        #expect(workflow.tasks.map(\.id) == ["6", "7", "8"])
        #expect(workflow.task("6")?.dependsOn == [])
        #expect(workflow.task("7")?.dependsOn == ["6"])
        #expect(workflow.task("8")?.dependsOn == ["7"])
        #expect(workflow.task("8")?.retry == RetryPolicy(count: 1, backoff: .fixed, delaySeconds: 1))
        #expect(workflow.execution.mode == .sequential)
        #expect(workflow.execution.failFast == true)
    }

    @Test func commandTaskReadsArgvEnvWorkingDirectoryAndRetries() throws {
        let yaml = """
        name: commands
        tasks:
          - task_id: build
            command: ["make", "-j", "4"]
            env:
              CC: clang
              LEVEL: 3
            working_directory: sub/dir
            timeout_seconds: 30
            retries:
              count: 3
              backoff: exponential
              delay_seconds: 2
              max_delay_seconds: 10
        """
        let workflow = try WorkflowLoader.parse(yaml: yaml, file: "commands.yaml", baseDirectory: "/base")
        let task = try #require(workflow.task("build"))

        #expect(task.launch == TaskLaunch.command(["make", "-j", "4"]))
        #expect(task.environment == ["CC": "clang", "LEVEL": "3"])
        #expect(task.workingDirectory == "sub/dir")
        #expect(task.timeoutSeconds == 30)
        #expect(task.retry == RetryPolicy(count: 3, backoff: .exponential, delaySeconds: 2, maxDelaySeconds: 10))
        #expect(task.agentLabel == "make")
        #expect(task.name == "Task build")
        #expect(workflow.baseDirectory == "/base")
        #expect(workflow.sourcePath == "commands.yaml")
    }

    @Test func shellTrueWithAStringCommandRunsThroughTheShell() throws {
        let yaml = """
        name: scripts
        tasks:
          - task_id: script
            shell: true
            command: "echo hi && exit 0"
            retries: 2
        """
        let workflow = try WorkflowLoader.parse(yaml: yaml, file: "scripts.yaml", baseDirectory: "/base")

        #expect(workflow.task("script")?.launch == TaskLaunch.shell("echo hi && exit 0"))
        #expect(workflow.task("script")?.retry == RetryPolicy(count: 2))
        #expect(workflow.task("script")?.retry.backoff == .fixed)
    }

    @Test func exponentialBackoffDoublesUpToTheMaximum() {
        let policy = RetryPolicy(count: 5, backoff: .exponential, delaySeconds: 2, maxDelaySeconds: 10)
        #expect([2, 3, 4, 5].map { policy.delay(beforeAttempt: $0) } == [2, 4, 8, 10])
        let linear = RetryPolicy(count: 3, backoff: .linear, delaySeconds: 1.5)
        #expect([2, 3, 4].map { linear.delay(beforeAttempt: $0) } == [1.5, 3, 4.5])
    }

    @Test func topLevelDependenciesListAddsEdges() throws {
        let yaml = """
        name: extra
        tasks:
          - task_id: 1
            command: ["true"]
          - task_id: 2
            command: ["true"]
        dependencies:
          - task_id: 2
            depends_on: [1]
        """
        let workflow = try WorkflowLoader.parse(yaml: yaml, file: "extra.yaml", baseDirectory: "/base")
        #expect(workflow.task("2")?.dependsOn == ["1"])
        #expect(workflow.task("1")?.dependsOn == [])
    }
}
