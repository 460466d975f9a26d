import Foundation
import Testing
import TuttiCore

/// A headless run in one process, acted on and watched from others: `tutti ctl`, `tutti
/// watch`, `tutti runs`.
@Suite struct ControlCommandTests {
    static func recording(_ scratch: Scratch) -> Recording? {
        guard let run = try? FileManager.default.contentsOfDirectory(atPath: scratch.file("runs")).first else { return nil }
        return try? Recording.read(path: scratch.file("runs/\(run)/events.ndjson"))
    }

    @Test func anotherProcessControlsAndWatchesAHeadlessRun() async throws {
        let scratch = Scratch()
        let flaky = "if [ -f \(scratch.path)/marker ]; then exit 0; else touch \(scratch.path)/marker; exit 1; fi"
        _ = scratch.write("wf.yaml", """
        name: remote
        tasks:
          - {task_id: hold, command: [sh, -c, "while [ ! -f \(scratch.path)/release ]; do sleep 0.05; done"]}
          - {task_id: flaky, command: [sh, -c, "\(flaky)"]}
          - {task_id: after, command: ["true"], depends_on: [flaky]}
          - {task_id: victim, command: [sh, -c, "echo $$ > \(scratch.path)/victim; exec sleep 300"]}
        """)
        let run = try TuttiProcess(["run", "wf.yaml", "--headless", "--runs-dir", "runs", "--kill-grace", "1"], in: scratch.path)
        let flakyFailed = await eventually {
            Self.recording(scratch)?.events.contains { event in
                if case .taskFinished(let finished) = event.kind { finished.task == "flaky" } else { false }
            } ?? false
        }
        try #require(flakyFailed)
        let runID = try #require(Self.recording(scratch)?.header.runID)
        let socket = scratch.file("runs/\(runID)/control.sock")
        let mode = try FileManager.default.attributesOfItem(atPath: socket)[.posixPermissions] as? Int
        #expect(mode == 0o600, "the control socket is for its owner alone")

        let listed = try await tutti(["runs", "--runs-dir", "runs"], in: scratch.path)
        #expect(listed.stdout.contains(runID) && listed.stdout.contains("running"), "\(listed.stdout)")

        let watcher = try TuttiProcess(["watch", "latest", "--runs-dir", "runs"], in: scratch.path)
        let victim = try #require(await eventually { scratch.pid("victim") != nil } ? scratch.pid("victim") : nil)

        let paused = try await tutti(["ctl", "latest", "pause", "victim", "--runs-dir", "runs"], in: scratch.path)
        #expect(paused.status == 0)
        #expect(paused.stdout == "task victim paused\n")
        #expect(await eventually { processState(victim) == "T" })

        let refused = try await tutti(["ctl", runID, "retry", "hold", "--runs-dir", "runs"], in: scratch.path)
        #expect(refused.status == 1)
        #expect(refused.stdout.hasPrefix("refused: task hold is running"))

        let retried = try await tutti(["ctl", "runs/\(runID)", "retry", "flaky"], in: scratch.path)
        #expect(retried.status == 0, "a run directory names the run too: \(retried.stderr)")
        let cancelled = try await tutti(["ctl", "latest", "cancel", "victim", "--runs-dir", "runs", "--json"], in: scratch.path)
        #expect(cancelled.stdout == "{\"accepted\":true,\"message\":\"task victim cancelled\"}\n")
        #expect(await eventually { processIsGone(victim) }, "cancelling a paused task still ends it")

        #expect(try await tutti(["ctl", "latest", "frob", "--runs-dir", "runs"], in: scratch.path).status == 2)
        let unknown = try await tutti(["ctl", "nosuch", "pause", "--runs-dir", "runs"], in: scratch.path)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("no run 'nosuch'") && unknown.stderr.contains(runID))

        _ = scratch.write("release", "")
        let result = await run.finished()
        #expect(result.status == 1, "victim was cancelled, so the run failed")
        #expect(result.stdout.contains("ctl (pid"))
        #expect(!FileManager.default.fileExists(atPath: socket), "the socket goes with the run's process")

        let watched = await watcher.finished()
        #expect(watched.status == 1, "watch exits with the run's own status")
        for line in ["Task flaky Failed", "task victim paused", "task flaky will run again (attempt 2)", "Task after Complete!",
                     "Result: FAILED (exit 1)"] {
            #expect(watched.stdout.contains(line), "watch shows '\(line)'")
        }
        let flakyLines = watched.stdout.components(separatedBy: "\n").filter { $0.contains("Task flaky Failed") }
        #expect(flakyLines.count == 1, "every event once: history, then live, with no gap and no repeat")

