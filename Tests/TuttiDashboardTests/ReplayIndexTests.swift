import Foundation
import Testing
import TuttiCore
@testable import TuttiDashboard

/// Replay from a file: the index built in parts on its own thread gives the very screens the
/// events in memory give, finds the moments, and names the lines that are not events.
@Suite struct ReplayIndexTests {
    /// The fixture run written as an events file, with `extra` lines inserted after line `at`.
    static func file(extra: [String] = [], at: Int = 0, cutOff: String? = nil, finished: Bool = true) throws -> (RecordingStream, [RunEvent]) {
        let events = DashboardFixtures.events().filter { if case .runFinished = $0.kind { return finished } else { return true } }
        let header = RecordingHeader(runID: "r", workflow: "fixture", workflowFile: nil, host: "test", startedAt: Date(timeIntervalSince1970: 0))
        var lines = [String(decoding: try JSONEncoder.events.encode(header), as: UTF8.self)]
        lines += try events.map { String(decoding: try JSONEncoder.events.encode($0), as: UTF8.self) }
        lines.insert(contentsOf: extra, at: min(lines.count, at + 1))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("replay-\(UUID().uuidString).ndjson").path
        try (lines.joined(separator: "\n") + "\n" + (cutOff ?? "")).write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return (try RecordingStream(path: path), events)
    }

    @Test(arguments: [0.05, 5.0, 8.5, 12.0, 30.0])
    func aFileGivesTheScreensTheEventsGive(at time: Double) throws {
        let (file, events) = try Self.file()
        // A tiny interval: snapshots and the events after them are both used.
        // Parts of two lines: the index is published, and played from, in many steps.
        var fromFile = ReplayPlayer(index: ReplayIndex(file: file, snapshotInterval: 3, partBytes: 300))
        var inMemory = ReplayPlayer(events: events, snapshotInterval: 3)
        fromFile.index.waitUntilComplete()
        // Both to the end (which stops them playing), then back: the same way, the same screen.
        fromFile.seek(to: 100)
        fromFile.seek(to: time)
        inMemory.seek(to: 100)
        inMemory.seek(to: time)
        let view = DashboardModel()
        let render = { (player: ReplayPlayer) in
            DashboardRenderer(glyphs: .unicode).render(player.model(keepingViewOf: view), width: 80, height: 24).text
        }
        #expect(render(fromFile) == render(inMemory))
        #expect(fromFile.index.count == events.count && fromFile.index.finished && fromFile.index.damage.isEmpty)
        #expect(fromFile.nextMoment(after: 0) == inMemory.nextMoment(after: 0))
        #expect(fromFile.previousMoment(before: 30) == inMemory.previousMoment(before: 30))
    }

