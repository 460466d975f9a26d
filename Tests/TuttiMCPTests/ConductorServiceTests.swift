import Foundation
import MCP
import Testing
import TuttiCore
import TuttiDashboard
import TuttiTestSupport
@testable import TuttiMCP

/// The MCP server's tools driven directly (the official Python client drives the whole server
/// end to end in the CLI tests): starting a run, its status, acting on it, its logs, runs and
/// report, and every error saying what is valid.
@Suite struct ConductorServiceTests {
    static let workflow = """
    name: quick
    description: two quick tasks and one that fails
    tasks:
      - {task_id: 1, name: First, command: [sh, -c, "echo hello; echo '@tutti metric score 97'"], quality_gates: [{score: ">= 90"}]}
      - {task_id: 2, name: Second, command: [sh, -c, "echo boom >&2; exit 3"]}
      - {task_id: 3, name: Third, command: ["true"], depends_on: [2]}
    """

    /// A service over a workflows folder holding `quick`; keep the scratch folder alive while it is used.
    static func service() -> (ConductorService, Scratch) {
        let scratch = Scratch()
        scratch.write("workflows/quick.yaml", workflow)
        return (ConductorService(workflowsDirectory: scratch.file("workflows"), runsDirectory: scratch.file("runs")), scratch)
    }

    /// Calls a tool; its structured answer and its text.
    static func call(_ name: String, _ arguments: [String: Value], _ service: ConductorService) throws -> (Value, String) {
        try ConductorServer.handle(name, arguments, service: service)
    }

    /// Waits until the run has its report (the server's own wait, with no progress token).
    static func waitForEnd(_ id: String, _ service: ConductorService) async throws {
        _ = try await ConductorServer.waitForEnd(of: id, service: service, progressToken: nil) { _ in }
    }

