import Foundation
import Synchronization
import Testing
@testable import TuttiCore

/// A clock the test moves by hand.
final class TestClock: Sendable {
    private let time = Mutex(0.0)
    var now: Double { time.withLock { $0 } }
    func advance(to seconds: Double) { time.withLock { $0 = seconds } }
}

/// The scheduler's rules, decided with no process and no waiting: each test drives the
/// decisions by hand and reads the effects.
@Suite struct SchedulerTests {
    static func scheduler(_ yaml: String, failFast: Bool = false, parallelism: Int? = nil, clock: TestClock = TestClock()) throws -> Scheduler {
        let workflow = try WorkflowLoader.parse(yaml: yaml, file: "rules.yaml", baseDirectory: "/tmp")
        return Scheduler(workflow: workflow, runID: "r", directory: RunDirectory(path: "/runs/r"),
                         parallelism: parallelism ?? workflow.tasks.count, failFast: failFast || workflow.execution.failFast,
                         startedAt: Date(timeIntervalSince1970: 0), clock: { clock.now })
    }

    static func outcome(_ status: TaskStatus, at end: Double = 1, metrics: [String: JSONValue] = [:]) -> AttemptOutcome {
        AttemptOutcome(status: status, exitCode: status == .succeeded ? 0 : 1, signal: nil,
                       reason: status == .succeeded ? nil : "exited with status 1", metrics: metrics, startTime: end - 1, endTime: end)
    }

    /// The attempts started among the effects, as "task#attempt+delay".
    static func starts(_ effects: [SchedulerEffect]) -> [String] {
        effects.compactMap { effect in
            guard case .start(let task, let attempt, let delay) = effect else { return nil }
            return "\(task)#\(attempt)+\(NumberFormat.compact(delay))"
        }
    }

    /// The events' types among the effects, with their task.
    static func events(_ effects: [SchedulerEffect]) -> [String] {
        effects.events.map { kind in kind.taskID.map { "\(kind.type) \($0)" } ?? kind.type }
    }

    @Test func readyTasksStartUpToTheParallelLimitAndTheNextStartsWhenOneEnds() throws {
        var scheduler = try Self.scheduler("""
        name: w
        tasks: [{task_id: a, command: ["true"]}, {task_id: b, command: ["true"]}, {task_id: c, command: ["true"]}]
        """, parallelism: 2)
        scheduler.start()
        let first = scheduler.takeEffects()
        #expect(Self.events(first) == ["run_started", "task_queued a", "task_queued b", "task_queued c"])
        #expect(Self.starts(first) == ["a#1+0", "b#1+0"])
        scheduler.attemptEnded("b", attempt: 1, outcome: Self.outcome(.succeeded))
        let next = scheduler.takeEffects()
        #expect(Self.starts(next) == ["c#1+0"])
        #expect(next.contains { if case .writeResult(let report) = $0 { return report.id == "b" && report.status == .succeeded } else { return false } })
        #expect(!scheduler.isIdle)
    }

    @Test func aFailedAttemptIsRetriedWithItsBackoffThenTheTaskFails() throws {
        var scheduler = try Self.scheduler("""
        name: w
        tasks:
          - {task_id: a, command: ["false"], retries: {count: 2, backoff: exponential, delay_seconds: 5}}
        """)
        scheduler.start()
        _ = scheduler.takeEffects()
        scheduler.attemptEnded("a", attempt: 1, outcome: Self.outcome(.failed))
        let retry = scheduler.takeEffects()
        #expect(Self.events(retry) == ["task_finished a", "task_retrying a"])
        #expect(Self.starts(retry) == ["a#2+5"])
        scheduler.attemptEnded("a", attempt: 2, outcome: Self.outcome(.timedOut, at: 8))
        #expect(Self.starts(scheduler.takeEffects()) == ["a#3+10"], "exponential: 5, then 10")
        scheduler.attemptEnded("a", attempt: 3, outcome: Self.outcome(.failed, at: 20))
        let last = scheduler.takeEffects()
        #expect(Self.starts(last).isEmpty)
        #expect(scheduler.records["a"]?.status == .failed && scheduler.records["a"]?.attempts.count == 3)
        #expect(scheduler.isIdle)
    }

