import Foundation
import Testing
import TuttiTestSupport
@testable import TuttiCore

/// ETAs from earlier runs: a task that reports no progress is expected to take what it took
/// before, and the estimate says what it rests on.
@Suite struct DurationHistoryTests {
    @Test func earlierRunsOfTheSameWorkflowGiveEachTaskAnEstimate() async throws {
        let scratch = Scratch()
        let yaml = "name: timed\ntasks:\n  - {task_id: quick, command: [\"true\"]}\n  - {task_id: fails, command: [\"false\"]}\n"
        for _ in 0..<3 { _ = try await runWorkflow(yaml, in: scratch) { $0.runsDirectory = scratch.file("runs") } }
        _ = try await runWorkflow("name: other\ntasks: [{task_id: quick, command: [\"true\"]}]\n", in: scratch) { $0.runsDirectory = scratch.file("runs") }
        let history = DurationHistory.load(runsDirectory: scratch.file("runs"), workflow: "timed")
        let estimate = try #require(history.estimate("quick"))
        #expect(estimate.runs == 3, "the other workflow's runs do not count")
        #expect(estimate.fastest <= estimate.seconds && estimate.seconds <= estimate.slowest)
        #expect(history.estimate("fails") == nil, "only attempts that succeeded say how long a task takes")
    }

    @Test func theMedianAndRangeAreWhatTheEstimateRestsOn() {
        let history = DurationHistory(durations: ["t": [12, 10, 30, 11, 14]])
        let estimate = history.estimate("t")
        #expect(estimate?.seconds == 12 && estimate?.runs == 5)
        #expect(estimate?.basis == "median of 5 earlier runs, 10.0s–30.0s")
        #expect(DurationHistory(durations: ["t": [4, 6]]).estimate("t")?.seconds == 5)
    }

    @Test func aRunningTaskWithoutProgressGetsAnEstimatedETA() {
        var state = RunState()
        state.history = DurationHistory(durations: ["a": [10]])
        state.apply(RunEvent(seq: 1, time: 0, kind: .runStarted(RunStarted(
            runID: "r", workflow: "w", parallelism: 1, mode: "sequential", pollingInterval: 5,
            tasks: [AnnouncedTask(id: "a", name: "A", agent: "sh", dependsOn: [], gates: 0, maxAttempts: 1)]))))
        state.apply(RunEvent(seq: 2, time: 1, kind: .taskStarted(TaskStarted(task: "a", attempt: 1, pid: 7, command: ["sh"], workingDirectory: nil))))
        state.tick(now: 4)
        let eta = state.eta(state.tasks[0])
        #expect(eta?.estimated == true && eta?.seconds == 7, "10 s before, 3 s in")
        state.apply(RunEvent(seq: 3, time: 4, kind: .taskProgress(TaskProgress(task: "a", percent: 50))))
        #expect(state.eta(state.tasks[0])?.estimated == false, "its own progress wins")
    }
}
