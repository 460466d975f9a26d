import Foundation
import Testing
import TuttiCore

/// `tutti replay`: a recording told again, and the recordings it refuses.
@Suite struct ReplayCommandTests {
    static let workflow = """
    name: replayed
    polling: {interval_seconds: 0.2}
    tasks:
      - {task_id: a, name: Steps, command: [sh, -c, "for i in 1 2 3 4 5; do echo '@tutti progress '$((i*20)); sleep 0.15; done"]}
      - {task_id: b, name: Fails, command: [sh, -c, "echo oops; exit 2"], retries: {count: 1, delay_seconds: 0.1}}
      - {task_id: c, name: After, command: ["true"], depends_on: [b]}
      - {task_id: d, name: Gated, command: [sh, -c, "echo '@tutti metric cov 50'"], quality_gates: [{cov: ">= 90%"}]}
    """

    /// Lines that do not depend on when the clock ticked.
    static func steady(_ output: String) -> [Substring] {
        output.split(separator: "\n").filter { !$0.hasPrefix("t=") && !$0.hasPrefix("Run directory:") && !$0.hasPrefix("Recording:") }
    }

    @Test func aHeadlessReplayPrintsWhatTheLiveRunPrinted() async throws {
        let scratch = Scratch()
        scratch.write("wf.yaml", Self.workflow)
        let live = try await tutti(["run", "wf.yaml", "--headless", "--runs-dir", "runs"], in: scratch.path)
        #expect(live.status == 1)
        let run = try #require(FileManager.default.contentsOfDirectory(atPath: scratch.file("runs")).first)
        let events = scratch.file("runs/\(run)/events.ndjson")
        let before = try Data(contentsOf: URL(fileURLWithPath: events))
        let replay = try await tutti(["replay", "latest", "--runs-dir", "runs"], in: scratch.path)
        #expect(replay.status == 0)
        #expect(Self.steady(replay.stdout) == Self.steady(live.stdout))
        // Progress lines come at the polling interval (every 0.2 s of the run's clock); which
        // ticks have one depends on when the task printed, on a loaded machine too.
        let ticks = replay.stdout.split(separator: "\n").filter { $0.hasPrefix("t=") }
            .compactMap { Double($0.dropFirst(2).prefix { $0 != "s" }) }
        #expect(!ticks.isEmpty && ticks.allSatisfy { abs(($0 / 0.2).rounded() * 0.2 - $0) < 0.001 }, "\(ticks)")
        #expect(replay.stdout.contains("Result: FAILED (exit 1)"))
        let byFile = try await tutti(["replay", events], in: scratch.path)
        #expect(Self.steady(byFile.stdout) == Self.steady(replay.stdout), "an events file names the run too")
        let after = try Data(contentsOf: URL(fileURLWithPath: events))
        #expect(before == after, "replaying writes nothing to the recording")
    }

    @Test func aRecordingCutOffMidLineReplaysUpToItsLastCompleteEventAndSaysSo() async throws {
        let scratch = Scratch()
        scratch.write("wf.yaml", Self.workflow)
        _ = try await tutti(["run", "wf.yaml", "--headless", "--runs-dir", "runs"], in: scratch.path)
        let run = try #require(FileManager.default.contentsOfDirectory(atPath: scratch.file("runs")).first)
        let text = try #require(scratch.read("runs/\(run)/events.ndjson"))
        let lines = text.split(separator: "\n")
        // Cut in the middle of the line of task b's first end.
        let cut = try #require(lines.firstIndex { $0.contains("\"task_finished\"") && $0.contains("\"task\":\"b\"") })
        let damaged = lines[..<cut].joined(separator: "\n") + "\n" + lines[cut].prefix(30)
        scratch.write("cut.ndjson", damaged)
        let result = try await tutti(["replay", "cut.ndjson"], in: scratch.path)
        #expect(result.status == 3, "the run's end is not in the recording")
        #expect(result.stdout.contains("line \(cut + 1) is cut off (the run was interrupted while writing it)"), "\(result.stdout)")
        #expect(result.stdout.contains("This run never finished"))
        #expect(!result.stdout.contains("Task b Failed"), "nothing after the cut")
        #expect(result.stdout.contains("Starting Parallel Workflow: replayed"))
    }

    @Test func whatIsNotARecordingIsRefusedClearly() async throws {
        let scratch = Scratch()
        scratch.write("notes.txt", "hello\n")
        let notRecording = try await tutti(["replay", "notes.txt"], in: scratch.path)
        #expect(notRecording.status == 2)
        #expect(notRecording.stderr.contains("notes.txt is not a Tutti recording: its first line is not a recording header"))
        scratch.write("future.ndjson", #"{"host":"h","run_id":"r","schema":"tutti-events","started_at":"2026-11-29T12:00:00Z","version":99,"workflow":"w"}"# + "\n")
        let newer = try await tutti(["replay", "future.ndjson"], in: scratch.path)
        #expect(newer.status == 2)
        #expect(newer.stderr.contains("schema version 99, newer than this build reads (1); upgrade tutti to read it"))
        let missing = try await tutti(["replay", "nothing-here", "--runs-dir", "runs"], in: scratch.path)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no run 'nothing-here'"))
    }
}