    @Test func aRunIsStartedFollowedAndReportedAndEveryViewAgrees() async throws {
        let (service, scratch) = Self.service()
        let (started, text) = try Self.call("execute_conductor_workflow", ["workflow": "quick"], service)
        let id = try #require(started.objectValue?["workflow_execution_id"]?.stringValue)
        #expect(text.hasPrefix("Started quick as \(id): tasks 1, 2, 3, in parallel."))
        try await Self.waitForEnd(id, service)

        let (status, statusText) = try Self.call("get_conductor_workflow_status", ["workflow_execution_id": .string(id)], service)
        let object = try #require(status.objectValue)
        #expect(object["state"]?.stringValue == "finished")
        let taskValues = object["tasks"]?.arrayValue ?? []
        let tasks = taskValues.compactMap { $0.objectValue }
        #expect(tasks.map { $0["status"]?.stringValue } == ["succeeded", "failed", "skipped"])
        #expect(tasks[0]["gates"]?.arrayValue?.first?.objectValue?["passed"]?.boolValue == true)
        #expect(statusText.contains("Task 2") && statusText.contains("failed"))

        // The server's status, the dashboard and the headless printer fold one RunState: they agree.
        let directory = RunDirectory(path: scratch.file("runs/\(id)"))
        let recording = try Recording.read(path: directory.eventsPath)
        var dashboard = DashboardModel()
        for event in recording.events { dashboard.apply(event) }
        let (recorded, _) = try service.status(id)
        #expect(recorded.tasks.map(\.status) == dashboard.tasks.map(\.status.rawValue))
        #expect(recorded.tasksDone == dashboard.doneCount && recorded.tasksTotal == dashboard.tasks.count)
        #expect(recorded.summary?.gatesPassed == dashboard.report?.gates.passed)
        let printed = HeadlessReplay.lines(for: recording, glyphs: .ascii)
        #expect(printed.contains("[FAILED] Task 2 Failed (Second, \(DurationText.format(dashboard.run.task("2")?.finishedBusy ?? 0))): exited with status 3: boom"))

        let (logs, logText) = try Self.call("get_conductor_task_logs", ["workflow_execution_id": .string(id), "task_id": 1], service)
        #expect(logs.objectValue?["lines"]?.arrayValue?.compactMap(\.stringValue) == ["hello", "@tutti metric score 97"],
                "the log as the task wrote it")
        #expect(logText == "hello\n@tutti metric score 97")
        let (_, reportText) = try Self.call("get_conductor_run_report", ["workflow_execution_id": .string(id)], service)
        #expect(reportText.contains("Result: FAILED (exit 1)"))
        let (runs, _) = try Self.call("list_conductor_runs", [:], service)
        #expect(runs.objectValue?["runs"]?.arrayValue?.first?.objectValue?["workflow_execution_id"]?.stringValue == id)
    }

    @Test func actionsAreAnsweredAndRefusalsSayWhy() async throws {
        let (service, scratch) = Self.service()
        defer { withExtendedLifetime(scratch) {} }
        let (started, _) = try Self.call("execute_conductor_workflow", ["workflow": "quick", "task_ids": [1]], service)
        let id = try #require(started.objectValue?["workflow_execution_id"]?.stringValue)
        try await Self.waitForEnd(id, service)
        let (refused, refusal) = try Self.call("pause_conductor_workflow", ["workflow_execution_id": .string(id), "task_id": 1], service)
        #expect(refused.objectValue?["accepted"]?.boolValue == false)
        #expect(refusal == "Refused: the run has finished; only a retry can start it again")
        // A task that succeeded runs again when asked (after a fix), as a new attempt in the same run.
        let (answer, text) = try Self.call("retry_conductor_workflow", ["workflow_execution_id": .string(id), "task_id": 1], service)
        #expect(answer.objectValue?["accepted"]?.boolValue == true, "\(text)")
        #expect(text.contains("task 1 will run again (attempt 2)"), "\(text)")
        #expect(await eventually { (try? service.report(id))?.tasks.first?.attempts.count == 2 })
        await service.executions.finishAll(reason: "test over")
    }

    @Test(arguments: [
        ("get_conductor_workflow_status", [String: Value](), "'workflow_execution_id' is required"),
        ("get_conductor_workflow_status", ["workflow_execution_id": .string("no-such-run")], "no-such-run"),
        ("execute_conductor_workflow", ["workflow": .string("nothing")], "unknown workflow 'nothing'; available: quick"),
        ("execute_conductor_workflow", ["workflow": .string("quick"), "task_ids": .string("1")], "'task_ids' must be a list"),
        ("get_conductor_task_logs", ["workflow_execution_id": .string("x")], "'task_id' is required"),
        ("frobnicate", [String: Value](), "unknown tool 'frobnicate'; the tools are"),
    ])
    func badCallsSayWhatIsValid(_ call: (String, [String: Value], String)) throws {
        let (service, scratch) = Self.service()
        defer { withExtendedLifetime(scratch) {} }
        do {
            _ = try Self.call(call.0, call.1, service)
            Issue.record("\(call.0) should have been refused")
        } catch let error as ToolError {
            #expect(error.message.contains(call.2), "\(error.message)")
        }
    }

    @Test func theWorkflowsAreListedWithTheBuiltInQualityReport() throws {
        let (service, scratch) = Self.service()
        defer { withExtendedLifetime(scratch) {} }
        let (_, text) = try Self.call("list_conductor_workflows", [:], service)
        #expect(text.contains("quick: 3 tasks — two quick tasks and one that fails"))
        #expect(text.contains("template-03-parallel-execution: 4 tasks"))
    }

    @Test func aRunThatEndedIsResumedByAnotherServerInTheSameRecording() async throws {
        let scratch = Scratch()
        scratch.write("workflows/flaky.yaml", """
        name: flaky
        tasks:
          - {task_id: 1, command: [sh, -c, "echo '@tutti metric score 97'"], quality_gates: [{score: ">= 90"}]}
          - {task_id: 2, command: [test, -f, "\(scratch.path)/fixed"]}
          - {task_id: 3, command: ["true"], depends_on: [2]}
        """)
        let first = ConductorService(workflowsDirectory: scratch.file("workflows"), runsDirectory: scratch.file("runs"))
        let (started, _) = try Self.call("execute_conductor_workflow", ["workflow": "flaky"], first)
        let id = try #require(started.objectValue?["workflow_execution_id"]?.stringValue)
        try await Self.waitForEnd(id, first)
        await first.executions.finishAll(reason: "the first server stops")

        scratch.write("fixed", "")
        let second = ConductorService(workflowsDirectory: scratch.file("workflows"), runsDirectory: scratch.file("runs"))
        let (answer, text) = try Self.call("resume_conductor_workflow", ["workflow_execution_id": .string(id)], second)
        #expect(answer.objectValue?["accepted"]?.boolValue == true)
        #expect(text.contains("1 task kept, 2 to run again (2, 3)"), "\(text)")
        try await Self.waitForEnd(id, second)
        let (status, _) = try Self.call("get_conductor_workflow_status", ["workflow_execution_id": .string(id)], second)
        let tasks = (status.objectValue?["tasks"]?.arrayValue ?? []).compactMap { $0.objectValue }
        #expect(tasks.map { $0["status"]?.stringValue } == ["succeeded", "succeeded", "succeeded"])
        let report = try second.report(id)
        #expect(report.outcome == .passed)
        #expect(report.tasks.map(\.attempts.count) == [1, 2, 1], "task 1 kept its one attempt; task 2 failed, then ran again")
        await second.executions.finishAll(reason: "done")
    }
}
