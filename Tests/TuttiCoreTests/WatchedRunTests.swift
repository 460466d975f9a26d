import Foundation
import Synchronization
import Testing
import TuttiTestSupport
@testable import TuttiCore

/// Following a run from another process: live through its socket, or from its recording once
/// its process has gone.
@Suite struct WatchedRunTests {
    @Test func aRunWhoseProcessHasEndedIsFollowedFromItsRecording() async throws {
        let scratch = Scratch()
        let run = try await runWorkflow("name: w\ntasks: [{task_id: a, command: [\"true\"]}]\n", in: scratch)
        let watched = WatchedRun(directory: run.directory)
        let seen = Mutex<[RunEvent]>([])
        let notices = Mutex<[String]>([])
        let ending = await watched.follow(event: { event in seen.withLock { $0.append(event) } },
                                          notice: { text in notices.withLock { $0.append(text) } })
        guard case .finished(let report) = ending else {
            Issue.record("expected the finished run, got \(ending)")
            return
        }
        #expect(report == run.report)
        #expect(seen.withLock { $0 } == run.events, "every recorded event, once, in order")
        #expect(notices.withLock { $0 } == ["The run's process has ended; this is the final state from its recording."])
        #expect(watched.clock() == run.events.last?.time, "the clock stands at the last event")
    }

    @Test func aRunCutOffBeforeItsEndIsLost() async throws {
        let scratch = Scratch()
        let run = try await runWorkflow("name: w\ntasks: [{task_id: a, command: [\"true\"]}]\n", in: scratch)
        // Keep the header and the events before run_finished, as a killed orchestrator leaves them.
        let lines = try String(contentsOfFile: run.directory.eventsPath, encoding: .utf8).split(separator: "\n")
        try (lines.dropLast().joined(separator: "\n") + "\n").write(toFile: run.directory.eventsPath, atomically: true, encoding: .utf8)
        let notices = Mutex<[String]>([])
        let ending = await WatchedRun(directory: run.directory).follow(event: { _ in }, notice: { text in notices.withLock { $0.append(text) } })
        guard case .lost = ending else {
            Issue.record("expected a lost run, got \(ending)")
            return
        }
        let notice = try #require(notices.withLock { $0 }.first)
        #expect(notice.hasPrefix("This run never finished: its process ended after t=")
                && notice.hasSuffix(", before the run's end was recorded; this is its last recorded state."), "\(notice)")
    }
}
