import Foundation
import Testing
import CTuttiSystem
import TuttiTestSupport
@testable import TuttiCore

/// Pause, resume, hold, retry and cancel with real processes.
@Suite struct EngineControlTests {
    /// Waits for the first event that matches.
    static func next(_ events: inout AsyncStream<RunEvent>.Iterator, _ match: (EventKind) -> Bool) async -> RunEvent? {
        while let event = await events.next() {
            if match(event.kind) { return event }
        }
        return nil
    }

    static func isLog(_ task: String, _ line: String) -> (EventKind) -> Bool {
        { if case .taskLog(let log) = $0 { return log.task == task && log.line == line } else { return false } }
    }

    static func isFinished(_ task: String) -> (EventKind) -> Bool {
        { if case .taskFinished(let finished) = $0 { return finished.task == task } else { return false } }
    }

    static var isRunFinished: (EventKind) -> Bool {
        { if case .runFinished = $0 { return true } else { return false } }
    }

    @Test func aPausedTaskStopsItsWholeTreeAndDoesNotTimeOutWhilePaused() async throws {
        let scratch = Scratch()
        // Runs until its timeout of 4 s of running time, with a child in the background.
        // The leader becomes `sleep` (exec): a shell looping over `sleep` could be caught between
        // fork and exec, waiting ("D") on a child the pause stopped.
        let script = "sleep 300 & echo $! > \(scratch.path)/child; echo $$ > \(scratch.path)/leader; exec sleep 300"
        let yaml = """
        name: pause
        tasks:
          - {task_id: work, command: [sh, -c, "\(script)"], timeout_seconds: 4}
        """
        let acted = DispatchSemaphore(value: 0)
        let run = try await runWorkflow(yaml, in: scratch, onStart: { engine in
            // On a thread of its own, started before the run: a busy test run can keep Swift's
            // shared pool from reacting in time, and the pause must land well inside the 4 s.
            Thread {
                defer { acted.signal() }
                while scratch.pid("leader") == nil || scratch.pid("child") == nil { Thread.sleep(forTimeInterval: 0.005) }
                let pausedAt = engine.bus.elapsed
                let result = engine.perform(ControlAction(.pause, task: "work"), actor: "test")
                #expect(result.accepted, "\(result.message)")
                let leader = scratch.pid("leader")!, child = scratch.pid("child")!
                while processState(leader) != "T" || processState(child) != "T" {
                    guard engine.bus.elapsed < pausedAt + 20 else { break }
                    Thread.sleep(forTimeInterval: 0.01)
                }
                #expect(processState(leader) == "T" && processState(child) == "T", "SIGSTOP reached the task and its child")
                // Stay paused for longer than the whole timeout.
                Thread.sleep(forTimeInterval: 4.5)
                #expect(engine.status(of: "work") == .running, "a paused task does not time out")
                #expect(processState(leader) == "T")
                #expect(engine.perform(ControlAction(.resume, task: "work"), actor: "test").accepted)
            }.start()
        })
        _ = try await offThePool { acted.wait() }
        let task = try #require(run.report.task("work"))
        #expect(task.status == .timedOut, "after the resume, the rest of its 4 s ran out")
        let attempt = try #require(task.attempts.first)
        #expect(attempt.end - attempt.start > 4 + 4.5, "it ran past its timeout in wall time")
        #expect(attempt.duration >= 4 - 0.01 && attempt.duration < attempt.end - attempt.start - 4,
                "its running time, without the pause, is what timed out")
        #expect((attempt.paused ?? 0) >= 4.5)
        let kinds = run.events(for: "work").map(\.type)
        #expect(kinds.contains("task_paused") && kinds.contains("task_resumed"))
        #expect(await eventually { scratch.pid("child").map(processIsGone) == true })
    }

    @Test func aRetriedTaskSucceedsOnItsSecondAttemptAndItsSkippedDependentsThenRun() async throws {
        let scratch = Scratch()
        // Fails the first time; the second time it reports the metric its gate needs.
        let flaky = "if [ -f \(scratch.path)/marker ]; then echo second try; echo '@tutti metric ok true'; else touch \(scratch.path)/marker; exit 1; fi"
        let yaml = """
        name: retry
        tasks:
          - {task_id: flaky, command: [sh, -c, "\(flaky)"], quality_gates: [{ok: required}]}
          - {task_id: after, command: ["true"], depends_on: [flaky]}
          - {task_id: last, command: ["true"], depends_on: [after]}
          - {task_id: fine, command: ["true"]}
        """
        let run = try await runWorkflow(yaml, in: scratch, options: { $0.staysOpen = true }, whileRunning: { engine, stream in
            var events = stream.makeAsyncIterator()
            // The run finishes failed, and stays open.
            guard case .runFinished(let first)? = await Self.next(&events, Self.isRunFinished)?.kind else { return }
            #expect(first.outcome == .failed)
            #expect(first.report?.task("after")?.status == .skipped)
            let result = engine.perform(ControlAction(.retry, task: "flaky"), actor: "test")
            #expect(result.accepted, "\(result.message)")
            guard case .runFinished(let second)? = await Self.next(&events, Self.isRunFinished)?.kind else { return }
            #expect(second.outcome == .passed)
            engine.close()
        })
        #expect(run.report.outcome == .passed)
        let flakyReport = try #require(run.report.task("flaky"))
        #expect(flakyReport.status == .succeeded)
        #expect(flakyReport.attempts.map(\.status) == [.failed, .succeeded], "the attempt history is kept")
        #expect(flakyReport.gates.map(\.passed) == [true], "gates are evaluated again")
        #expect(run.report.task("after")?.status == .succeeded)
        #expect(run.report.task("last")?.status == .succeeded)
        #expect(run.report.task("fine")?.attempts.count == 1, "a task that succeeded is not run again by a retry of others")
        let secondLog = try String(contentsOfFile: run.directory.logPath(task: "flaky", attempt: 2), encoding: .utf8)
        #expect(secondLog == "second try\n@tutti metric ok true\n", "the new attempt has its own log")
        #expect(run.report.gates.passed == 1)
        let types = run.events.map(\.kind.type)
        #expect(types.filter { $0 == "run_finished" }.count == 2)
        #expect(types.contains("run_reopened"))
        let saved = try JSONDecoder.events.decode(RunReport.self, from: Data(contentsOf: URL(fileURLWithPath: run.directory.reportPath)))
        #expect(saved.outcome == .passed, "the report file is written again")
    }

    @Test func retryAllRetriesEveryFailedTaskWhileTheRunGoesOn() async throws {
        let scratch = Scratch()
        let once = { (name: String) in "if [ -f \(scratch.path)/\(name) ]; then exit 0; else touch \(scratch.path)/\(name); exit 3; fi" }
        let yaml = """
        name: retry-all
        tasks:
          - {task_id: f1, command: [sh, -c, "\(once("f1"))"]}
          - {task_id: f2, command: [sh, -c, "\(once("f2"))"]}
          - {task_id: ok, command: ["true"]}
          - {task_id: gate, command: [sh, -c, "while [ ! -f \(scratch.path)/release ]; do sleep 0.05; done"]}
        """
        let run = try await runWorkflow(yaml, in: scratch, whileRunning: { engine, stream in
            var events = stream.makeAsyncIterator()
            var ended: Set<String> = []
            while ended.count < 3, let event = await events.next() {
                if case .taskFinished(let finished) = event.kind { ended.insert(finished.task) }
            }
            let running = engine.perform(ControlAction(.retry, task: "gate"), actor: "test")
            #expect(!running.accepted && running.message.contains("running"), "\(running.message)")
            let all = engine.perform(ControlAction(.retry), actor: "test")
            #expect(all.accepted)
            #expect(all.message == "retrying tasks f1, f2")
            var succeeded: Set<String> = []
            while succeeded.count < 2, let event = await events.next() {
                if case .taskFinished(let finished) = event.kind, finished.status == .succeeded { succeeded.insert(finished.task) }
            }
            _ = scratch.write("release", "")
        })
        #expect(run.report.outcome == .passed)
        #expect(run.report.task("f1")?.attempts.count == 2)
        #expect(run.report.task("f2")?.attempts.count == 2)
        #expect(run.report.task("ok")?.attempts.count == 1)
    }

    @Test func aCancelledTaskLeavesNoProcessAndItsDependentsAreSkipped() async throws {
        let scratch = Scratch()
        let script = "sleep 300 & echo $! > \(scratch.path)/child; sh -c 'sleep 300' & echo $! > \(scratch.path)/child2; echo ready; wait"
        let yaml = """
        name: cancel
        tasks:
          - {task_id: hang, command: [sh, -c, "\(script)"]}
          - {task_id: next, command: ["true"], depends_on: [hang]}
          - {task_id: other, command: ["true"]}
        """
        let run = try await runWorkflow(yaml, in: scratch, whileRunning: { engine, stream in
            var events = stream.makeAsyncIterator()
            _ = await Self.next(&events, Self.isLog("hang", "ready"))
            #expect(engine.perform(ControlAction(.cancel, task: "hang"), actor: "test").accepted)
        })
        let task = try #require(run.report.task("hang"))
        #expect(task.status == .cancelled)
        #expect(task.reason == "cancelled by test")
        #expect(run.report.task("next")?.status == .skipped)
        #expect(run.report.task("other")?.status == .succeeded)
        let leader = run.events.compactMap { event -> Int32? in
            if case .taskStarted(let started) = event.kind, started.task == "hang" { return started.pid } else { return nil }
        }
        for pid in leader + [scratch.pid("child"), scratch.pid("child2")].compactMap({ $0 }) {
            #expect(await eventually { processIsGone(pid) }, "process \(pid) of the cancelled task is gone")
        }
    }

    @Test func pausingTheRunStopsDispatchAndHoldLetsRunningTasksFinish() async throws {
        let scratch = Scratch()
        let yaml = """
        name: dispatch
        execution: {parallelization_factor: 1}
        tasks:
          - {task_id: a, command: [sh, -c, "echo $$ > \(scratch.path)/a; echo ready; while [ ! -f \(scratch.path)/release ]; do sleep 0.05; done"]}
          - {task_id: b, command: ["true"]}
        """
        let run = try await runWorkflow(yaml, in: scratch, whileRunning: { engine, stream in
            var events = stream.makeAsyncIterator()
            _ = await Self.next(&events, Self.isLog("a", "ready"))
            #expect(engine.perform(ControlAction(.pause), actor: "test").accepted)
            #expect(engine.stateName == "paused")
            let a = scratch.pid("a")!
            #expect(await eventually { processGroupIsStopped(a) }, "pausing the run pauses its running tasks")
            #expect(engine.perform(ControlAction(.hold), actor: "test").accepted)
            #expect(await eventually { !processGroupIsStopped(a) }, "hold lets running tasks go on")
            _ = scratch.write("release", "")
            _ = await Self.next(&events, Self.isFinished("a"))
            // The engine decided what to start when a ended, before publishing its end.
            #expect(engine.status(of: "b") == .pending, "nothing new starts while dispatch is held")
            #expect(engine.stateName == "held")
            #expect(engine.perform(ControlAction(.resume), actor: "test").accepted)
        })
        #expect(run.report.outcome == .passed)
        let released = run.events.first { if case .dispatchChanged(let change) = $0.kind { change.state == .running } else { false } }
        let bStarted = run.firstSeq("b") { if case .taskStarted = $0 { true } else { false } }
        #expect(try #require(bStarted) > (try #require(released).seq))
    }

    @Test func actionsThatDoNotApplyAreRefusedWithAReasonAndRecorded() async throws {
        let scratch = Scratch()
        let yaml = """
        name: refusals
        tasks:
          - {task_id: done, command: ["true"]}
          - {task_id: busy, command: [sh, -c, "echo ready; while [ ! -f \(scratch.path)/release ]; do sleep 0.05; done"]}
          - {task_id: later, command: ["true"], depends_on: [busy]}
        """
        let run = try await runWorkflow(yaml, in: scratch, whileRunning: { engine, stream in
            var events = stream.makeAsyncIterator()
            _ = await Self.next(&events, Self.isLog("busy", "ready"))
            while engine.status(of: "done") != .succeeded { _ = await events.next() }
            let refusals: [(ControlAction, String)] = [
                (ControlAction(.pause, task: "done"), "task done is succeeded; only a running task can be paused"),
                (ControlAction(.retry, task: "busy"), "task busy is running; only a task that has ended can run again"),
                (ControlAction(.resume, task: "busy"), "task busy is not paused"),
                (ControlAction(.resume), "the run is not paused or held"),
                (ControlAction(.cancel, task: "done"), "task done has already succeeded; there is nothing to cancel"),
                (ControlAction(.pause, task: "nope"), "there is no task 'nope' in this run; its tasks are done, busy, later"),
                (ControlAction(.hold, task: "busy"), "hold acts on the whole run; leave out the task"),
                (ControlAction(.retry), "no task failed, timed out, was cancelled or failed its gates; nothing to retry"),
            ]
            for (action, message) in refusals {
                let result = engine.perform(action, actor: "test")
                #expect(!result.accepted, "\(action.description)")
                #expect(result.message == message)
            }
            _ = scratch.write("release", "")
        })
        #expect(run.report.outcome == .passed, "refused actions change nothing")
        let recording = try Recording.read(path: run.directory.eventsPath)
        let actions = recording.events.compactMap { event -> ActionTaken? in
            if case .action(let action) = event.kind { return action } else { return nil }
        }
        #expect(actions.count == 8)
        #expect(actions.allSatisfy { !$0.accepted && $0.actor == "test" })
    }

    @Test func aRetryKeepsDependencyOrder() async throws {
        let scratch = Scratch()
        let once = "if [ -f \(scratch.path)/marker ]; then exit 0; else touch \(scratch.path)/marker; exit 1; fi"
        let yaml = """
        name: order
        tasks:
          - {task_id: first, command: [sh, -c, "\(once)"]}
          - {task_id: slow, command: [sh, -c, "echo ready; while [ ! -f \(scratch.path)/release ]; do sleep 0.05; done"]}
          - {task_id: both, command: ["true"], depends_on: [first, slow]}
          - {task_id: waiter, command: ["true"], depends_on: [slow]}
        """
        let run = try await runWorkflow(yaml, in: scratch, whileRunning: { engine, stream in
            var events = stream.makeAsyncIterator()
            _ = await Self.next(&events, Self.isLog("slow", "ready"))
            while engine.status(of: "both") != .skipped { _ = await events.next() }
            // waiter has not started (slow runs): cancel it, then retry it; it must still wait for slow.
            #expect(engine.perform(ControlAction(.cancel, task: "waiter"), actor: "test").message == "task waiter cancelled before it started")
            #expect(engine.perform(ControlAction(.retry, task: "waiter"), actor: "test").accepted)
            #expect(engine.status(of: "waiter") == .pending, "a retried task still waits for its dependencies")
            let refused = engine.perform(ControlAction(.retry, task: "both"), actor: "test")
            #expect(refused.message == "task both was skipped (dependency first failed); retry the task it waits for")
            // Retrying first brings back both, which then waits for slow, still running.
            #expect(engine.perform(ControlAction(.retry, task: "first"), actor: "test").accepted)
            #expect(engine.status(of: "both") == .pending)
            _ = await Self.next(&events, Self.isFinished("first"))
            #expect(engine.status(of: "both") == .pending, "both still waits for slow")
            _ = scratch.write("release", "")
        })
        #expect(run.report.outcome == .passed)
        let slowEnd = try #require(run.report.task("slow")?.end)
        for task in ["both", "waiter"] {
            #expect(try #require(run.report.task(task)?.start) >= slowEnd, "\(task) started after slow ended")
        }
    }

    @Test func aPausedTaskStaysPausedIntoItsAutomaticRetry() async throws {
        let scratch = Scratch()
        let yaml = """
        name: pause-retry
        tasks:
          - {task_id: t, command: [sh, -c, "echo $$ > \(scratch.path)/pid; echo ready; exec sleep 300"], retries: {count: 1, delay_seconds: 0}}
        """
        let run = try await runWorkflow(yaml, in: scratch, whileRunning: { engine, stream in
            var events = stream.makeAsyncIterator()
            _ = await Self.next(&events, Self.isLog("t", "ready"))
            #expect(engine.perform(ControlAction(.pause, task: "t"), actor: "test").accepted)
            let pid = scratch.pid("pid")!
            #expect(await eventually { processState(pid) == "T" })
            kill(pid, SIGKILL)
            _ = await Self.next(&events, { if case .taskRetrying = $0 { true } else { false } })
            let next = await Self.next(&events, { if case .taskPaused = $0 { true } else if case .taskStarted = $0 { true } else { false } })
            #expect(next?.kind.type == "task_paused", "the next attempt is paused, and does not start")
            #expect(engine.perform(ControlAction(.resume, task: "t"), actor: "test").accepted)
            _ = await Self.next(&events, { if case .taskStarted(let started) = $0 { started.attempt == 2 } else { false } })
            #expect(engine.perform(ControlAction(.cancel, task: "t"), actor: "test").accepted)
        })
        let task = try #require(run.report.task("t"))
        #expect(task.attempts.map(\.status) == [.failed, .cancelled])
        #expect(task.attempts.first?.signal == SIGKILL)
    }

    @Test func retryingAfterTheRunFinishedWhileHeldStartsDispatchAgain() async throws {
        let scratch = Scratch()
        let once = "if [ -f \(scratch.path)/marker ]; then exit 0; else touch \(scratch.path)/marker; echo ready; "
            + "while [ ! -f \(scratch.path)/release ]; do sleep 0.05; done; exit 1; fi"
        let yaml = """
        name: held
        tasks:
          - {task_id: t, command: [sh, -c, "\(once)"]}
        """
        let run = try await runWorkflow(yaml, in: scratch, options: { $0.staysOpen = true }, whileRunning: { engine, stream in
            var events = stream.makeAsyncIterator()
            _ = await Self.next(&events, Self.isLog("t", "ready"))
            #expect(engine.perform(ControlAction(.hold), actor: "test").accepted)
            _ = scratch.write("release", "")
            _ = await Self.next(&events, Self.isRunFinished)
            #expect(engine.perform(ControlAction(.retry, task: "t"), actor: "test").accepted)
            #expect(engine.stateName == "running", "a reopened run dispatches again")
            _ = await Self.next(&events, Self.isRunFinished)
            engine.close()
        })
        #expect(run.report.outcome == .passed)
    }
}

