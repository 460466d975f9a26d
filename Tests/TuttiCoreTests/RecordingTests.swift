import Foundation
import Testing
@testable import TuttiCore

/// A fresh, empty directory under the system's temporary folder.
private func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("tutti-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The header every test recording starts with.
private let header = RecordingHeader(runID: "run-42", workflow: "demo", workflowFile: "workflows/demo.yaml",
                                     host: "test-host", startedAt: Date(timeIntervalSince1970: 1_700_000_000))

/// One event of (nearly) every kind a run produces, in run order.
private let sampleKinds: [EventKind] = [
    .runStarted(RunStarted(runID: "run-42", workflow: "demo", parallelism: 2, mode: "parallel", pollingInterval: 2,
                           tasks: [AnnouncedTask(id: "4", name: "Testing", agent: "sim", dependsOn: [], gates: 1, maxAttempts: 2)])),
    .taskQueued(TaskRef(task: "4")),
    .taskStarted(TaskStarted(task: "4", attempt: 1, pid: 4242, command: ["tutti", "agent", "sim"])),
    .taskProgress(TaskProgress(task: "4", percent: 37.5)),
    .taskLog(TaskLog(task: "4", stream: .stderr, line: #"warning: "quoted" ünïcode / slash"#)),
    .taskMetric(TaskMetric(task: "4", name: "compliance", value: .string("SOC2"))),
    .taskMetric(TaskMetric(task: "4", name: "documentation", value: .bool(true))),
    .taskMetric(TaskMetric(task: "4", name: "test_coverage", value: .number(96.4))),
    .taskMetric(TaskMetric(task: "4", name: "vulnerabilities", value: .number(0))),
    .taskGate(TaskGate(task: "4", result: GateResult(metric: "test_coverage", threshold: "≥ 95%", actual: .number(96.4),
                                                      actualText: "96.4%", passed: true, reason: nil))),
    .taskFinished(TaskFinished(task: "4", attempt: 1, status: .succeeded, exitCode: 0, signal: nil, reason: nil,
                               duration: 11.75)),
    .runFinished(RunFinished(outcome: .passed, reason: nil)),
]

/// Records `sampleKinds` through an event bus into `path`; returns what `emit` returned.
private func writeSampleRecording(to path: String) throws -> [RunEvent] {
    let recorder = try EventRecorder(path: path, header: header)
    let bus = EventBus(recorder: recorder)
    let emitted = sampleKinds.map { bus.emit($0) }
    bus.finish()
    return emitted
}

/// An event as it reads back: the file keeps times to the microsecond.
private func asRecorded(_ event: RunEvent) -> RunEvent {
    RunEvent(seq: event.seq, time: (event.time * 1_000_000).rounded() / 1_000_000, kind: event.kind)
}

/// Writing an events file through the bus and reading it back, whole or cut off.
@Suite struct RecordingTests {
    @Test func recordingReadsBackHeaderAndEventsInOrder() throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("events.ndjson").path

        let emitted = try writeSampleRecording(to: path)
        let recording = try Recording.read(path: path)

        #expect(recording.header.schema == "tutti-events")
        #expect(recording.header.version == 1)
        #expect(recording.header.runID == "run-42")
        #expect(recording.header.workflow == "demo")
        #expect(recording.header.workflowFile == "workflows/demo.yaml")
        #expect(recording.header.host == "test-host")
        #expect(abs(recording.header.startedAt.timeIntervalSince1970 - 1_700_000_000) < 0.001)
        #expect(recording.events.count == sampleKinds.count)
        #expect(recording.events.map(\.kind) == sampleKinds)
        #expect(recording.events == emitted.map(asRecorded))
        #expect(recording.events.map(\.seq) == Array(1...sampleKinds.count))
        #expect(recording.truncated == false)
    }

    @Test func emitNumbersEventsFromOneWithNonDecreasingTimes() {
        let bus = EventBus()
        let emitted = sampleKinds.map { bus.emit($0) }
        bus.finish()
        #expect(emitted.map(\.seq) == Array(1...sampleKinds.count))
        #expect(emitted.map(\.kind) == sampleKinds)
        #expect(zip(emitted, emitted.dropFirst()).allSatisfy { $0.time <= $1.time })
        #expect(emitted.allSatisfy { $0.time >= 0 })
    }

    @Test func halfWrittenLastLineIsDroppedAndFlagged() throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("events.ndjson")

        let emitted = try writeSampleRecording(to: url.path)
        var data = try Data(contentsOf: url)
        data.append(contentsOf: Array(#"{"seq":13,"t":1.5,"type":"task_pro"#.utf8))
        try data.write(to: url)

        let recording = try Recording.read(path: url.path)
        #expect(recording.events == emitted.map(asRecorded))
        #expect(recording.truncated == true)
        #expect(recording.damage == [RecordingDamage(line: sampleKinds.count + 2, problem: .cutOff)])
        #expect(recording.damage.first?.description == "line \(sampleKinds.count + 2) is cut off (the run was interrupted while writing it)")
    }

    @Test func damagedLinesInTheMiddleAreNamedAndTheRestIsRead() throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("events.ndjson")
        let emitted = try writeSampleRecording(to: url.path)
        var lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Line 3 (the second event) becomes garbage, line 5 a kind of event no version wrote,
        // line 7 nests far too deep, line 9 goes back in sequence.
        lines[2] = "garbage \u{1}\u{2}"
        lines[4] = #"{"seq":4,"t":0.1,"type":"task_teleported","task":"1"}"#
        lines[6] = #"{"seq":6,"t":0.2,"type":"task_metric","task":"1","name":"x","value":"# + String(repeating: "[", count: 100_000)
            + String(repeating: "]", count: 100_000) + "}"
        lines[8] = #"{"seq":2,"t":0.3,"task":"1","type":"task_queued"}"#
        try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)

        let recording = try Recording.read(path: url.path)
        #expect(recording.damage == [
            RecordingDamage(line: 3, problem: .notJSON),
            RecordingDamage(line: 5, problem: .notAnEvent(type: "task_teleported")),
            RecordingDamage(line: 7, problem: .nestedTooDeep),
            RecordingDamage(line: 9, problem: .outOfOrder(seq: 2, after: 7)),
        ])
        let kept = emitted.map(asRecorded).filter { ![2, 4, 6, 8].contains($0.seq) }
        #expect(recording.events == kept, "every event after a damaged line is read")
        #expect(recording.finished, "the run's end is after the damage")
        #expect(!recording.truncated)
        #expect(RecordingDamage.summary(recording.damage) == "The recording has lines that are not events, skipped: "
                + "line 3 is not JSON; line 5 is not an event this version reads (type 'task_teleported'); "
                + "line 7 nests values more than 512 levels deep; and 1 more damaged line.")
    }

    @Test func aRunWithoutItsEndIsUnfinishedAndSaysSo() throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("events.ndjson")
        _ = try writeSampleRecording(to: url.path)
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").dropLast()
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)

        let recording = try Recording.read(path: url.path)
        #expect(!recording.finished && recording.damage.isEmpty)
        let last = DurationText.format(recording.events.last?.time ?? 0)
        #expect(recording.notices(live: false)
                == ["This run never finished: its process ended after t=\(last), before the run's end was recorded."])
        #expect(recording.notices(live: true)
                == ["The run is still going; this is its state at t=\(last) (tutti watch follows it live)."])
    }

    @Test func completeLastEventWithoutNewlineIsKept() throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("events.ndjson")

        let emitted = try writeSampleRecording(to: url.path)
        var data = try Data(contentsOf: url)
        data.append(contentsOf: Array(#"{"seq":13,"t":1.5,"task":"4","type":"task_queued"}"#.utf8))
        try data.write(to: url)

        let recording = try Recording.read(path: url.path)
        #expect(recording.events.count == emitted.count + 1)
        #expect(recording.events.last?.seq == 13)
        #expect(recording.truncated == false)
    }

    @Test func headerOnlyRecordingHasNoEvents() throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("events.ndjson").path

        let recorder = try EventRecorder(path: path, header: header)
        EventBus(recorder: recorder).finish()
        let recording = try Recording.read(path: path)
        #expect(recording.events.isEmpty)
        #expect(recording.truncated == false)
        #expect(recording.header.runID == "run-42")
    }

    @Test func fileWithoutAHeaderIsNotARecording() throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("events.ndjson").path
        let event = #"{"seq":1,"t":0,"task":"4","type":"task_queued"}"#
        try (event + "\n").write(toFile: path, atomically: true, encoding: .utf8)

        let error = #expect(throws: RunFileError.self) { try Recording.read(path: path) }
        guard case .notARecording(let reported, _)? = error else {
            Issue.record("expected notARecording, got \(String(describing: error))")
            return
        }
        #expect(reported == path)
    }

    @Test func missingFileIsNotARecording() {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("missing-\(UUID().uuidString).ndjson").path
        let error = #expect(throws: RunFileError.self) { try Recording.read(path: path) }
        guard case .notARecording? = error else {
            Issue.record("expected notARecording, got \(String(describing: error))")
            return
        }
    }

    @Test func newerSchemaVersionIsRefused() throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("events.ndjson").path
        let newer = #"{"host":"h","run_id":"r","schema":"tutti-events","started_at":"2023-11-14T22:13:20Z","version":99,"workflow":"w"}"#
        try (newer + "\n").write(toFile: path, atomically: true, encoding: .utf8)

        let error = #expect(throws: RunFileError.self) { try Recording.read(path: path) }
        guard case .newerSchema(let reported, let version)? = error else {
            Issue.record("expected newerSchema, got \(String(describing: error))")
            return
        }
        #expect(version == 99)
        #expect(reported == path)
    }

    @Test func eventIsEncodedAsOneFlatObject() throws {
        let event = RunEvent(seq: 3, time: 1.25, kind: .taskProgress(TaskProgress(task: "4", percent: 37.5)))
        let json = String(decoding: try JSONEncoder.sortedCompact.encode(event), as: UTF8.self)
        #expect(json == #"{"percent":37.5,"seq":3,"t":1.25,"task":"4","type":"task_progress"}"#)
        #expect(try JSONDecoder().decode(RunEvent.self, from: Data(json.utf8)) == event)
    }
}

