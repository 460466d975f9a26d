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

    @Test func aResumedRunKeepsWhatSucceededAndRunsTheRestAfterTheirDependencies() throws {
        let clock = TestClock()
        var first = try SchedulerTests.scheduler(Self.yaml, clock: clock)
        var recorded: [EventKind] = []
        first.start()
        recorded += first.takeEffects().events
        for id in ["a", "b", "d"] {
            recorded.append(.taskStarted(TaskStarted(task: id, attempt: 1, pid: 4242, command: ["true"], workingDirectory: nil)))
        }
        recorded.append(.taskMetric(TaskMetric(task: "a", name: "score", value: .number(97))))
        clock.advance(to: 2)
        first.attemptEnded("a", attempt: 1, outcome: SchedulerTests.outcome(.succeeded, at: 2, metrics: ["score": .number(97)]))
        first.attemptEnded("d", attempt: 1, outcome: SchedulerTests.outcome(.failed, at: 2))
        recorded += first.takeEffects().events
        // The process dies here, with b running.
        let events = recorded.enumerated().map { RunEvent(seq: $0.offset + 1, time: $0.offset == recorded.count - 1 ? 2 : 1, kind: $0.element) }
        let header = RecordingHeader(runID: "r", workflow: "w", workflowFile: nil, host: "h", startedAt: Date(timeIntervalSince1970: 0))
        let point = ResumePoint(Recording(header: header, events: events), directory: RunDirectory(path: "/runs/r"))
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
        first.start()
        var recorded = first.takeEffects().events
        for attempt in 1...2 {
            recorded.append(.taskStarted(TaskStarted(task: "a", attempt: attempt, pid: 4242, command: ["true"], workingDirectory: nil)))
            first.attemptEnded("a", attempt: attempt, outcome: SchedulerTests.outcome(.failed))
            recorded += first.takeEffects().events
        }
        let events = recorded.enumerated().map { RunEvent(seq: $0.offset + 1, time: 1, kind: $0.element) }
        let header = RecordingHeader(runID: "r", workflow: "w", workflowFile: nil, host: "h", startedAt: Date(timeIntervalSince1970: 0))
        let point = ResumePoint(Recording(header: header, events: events), directory: RunDirectory(path: "/runs/r"))
        var resumed = try SchedulerTests.scheduler(yaml)
        resumed.resume(from: point)
        #expect(SchedulerTests.starts(resumed.takeEffects()) == ["a#3+0"])
        resumed.attemptEnded("a", attempt: 3, outcome: SchedulerTests.outcome(.failed))
        #expect(SchedulerTests.starts(resumed.takeEffects()) == ["a#4+1"], "a retry, as the workflow allows, after its delay")
    }

    /// A run on a cluster, resumed: its attempts ran from when their jobs left the queue, as
    /// the engine counted them, with their jobs and nodes.
    @Test func aResumedClusterRunCountsItsQueueWaitsAsTheEngineDid() {
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
            (8, .taskOnCluster(TaskOnCluster(task: "b", attempt: 1, jobID: "13", state: "RUNNING", node: "n2", started: 1))),
        ]
        let events = kinds.enumerated().map { RunEvent(seq: $0.offset + 1, time: $0.element.0, kind: $0.element.1) }
        let header = RecordingHeader(runID: "r", workflow: "w", workflowFile: nil, host: "h", startedAt: Date(timeIntervalSince1970: 0))
        let point = ResumePoint(Recording(header: header, events: events), directory: RunDirectory(path: "/runs/r"))
        let done = point.tasks["a"]?.attempts.first
        #expect(done?.start == 4.5 && done?.queued == 3.5 && done?.job == "12" && done?.node == "n1" && done?.duration == 2.5)
        // b was running when the process died: the resume ends its attempt with its job named.
        #expect(point.interrupted == [AttemptRef(task: "b", attempt: 1)] && point.tasks["b"]?.openJob?.id == "13")
    }
}
