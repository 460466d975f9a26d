import Foundation
import Testing
import TuttiCore

/// `tutti run` as a user runs it: output, files, exit codes and signals.
@Suite struct RunCommandTests {
    static let passing = """
    name: quick
    polling: {interval_seconds: 0.2}
    success_criteria: [all_tasks_completed, "total_time < 600"]
    tasks:
      - {task_id: 1, name: First, command: [sh, -c, "echo '@tutti progress 50'; sleep 2; echo '@tutti metric score 97'"], quality_gates: [{score: ">= 95%"}]}
      - {task_id: 2, name: Second, command: [sh, -c, "sleep 1"], depends_on: []}
    """

    @Test func aPassingRunPrintsTheSummaryAndExitsZero() async throws {
        let scratch = Scratch()
        scratch.write("quick.yaml", Self.passing)
        let result = try await tutti(["run", "quick.yaml", "--headless"], in: scratch.path)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let out = result.stdout
        #expect(out.contains("Starting Parallel Workflow: quick"))
        #expect(out.contains("🚀 Task 1 (sh): START → Running"))
        #expect(out.contains("✅ Task 1 Complete! (First, "))
        #expect(out.contains("Parallel Workflow Summary:"))
        #expect(out.contains("- Total quality gates passed: 1/1 (100.0%)"))
        #expect(out.contains("✅ all_tasks_completed: 2/2 tasks completed"))
        #expect(out.contains("Result: PASSED (exit 0)"))
        let lines = out.split(separator: "\n")
        let firstProgress = lines.firstIndex { $0.hasPrefix("t=") && $0.contains("Task 1: 50%") }
        let completion = lines.firstIndex { $0.hasPrefix("✅ Task 1 Complete!") }
        #expect(firstProgress != nil, "a progress line at the polling interval")
        #expect(firstProgress ?? .max < completion ?? .min, "progress is printed while the task runs, not after")
        let left = try FileManager.default.contentsOfDirectory(atPath: scratch.path).sorted()
        #expect(left == [".tutti", "quick.yaml"], "a run leaves nothing in the folder but .tutti/")
    }

