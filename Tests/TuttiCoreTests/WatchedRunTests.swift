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

    @Test func aWatcherDroppedForFallingBehindFollowsTheRunAgain() async throws {
        let scratch = Scratch()
        let yaml = """
        name: w
        tasks:
          - {task_id: a, command: [sh, -c, "echo one; while [ ! -f \(scratch.path)/go ]; do sleep 0.02; done; echo two"]}
        """
        let watch = WatchRecord()
        let run = try await runWorkflow(yaml, in: scratch, onStart: { engine in
            let control = try? ControlServer(engine: engine)
            control?.start()
            watch.server.withLock { $0 = control }
        }, whileRunning: { engine, _ in
            let following = Task.detached {
                await WatchedRun(directory: engine.directory).follow(event: { event in watch.seen.withLock { $0.append(event) } },
                                                                     notice: { text in watch.notices.withLock { $0.append(text) } })
            }
            let sawOne = await eventually {
                watch.seen.withLock { $0.contains { if case .taskLog(let log) = $0.kind { log.line == "one" } else { false } } }
            }
            #expect(sawOne)
            watch.server.withLock { $0 }?.dropWatchers()
            #expect(await eventually { watch.notices.withLock { $0 }.contains { $0.hasPrefix("This watcher fell behind the run and was dropped") } })
            _ = scratch.write("go", "")
            let result = await following.value
            watch.ending.withLock { $0 = result }
        })
        watch.server.withLock { $0 }?.stop()
        guard case .finished(let report)? = watch.ending.withLock({ $0 }) else {
            Issue.record("expected the finished run, got \(String(describing: watch.ending.withLock { $0 }))")
            return
        }
        #expect(report == run.report)
        #expect(watch.seen.withLock { $0 } == run.events, "every event once, in order, across the drop")
    }

    @Test func aWatcherThatStopsReadingIsDroppedWhenTheWindowMovesPastItNotWaitedFor() {
        let feed = WatchFeed(firstSeq: 1, limit: 64 * 1024)
        let drops = Mutex<[String]>([])
        let slow = feed.join(wake: Wakeup(), drop: { drops.withLock { $0.append("slow") } })
        let reader = feed.join(wake: Wakeup(), drop: { drops.withLock { $0.append("reader") } })
        var received = 0
        for seq in 1...2_000 {
            deliver(seq, .taskLog(TaskLog(task: "t", stream: .stdout, line: String(repeating: "x", count: 100))), to: feed)
            if case .lines(let bytes) = feed.take(reader.id) { received += bytes.count { $0 == 0x0A } }
        }
        #expect(drops.withLock { $0 } == ["slow"], "the watcher that read nothing is dropped, once; the one that reads stays")
        #expect(received == 2_000)
        if case .dropped = feed.take(slow.id) {} else { Issue.record("the dropped watcher gets nothing more") }
        feed.finish()
        if case .finished = feed.take(reader.id) {} else { Issue.record("the reader finishes with the run") }
    }

    @Test func aWatcherJoiningTheFeedStartsWhereTheRecordingEnds() {
        let feed = WatchFeed(firstSeq: 5)
        deliver(5, .taskQueued(TaskRef(task: "t")), to: feed)
        let late = feed.join(wake: Wakeup(), drop: {})
        #expect(late.firstSeq == 6, "no one watched event 5: it is read from the recording")
        deliver(6, .taskQueued(TaskRef(task: "t")), to: feed)
        guard case .lines(let bytes) = feed.take(late.id) else { Issue.record("expected event 6"); return }
        #expect(String(decoding: bytes, as: UTF8.self).hasPrefix(#"{"seq":6"#))
        if case .nothing = feed.take(late.id) {} else { Issue.record("nothing more yet") }
    }

    /// Hands the feed an event with its line, as the bus does.
    private func deliver(_ seq: Int, _ kind: EventKind, to feed: WatchFeed) {
        let event = RunEvent(seq: seq, time: 0, kind: kind)
        feed.deliver(event, line: EventJSON.line(event))
    }
}

/// What a watcher in a test saw, from whichever thread.
private final class WatchRecord: Sendable {
    let server = Mutex<ControlServer?>(nil)
    let seen = Mutex<[RunEvent]>([])
    let notices = Mutex<[String]>([])
    let ending = Mutex<WatchedRun.Ending?>(nil)
}