    @Test func dependentsOfAFailureAreSkippedAndRunAgainWhenItIsRetried() throws {
        var scheduler = try Self.scheduler("""
        name: w
        tasks:
          - {task_id: a, command: ["false"]}
          - {task_id: b, command: ["true"], depends_on: [a]}
          - {task_id: c, command: ["true"], depends_on: [b]}
        """)
        scheduler.start()
        #expect(Self.starts(scheduler.takeEffects()) == ["a#1+0"])
        scheduler.attemptEnded("a", attempt: 1, outcome: Self.outcome(.failed))
        let failed = scheduler.takeEffects()
        #expect(Self.events(failed) == ["task_finished a", "task_skipped b", "task_skipped c"])
        #expect(scheduler.records["c"]?.reason == "dependency b skipped (a failed)")
        #expect(scheduler.isIdle)
        #expect(scheduler.perform(ControlAction(.retry, task: "a"), actor: "test").accepted)
        let retried = scheduler.takeEffects()
        #expect(Self.events(retried) == ["action a", "task_queued a", "task_queued b", "task_queued c"])
        #expect(Self.starts(retried) == ["a#2+0"])
        scheduler.attemptEnded("a", attempt: 2, outcome: Self.outcome(.succeeded, at: 3))
        #expect(Self.starts(scheduler.takeEffects()) == ["b#1+0"], "the dependent runs once its dependency succeeded")
    }

    @Test func failFastStopsTheRunningAndSkipsTheRest() throws {
        var scheduler = try Self.scheduler("""
        name: w
        execution: {fail_fast: true, parallelization_factor: 2}
        tasks: [{task_id: a, command: ["false"]}, {task_id: b, command: ["sleep", "9"]}, {task_id: c, command: ["true"]}]
        """, parallelism: 2)
        scheduler.start()
        _ = scheduler.takeEffects()
        scheduler.attemptEnded("a", attempt: 1, outcome: Self.outcome(.failed))
        let effects = scheduler.takeEffects()
        #expect(effects.contains(.terminate(task: "b", status: .cancelled, reason: "fail-fast: task a failed")))
        #expect(Self.events(effects).contains("task_skipped c"))
        #expect(Self.starts(effects).isEmpty)
        scheduler.attemptEnded("b", attempt: 1, outcome: Self.outcome(.cancelled, at: 2))
        _ = scheduler.takeEffects()
        #expect(scheduler.isIdle)
        #expect(scheduler.finish().outcome == .failed)
    }

    @Test func aTimeoutThatEndsTheRunIsNotRetriedAndEndsTheRunTimedOut() throws {
        var scheduler = try Self.scheduler("""
        name: w
        execution: {parallelization_factor: 2}
        tasks:
          - {task_id: a, command: ["sleep", "9"], timeout_seconds: 1, on_timeout: end_run, retries: {count: 2}}
          - {task_id: b, command: ["sleep", "9"]}
          - {task_id: c, command: ["true"]}
          - {task_id: d, command: ["true"], depends_on: [a]}
        """, parallelism: 2)
        scheduler.start()
        #expect(Self.starts(scheduler.takeEffects()) == ["a#1+0", "b#1+0"])
        scheduler.attemptEnded("a", attempt: 1, outcome: Self.outcome(.timedOut, at: 1))
        let effects = scheduler.takeEffects()
        let reason = "task a timed out, which ends the run (on_timeout: end_run)"
        #expect(Self.starts(effects).isEmpty, "no retry, and nothing more starts")
        #expect(!Self.events(effects).contains("task_retrying a"))
        #expect(effects.contains(.terminate(task: "b", status: .cancelled, reason: reason)))
        #expect(scheduler.records["d"]?.reason == "dependency a timed_out")
        #expect(scheduler.records["c"]?.status == .skipped && scheduler.records["c"]?.reason == reason)
        scheduler.attemptEnded("b", attempt: 1, outcome: Self.outcome(.cancelled, at: 2))
        _ = scheduler.takeEffects()
        let report = scheduler.finish()
        #expect(report.outcome == .timedOut && report.outcomeReason == reason)
        #expect(report.tasks.first { $0.id == "a" }?.attempts.count == 1)
    }

