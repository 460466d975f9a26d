import Foundation
import Testing
import TuttiTestSupport
@testable import TuttiCore

/// The one fold of a run: what its events tell agrees with the engine's own report, and the
/// headless printer reads it.
@Suite struct RunStateTests {
    static let workflow = """
    name: fold
    polling: {interval_seconds: 0.5}
    tasks:
      - task_id: a
        command: [sh, -c, "echo '@tutti progress 50'; echo '@tutti metric score 91'; echo '@tutti finding {\\"title\\": \\"x\\"}'"]
        quality_gates: [{score: ">= 90"}, {other: "required"}]
      - task_id: b
        command: [sh, -c, 'test -f "$TUTTI_RUN_DIR/marker" || { touch "$TUTTI_RUN_DIR/marker"; exit 4; }']
        retries: 1
      - {task_id: c, command: [sh, -c, "exit 2"]}
      - {task_id: d, command: ["true"], depends_on: [c]}
    """

    @Test func theFoldAgreesWithTheEnginesReport() async throws {
        let scratch = Scratch()
        let run = try await runWorkflow(Self.workflow, in: scratch) { $0.runsDirectory = scratch.file("runs") }
        var state = RunState()
        for event in run.events { state.apply(event) }
        let report = run.report
        #expect(state.outcome == report.outcome && state.report == report)
        #expect(state.stateText == "FAILED")
        #expect(state.tasks.map(\.id) == report.tasks.map(\.id))
        for task in report.tasks {
            let folded = try #require(state.task(task.id))
            #expect(folded.status == task.status, "\(task.id)")
            #expect(folded.segments.count == task.attempts.count, "\(task.id)")
            #expect(folded.gatesPassed == task.gatesPassed && folded.gateResults == task.gates, "\(task.id)")
            #expect(folded.findings == task.findings, "\(task.id)")
            #expect(abs(folded.finishedBusy - task.duration) < 1e-6, "\(task.id)")
        }
        #expect(state.task("b")?.attempt == 2 && state.task("b")?.status == .succeeded, "retried once, then succeeded")
        #expect(state.task("d")?.status == .skipped && state.task("d")?.reason?.contains("c") == true)
        #expect(state.doneCount == 4 && state.gatesPassed == 1 && state.gatesTotal == 2)
        #expect(state.task("a")?.metrics["score"] == .number(91))
        #expect(state.pollingInterval == 0.5)
    }

    @Test func theHeadlessPrinterFoldsTheSameState() {
        let printer = HeadlessPrinter(glyphs: .ascii) { _ in }
        let started = RunStarted(runID: "r", workflow: "w", parallelism: 2, mode: "parallel", pollingInterval: 2,
                                 tasks: [AnnouncedTask(id: "1", name: "One", agent: "sh", dependsOn: [], gates: 0, maxAttempts: 2),
                                         AnnouncedTask(id: "2", name: "Two", agent: "sh", dependsOn: [], gates: 0, maxAttempts: 1)])
        let events: [EventKind] = [
            .runStarted(started),
            .taskStarted(TaskStarted(task: "1", attempt: 1, pid: 10, command: ["sh"])),
            .taskStarted(TaskStarted(task: "2", attempt: 1, pid: 11, command: ["sh"])),
            .taskProgress(TaskProgress(task: "1", percent: 35)),
            .taskProgress(TaskProgress(task: "2", percent: 28.9)),
        ]
        var lines: [String] = []
        for (seq, kind) in events.enumerated() { lines += printer.lines(for: RunEvent(seq: seq, time: Double(seq), kind: kind)) }
        #expect(lines.contains("[start] Task 1 (sh): START -> Running [t=1s]"))
        #expect(printer.progressLine(elapsed: 30) == "t=30s   Task 1: 35% | Task 2: 28%")
        _ = printer.lines(for: RunEvent(seq: 9, time: 9, kind: .taskFinished(TaskFinished(task: "1", attempt: 1, status: .failed,
                                                                                         exitCode: 1, signal: nil, reason: "boom",
                                                                                         duration: 8))))
        let retry = printer.lines(for: RunEvent(seq: 10, time: 9, kind: .taskRetrying(TaskRetrying(task: "1", nextAttempt: 2, delay: 1))))
        #expect(retry == ["[retry] Task 1 will retry in 1.0s (attempt 2 of 2)"])
        #expect(printer.progressLine(elapsed: 31) == "t=31s   Task 2: 28%", "a task waiting for its retry is not running")
    }

