import Foundation
import Testing
@testable import TuttiCore

/// One finished task with a single attempt from `start` lasting `duration` seconds.
private func task(
    _ id: String, start: Double = 0, duration: Double, dependsOn: [String] = [], readyAt: Double? = 0,
    status: TaskStatus = .succeeded, gates: [GateResult] = []
) -> TaskReport {
    let attempt = AttemptRecord(attempt: 1, start: start, end: start + duration, status: status,
                                exitCode: status == .succeeded ? 0 : 1, signal: nil, reason: nil, log: "tasks/\(id)/attempt-1.log")
    return TaskReport(id: id, name: "Task \(id)", agent: "sim", status: status, dependsOn: dependsOn, attempts: [attempt],
                      metrics: [:], gates: gates, reason: nil, readyAt: readyAt)
}

/// A gate verdict that passed or failed.
private func gate(_ metric: String, passed: Bool) -> GateResult {
    GateResult(metric: metric, threshold: "≥ 1", actual: .number(passed ? 1 : 0), actualText: passed ? "1" : "0",
               passed: passed, reason: passed ? nil : "0 is not ≥ 1")
}

/// The report for `tasks` run by a workflow with the same tasks and `criteria`.
private func report(
    _ tasks: [TaskReport], wall: Double, outcome: RunOutcome = .passed, criteria: [SuccessCriterion] = []
) -> RunReport {
    let specs = tasks.map { TaskSpec(id: $0.id, launch: .command(["true"]), dependsOn: $0.dependsOn) }
    let workflow = Workflow(name: "seed", tasks: specs, successCriteria: criteria.map { WorkflowCriterion($0) })
    return RunMetrics.report(runID: "run-1", workflow: workflow, tasks: tasks, parallelism: 4,
                             startedAt: Date(timeIntervalSince1970: 1_700_000_000), wallSeconds: wall,
                             outcome: outcome, outcomeReason: nil)
}

/// The seed's four parallel tasks: 622, 794, 514 and 718 seconds, all started at 0.
private let seedTasks = [
    task("4", duration: 622), task("5", duration: 794), task("6", duration: 514), task("7", duration: 718),
]

/// Run figures: efficiency, critical path, gate tally, exit codes and success criteria.
@Suite struct RunMetricsTests {
    @Test func seedDurationsGiveTheSeedsEfficiency() {
        let run = report(seedTasks, wall: 794)
        #expect(run.sumOfDurations == 2648)
        #expect(abs(run.parallelEfficiency - 3.335) < 0.001)
        #expect(abs(run.parallelEfficiency - 2648.0 / 794.0) < 1e-9)
        #expect(abs(run.maximumEfficiency - 2648.0 / 794.0) < 1e-9)
        #expect(run.timeSavedSeconds == 1854)
        #expect(run.slowestTask == "5")
        #expect(run.criticalPath == ["5"])
        #expect(run.criticalPathSeconds == 794)
        #expect(run.wallSeconds == 794)
        #expect(run.parallelism == 4)
        #expect(run.workflow == "seed")
        #expect(run.mode == "parallel")
        #expect(run.runID == "run-1")
    }

    /// On a busy cluster the time when every task waited in the queue is not counted against
    /// the run: A waits 0–5 s and runs 5–10 s, B waits 0–7 s and runs 7–9 s; nothing ran for 5 s.
    @Test func timeSpentOnlyWaitingInAClustersQueueIsNotRunTime() {
        var a = task("a", start: 5, duration: 5), b = task("b", start: 7, duration: 2, readyAt: 0)
        a.attempts[0].queued = 5
        b.attempts[0].queued = 7
        let figures = report([a, b], wall: 10, criteria: [.noTaskBlockedByAnother])
        #expect(figures.queueWaitSeconds == 5)
        #expect(abs(figures.parallelEfficiency - 7.0 / 5.0) < 1e-9, "7 s of work in the 5 s anything could run")
        #expect(figures.timeSavedSeconds == 2)
        #expect(figures.successCriteria.first?.passed == true, "waiting in the queue is not being blocked by another task")
        #expect(SummaryFormatter.lines(for: figures, glyphs: .ascii).contains { $0.contains("5.0s waiting in the cluster's queue") })
    }

    @Test func dependencyChainIsTheCriticalPath() {
        let tasks = [
            task("6", start: 0, duration: 4.5, readyAt: 0),
            task("7", start: 4.5, duration: 5, dependsOn: ["6"], readyAt: 4.5),
            task("8", start: 9.5, duration: 3.5, dependsOn: ["7"], readyAt: 9.5),
            task("9", start: 0, duration: 2, readyAt: 0),
        ]
        let run = report(tasks, wall: 13)
        #expect(run.criticalPath == ["6", "7", "8"])
        #expect(run.criticalPathSeconds == 13)
        #expect(run.sumOfDurations == 15)
        #expect(run.timeSavedSeconds == 2)
        #expect(run.slowestTask == "7")
    }

    @Test func slowerWallTimeThanTheSumSavesNothing() {
        let run = report([task("1", duration: 10)], wall: 12)
        #expect(run.timeSavedSeconds == 0)
        #expect(abs(run.parallelEfficiency - 10.0 / 12.0) < 1e-9)
        #expect(run.maximumEfficiency == 1)
    }