/// Live delivery of events to bus subscribers.
@Suite struct EventBusSubscriberTests {
    @Test func subscriberReceivesEveryEventInOrder() async {
        let bus = EventBus()
        let stream = bus.subscribe()
        let emitted = sampleKinds.map { bus.emit($0) }
        bus.finish()

        var received: [RunEvent] = []
        for await event in stream { received.append(event) }
        #expect(received == emitted)
    }

    @Test func twoSubscribersEachGetEveryEvent() async {
        let bus = EventBus()
        let first = bus.subscribe()
        let second = bus.subscribe()
        let emitted = sampleKinds.prefix(3).map { bus.emit($0) }
        bus.finish()

        var fromFirst: [RunEvent] = []
        for await event in first { fromFirst.append(event) }
        var fromSecond: [RunEvent] = []
        for await event in second { fromSecond.append(event) }
        #expect(fromFirst == emitted)
        #expect(fromSecond == emitted)
    }

    @Test func subscriberAfterFinishGetsAnEndedStream() async {
        let bus = EventBus()
        bus.emit(.taskQueued(TaskRef(task: "1")))
        bus.finish()
        var count = 0
        for await _ in bus.subscribe() { count += 1 }
        #expect(count == 0)
    }

    @Test func subscriberSeesOnlyEventsAfterItSubscribed() async {
        let bus = EventBus()
        bus.emit(.taskQueued(TaskRef(task: "early")))
        let stream = bus.subscribe()
        let late = bus.emit(.taskQueued(TaskRef(task: "late")))
        bus.finish()
        var received: [RunEvent] = []
        for await event in stream { received.append(event) }
        #expect(received == [late])
        #expect(late.seq == 2)
    }
}
