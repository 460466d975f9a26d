import Foundation
import Testing
import TuttiTestSupport
@testable import TuttiCore

/// The engine's process handling: timeouts, process groups, output, protocol, interrupts.
@Suite struct EngineProcessTests {
    @Test func timeoutKillsTheWholeProcessGroupIncludingGrandchildren() async throws {
        let scratch = Scratch()
        // The grandchild ignores SIGTERM, so only the SIGKILL escalation can end it.
        let script = "sh -c 'trap \\\"\\\" TERM; echo $$ > \(scratch.path)/grandchild; while :; do sleep 1; done' & "
            + "while [ ! -s \(scratch.path)/grandchild ]; do sleep 0.01; done; echo ready; sleep 300"
        let yaml = """
        name: timeout
        tasks:
          - {task_id: hang, command: [sh, -c, "\(script)"], timeout_seconds: 1}
        """
        let run = try await runWorkflow(yaml, in: scratch)
        let task = try #require(run.report.task("hang"))
        #expect(task.status == .timedOut)
        #expect(task.reason == "timed out after 1s")
        let grandchild = try #require(scratch.pid("grandchild"))
        #expect(await eventually { processIsGone(grandchild) })
        #expect(run.report.outcome == .failed)
    }

    @Test func aTaskThatIgnoresSIGTERMIsKilledAfterTheGracePeriod() async throws {
        let scratch = Scratch()
        let yaml = """
        name: stubborn
        tasks:
          - {task_id: 1, command: [sh, -c, 'trap "" TERM; echo ready; while :; do sleep 0.05; done'], timeout_seconds: 2}
        """
        let run = try await runWorkflow(yaml, in: scratch) { $0.killGrace = 0.3 }
        let log = try String(contentsOfFile: run.directory.logPath(task: "1", attempt: 1), encoding: .utf8)
        #expect(log.hasPrefix("ready\n"), "the trap was in place before the timeout")
        let attempt = try #require(run.report.task("1")?.attempts.first)
        #expect(attempt.status == .timedOut)
        #expect(attempt.signal == SIGKILL, "only SIGKILL can end a process that ignores SIGTERM")
    }

    @Test func processesLeftBehindByAFinishedTaskAreKilled() async throws {
        let scratch = Scratch()
        let yaml = """
        name: leftovers
        tasks:
          - {task_id: 1, command: [sh, -c, "sleep 300 & echo $! > \(scratch.path)/background"]}
        """
        let run = try await runWorkflow(yaml, in: scratch)
        #expect(run.report.task("1")?.status == .succeeded)
        let background = try #require(scratch.pid("background"))
        #expect(await eventually { processIsGone(background) })
    }

    @Test func workflowTimeoutStopsRunningTasksAndSkipsTheRest() async throws {
        let scratch = Scratch()
        let yaml = """
        name: overall
        execution: {timeout_seconds: 0.5}
        tasks:
          - {task_id: long, command: [sleep, "300"]}
          - {task_id: next, command: ["true"], depends_on: [long]}
        """
        let run = try await runWorkflow(yaml, in: scratch)
        #expect(run.report.outcome == .timedOut)
        #expect(run.report.task("long")?.status == .timedOut)
        #expect(run.report.task("next")?.status == .skipped)
        #expect(run.report.exitCode == 1)
    }