    @Test func gatesAreTalliedAcrossTasks() {
        let tasks = [
            task("1", duration: 1, gates: [gate("a", passed: true), gate("b", passed: true)]),
            task("2", duration: 1, gates: [gate("c", passed: true), gate("d", passed: false)]),
        ]
        let run = report(tasks, wall: 1)
        #expect(run.gates == GateTally(passed: 3, total: 4))
        #expect(run.gates.rate == 75)
    }

    @Test func allPassedExitsZero() {
        let tasks = [task("1", duration: 1, gates: [gate("a", passed: true)]), task("2", duration: 2)]
        let run = report(tasks, wall: 2)
        #expect(run.outcome == .passed)
        #expect(run.exitCode == 0)
        #expect(run.outcomeReason == nil)
    }

    @Test func failedGateFailsTheRunWithExitCodeOne() {
        let tasks = [task("1", duration: 1, gates: [gate("a", passed: true), gate("b", passed: false)])]
        let run = report(tasks, wall: 1)
        #expect(run.outcome == .failed)
        #expect(run.exitCode == 1)
        #expect(run.outcomeReason == "1 quality gate failed")
    }

    @Test func failedTaskFailsTheRunAndIsNamed() {
        let tasks = [task("4", duration: 1), task("5", duration: 1, status: .failed)]
        let run = report(tasks, wall: 1)
        #expect(run.outcome == .failed)
        #expect(run.exitCode == 1)
        #expect(run.outcomeReason == "task 5 did not succeed")
        let allFailed = report([task("5", duration: 1, status: .failed)], wall: 1)
        #expect(allFailed.outcomeReason == "all tasks failed")
    }

    @Test func interruptedRunExits130() {
        let run = report(seedTasks, wall: 100, outcome: .interrupted)
        #expect(run.outcome == .interrupted)
        #expect(run.exitCode == 130)
    }

    @Test func timedOutRunExitsOne() {
        let run = report(seedTasks, wall: 794, outcome: .timedOut)
        #expect(run.outcome == .timedOut)
        #expect(run.exitCode == 1)
    }

    @Test func seedCriteriaPassForTheSeedRun() {
        let criteria: [SuccessCriterion] = [
            .allTasksCompleted, .noTaskBlockedByAnother,
            .measure(.totalTime, .less, 1200), .measure(.parallelEfficiency, .greaterOrEqual, 2.5),
        ]
        let run = report(seedTasks, wall: 794, criteria: criteria)
        #expect(run.successCriteria.map(\.criterion) == [
            "all_tasks_completed", "no_task_blocked_by_another", "total_time < 1200", "parallel_efficiency >= 2.5",
        ])
        #expect(run.successCriteria.map(\.passed) == [true, true, true, true])
        #expect(run.successCriteria.first?.detail == "4/4 tasks completed")
        #expect(run.successCriteria.last?.detail == "parallel efficiency 3.34x (needs >= 2.5)")
        #expect(run.successCriteria.dropFirst(2).first?.detail == "total time 794s (needs < 1200)")
        #expect(run.outcome == .passed)
        #expect(run.exitCode == 0)
    }

    @Test func missedTimeAndEfficiencyCriteriaFailTheRun() {
        let criteria: [SuccessCriterion] = [.measure(.totalTime, .less, 600), .measure(.parallelEfficiency, .greaterOrEqual, 4)]
        let run = report(seedTasks, wall: 794, criteria: criteria)
        #expect(run.successCriteria.map(\.passed) == [false, false])
        #expect(run.outcome == .failed)
        #expect(run.exitCode == 1)
        #expect(run.outcomeReason == "success criteria not met: total_time < 600, parallel_efficiency >= 4")
    }

    @Test func taskStartedFiveSecondsAfterItWasReadyWasBlocked() {
        let tasks = [
            task("4", duration: 622), task("5", duration: 794), task("6", duration: 514),
            task("7", start: 5, duration: 718, readyAt: 0),
        ]
        let run = report(tasks, wall: 794, criteria: [.noTaskBlockedByAnother])
        let result = run.successCriteria.first
        #expect(result?.passed == false)
        #expect(result?.detail == "task 7 waited 5.0s for a slot")
        #expect(run.outcome == .failed)
        #expect(run.exitCode == 1)
    }

    @Test func startWithinTheToleranceIsNotBlocked() {
        let tasks = [task("1", start: 0.9, duration: 3, readyAt: 0), task("2", start: 7, duration: 1, readyAt: nil)]
        let run = report(tasks, wall: 8, criteria: [.noTaskBlockedByAnother])
        #expect(run.successCriteria.first?.passed == true)
    }

    @Test func gatesPassRateCriterionUsesTheTally() {
        let tasks = [task("1", duration: 1, gates: [gate("a", passed: true), gate("b", passed: true),
                                                     gate("c", passed: true), gate("d", passed: false)])]
        let run = report(tasks, wall: 1, criteria: [.measure(.gatesPassRate, .greaterOrEqual, 90)])
        #expect(run.successCriteria.first?.passed == false)
        #expect(run.successCriteria.first?.detail == "gates pass rate 75.0% (needs >= 90)")
    }
}
