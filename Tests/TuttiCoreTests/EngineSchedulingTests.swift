import Foundation
import Testing
import TuttiTestSupport
@testable import TuttiCore

/// The engine with real processes: concurrency, limits, dependency order, failures.
@Suite struct EngineSchedulingTests {
    @Test func independentTasksRunAtTheSameTime() async throws {
        let scratch = Scratch()
        // Each task waits until all three have started: only a concurrent run can finish.
        let script = "touch \(scratch.path)/started-$TUTTI_TASK_ID; "
            + "while [ $(ls \(scratch.path) | grep -c started-) -lt 3 ]; do sleep 0.01; done"
        let yaml = """
        name: concurrent
        tasks:
        \((1...3).map { "  - {task_id: \($0), command: [sh, -c, '\(script)'], timeout_seconds: 30}" }.joined(separator: "\n"))
        """
        let run = try await runWorkflow(yaml, in: scratch)
        #expect(run.report.outcome == .passed)
        // Finishing at all is the proof: no task can end before all three have started. (The
        // recorded start times are taken just after each spawn, so on a loaded machine a task's
        // start can be recorded after a quicker sibling has already ended.)
        #expect(run.report.tasks.allSatisfy { $0.status == .succeeded })
    }

    @Test func parallelizationFactorLimitsRunningTasks() async throws {
        let scratch = Scratch()
        let yaml = """
        name: limited
        execution: {parallelization_factor: 2}
        tasks:
        \((1...6).map { "  - {task_id: \($0), command: [sh, -c, 'sleep 0.05']}" }.joined(separator: "\n"))
        """
        let run = try await runWorkflow(yaml, in: scratch)
        var running = 0, peak = 0
        for event in run.events {
            if case .taskStarted = event.kind { running += 1 }
            if case .taskFinished = event.kind { running -= 1 }
            peak = max(peak, running)
        }
        #expect(peak == 2)
        #expect(run.report.parallelism == 2)
        #expect(run.report.tasks.count == 6 && run.report.outcome == .passed)
    }

    @Test func aTaskWaitingForAGroupStartsAfterEveryTaskOfItAndIsSkippedWhenOneFails() async throws {
        let scratch = Scratch()
        let yaml = """
        name: groups
        tasks:
          - {task_id: a1, command: [sh, -c, 'sleep 0.2'], group: build}
          - {task_id: a2, command: ["true"], group: build}
          - {task_id: link, command: ["true"], depends_on: [build], group: final}
          - {task_id: bad, command: ["false"], group: checks}
          - {task_id: publish, command: ["true"], depends_on: [final, checks]}
        """
        let run = try await runWorkflow(yaml, in: scratch)
        func finished(_ id: String) -> Int? { run.firstSeq(id) { if case .taskFinished = $0 { true } else { false } } }
        func started(_ id: String) -> Int? { run.firstSeq(id) { if case .taskStarted = $0 { true } else { false } } }
        #expect(try #require(started("link")) > #require(finished("a1")), "the slow task of the group is waited for")
        #expect(try #require(started("link")) > #require(finished("a2")))
        let publish = try #require(run.report.tasks.first { $0.id == "publish" })
        #expect(publish.status == .skipped && publish.reason == "dependency group checks (bad failed)")
        #expect(run.report.tasks.first { $0.id == "link" }?.dependsOn == ["build"], "the report keeps the group as written")
        #expect(run.report.tasks.first { $0.id == "a1" }?.group == "build")
        #expect(run.report.criticalPath == ["a1", "link"])
    }

    @Test func dependenciesStartOnlyAfterTheyFinish() async throws {
        let scratch = Scratch()
        let yaml = """
        name: chain
        tasks:
          - {task_id: a, command: ["true"]}
          - {task_id: b, command: ["true"], depends_on: [a]}
          - {task_id: c, command: ["true"], depends_on: [a, b]}
        """
        let run = try await runWorkflow(yaml, in: scratch)
        func finished(_ id: String) -> Int? { run.firstSeq(id) { if case .taskFinished = $0 { true } else { false } } }
        func started(_ id: String) -> Int? { run.firstSeq(id) { if case .taskStarted = $0 { true } else { false } } }
        #expect(try #require(started("b")) > #require(finished("a")))
        #expect(try #require(started("c")) > #require(finished("b")))
        #expect(run.report.criticalPath == ["a", "b", "c"])
        #expect(abs(run.report.maximumEfficiency - 1) < 1e-9, "a chain cannot run faster than its sum")
    }

