import Foundation
import Testing
@testable import TuttiCore

/// Resuming a run from its recording, decided with no process: what succeeded stays done,
/// the attempt left running is ended, the rest runs again after its dependencies.
@Suite struct SchedulerResumeTests {
    static let yaml = """
    name: w
    tasks:
      - {task_id: a, command: ["true"], quality_gates: [{score: ">= 90"}]}
      - {task_id: b, command: ["true"]}
      - {task_id: c, command: ["true"], depends_on: [b]}
      - {task_id: d, command: ["true"]}
    """

    /// Starts `scheduler`, with `running` started (pid 4242): what a recording holds so far.
    static func startRecorded(_ scheduler: inout Scheduler, running: [String]) -> [EventKind] {
        scheduler.start()
        return scheduler.takeEffects().events
            + running.map { .taskStarted(TaskStarted(task: $0, attempt: 1, pid: 4242, command: ["true"])) }
    }

    /// The point to resume from after a recording of `kinds`, numbered from 1, at `time(n)`.
    static func resumePoint(_ kinds: [EventKind], time: (Int) -> Double = { _ in 1 }) -> ResumePoint {
        resumePoint(kinds.enumerated().map { RunEvent(seq: $0.offset + 1, time: time($0.offset), kind: $0.element) })
    }

    /// The point to resume from after a recording of `events`.
    static func resumePoint(_ events: [RunEvent]) -> ResumePoint {
        let header = RecordingHeader(runID: "r", workflow: "w", workflowFile: nil, host: "h", startedAt: Date(timeIntervalSince1970: 0))
        return ResumePoint(Recording(header: header, events: events), directory: RunDirectory(path: "/runs/r"))
    }

    @Test func aResumedRunKeepsWhatSucceededAndRunsTheRestAfterTheirDependencies() throws {
        let clock = TestClock()
        var first = try SchedulerTests.scheduler(Self.yaml, clock: clock)
        var recorded = Self.startRecorded(&first, running: ["a", "b", "d"])
        recorded.append(.taskMetric(TaskMetric(task: "a", name: "score", value: .number(97))))
        clock.advance(to: 2)
        first.attemptEnded("a", attempt: 1, outcome: SchedulerTests.outcome(.succeeded, at: 2, metrics: ["score": .number(97)]))
        first.attemptEnded("d", attempt: 1, outcome: SchedulerTests.outcome(.failed, at: 2))
        recorded += first.takeEffects().events
        // The process dies here, with b running.
        let point = Self.resumePoint(recorded) { $0 == recorded.count - 1 ? 2 : 1 }
        #expect(point.kept == ["a"] && point.rerun == ["b", "c", "d"])
        #expect(point.interrupted == [AttemptRef(task: "b", attempt: 1)])

        clock.advance(to: 60)
        var resumed = try SchedulerTests.scheduler(Self.yaml, clock: clock)
        resumed.resume(from: point)
        let effects = resumed.takeEffects()
        #expect(SchedulerTests.events(effects) == ["run_resumed", "task_queued b", "task_queued c", "task_queued d"])
        #expect(SchedulerTests.starts(effects) == ["b#2+0", "d#2+0"], "a stays done; c waits for b")
        guard case .runResumed(let event)? = effects.events.first else { Issue.record("no run_resumed"); return }
        #expect(event.lastRecorded == 2 && event.interrupted == [AttemptRef(task: "b", attempt: 1)])

        resumed.attemptEnded("b", attempt: 2, outcome: SchedulerTests.outcome(.succeeded, at: 61))
        #expect(SchedulerTests.starts(resumed.takeEffects()) == ["c#1+0"])
        resumed.attemptEnded("c", attempt: 1, outcome: SchedulerTests.outcome(.succeeded, at: 62))
        resumed.attemptEnded("d", attempt: 2, outcome: SchedulerTests.outcome(.succeeded, at: 62))
        #expect(resumed.isIdle)
        clock.advance(to: 62)
        let report = resumed.finish()
        #expect(report.outcome == .passed)
        let tasks = Dictionary(uniqueKeysWithValues: report.tasks.map { ($0.id, $0) })
        #expect(tasks["a"]?.attempts.count == 1 && tasks["a"]?.metrics["score"] == .number(97) && tasks["a"]?.gates.first?.passed == true)
        #expect(tasks["b"]?.attempts.map(\.status) == [.cancelled, .succeeded])
        #expect(tasks["b"]?.attempts.first?.end == 2, "the interrupted attempt ends at the last recorded moment")
        #expect(tasks["d"]?.attempts.map(\.status) == [.failed, .succeeded])
        #expect(report.wallSeconds == 62, "the report covers the whole run, gap included")
    }