    @Test func aTimeoutIsRetriedByDefault() throws {
        var scheduler = try Self.scheduler("""
        name: w
        tasks: [{task_id: a, command: ["sleep", "9"], timeout_seconds: 1, retries: {count: 1}}]
        """)
        scheduler.start()
        _ = scheduler.takeEffects()
        scheduler.attemptEnded("a", attempt: 1, outcome: Self.outcome(.timedOut, at: 1))
        #expect(Self.starts(scheduler.takeEffects()) == ["a#2+1"], "retried after the default delay of 1 s")
    }

    @Test func holdLetsRunningTasksGoOnAndStartsNothingUntilReleased() throws {
        var scheduler = try Self.scheduler("""
        name: w
        tasks: [{task_id: a, command: ["true"]}, {task_id: b, command: ["true"]}]
        """, parallelism: 1)
        scheduler.start()
        _ = scheduler.takeEffects()
        #expect(scheduler.perform(ControlAction(.hold), actor: "test").accepted)
        let held = scheduler.takeEffects()
        #expect(!held.contains { if case .setPaused = $0 { return true } else { return false } }, "running tasks go on")
        scheduler.attemptEnded("a", attempt: 1, outcome: Self.outcome(.succeeded))
        #expect(Self.starts(scheduler.takeEffects()).isEmpty, "nothing new starts while held")
        #expect(!scheduler.isIdle, "a ready task waiting for the release keeps the run going")
        #expect(scheduler.perform(ControlAction(.resume), actor: "test").accepted)
        #expect(Self.starts(scheduler.takeEffects()) == ["b#1+0"])
    }

    @Test func pausingTheRunPausesRunningTasksAndAnAttemptStartedWhilePausedStartsPaused() throws {
        var scheduler = try Self.scheduler("""
        name: w
        tasks: [{task_id: a, command: ["false"], retries: 1}]
        """)
        scheduler.start()
        _ = scheduler.takeEffects()
        #expect(scheduler.perform(ControlAction(.pause), actor: "test").accepted)
        #expect(scheduler.takeEffects().contains(.setPaused(task: "a", paused: true)))
        scheduler.attemptEnded("a", attempt: 1, outcome: Self.outcome(.failed))
        let retry = scheduler.takeEffects()
        #expect(Self.starts(retry) == ["a#2+1"], "after the default second of backoff")
        #expect(retry.contains(.setPaused(task: "a", paused: true)), "the next attempt is paused with the run")
        #expect(scheduler.perform(ControlAction(.resume), actor: "test").accepted)
        #expect(scheduler.takeEffects().contains(.setPaused(task: "a", paused: false)))
    }

    @Test func aPausedAttemptDoesNotTimeOut() {
        var timer = AttemptTimer(start: 10, timeout: 5)
        #expect(timer.deadline == 15 && !timer.expired(at: 14.9) && timer.expired(at: 15))
        timer.pause(at: 12)
        #expect(timer.deadline == nil && !timer.expired(at: 1000), "no deadline while paused")
        timer.resume(at: 112)
        #expect(timer.deadline == 115 && !timer.expired(at: 114.9) && timer.expired(at: 115), "the 100 s paused moved it on")
        #expect(timer.pausedTotal == 100)
        #expect(!AttemptTimer(start: 0, timeout: nil).expired(at: 1e9))
    }