    @Test func oneFailureDoesNotStopTheOthersAndSkipsDependents() async throws {
        let scratch = Scratch()
        let yaml = """
        name: partial
        tasks:
          - {task_id: 4, command: ["true"]}
          - {task_id: 5, command: [sh, -c, "echo boom >&2; exit 3"]}
          - {task_id: 6, command: ["true"], depends_on: [5]}
          - {task_id: 7, command: ["true"], depends_on: [6]}
          - {task_id: 8, command: ["true"], depends_on: [4]}
        """
        let run = try await runWorkflow(yaml, in: scratch)
        let report = run.report
        #expect(report.task("4")?.status == .succeeded)
        #expect(report.task("8")?.status == .succeeded)
        #expect(report.task("5")?.status == .failed)
        #expect(report.task("5")?.attempts.first?.exitCode == 3)
        #expect(report.task("5")?.reason == "exited with status 3: boom", "the last line it wrote to stderr says why")
        #expect(report.task("6")?.status == .skipped)
        #expect(report.task("6")?.reason?.contains("dependency 5 failed") == true)
        #expect(report.task("7")?.status == .skipped)
        #expect(report.outcome == .failed && report.exitCode == 1)
        let log = try String(contentsOfFile: run.directory.logPath(task: "5", attempt: 1), encoding: .utf8)
        #expect(log == "boom\n")
    }

    @Test func failFastCancelsRunningTasks() async throws {
        let scratch = Scratch()
        let yaml = """
        name: fast
        execution: {fail_fast: true}
        tasks:
          - {task_id: slow, command: [sleep, "300"]}
          - {task_id: bad, command: [sh, -c, "exit 1"]}
          - {task_id: later, command: ["true"], depends_on: [slow]}
        """
        let run = try await runWorkflow(yaml, in: scratch)
        #expect(run.report.task("bad")?.status == .failed)
        #expect(run.report.task("slow")?.status == .cancelled)
        #expect(run.report.task("later")?.status == .skipped)
        #expect(run.report.outcome == .failed)
    }

    @Test func retriesUntilAnAttemptSucceeds() async throws {
        let scratch = Scratch()
        let yaml = """
        name: retry
        tasks:
          - task_id: flaky
            command: [sh, -c, 'echo "attempt $TUTTI_ATTEMPT"; [ "$TUTTI_ATTEMPT" -ge 3 ]']
            retries: {count: 3, backoff: exponential, delay_seconds: 0.01}
          - {task_id: after, command: ["true"], depends_on: [flaky]}
        """
        let run = try await runWorkflow(yaml, in: scratch)
        let flaky = try #require(run.report.task("flaky"))
        #expect(flaky.status == .succeeded)
        #expect(flaky.attempts.map(\.status) == [.failed, .failed, .succeeded])
        #expect(flaky.attempts.map(\.attempt) == [1, 2, 3])
        let retries = run.events(for: "flaky").compactMap { kind -> TaskRetrying? in
            if case .taskRetrying(let retry) = kind { return retry } else { return nil }
        }
        #expect(retries.map(\.nextAttempt) == [2, 3])
        #expect(retries.map(\.delay) == [0.01, 0.02])
        let third = try String(contentsOfFile: run.directory.logPath(task: "flaky", attempt: 3), encoding: .utf8)
        #expect(third == "attempt 3\n")
        #expect(run.report.task("after")?.status == .succeeded)
        #expect(run.report.outcome == .passed)
    }

    @Test func retriesGiveUpAfterTheLastAttempt() async throws {
        let scratch = Scratch()
        let yaml = """
        name: retry
        tasks:
          - {task_id: 1, command: [sh, -c, "exit 2"], retries: 1}
        """
        let run = try await runWorkflow(yaml, in: scratch)
        #expect(run.report.task("1")?.attempts.count == 2)
        #expect(run.report.task("1")?.status == .failed)
        #expect(run.report.outcomeReason == "all tasks failed")
    }

