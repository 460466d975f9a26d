import Foundation
import Testing
import TuttiCore
import TuttiTestSupport

/// `tutti resume`: a run whose process was killed goes on in the same recording, keeping what
/// succeeded, and its report covers the whole run.
@Suite struct ResumeCommandTests {
    @Test func aRunKilledWithSIGKILLIsResumedInTheSameRecording() async throws {
        let scratch = Scratch()
        _ = scratch.write("wf.yaml", """
        name: resumable
        tasks:
          - {task_id: a, command: [sh, -c, "echo ran >> \(scratch.path)/a-ran; echo '@tutti metric score 97'"], quality_gates: [{score: ">= 90"}]}
          - {task_id: b, command: [sh, -c, "if [ -f \(scratch.path)/go ]; then echo b ok; else echo $$ > \(scratch.path)/b; exec sleep 300; fi"]}
          - {task_id: c, command: [sh, -c, "echo c ran"], depends_on: [b]}
          - {task_id: d, command: [sh, -c, "test -f \(scratch.path)/go"]}
        """)
        let run = try TuttiProcess(["run", "wf.yaml", "--headless", "--runs-dir", "runs"], in: scratch.path)
        try #require(await eventually { scratch.pid("b") != nil })
        let directory = try #require(try FileManager.default.contentsOfDirectory(atPath: scratch.file("runs")).first.map { scratch.file("runs/\($0)") })
        try #require(await eventually {
            let events = (try? String(contentsOfFile: directory + "/events.ndjson", encoding: .utf8)) ?? ""
            return events.contains(#""status":"failed","t""#) && events.contains(#""status":"succeeded","t""#)
        }, "a has succeeded and d has failed before the kill")
        kill(run.process.processIdentifier, SIGKILL)
        _ = await run.finished()
        #expect(await eventually { processIsGone(scratch.pid("b") ?? 0) })
        let linesBefore = try String(contentsOfFile: directory + "/events.ndjson", encoding: .utf8).split(separator: "\n").count

        _ = scratch.write("go", "")
        let resumed = try await tutti(["resume", "latest", "--runs-dir", "runs", "--headless"], in: scratch.path)
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        #expect(resumed.stderr.contains("1 task kept, 3 to run again: b, c, d"), "\(resumed.stderr)")
        #expect(resumed.stdout.contains("Run resumed after a gap of"), "\(resumed.stdout)")
        #expect(try String(contentsOfFile: scratch.file("a-ran"), encoding: .utf8) == "ran\n", "the task that succeeded did not run again")

        // One recording: one header, events numbered on from where the killed process stopped.
        let recording = try Recording.read(path: directory + "/events.ndjson")
        #expect(recording.damage.isEmpty && recording.finished)
        #expect(recording.events.map(\.seq) == Array(1...recording.events.count))
        #expect(recording.events.count > linesBefore - 1)
        let resumedEvent = recording.events.compactMap { if case .runResumed(let r) = $0.kind { r } else { nil } }.first
        #expect(resumedEvent?.kept == ["a"] && resumedEvent?.rerun == ["b", "c", "d"])
        #expect(resumedEvent?.interrupted == [AttemptRef(task: "b", attempt: 1)])

        // The report covers the whole run: a's result and gate from before, b's interrupted attempt.
        let report = try JSONDecoder.events.decode(RunReport.self, from: Data(contentsOf: URL(fileURLWithPath: directory + "/report.json")))
        #expect(report.outcome == .passed)
        let tasks = Dictionary(uniqueKeysWithValues: report.tasks.map { ($0.id, $0) })
        #expect(tasks["a"]?.attempts.count == 1 && tasks["a"]?.metrics["score"] == .number(97) && tasks["a"]?.gates.first?.passed == true)
        #expect(tasks["b"]?.attempts.map(\.status) == [.cancelled, .succeeded])
        #expect(tasks["b"]?.attempts.first?.reason == RunResumed.interruptedReason)
        #expect(tasks["d"]?.attempts.map(\.status) == [.failed, .succeeded])
        #expect(tasks["c"]?.status == .succeeded)
        let replayed = try await tutti(["replay", "latest", "--runs-dir", "runs", "--headless"], in: scratch.path)
        #expect(replayed.status == 0 && replayed.stdout.contains("Run resumed"), "\(replayed.stdout)")

        let again = try await tutti(["resume", "latest", "--runs-dir", "runs", "--headless"], in: scratch.path)
        #expect(again.status == ExitStatus.invalidInput && again.stderr.contains("nothing to resume"), "\(again.stderr)")
    }

    @Test func whatARunKilledWithItsWatchdogLeftRunningIsEndedOnResume() async throws {
        let scratch = Scratch()
        _ = scratch.write("killme-wf.yaml", """
        name: orphaned
        tasks:
          - {task_id: a, command: [sh, -c, "if [ -f go ]; then exit 0; fi; echo $$ > a.pid; exec sleep 300"]}
        """)
        let run = try TuttiProcess(["run", "killme-wf.yaml", "--headless", "--runs-dir", "runs"], in: scratch.path)
        try #require(await eventually { scratch.pid("a.pid") != nil })
        let orphan = try #require(scratch.pid("a.pid"))
        // The watchdog first (tutti's child with its command line), so it cannot end the task, then tutti.
        let orchestrator = run.process.processIdentifier
        let watchdog = try #require(Self.children(of: orchestrator).first { Self.commandLine(of: $0).contains("killme-wf.yaml") })
        kill(watchdog, SIGKILL)
        #expect(await eventually { processIsGone(watchdog) })
        kill(orchestrator, SIGKILL)
        _ = await run.finished()
        #expect(!processIsGone(orphan), "with the watchdog gone too, the task is left running")

        _ = scratch.write("go", "")
        let resumed = try await tutti(["resume", "latest", "--runs-dir", "runs", "--headless"], in: scratch.path)
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        #expect(resumed.stderr.contains("ended 1 process group the interrupted run left running"), "\(resumed.stderr)")
        #expect(await eventually { processIsGone(orphan) })
    }

    @Test func aRunStillRunningIsNotResumed() async throws {
        let scratch = Scratch()
        _ = scratch.write("wf.yaml", "name: live\ntasks:\n  - {task_id: a, command: [sh, -c, \"echo $$ > \(scratch.path)/a; exec sleep 300\"]}\n")
        let run = try TuttiProcess(["run", "wf.yaml", "--headless", "--runs-dir", "runs"], in: scratch.path)
        try #require(await eventually { scratch.pid("a") != nil })
        let refused = try await tutti(["resume", "latest", "--runs-dir", "runs", "--headless"], in: scratch.path)
        #expect(refused.status == ExitStatus.invalidInput && refused.stderr.contains("is still running"), "\(refused.stderr)")
        kill(run.process.processIdentifier, SIGINT)
        _ = await run.finished()
    }

    /// The processes whose parent is `pid`, from /proc.
    static func children(of pid: Int32) -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap(Int32.init).filter { child in
            guard let stat = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == pid
        }
    }

    /// A process's command line, its arguments joined by spaces.
    static func commandLine(of pid: Int32) -> String {
        String(decoding: (FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data()).map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
    }
}