    @Test func interruptStopsEveryTaskAndMarksTheReport() async throws {
        let scratch = Scratch()
        let yaml = """
        name: interrupt
        tasks:
          - {task_id: 1, command: [sleep, "300"]}
          - {task_id: 2, command: [sleep, "300"]}
          - {task_id: 3, command: ["true"], depends_on: [1]}
        """
        let run = try await runWorkflow(yaml, in: scratch, whileRunning: { engine, events in
            var started = 0
            for await event in events {
                if case .taskStarted = event.kind { started += 1 }
                if started == 2 { break }
            }
            engine.interrupt(reason: "interrupted by test")
        })
        #expect(run.report.outcome == .interrupted)
        #expect(run.report.exitCode == 130)
        #expect(run.report.task("1")?.status == .cancelled)
        #expect(run.report.task("3")?.status == .skipped)
        let pids = run.events.compactMap { event -> Int32? in
            if case .taskStarted(let started) = event.kind { return started.pid } else { return nil }
        }
        #expect(pids.count == 2)
        for pid in pids { #expect(processIsGone(pid)) }
        let recording = try Recording.read(path: run.directory.eventsPath)
        guard case .runFinished(let finished)? = recording.events.last?.kind else {
            Issue.record("the recording does not end with run_finished")
            return
        }
        #expect(finished.outcome == .interrupted)
        #expect(recording.truncated == false)
    }

    @Test func outputFloodKeepsEveryLineOnDiskAndBoundsEvents() async throws {
        let scratch = Scratch()
        let lines = 200_000
        let yaml = """
        name: flood
        tasks:
          - {task_id: 1, command: [seq, "1", "\(lines)"]}
        """
        let run = try await runWorkflow(yaml, in: scratch)
        #expect(run.report.outcome == .passed)
        let log = try String(contentsOfFile: run.directory.logPath(task: "1", attempt: 1), encoding: .utf8)
        let logLines = log.split(separator: "\n")
        #expect(logLines.count == lines)
        #expect(logLines.last == "\(lines)")
        var logEvents = 0, dropped = 0
        for event in run.events {
            if case .taskLog = event.kind { logEvents += 1 }
            if case .taskLogDropped(let info) = event.kind { dropped += info.count }
        }
        #expect(logEvents < lines, "log events are throttled")
        #expect(logEvents + dropped == lines, "every line is either an event or counted as dropped")
    }

    @Test func aLongLineWithoutNewlineIsCutIntoBoundedPieces() async throws {
        let scratch = Scratch()
        let yaml = """
        name: longline
        tasks:
          - {task_id: 1, command: [sh, -c, "head -c 100000 /dev/zero | tr '\\\\0' x"]}
        """
        let run = try await runWorkflow(yaml, in: scratch)
        let log = try String(contentsOfFile: run.directory.logPath(task: "1", attempt: 1), encoding: .utf8)
        #expect(log == String(repeating: "x", count: 100_000), "the log holds the line as written")
        let pieces = run.events(for: "1").compactMap { if case .taskLog(let log) = $0 { log.line } else { nil } }
        #expect(pieces.reduce(0) { $0 + $1.count } == 100_000)
        #expect(pieces.count > 1 && pieces.allSatisfy { $0.count <= 16 * 1024 }, "events carry it in bounded pieces")
    }

    @Test func theLogHoldsExactlyTheBytesTheTaskWrote() async throws {
        let scratch = Scratch()
        // Carriage returns, bytes that are not UTF-8, a NUL, a 100 KB line, protocol lines
        // and no newline at the end.
        scratch.write("noisy.sh", """
        printf 'crlf\\r\\nalone\\r'
        printf '\\377\\376 not utf-8 \\303\\n'
        printf 'nul \\000 inside\\n'
        head -c 100000 /dev/zero | tr '\\0' y
        printf '\\n@tutti progress 50\\n@tutti metric m 1\\n'
        printf 'last line without newline'
        """)
        let run = try await runWorkflow("name: bytes\ntasks:\n  - {task_id: 1, command: [sh, \(scratch.file("noisy.sh"))]}\n", in: scratch)
        var expected = Data("crlf\r\nalone\r".utf8)
        expected += Data([0xFF, 0xFE]) + Data(" not utf-8 ".utf8) + Data([0xC3, 0x0A])
        expected += Data("nul ".utf8) + Data([0]) + Data(" inside\n".utf8)
        expected += Data(repeating: UInt8(ascii: "y"), count: 100_000)
        expected += Data("\n@tutti progress 50\n@tutti metric m 1\nlast line without newline".utf8)
        let log = try Data(contentsOf: URL(fileURLWithPath: run.directory.logPath(task: "1", attempt: 1)))
        #expect(log.count == expected.count)
        #expect(log == expected, "byte for byte")
        let progress = run.events(for: "1").compactMap { if case .taskProgress(let p) = $0 { p.percent } else { nil } }
        #expect(progress == [50], "protocol lines are read all the same")
    }

    @Test func protocolLinesBecomeEventsAndMalformedOnesStayInTheLog() async throws {
        let scratch = Scratch()
        let script = """
        echo "@tutti progress 40"; echo "@tutti metric coverage 96.5"; echo "@tutti metric documented true"; \
        echo "@tutti message halfway"; echo "@tutti progress lots"; echo "@tutti {broken"; echo plain output; \
        echo "@tutti progress 3/4"
        """
        let yaml = """
        name: protocol
        tasks:
          - task_id: 1
            command: [sh, -c, '\(script)']
            quality_gates:
              - coverage: ">= 95%"
              - documented: true
              - missing_metric: ">= 1"
        """
        let run = try await runWorkflow(yaml, in: scratch)
        let kinds = run.events(for: "1")
        let progress = kinds.compactMap { if case .taskProgress(let p) = $0 { p.percent } else { nil } }
        #expect(progress == [40, 75])
        let metrics = kinds.compactMap { if case .taskMetric(let m) = $0 { m } else { nil } }
        #expect(metrics.map(\.name) == ["coverage", "documented"])
        #expect(metrics.first?.value == .number(96.5))
        let messages = kinds.compactMap { if case .taskMessage(let m) = $0 { m.text } else { nil } }
        #expect(messages.first == "halfway")
        #expect(messages.filter { $0.hasPrefix("malformed protocol line") }.count == 2)
        let log = try String(contentsOfFile: run.directory.logPath(task: "1", attempt: 1), encoding: .utf8)
        #expect(log == "@tutti progress 40\n@tutti metric coverage 96.5\n@tutti metric documented true\n@tutti message halfway\n"
                + "@tutti progress lots\n@tutti {broken\nplain output\n@tutti progress 3/4\n", "the log is what the task wrote")

        let task = try #require(run.report.task("1"))
        #expect(task.status == .succeeded)
        #expect(task.gates.map(\.passed) == [true, true, false])
        #expect(task.gates[2].reason == "not reported")
        #expect(task.gates[0].actualText == "96.5%")
        #expect(run.report.gates == GateTally(passed: 2, total: 3))
        #expect(run.report.outcome == .failed, "a failed gate fails the run")
        #expect(run.report.exitCode == 1)
    }