    @Test func aCommandThatCannotStartFailsWithTheReason() async throws {
        let scratch = Scratch()
        let yaml = """
        name: missing
        tasks:
          - {task_id: 1, command: [no-such-program-tutti]}
          - {task_id: 2, command: ["true"], working_directory: does/not/exist}
        """
        let run = try await runWorkflow(yaml, in: scratch)
        #expect(run.report.task("1")?.status == .failed)
        #expect(run.report.task("1")?.reason?.contains("cannot start 'no-such-program-tutti'") == true)
        #expect(run.report.task("2")?.reason?.contains("does not exist") == true)
    }

    @Test func environmentAndWorkingDirectoryReachTheProcess() async throws {
        let scratch = Scratch()
        try FileManager.default.createDirectory(atPath: scratch.file("work"), withIntermediateDirectories: true)
        let yaml = """
        name: env
        tasks:
          - task_id: 1
            command: [sh, -c, 'echo "$GREETING from $(pwd) task $TUTTI_TASK_ID" > out.txt']
            env: {GREETING: hello}
            working_directory: work
        """
        let run = try await runWorkflow(yaml, in: scratch)
        #expect(run.report.outcome == .passed)
        let output = scratch.read("work/out.txt") ?? ""
        #expect(output.hasPrefix("hello from "))
        #expect(output.hasSuffix("/work task 1\n"))
    }

    @Test func subsetOfTasksRunsAlone() async throws {
        let scratch = Scratch()
        let yaml = """
        name: subset
        tasks:
          - {task_id: 1, command: ["true"]}
          - {task_id: 2, command: ["true"], depends_on: [1]}
          - {task_id: 3, command: ["false"]}
        """
        let run = try await runWorkflow(yaml, in: scratch) { $0.taskFilter = ["2"] }
        #expect(run.report.tasks.map(\.id) == ["2"])
        #expect(run.report.outcome == .passed)
    }

    @Test func retryAllowedFalseTurnsRetriesOff() async throws {
        let scratch = Scratch()
        let yaml = """
        name: noretry
        error_handling: {one_task_failure: {action: continue, retry_allowed: false}, all_tasks_failed: {action: fail, message: "nothing worked"}}
        tasks:
          - {task_id: 1, command: [sh, -c, "exit 1"], retries: 3}
        """
        let run = try await runWorkflow(yaml, in: scratch)
        #expect(run.report.task("1")?.attempts.count == 1)
        #expect(run.report.outcomeReason == "nothing worked", "all_tasks_failed.message names the outcome")
    }

    @Test func aTimedOutAttemptIsRetried() async throws {
        let scratch = Scratch()
        let yaml = """
        name: retrytimeout
        tasks:
          - task_id: 1
            command: [sh, -c, 'if [ "$TUTTI_ATTEMPT" = 1 ]; then exec sleep 300; fi']
            timeout_seconds: 0.5
            retries: {count: 1, delay_seconds: 0}
        """
        let run = try await runWorkflow(yaml, in: scratch)
        #expect(run.report.task("1")?.attempts.map(\.status) == [.timedOut, .succeeded])
        #expect(run.report.task("1")?.status == .succeeded)
    }

    @Test func aTimeoutThatEndsTheRunStopsTheOtherTasksWithoutARetry() async throws {
        let scratch = Scratch()
        let yaml = """
        name: endrun
        tasks:
          - {task_id: 1, command: [sleep, "300"], timeout_seconds: 0.5, on_timeout: end_run, retries: {count: 2, delay_seconds: 0}}
          - {task_id: 2, command: [sleep, "300"]}
          - {task_id: 3, command: ["true"], depends_on: [1]}
        """
        let run = try await runWorkflow(yaml, in: scratch)
        #expect(run.report.outcome == .timedOut && run.report.exitCode == 1)
        #expect(run.report.outcomeReason == "task 1 timed out, which ends the run (on_timeout: end_run)")
        #expect(run.report.task("1")?.attempts.map(\.status) == [.timedOut], "not retried")
        #expect(run.report.task("2")?.status == .cancelled)
        #expect(run.report.task("3")?.status == .skipped)
    }

    @Test func aWorkflowBuiltInCodeIsValidatedBeforeItRuns() throws {
        let scratch = Scratch()
        let tasks = [TaskSpec(id: "1", launch: .command(["true"])), TaskSpec(id: "1", launch: .command(["true"]))]
        #expect(throws: WorkflowLoadError.self) {
            _ = try RunEngine(workflow: Workflow(name: "dup", tasks: tasks), options: RunOptions(runsDirectory: scratch.path))
        }
    }
}