    @Test func linesThatAreNotEventsAreNamedAndSkipped() throws {
        let (file, events) = try Self.file(extra: ["not json", #"{"seq":1,"t":0,"type":"task_progress","task":"4","percent":5}"#], at: 3)
        let index = ReplayIndex(file: file, snapshotInterval: 4)
        index.waitUntilComplete()
        #expect(index.count == events.count, "every event read, the two bad lines skipped")
        #expect(index.damage.map(\.line) == [5, 6], "\(index.damage)")
        guard case .outOfOrder(seq: 1, after: 3)? = index.damage.last?.problem else {
            Issue.record("the second line is out of order: \(index.damage)")
            return
        }
        let notices = Recording.notices(damage: index.damage, finished: index.finished, lastTime: index.lastTime, live: false)
        #expect(notices.count == 1 && notices[0].contains("line 5"), "\(notices)")
    }

    @Test func linesBeforeTheFirstEventDoNotShiftTheSnapshots() throws {
        // Whole parts of damage before any event: snapshot k must still hold k × interval events.
        let (file, events) = try Self.file(extra: Array(repeating: "garbage", count: 5), at: 0)
        var fromFile = ReplayPlayer(index: ReplayIndex(file: file, snapshotInterval: 3, partBytes: 300))
        fromFile.index.waitUntilComplete()
        var inMemory = ReplayPlayer(events: events, snapshotInterval: 3)
        let view = DashboardModel()
        for time in [30.0, 8.5, 12.0] {
            fromFile.seek(to: time)
            inMemory.seek(to: time)
            #expect(DashboardRenderer(glyphs: .unicode).render(fromFile.model(keepingViewOf: view), width: 80, height: 24).text
                    == DashboardRenderer(glyphs: .unicode).render(inMemory.model(keepingViewOf: view), width: 80, height: 24).text, "at \(time)")
        }
        #expect(fromFile.index.damage.count == 5)
    }

    @Test func eventsOutOfOrderInMemoryAreLeftOutAndTheRestPlayInPlace() {
        var events = DashboardFixtures.events()
        let repeated = events[3]
        events.insert(RunEvent(seq: repeated.seq, time: repeated.time, kind: .taskProgress(TaskProgress(task: "zzz", percent: 1))), at: 4)
        let index = ReplayIndex(events: events, snapshotInterval: 2)
        #expect(index.count == events.count - 1 && index.damage.count == 1)
        #expect(index.events(4..<5).first?.seq == events[5].seq, "the event after the left-out one is the next kept")
    }

    @Test func aRecordingReadFromASliceOfLargerBytesReadsTheSame() throws {
        let events = DashboardFixtures.events()
        let header = RecordingHeader(runID: "r", workflow: "fixture", workflowFile: nil, host: "test", startedAt: Date(timeIntervalSince1970: 0))
        var text = String(decoding: try JSONEncoder.events.encode(header), as: UTF8.self) + "\n"
        for event in events { text += String(decoding: try JSONEncoder.events.encode(event), as: UTF8.self) + "\n" }
        let padded = Data("xxxx".utf8) + Data(text.utf8)
        let slice = padded[4...]
        #expect(try Recording.parse(slice, path: "slice").events.count == events.count)
    }

    @Test func aLastLineCutOffIsSaidSo() throws {
        let (file, events) = try Self.file(cutOff: #"{"seq":999,"t":40,"type":"task_pro"#)
        let index = ReplayIndex(file: file, snapshotInterval: 4, partBytes: 200)
        index.waitUntilComplete()
        #expect(index.count == events.count)
        guard case .cutOff? = index.damage.last?.problem else {
            Issue.record("the last line is cut off: \(index.damage)")
            return
        }
    }

    @Test func aRunThatNeverFinishedIsKnownOnceTheFileIsRead() throws {
        let (file, _) = try Self.file(finished: false)
        let index = ReplayIndex(file: file, snapshotInterval: 4, partBytes: 200)
        index.waitUntilComplete()
        #expect(!index.finished && index.isComplete)
        let (finishedFile, _) = try Self.file()
        let finishedIndex = ReplayIndex(file: finishedFile, snapshotInterval: 4, partBytes: 200)
        finishedIndex.waitUntilComplete()
        #expect(finishedIndex.finished, "the same file with its end says it finished")
    }

    /// A replay opened while its file is still being indexed plays the events indexed so far,
    /// keeps playing at their end instead of stopping, and goes on once more are indexed:
    /// the screens are those of the same events in memory at each step.
    @Test func aReplayPlaysWhatIsIndexedSoFarAndGoesOnAsMoreIs() throws {
        let (file, events) = try Self.file()
        let parts = PartGate()
        let index = ReplayIndex(file: file, snapshotInterval: 3) {
            parts.waitForTurn()
            return file.read(upTo: 1500)
        }
        defer { parts.openForGood() }  // a failed expectation must not leave the index's thread waiting
        parts.allow(1)
        var player = ReplayPlayer(index: index)
        let indexed = index.count
        #expect(!index.isComplete && indexed > 1 && indexed < events.count, "only the first part is indexed: \(indexed)")
        #expect(events[indexed - 1].time > events[0].time, "the first part spans some of the run")
        let view = DashboardModel()
        // The screen but its last line, the replay's bar (which says whether it plays).
        let render = { (player: ReplayPlayer) in
            DashboardRenderer(glyphs: .unicode).render(player.model(keepingViewOf: view), width: 80, height: 24).text
                .split(separator: "\n", omittingEmptySubsequences: false).dropLast().joined(separator: "\n")
        }
        // Played past the end of what is indexed: there, still playing, the screen of those events.
        player.advance(wallSeconds: 1000)
        var firstEvents = ReplayPlayer(events: Array(events.prefix(indexed)), snapshotInterval: 3)
        firstEvents.seek(to: 1000)
        #expect(player.status.playing, "the end of what is indexed is not the end of the recording")
        #expect(player.status.position == events[indexed - 1].time)
        #expect(render(player) == render(firstEvents))
        // The rest indexed: playing goes on from there to the recording's end, where it stops.
        parts.openForGood()
        index.waitUntilComplete()
        player.advance(wallSeconds: 1000)
        var allEvents = ReplayPlayer(events: events, snapshotInterval: 3)
        allEvents.seek(to: 1000)
        #expect(!player.status.playing && player.status.position == events[events.count - 1].time)
        #expect(render(player) == render(allEvents))
        #expect(index.count == events.count && index.damage.isEmpty)
    }
}

/// Lets an index read its parts one at a time, as a test allows.
private final class PartGate: Sendable {
    private let turns = DispatchSemaphore(value: 0)

    /// Blocks the reader until a part is allowed.
    func waitForTurn() { turns.wait() }

    func allow(_ parts: Int) { for _ in 0..<parts { turns.signal() } }

    /// Every part from now on (more turns than a test's file has parts).
    func openForGood() { allow(1000) }
}