/// The control socket's life: only its owner reaches it, and it goes with its server.
@Suite struct ControlSocketTests {
    @Test func aServerStoppedBeforeItStartedRemovesItsSocketAndDoesNotWait() throws {
        let scratch = Scratch()
        let workflow = try WorkflowLoader.parse(yaml: "name: s\ntasks:\n  - {task_id: a, command: [\"true\"]}\n", file: "s.yaml",
                                                baseDirectory: scratch.path)
        let engine = try RunEngine(workflow: workflow, options: RunOptions(runsDirectory: scratch.file("runs")))
        let server = try ControlServer(engine: engine)
        let mode = try FileManager.default.attributesOfItem(atPath: server.socketPath)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        server.stop()
        #expect(!FileManager.default.fileExists(atPath: server.socketPath))
        #expect(!ControlClient(socketPath: server.socketPath).isLive)
    }

    @Test func aLiveServerAnswersStatusAndRefusesGarbage() async throws {
        let scratch = Scratch()
        let workflow = try WorkflowLoader.parse(yaml: "name: s\ntasks:\n  - {task_id: a, command: [\"true\"]}\n", file: "s.yaml",
                                                baseDirectory: scratch.path)
        let engine = try RunEngine(workflow: workflow, options: RunOptions(runsDirectory: scratch.file("runs")))
        let server = try ControlServer(engine: engine)
        server.start()
        defer { server.stop() }
        let status = try ControlClient(socketPath: server.socketPath).status()
        #expect(status.runID == engine.runID && status.state == "running" && status.pid == getpid())
        let reply = try await offThePool { () -> String in
            let fd = tutti_unix_connect(server.socketPath)
            defer { close(fd) }
            _ = "not json\n".withCString { write(fd, $0, 9) }
            var buffer = [UInt8](repeating: 0, count: 512)
            let count = read(fd, &buffer, buffer.count)
            return String(decoding: buffer[..<max(0, count)], as: UTF8.self)
        }
        #expect(reply.contains("expected one JSON request line"))
    }
}