    @Test func aResumedRunShowsTheInterruptedAttemptEndedAndTheGapBeforeTheNextOne() {
        var state = RunState()
        let events: [EventKind] = [
            .runStarted(RunStarted(runID: "r", workflow: "w", parallelism: 1, mode: "sequential", pollingInterval: 5,
                                   tasks: [AnnouncedTask(id: "a", name: "A", agent: "sh", dependsOn: [], gates: 0, maxAttempts: 1)])),
            .taskQueued(TaskRef(task: "a")),
            .taskStarted(TaskStarted(task: "a", attempt: 1, pid: 7, command: ["sh"], workingDirectory: nil)),
        ]
        for (index, kind) in events.enumerated() { state.apply(RunEvent(seq: index + 1, time: 1, kind: kind)) }
        state.apply(RunEvent(seq: 4, time: 2, kind: .taskProgress(TaskProgress(task: "a", percent: 40))))
        // The process died after t=2; the run is resumed at t=60.
        state.apply(RunEvent(seq: 5, time: 60, kind: .runResumed(RunResumed(kept: [], rerun: ["a"], interrupted: [AttemptRef(task: "a", attempt: 1)],
                                                                             lastRecorded: 2))))
        #expect(state.task("a")?.status == .cancelled && state.task("a")?.segments.first?.end == 2)
        state.apply(RunEvent(seq: 6, time: 60, kind: .taskQueued(TaskRef(task: "a"))))
        state.apply(RunEvent(seq: 7, time: 60, kind: .taskStarted(TaskStarted(task: "a", attempt: 2, pid: 8, command: ["sh"], workingDirectory: nil))))
        let segments = state.task("a")?.segments ?? []
        #expect(segments.map(\.start) == [1, 60] && segments.first?.status == .cancelled, "the timeline: 1 to 2, a gap, then 60 on")
        #expect(state.task("a")?.status == .running && state.outcome == nil && state.report == nil)
    }

    @Test func aWaitingTaskSaysWhyItWaits() {
        var state = RunState()
        let tasks = [AnnouncedTask(id: "a", name: "A", agent: "sh", dependsOn: [], gates: 0, maxAttempts: 1),
                     AnnouncedTask(id: "b", name: "B", agent: "sh", dependsOn: [], gates: 0, maxAttempts: 1),
                     AnnouncedTask(id: "c", name: "C", agent: "sh", dependsOn: ["a"], gates: 0, maxAttempts: 1)]
        var seq = 0
        func apply(_ kind: EventKind) {
            seq += 1
            state.apply(RunEvent(seq: seq, time: Double(seq), kind: kind))
        }
        apply(.runStarted(RunStarted(runID: "r", workflow: "w", parallelism: 1, mode: "sequential", pollingInterval: 5, tasks: tasks)))
        apply(.taskStarted(TaskStarted(task: "a", attempt: 1, pid: 7, command: ["sh"], workingDirectory: nil)))
        #expect(state.whyWaiting("c") == "waits for task a (running)")
        #expect(state.whyWaiting("b") == "the parallel limit: 1 of 1 running")
        #expect(state.whyWaiting("a") == nil, "it runs")
        apply(.dispatchChanged(DispatchChanged(state: .held)))
        #expect(state.whyWaiting("b") == "dispatch is held (h releases it)")
    }

    @Test func aJobsWaitInTheClustersQueueIsNotItsRunTime() {
        var state = RunState()
        var seq = 0
        func apply(_ time: Double, _ kind: EventKind) {
            seq += 1
            state.apply(RunEvent(seq: seq, time: time, kind: kind))
        }
        apply(0, .runStarted(RunStarted(runID: "r", workflow: "w", parallelism: 1, mode: "parallel", pollingInterval: 5,
                                        tasks: [AnnouncedTask(id: "a", name: "A", agent: "sh", dependsOn: [], gates: 0, maxAttempts: 1)])))
        apply(1, .taskStarted(TaskStarted(task: "a", attempt: 1, pid: 7, command: ["srun", "--", "sh"])))
        apply(1.5, .taskOnCluster(TaskOnCluster(task: "a", attempt: 1, jobID: "12", state: "PENDING", reason: "Resources")))
        #expect(state.task("a")?.cluster?.isQueued == true && state.task("a")?.cluster?.reason == "Resources")
        apply(9, .taskOnCluster(TaskOnCluster(task: "a", attempt: 1, jobID: "12", state: "RUNNING", node: "n1", started: 8)))
        let task = state.task("a")
        #expect(task?.queuedSeconds == 7 && task?.attemptStartedAt == 8 && task?.segments.first?.start == 8)
        #expect(task?.cluster?.node == "n1")
        state.tick(now: 10)
        #expect(task.map { $0.elapsed(now: 10) } == 2, "two seconds of running, not nine")
    }
}