    @Test func aRetryReopensAFinishedRunAndTheRunEndsAgain() throws {
        let clock = TestClock()
        var scheduler = try Self.scheduler("""
        name: w
        tasks: [{task_id: a, command: ["false"]}]
        """, clock: clock)
        scheduler.start()
        _ = scheduler.takeEffects()
        clock.advance(to: 2)
        scheduler.attemptEnded("a", attempt: 1, outcome: Self.outcome(.failed, at: 2))
        _ = scheduler.takeEffects()
        let first = scheduler.finish()
        #expect(first.outcome == .failed && first.wallSeconds == 2, "the report's wall time is the injected clock's")
        #expect(Self.events(scheduler.takeEffects()) == ["run_finished"])
        #expect(scheduler.stateName == "finished")
        #expect(scheduler.perform(ControlAction(.retry, task: "a"), actor: "dashboard").accepted)
        let reopened = scheduler.takeEffects()
        #expect(Self.events(reopened).prefix(2) == ["action a", "run_reopened"])
        #expect(reopened.contains(.reopened))
        #expect(Self.starts(reopened) == ["a#2+0"])
        clock.advance(to: 5)
        scheduler.attemptEnded("a", attempt: 2, outcome: Self.outcome(.succeeded, at: 5))
        _ = scheduler.takeEffects()
        let second = scheduler.finish()
        #expect(second.outcome == .passed && second.task("a")?.attempts.count == 2 && second.wallSeconds == 5)
    }

    @Test func aCancelThatArrivesAsTheProcessFailsWinsOverARetry() throws {
        var scheduler = try Self.scheduler("""
        name: w
        tasks: [{task_id: a, command: ["false"], retries: 3}]
        """)
        scheduler.start()
        _ = scheduler.takeEffects()
        #expect(scheduler.perform(ControlAction(.cancel, task: "a"), actor: "test").accepted)
        #expect(scheduler.takeEffects().contains(.terminate(task: "a", status: .cancelled, reason: "cancelled by test")))
        scheduler.attemptEnded("a", attempt: 1, outcome: Self.outcome(.failed))
        #expect(Self.starts(scheduler.takeEffects()).isEmpty)
        #expect(scheduler.records["a"]?.status == .cancelled)
    }

    @Test func aTaskThatSucceededRunsAgainWithTheTasksAfterIt() throws {
        var scheduler = try Self.scheduler("""
        name: w
        tasks:
          - {task_id: tests, command: ["true"]}
          - {task_id: report, command: ["true"], depends_on: [tests]}
          - {task_id: other, command: ["true"]}
        """)
        scheduler.start()
        _ = scheduler.takeEffects()
        scheduler.attemptEnded("tests", attempt: 1, outcome: Self.outcome(.succeeded))
        scheduler.attemptEnded("other", attempt: 1, outcome: Self.outcome(.succeeded))
        scheduler.attemptEnded("report", attempt: 1, outcome: Self.outcome(.succeeded, at: 2))
        _ = scheduler.finish()
        _ = scheduler.takeEffects()

        let result = scheduler.perform(ControlAction(.retry, task: "tests"), actor: "dashboard")
        #expect(result.accepted && result.message == "task tests will run again (attempt 2), then the tasks after it: report")
        let effects = scheduler.takeEffects()
        #expect(Self.events(effects).contains("run_reopened") && Self.events(effects).contains("task_queued report"))
        #expect(Self.starts(effects) == ["tests#2+0"], "report waits for the new result of tests; other stays done")
        scheduler.attemptEnded("tests", attempt: 2, outcome: Self.outcome(.succeeded, at: 3))
        #expect(Self.starts(scheduler.takeEffects()) == ["report#2+0"])
        #expect(scheduler.records["other"]?.attempts.count == 1)
    }

    @Test func retryingTheRunTakesTasksThatFailedTheirGates() throws {
        var scheduler = try Self.scheduler("""
        name: w
        tasks:
          - {task_id: a, command: ["true"], quality_gates: [{score: ">= 90"}]}
          - {task_id: b, command: ["true"], quality_gates: [{score: ">= 90"}]}
        """)
        scheduler.start()
        _ = scheduler.takeEffects()
        scheduler.attemptEnded("a", attempt: 1, outcome: Self.outcome(.succeeded, metrics: ["score": .number(50)]))
        scheduler.attemptEnded("b", attempt: 1, outcome: Self.outcome(.succeeded, metrics: ["score": .number(95)]))
        _ = scheduler.finish()
        _ = scheduler.takeEffects()
        #expect(scheduler.perform(ControlAction(.retry), actor: "dashboard").message == "retrying task a")
        #expect(Self.starts(scheduler.takeEffects()) == ["a#2+0"])
    }
}