        let late = try await tutti(["ctl", "latest", "pause", "--runs-dir", "runs"], in: scratch.path)
        #expect(late.status == 3)
        #expect(late.stderr.contains("the run has ended"))
        let afterwards = try await tutti(["watch", "latest", "--runs-dir", "runs"], in: scratch.path)
        #expect(afterwards.status == 1)
        #expect(afterwards.stdout.contains("The run's process has ended; this is the final state from its recording."))
        #expect(afterwards.stdout.contains("Result: FAILED (exit 1)"))
        let listedAfter = try await tutti(["runs", "--runs-dir", "runs"], in: scratch.path)
        #expect(listedAfter.stdout.contains("failed"))
    }

    @Test func watchingARunWhoseProcessDiedSaysSo() async throws {
        let scratch = Scratch()
        let directory = scratch.file("runs/dead-1")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let header = #"{"host":"h","run_id":"dead-1","schema":"tutti-events","started_at":"2026-11-29T12:00:00Z","version":1,"workflow":"w"}"#
        let started = #"{"mode":"parallel","parallelism":1,"polling_interval":5,"run_id":"dead-1","seq":1,"t":0,"tasks":[{"agent":"sh","depends_on":[],"gates":0,"id":"a","max_attempts":1,"name":"A"}],"type":"run_started","workflow":"w"}"#
        _ = scratch.write("runs/dead-1/events.ndjson", header + "\n" + started + "\n" + #"{"seq":2,"t":0.1,"ty"#)
        let result = try await tutti(["watch", "dead-1", "--runs-dir", "runs"], in: scratch.path)
        #expect(result.status == 3)
        #expect(result.stdout.contains("line 3 is cut off (the run was interrupted while writing it)"), "\(result.stdout)")
        #expect(result.stdout.contains("This run never finished: its process ended after t="), "\(result.stdout)")
        #expect(try await tutti(["runs", "--runs-dir", "runs"], in: scratch.path).stdout.contains("never finished"))
        let replayed = try await tutti(["replay", "dead-1", "--runs-dir", "runs", "--headless"], in: scratch.path)
        #expect(replayed.status == 3, "a replay of a run that never finished says so in its status too")
        #expect(replayed.stdout.contains("This run never finished: its process ended after t="), "\(replayed.stdout)")
        let reported = try await tutti(["report", "dead-1", "--runs-dir", "runs"], in: scratch.path)
        #expect(reported.status == 3)
        #expect(reported.stderr.contains("never finished: its process ended after t="), "\(reported.stderr)")
    }

    @Test func anotherUsersRunIsRefusedAsPermissionDeniedNotAsEnded() async throws {
        let scratch = Scratch()
        // Another user may read the recording (the folder is 0755), not use the socket.
        chmod(scratch.path, 0o755)
        _ = scratch.write("wf.yaml", """
        name: private
        tasks:
          - {task_id: hold, command: [sh, -c, "while [ ! -f \(scratch.path)/release ]; do sleep 0.05; done"]}
        """)
        let run = try TuttiProcess(["run", "wf.yaml", "--headless", "--runs-dir", "runs"], in: scratch.path)
        let runID = try #require(await eventually { Self.recording(scratch) != nil } ? Self.recording(scratch)?.header.runID : nil)
        let directory = scratch.file("runs/\(runID)")
        try #require(await eventually { FileManager.default.fileExists(atPath: directory + "/control.sock") })
        // Run as root, the tests act as the user nobody; otherwise a socket with no permission
        // refuses its owner the same way.
        if getuid() != 0 { chmod(directory + "/control.sock", 0) }

        let ctl = await (try TuttiProcess(["ctl", directory, "pause"], in: scratch.path, asAnotherUser: true)).finished()
        #expect(ctl.status == 4, "\(ctl.stderr)")
        #expect(ctl.stderr.contains("permission denied on the control socket") && !ctl.stderr.contains("ended"), "\(ctl.stderr)")
        let watch = await (try TuttiProcess(["watch", directory, "--headless"], in: scratch.path, asAnotherUser: true)).finished()
        #expect(watch.status == 4, "\(watch.stderr)")
        #expect(watch.stderr.contains("the run belongs to another user"), "\(watch.stderr)")

        if getuid() != 0 { chmod(directory + "/control.sock", 0o600) }
        _ = scratch.write("release", "")
        #expect(await run.finished().status == 0)
    }

    @Test func aRunKilledWithSIGKILLTakesItsTasksWithIt() async throws {
        let scratch = Scratch()
        _ = scratch.write("wf.yaml", """
        name: doomed
        tasks:
          - {task_id: parent, command: [sh, -c, "sleep 300 & echo $! > \(scratch.path)/grandchild; echo $$ > \(scratch.path)/parent; wait"]}
          - {task_id: paused, command: [sh, -c, "echo $$ > \(scratch.path)/paused; exec sleep 300"]}
          - {task_id: later, command: ["true"], depends_on: [parent]}
        """)
        let run = try TuttiProcess(["run", "wf.yaml", "--headless", "--runs-dir", "runs"], in: scratch.path)
        try #require(await eventually { ["grandchild", "parent", "paused"].allSatisfy { scratch.pid($0) != nil } })
        let pids = ["grandchild", "parent", "paused"].compactMap { scratch.pid($0) }
        let paused = try await tutti(["ctl", "latest", "pause", "paused", "--runs-dir", "runs"], in: scratch.path)
        #expect(paused.status == 0)
        #expect(await eventually { processState(pids[2]) == "T" })

        kill(run.process.processIdentifier, SIGKILL)
        _ = await run.finished()
        for pid in pids {
            #expect(await eventually { processIsGone(pid) }, "process \(pid) died with its run")
        }
        let listed = try await tutti(["runs", "--runs-dir", "runs"], in: scratch.path)
        #expect(listed.stdout.contains("never finished"), "\(listed.stdout)")
        let replayed = try await tutti(["replay", "latest", "--runs-dir", "runs", "--headless"], in: scratch.path)
        #expect(replayed.status == 3)
        #expect(replayed.stdout.contains("This run never finished"))
    }
}
