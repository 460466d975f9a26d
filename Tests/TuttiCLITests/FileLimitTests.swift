import Foundation
import Testing
import TuttiCore

/// The open-file limit: Tutti raises its own soft limit, runs no more tasks at once than its
/// descriptors allow (and says so), and a task that finds none free waits for one instead of
/// failing. Each test runs `tutti` under `ulimit -n` in a shell of its own.
@Suite struct FileLimitTests {
    /// `tutti` with arguments, after `ulimit` with `limit` (such as "-n 256" or "-Sn 64").
    static func tuttiUnderLimit(_ limit: String, _ arguments: String, in scratch: Scratch) throws -> TuttiProcess {
        try TuttiProcess(["ulimit \(limit) && exec \"\(tuttiBinary)\" \(arguments)"], in: scratch.path, shell: true)
    }

    /// Sets a running process's soft open-file limit with prlimit(1).
    static func setSoftLimit(of pid: Int32, to limit: String) async throws -> Bool {
        try await offThePool {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/prlimit")
            process.arguments = ["--pid", "\(pid)", "--nofile=\(limit):"]
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus == 0
        }
    }

    static func sleepers(_ count: Int, seconds: Double) -> String {
        "name: many\ntasks:\n" + (0..<count).map { "  - {task_id: t\($0), command: [sleep, \"\(seconds)\"]}\n" }.joined()
    }

    @Test func aLowLimitCapsHowManyRunAtOnceAndSaysSoInsteadOfFailingTasks() async throws {
        let scratch = Scratch()
        _ = scratch.write("many.yaml", Self.sleepers(150, seconds: 0.2))
        let result = await (try Self.tuttiUnderLimit("-n 256", "run many.yaml --headless --runs-dir runs", in: scratch)).finished()
        #expect(result.status == 0, "\(result.stdout.suffix(600))")
        #expect(!result.stdout.contains("Too many open files"))
        let note = try #require(result.stderr.split(separator: "\n").first { $0.contains("the open-file limit (ulimit -n 256)") })
        let capacity = try #require(Int(note.split(separator: " ")[4]), "\(note)")
        #expect(capacity > 1 && capacity < 150)
        #expect(result.stdout.contains("Tasks: 150, up to \(capacity) at once"), "the summary says the real limit")
    }

    @Test func aLowSoftLimitIsRaisedForTuttiButNotForItsTasks() async throws {
        let scratch = Scratch()
        let yaml = Self.sleepers(60, seconds: 1) + "  - {task_id: limit, shell: true, command: \"ulimit -n\"}\n"
        _ = scratch.write("many.yaml", yaml)
        let result = await (try Self.tuttiUnderLimit("-Sn 64", "run many.yaml --headless --runs-dir runs", in: scratch)).finished()
        #expect(result.status == 0, "60 tasks at once need more than 64 descriptors: \(result.stdout.suffix(600))")
        #expect(result.stdout.contains("Tasks: 61, up to 61 at once"))
        #expect(!result.stderr.contains("open-file limit"))
        let run = try #require(FileManager.default.contentsOfDirectory(atPath: scratch.file("runs")).first)
        #expect(scratch.read("runs/\(run)/logs/task-limit.log") == "64\n", "tasks get the limit Tutti was given")
    }

    @Test func aTaskThatFindsNoDescriptorFreeWaitsForOne() async throws {
        let scratch = Scratch()
        _ = scratch.write("wf.yaml", """
        name: starved
        execution: {parallelization_factor: 1}
        tasks:
          - {task_id: a, command: [sh, -c, "while [ ! -f \(scratch.path)/go ]; do sleep 0.02; done"]}
          - {task_id: b, command: [echo, started]}
        """)
        let run = try TuttiProcess(["run", "wf.yaml", "--headless", "--runs-dir", "runs"], in: scratch.path)
        let pid = run.process.processIdentifier
        let runID = try #require(await eventually { (try? FileManager.default.contentsOfDirectory(atPath: scratch.file("runs")))?.isEmpty == false }
                                 ? FileManager.default.contentsOfDirectory(atPath: scratch.file("runs")).first : nil)
        let directory = scratch.file("runs/\(runID)")
        try #require(await eventually { FileManager.default.fileExists(atPath: directory + "/control.sock") })
        // Hold the run and let a end: b waits for the resume.
        #expect(try await tutti(["ctl", directory, "hold"], in: scratch.path).status == 0)
        _ = scratch.write("go", "")
        try #require(await eventually { FileManager.default.fileExists(atPath: directory + "/results/task-a.json") })

        // Lower the run's limit to what it has open, and a little for the resume's connection:
        // b cannot have the pipes it needs.
        let open = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count
        #expect(try await Self.setSoftLimit(of: pid, to: "\(open + 2)"))
        #expect(try await tutti(["ctl", directory, "resume"], in: scratch.path).status == 0)

        let waiting = await eventually {
            (try? Recording.read(path: directory + "/events.ndjson"))?.events.contains { event in
                if case .taskMessage(let message) = event.kind { message.task == "b" && message.text.hasPrefix("waiting for a file descriptor") }
                else { false }
            } ?? false
        }
        #expect(waiting, "b waits for a descriptor instead of failing")
        #expect(try await Self.setSoftLimit(of: pid, to: "4096"))

        let result = await run.finished()
        #expect(result.status == 0, "\(result.stdout)")
        #expect(scratch.read("runs/\(runID)/logs/task-b.log") == "started\n")
    }
}