    @Test func aResumedTaskGetsItsRetriesAfresh() throws {
        let yaml = "name: w\ntasks: [{task_id: a, command: [\"true\"], retries: {count: 1, delay_seconds: 1}}]\n"
        var first = try SchedulerTests.scheduler(yaml)
        var recorded = Self.startRecorded(&first, running: [])
        for attempt in 1...2 {
            recorded.append(.taskStarted(TaskStarted(task: "a", attempt: attempt, pid: 4242, command: ["true"], workingDirectory: nil)))
            first.attemptEnded("a", attempt: attempt, outcome: SchedulerTests.outcome(.failed))
            recorded += first.takeEffects().events
        }
        let point = Self.resumePoint(recorded)
        var resumed = try SchedulerTests.scheduler(yaml)
        resumed.resume(from: point)
        #expect(SchedulerTests.starts(resumed.takeEffects()) == ["a#3+0"])
        resumed.attemptEnded("a", attempt: 3, outcome: SchedulerTests.outcome(.failed))
        #expect(SchedulerTests.starts(resumed.takeEffects()) == ["a#4+1"], "a retry, as the workflow allows, after its delay")
    }

    /// A run on a cluster, resumed: its attempts ran from when their jobs left the queue, as
    /// the engine counted them, with their jobs and nodes.
    @Test func aResumedClusterRunCountsItsQueueWaitsAsTheEngineDid() throws {
        let announce = RunStarted(runID: "r", workflow: "w", parallelism: 2, mode: "parallel", pollingInterval: 5,
                                  tasks: [AnnouncedTask(id: "a", name: "A", agent: "sh", dependsOn: [], gates: 0, maxAttempts: 1),
                                          AnnouncedTask(id: "b", name: "B", agent: "sh", dependsOn: [], gates: 0, maxAttempts: 1)])
        let kinds: [(Double, EventKind)] = [
            (0, .runStarted(announce)),
            (1, .taskStarted(TaskStarted(task: "a", attempt: 1, pid: 10, command: ["srun"]))),
            (1, .taskStarted(TaskStarted(task: "b", attempt: 1, pid: 11, command: ["srun"]))),
            (2, .taskOnCluster(TaskOnCluster(task: "a", attempt: 1, jobID: "12", state: "PENDING", reason: "Resources"))),
            (5, .taskOnCluster(TaskOnCluster(task: "a", attempt: 1, jobID: "12", state: "RUNNING", node: "n1", started: 4.5))),
            (7, .taskFinished(TaskFinished(task: "a", attempt: 1, status: .succeeded, exitCode: 0, signal: nil, reason: nil, duration: 2.5))),
            (8, .taskOnCluster(TaskOnCluster(task: "b", attempt: 1, jobID: "13", state: "RUNNING", node: "n2", started: 3))),
        ]
        let point = Self.resumePoint(kinds.map(\.1)) { kinds[$0].0 }
        let done = point.tasks["a"]?.attempts.first
        #expect(done?.start == 4.5 && done?.queued == 3.5 && done?.job == "12" && done?.node == "n1" && done?.duration == 2.5)
        // b was running when the process died: the resume ends its attempt with its job named,
        // run from when the job left the queue.
        #expect(point.interrupted == [AttemptRef(task: "b", attempt: 1)] && point.tasks["b"]?.openJob?.id == "13")
        var resumed = try SchedulerTests.scheduler("name: w\ntasks: [{task_id: a, command: [\"true\"]}, {task_id: b, command: [\"true\"]}]\n")
        resumed.resume(from: point)
        let interrupted = try #require(resumed.finish().tasks.first { $0.id == "b" }?.attempts.first)
        #expect(interrupted.status == .cancelled && interrupted.job == "13" && interrupted.node == "n2")
        #expect(interrupted.start == 3 && interrupted.queued == 2 && interrupted.end == 8, "\(interrupted)")
    }
}