    @Test func recordingReadsBackEqualToTheEventsPublished() async throws {
        let scratch = Scratch()
        let yaml = """
        name: record
        tasks:
          - {task_id: 1, command: [sh, -c, "echo one; echo '@tutti progress 50'; echo two >&2"], quality_gates: [{x: required}]}
          - {task_id: 2, command: [sh, -c, "exit 1"]}
          - {task_id: 3, command: ["true"], depends_on: [2]}
        """
        let run = try await runWorkflow(yaml, in: scratch)
        let recording = try Recording.read(path: run.directory.eventsPath)
        #expect(recording.events == run.events)
        #expect(recording.events.map(\.seq) == Array(1...run.events.count))
        #expect(recording.header.workflow == "record")
        #expect(recording.header.runID == run.report.runID)
        #expect(recording.truncated == false)
        let types = Set(recording.events.map(\.kind.type))
        for expected in ["run_started", "task_queued", "task_started", "task_log", "task_progress", "task_finished",
                         "task_gate", "task_skipped", "run_finished"] {
            #expect(types.contains(expected), "missing \(expected)")
        }
    }

    @Test func runFilesAreWrittenForTasksAndTheReport() async throws {
        let scratch = Scratch()
        let yaml = """
        name: files-check
        tasks:
          - {task_id: 4, command: [sh, -c, "echo '@tutti metric score 91'"], quality_gates: [{score: ">= 90/100"}]}
        """
        let run = try await runWorkflow(yaml, in: scratch) { $0.compatibilityOutputDirectory = scratch.path }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let report = try decoder.decode(RunReport.self, from: Data(contentsOf: URL(fileURLWithPath: run.directory.reportPath)))
        #expect(report == run.report)
        let task = try decoder.decode(TaskReport.self, from: Data(contentsOf: URL(fileURLWithPath: run.directory.resultPath(task: "4"))))
        #expect(task.gates.first?.actualText == "91/100")
        #expect(FileManager.default.fileExists(atPath: scratch.file(".conductor/task-results/task-4.json")))
        #expect(FileManager.default.fileExists(atPath: scratch.file("test-results/files-check-results.json")))
    }

    @Test func builtInSimAgentRunsAsAChildProcess() async throws {
        let scratch = Scratch()
        let yaml = """
        name: sim
        tasks:
          - task_id: 1
            agent: sim
            parameters: {duration_seconds: 0.2, steps: 4, seed: 3, metrics: {test_coverage: 97, compliance: SOC2}}
            quality_gates: [{test_coverage: ">= 95%"}, {compliance: required}]
          - task_id: 2
            agent: sim
            parameters: {duration_seconds: 0.1, steps: 2, fail_at_percent: 50}
        """
        let run = try await runWorkflow(yaml, in: scratch)
        #expect(run.report.task("1")?.status == .succeeded)
        #expect(run.report.task("1")?.gates.allSatisfy(\.passed) == true)
        #expect(run.report.task("1")?.metrics["compliance"] == .string("SOC2"))
        let progress = run.events(for: "1").compactMap { if case .taskProgress(let p) = $0 { p.percent } else { nil } }
        #expect(progress.last == 100)
        #expect(run.report.task("2")?.status == .failed)
    }

    @Test func aProtocolFloodIsBoundedButKeepsTheFinalValues() async throws {
        let scratch = Scratch()
        let script = "i=0; while [ $i -lt 20000 ]; do echo \"@tutti progress $((i / 200))\"; "
            + "echo \"@tutti metric count $i\"; echo \"@tutti message step $i\"; i=$((i + 1)); done; "
            + "echo '@tutti metric count 20000'; echo '@tutti progress 100'"
        try script.write(toFile: scratch.file("flood.sh"), atomically: true, encoding: .utf8)
        let yaml = """
        name: protoflood
        tasks:
          - {task_id: 1, command: [sh, flood.sh], working_directory: ., quality_gates: [{count: "== 20000"}]}
        """
        let run = try await runWorkflow(yaml, in: scratch)
        let kinds = run.events(for: "1")
        let reports = kinds.filter {
            switch $0 {
            case .taskProgress, .taskMetric, .taskMessage: return true
            default: return false
            }
        }
        #expect(reports.count < 20_000, "protocol events are throttled, not one per line")
        let lastMetric = kinds.last { if case .taskMetric = $0 { true } else { false } }
        #expect(lastMetric == .taskMetric(TaskMetric(task: "1", name: "count", value: .number(20000))))
        let lastProgress = kinds.last { if case .taskProgress = $0 { true } else { false } }
        #expect(lastProgress == .taskProgress(TaskProgress(task: "1", percent: 100)))
        #expect(run.report.task("1")?.gates.first?.passed == true)
    }
}