    @Test func theOriginalTemplatesFilesAreWrittenWhenAskedFor() async throws {
        let scratch = Scratch()
        scratch.write("quick.yaml", Self.passing)
        let flagged = try await tutti(["run", "quick.yaml", "--headless", "--conductor-files"], in: scratch.path)
        #expect(flagged.status == 0, "\(flagged.stderr)")
        #expect(FileManager.default.fileExists(atPath: scratch.path + "/.conductor/task-results/task-1.json"))
        #expect(FileManager.default.fileExists(atPath: scratch.path + "/test-results/quick-results.json"))

        let asked = Scratch()
        asked.write("quick.yaml", Self.passing.replacingOccurrences(of: "tasks:", with: "execution: {conductor_files: true}\ntasks:"))
        let result = try await tutti(["run", "quick.yaml", "--headless"], in: asked.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: asked.path + "/.conductor/task-results/task-1.json"))
    }

    @Test func jsonPrintsTheReport() async throws {
        let scratch = Scratch()
        scratch.write("quick.yaml", Self.passing)
        let result = try await tutti(["run", "quick.yaml", "--json"], in: scratch.path)
        #expect(result.status == 0)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let report = try decoder.decode(RunReport.self, from: Data(result.stdout.utf8))
        #expect(report.workflow == "quick")
        #expect(report.tasks.map(\.status) == [.succeeded, .succeeded])
        #expect(report.gates == GateTally(passed: 1, total: 1))
        #expect(result.stderr.contains("Parallel Workflow Summary:"), "human lines go to stderr with --json")
    }

    @Test func aFailedGateOrTaskExitsOne() async throws {
        let scratch = Scratch()
        scratch.write("gate.yaml", """
        name: gate
        tasks:
          - {task_id: 1, command: [sh, -c, "echo '@tutti metric score 80'"], quality_gates: [{score: ">= 95%"}]}
        """)
        scratch.write("task.yaml", "name: task\ntasks:\n  - {task_id: 1, command: [\"false\"]}\n")
        let gate = try await tutti(["run", "gate.yaml", "--headless"], in: scratch.path)
        #expect(gate.status == 1)
        #expect(gate.stdout.contains("❌ Task 1 gate score: 80% (needs ≥ 95%)"))
        #expect(gate.stdout.contains("Result: FAILED (exit 1)"))
        let task = try await tutti(["run", "task.yaml"], in: scratch.path)
        #expect(task.status == 1)
        #expect(task.stdout.contains("❌ Task 1 Failed"))
    }

    @Test func invalidInputExitsTwo() async throws {
        let scratch = Scratch()
        scratch.write("bad.yaml", "name: bad\ntasks:\n  - {task_id: 1, command: [\"true\"], depends_on: [1]}\n")
        let invalid = try await tutti(["run", "bad.yaml"], in: scratch.path)
        #expect(invalid.status == 2)
        #expect(invalid.stderr.contains("bad.yaml:3:50: error: task 1 depends on itself"))
        let missing = try await tutti(["run", "missing.yaml"], in: scratch.path)
        #expect(missing.status == 2)
        let unknownTask = try await tutti(["run", "bad.yaml", "--tasks", "9"], in: scratch.path)
        #expect(unknownTask.status == 2)
    }

    @Test func tasksAreSelectedCommaSeparatedOrWithTheOptionGivenAgain() async throws {
        let scratch = Scratch()
        scratch.write("three.yaml", "name: three\ntasks:\n" + ["a", "b", "c", "d"].map { "  - {task_id: \($0), command: [\"true\"]}\n" }.joined())
        let run = try await tutti(["run", "three.yaml", "--headless", "--json", "--tasks", "a", "--tasks", "c,d"], in: scratch.path)
        #expect(run.status == 0, "\(run.stderr)")
        let report = try JSONDecoder.events.decode(RunReport.self, from: Data(run.stdout.utf8))
        #expect(report.tasks.map(\.id) == ["a", "c", "d"], "every --tasks counts, not only the last")
    }

    @Test func badOptionsAreInvalidInput() async throws {
        let unknown = try await tutti(["run", "--bogus"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("Unknown option '--bogus'"))
        #expect(try await tutti(["run", "workflows/demo.yaml", "--parallel", "x"]).status == 2)
        #expect(try await tutti(["run", "workflows/demo.yaml", "--kill-grace", "-1"]).status == 2)
        for nothing in ["", " , "] {
            let empty = try await tutti(["run", "workflows/demo.yaml", "--headless", "--tasks", nothing])
            #expect(empty.status == 2, "an empty selection runs nothing and says so: \(empty.stdout)")
            #expect(empty.stderr.contains("the task selection is empty; name at least one of: "), "\(empty.stderr)")
        }
        #expect(try await tutti(["validate"]).status == 2)
    }

    @Test func themesAreCheckedBeforeTheRunStarts() async throws {
        let scratch = Scratch()
        scratch.write("quick.yaml", "name: quick\ntasks:\n  - {task_id: 1, command: [\"true\"]}\n")
        scratch.write("broken.theme", "running = cyan\nfailed = purplish\n")
        let unknown = try await tutti(["run", "quick.yaml", "--theme", "solarized", "--runs-dir", "runs"], in: scratch.path)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("no theme 'solarized'"))
        let broken = try await tutti(["run", "quick.yaml", "--theme", "broken.theme", "--runs-dir", "runs"], in: scratch.path)
        #expect(broken.status == 2)
        #expect(broken.stderr.contains("broken.theme:2:1: error: unknown colour 'purplish'"))
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/runs"), "nothing ran")
        let shipped = try await tutti(["run", "quick.yaml", "--theme", repositoryRoot + "/themes/light.theme", "--runs-dir", "runs"],
                                in: scratch.path)
        #expect(shipped.status == 0)
    }

    @Test func aClosedStdoutDoesNotStopTheRun() async throws {
        let scratch = Scratch()
        scratch.write("quick.yaml", "name: closed\ntasks:\n  - {task_id: 1, command: [sh, -c, \"sleep 0.3\"]}\n")
        let running = try TuttiProcess(["run", "quick.yaml", "--runs-dir", "runs"], in: scratch.path, closeStdout: true)
        let result = await running.finished()
        #expect(result.status == 0)
        let runs = try FileManager.default.contentsOfDirectory(atPath: scratch.path + "/runs")
        #expect(FileManager.default.fileExists(atPath: scratch.path + "/runs/\(runs[0])/report.json"))
    }

    @Test(arguments: [SIGINT, SIGTERM, SIGHUP])
    func aSignalStopsEveryTaskAndExits130(signal: Int32) async throws {
        let scratch = Scratch()
        scratch.write("long.yaml", """
        name: long
        tasks:
          - {task_id: 1, command: [sh, -c, "sleep 300 & echo $! > child-1; wait"]}
          - {task_id: 2, command: [sleep, "300"]}
        """)
        let running = try TuttiProcess(["run", "long.yaml", "--runs-dir", "runs"], in: scratch.path)
        let runs = scratch.path + "/runs"
        func eventsFile() -> String? {
            guard let run = try? FileManager.default.contentsOfDirectory(atPath: runs).first else { return nil }
            return runs + "/" + run + "/events.ndjson"
        }
        let started = await eventually {
            guard let file = eventsFile(), let text = try? String(contentsOfFile: file, encoding: .utf8) else { return false }
            return text.components(separatedBy: "\"task_started\"").count == 3
                && FileManager.default.fileExists(atPath: scratch.path + "/child-1")
        }
        #expect(started)
        kill(running.process.processIdentifier, signal)
        let result = await running.finished()
        #expect(result.status == 130)
        #expect(result.stdout.contains("Run interrupted"))
        let recording = try Recording.read(path: try #require(eventsFile()))
        guard case .runFinished(let finished)? = recording.events.last?.kind else {
            Issue.record("the events file does not end with run_finished")
            return
        }
        #expect(finished.outcome == .interrupted)
        let stops = recording.events.compactMap { event -> ActionTaken? in
            if case .action(let action) = event.kind { return action } else { return nil }
        }
        #expect(stops.map(\.actor) == [["SIGINT", "SIGTERM", "SIGHUP"][[SIGINT, SIGTERM, SIGHUP].firstIndex(of: signal)!]],
                "the stop is recorded with the signal that asked for it")
        let child = Int32((try String(contentsOfFile: scratch.path + "/child-1", encoding: .utf8))
            .trimmingCharacters(in: .whitespacesAndNewlines))!
        #expect(await eventually { processIsGone(child) }, "the task's child process is gone")
    }

    @Test func unknownBuiltInAgentIsRefused() async throws {
        let result = try await tutti(["agent", "nonexistent"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("'nonexistent' is not a built-in agent"))
    }
}
