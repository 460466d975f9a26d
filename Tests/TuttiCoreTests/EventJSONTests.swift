import Foundation
import Testing
@testable import TuttiCore

/// The hand-written event writer matches JSONEncoder (sorted keys) byte for byte.
@Suite struct EventJSONTests {
    static let gate = GateResult(metric: "cov", threshold: "≥ 95%", actual: .number(96.5), actualText: "96.5%",
                                 passed: true, reason: nil)
    static let kinds: [EventKind] = [
        .runStarted(RunStarted(runID: "r-1", workflow: "demo", parallelism: 4, mode: "parallel", pollingInterval: 2.5,
                               tasks: [AnnouncedTask(id: "4", name: "Testing \"Framework\"", agent: "TestingAgent", dependsOn: ["1", "2"],
                                                gates: 3, maxAttempts: 2)])),
        .runFinished(RunFinished(outcome: .failed, reason: "task 5 failed")),
        .runFinished(RunFinished(outcome: .passed)),
        .taskQueued(TaskRef(task: "7")),
        .taskStarted(TaskStarted(task: "4", attempt: 1, pid: 4242, command: ["/bin/sh", "-c", "echo 'a/b' \\ \t"])),
        .taskStarted(TaskStarted(task: "4", attempt: 2, pid: 4243, command: ["make"], workingDirectory: "/srv/app")),
        .taskOnCluster(TaskOnCluster(task: "4", attempt: 1, jobID: "812", state: "PENDING", reason: "Resources")),
        .taskOnCluster(TaskOnCluster(task: "4", attempt: 1, jobID: "812", state: "RUNNING", node: "gpu-01", started: 12.5)),
        .taskProgress(TaskProgress(task: "4", percent: 33.3)),
        .taskProgress(TaskProgress(task: "4", percent: 100)),
        .taskLog(TaskLog(task: "4", stream: .stderr, line: "tab\there, bell \u{07}, é, 😀, \"quoted\"")),
        .taskLogDropped(TaskLogDropped(task: "4", count: 12)),
        .taskMetric(TaskMetric(task: "4", name: "coverage", value: .number(96.4))),
        .taskMetric(TaskMetric(task: "4", name: "ok", value: .bool(true))),
        .taskMetric(TaskMetric(task: "4", name: "level", value: .string("SOC2"))),
        .taskMetric(TaskMetric(task: "4", name: "list", value: .array([.number(1), .null, .object(["b": .number(2), "a": .bool(false)])]))),
        .taskMetric(TaskMetric(task: "4", name: "coverage_threshold", value: .number(73.3), label: "documented \"public\" API")),
        .taskMessage(TaskMessage(task: "4", text: "halfway\nthere")),
        .taskFinding(TaskFinding(task: "4", finding: Finding(kind: "test_failure", severity: .high, title: "t.py::test_a",
                                                             file: "t.py", line: 12, detail: "assert 1 == 2\tsee \"x\"", rule: "r.1"))),
        .taskFinding(TaskFinding(task: "4", finding: Finding(kind: "cycle", severity: .info, title: "a → b → a"))),
        .taskGate(TaskGate(task: "4", result: gate)),
        .taskGate(TaskGate(task: "4", result: GateResult(metric: "x", threshold: "required", actual: nil, actualText: "—",
                                                         passed: false, reason: "not reported"))),
        .taskGate(TaskGate(task: "4", result: GateResult(metric: "speed", threshold: "≥ 2.5", actual: .number(2.4996),
                                                         actualText: "2.4996", passed: false, reason: "needs ≥ 2.5",
                                                         label: "parallel efficiency", advisory: true))),
        .taskFinished(TaskFinished(task: "4", attempt: 2, status: .failed, exitCode: 3, signal: nil, reason: "exited with status 3",
                                   duration: 1.234567)),
        .taskFinished(TaskFinished(task: "4", attempt: 1, status: .timedOut, exitCode: nil, signal: 9, reason: nil, duration: 0.000123)),
        .taskRetrying(TaskRetrying(task: "4", nextAttempt: 2, delay: 0.5)),
        .taskSkipped(TaskSkipped(task: "8", reason: "dependency 5 failed")),
        .taskFinished(TaskFinished(task: "4", attempt: 1, status: .succeeded, exitCode: 0, signal: nil, reason: nil, duration: 2.5,
                                   paused: 3.25)),
        .action(ActionTaken(action: .pause, task: "4", actor: "ctl (pid 7, ana)", accepted: true, message: "task 4 paused")),
        .action(ActionTaken(action: .retry, task: nil, actor: "dashboard", accepted: false, message: "nothing \"to\" retry")),
        .taskPaused(TaskRef(task: "4")),
        .taskResumed(TaskRef(task: "4")),
        .dispatchChanged(DispatchChanged(state: .held)),
        .runReopened(RunReopened(reason: "retry asked by dashboard")),
        .taskDetail(TaskDetail(task: "4", name: .command, text: "python3 -m pytest -q")),
        .runResumed(RunResumed(kept: ["a"], rerun: ["b", "c"], interrupted: [AttemptRef(task: "b", attempt: 1)], lastRecorded: 12.5)),
        .runFileFailed(RunFileFailed(path: "runs/r-1/logs/task-4.log", reason: "No space left on device",
                                     consequence: "task 4's log is incomplete")),
        .runFinished(RunFinished(outcome: .passed, reason: nil, report: RunMetrics.report(
            runID: "r-1", workflow: Workflow(name: "demo", tasks: [TaskSpec(id: "4", name: "Four", launch: .agent("sim"), dependsOn: [])]),
            tasks: [TaskReport(id: "4", name: "Four", agent: "sim", status: .succeeded, dependsOn: [],
                               attempts: [AttemptRecord(attempt: 1, start: 0.5, end: 2.25, status: .succeeded, exitCode: 0, signal: nil,
                                                        reason: nil, log: "logs/task-4.log", paused: 0.5)],
                               metrics: ["cov": .number(97)], gates: [gate], reason: nil, readyAt: 0,
                               findings: [Finding(kind: "security", severity: .critical, title: "key", file: "k.pem", line: 1)],
                               findingCount: 3)],
            parallelism: 2, startedAt: Date(timeIntervalSince1970: 1_790_000_000), wallSeconds: 2.5, outcome: .passed,
            outcomeReason: nil))),
    ]

    @Test(arguments: Array(kinds.enumerated()))
    func matchesJSONEncoder(_ item: (offset: Int, element: EventKind)) throws {
        let event = RunEvent(seq: item.offset + 1, time: 12.345678, kind: item.element)
        let fast = String(decoding: EventJSON.encode(event), as: UTF8.self)
        let reference = String(decoding: try JSONEncoder.events.encode(event), as: UTF8.self)
        #expect(fast == reference)
        let decoded = try JSONDecoder.events.decode(RunEvent.self, from: Data(fast.utf8))
        #expect(decoded == event)
        // The fast reader reads what it knows exactly as Codable does, and leaves the rest.
        let quick = Array(fast.utf8).withUnsafeBytes(EventLineReader.event)
        #expect(quick == nil || quick == event)
    }

    /// Numbers are written as Swift (and JSONEncoder) writes them, whole microseconds from
    /// their digits included.
    /// An event stays small (its large payloads are boxed): a run of 10,000 tasks holds 20,000
    /// of them as it starts, and a replay's index folds them by the million.
    @Test func anEventStaysSmall() {
        // 104 bytes a slot since gates, findings, cluster sightings and the report are boxed (280 before).
        #expect(MemoryLayout<RunEvent>.stride <= 104)
    }

    @Test func numbersAreWrittenAsDescriptionWritesThem() {
        var generator = SystemRandomNumberGenerator()
        var numbers: [Double] = [0.1, 0.000123, 0.0001, 0.00009, 12.345678, 1.5, -2.25, -0.000001, 999_999_999.999999,
                                 1e9 + 0.5, 0.30000000000000004, 1.0 / 3, 123456.000001, 7.100000, 1e-7, -1e20]
        for _ in 0..<2000 {
            let micros = Double(Int64.random(in: -5_000_000_000...5_000_000_000, using: &generator))
            numbers.append(micros / 1e6)
            numbers.append(Double.random(in: -1000...1000, using: &generator))
        }
        for number in numbers where number != number.rounded() {
            var out: [UInt8] = []
            JSONWriter.writeNumber(number, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == number.description, "\(number)")
        }
        // Whole numbers as JSONEncoder writes them: "15", not "15.0".
        for whole in [0.0, -0.0, 15, -7, 1e14, 999_999_999_999_999, -123_456_789] {
            var out: [UInt8] = []
            JSONWriter.writeNumber(whole, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == String(Int64(whole)), "\(whole)")
        }
    }

    @Test func integersAreWrittenAsStringWritesThem() {
        var generator = SystemRandomNumberGenerator()
        let values: [Int64] = [0, 1, -1, 9, 10, -10, 99, 100, .max, .min, .max - 1, .min + 1]
            + (0..<2000).map { _ in Int64.random(in: .min ... .max, using: &generator) >> Int64.random(in: 0...62, using: &generator) }
        for value in values {
            var out: [UInt8] = []
            JSONWriter.writeInteger(value, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == String(value))
        }
        var padded: [UInt8] = []
        JSONWriter.writeInteger(7, to: &padded, digits: 3)
        JSONWriter.writeInteger(12345, to: &padded, digits: 3)
        #expect(String(decoding: padded, as: UTF8.self) == "00712345")
    }

    @Test func theFastReaderCoversTheCommonEventsAndRefusesBrokenLines() throws {
        let common = Self.kinds.filter {
            ["task_progress", "task_log", "task_metric", "task_started", "task_finished", "task_queued", "task_message",
             "task_log_dropped", "task_paused", "task_resumed"].contains($0.type)
        }
        #expect(common.count >= 14)
        for (offset, kind) in common.enumerated() {
            let event = RunEvent(seq: offset + 1, time: 0.25, kind: kind)
            #expect(EventJSON.encode(event).withUnsafeBytes(EventLineReader.event) == event, "\(kind.type)")
        }
        for broken in [#"{"seq":2,"t":0.1,"ty"#, #"{"seq":2,"t":0.1,"type":"task_queued","task":"a"} x"#, #"{"seq":2,"t":0.1,"type":"task_queued","task":"\q"}"#,
                       #"{"seq":2,"t":0.1,"type":"task_log","task":"a","stream":"stdout","line":"\ud800"}"#] {
            #expect(Array(broken.utf8).withUnsafeBytes(EventLineReader.event) == nil, "\(broken)")
        }
        let escaped = #"{"line":"tab\there \u00e9 \ud83d\ude00 \"q\" \/","seq":3,"stream":"stderr","t":1,"task":"a","type":"task_log"}"#
        #expect(Array(escaped.utf8).withUnsafeBytes(EventLineReader.event)
                == RunEvent(seq: 3, time: 1, kind: .taskLog(TaskLog(task: "a", stream: .stderr, line: "tab\there é 😀 \"q\" /"))))
    }
}

/// The hand-written result file reads back as the same report.
@Suite struct TaskReportJSONTests {
    @Test func aResultFileReadsBackEqual() throws {
        let attempts = [
            AttemptRecord(attempt: 1, start: 0.25, end: 1.5, status: .failed, exitCode: 2, signal: nil, reason: "exited with status 2",
                          log: "logs/task-4.log"),
            AttemptRecord(attempt: 2, start: 2, end: 3.75, status: .succeeded, exitCode: 0, signal: nil, reason: nil,
                          log: "logs/task-4.attempt-2.log"),
        ]
        let report = TaskReport(id: "4", name: "Testing \"Framework\"", agent: "TestingAgent", status: .succeeded,
                                dependsOn: ["1"], attempts: attempts,
                                metrics: ["coverage": .number(96.4), "ok": .bool(true), "level": .string("SOC2")],
                                gates: [EventJSONTests.gate], reason: nil, readyAt: 0.1)
        let bytes = report.jsonBytes()
        let decoded = try JSONDecoder().decode(TaskReport.self, from: Data(bytes))
        #expect(decoded == report)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix("{\n  \"agent\" : \"TestingAgent\",\n  \"attempts\" : [\n    {\n"))
        let skipped = TaskReport(id: "9", name: "n", agent: "a", status: .skipped, dependsOn: [], attempts: [], metrics: [:],
                                 gates: [], reason: "dependency 4 failed", readyAt: nil)
        #expect(try JSONDecoder().decode(TaskReport.self, from: Data(skipped.jsonBytes())) == skipped)
    }

    /// report.json, written by hand, is what JSONEncoder writes, byte for byte, but for empty
    /// arrays and objects, which JSONEncoder spreads over three lines.
    @Test func aReportFileMatchesJSONEncoder() throws {
        var interrupted = ReportFormatsTests.report
        interrupted.outcome = .interrupted
        interrupted.outcomeReason = nil
        interrupted.slowestTask = nil
        interrupted.workflowFile = "/srv/flows/ship.yaml"
        interrupted.successCriteria = [CriterionResult(criterion: "total_time < 60", passed: true, detail: "4.2 s"),
                                       CriterionResult(criterion: "parallel_efficiency >= 2.5", passed: false, detail: "1.2x",
                                                       advisory: true)]
        interrupted.tasks[0].findings = [Finding(kind: "test_failure", severity: .high, title: "a", file: "t.py", line: 3, detail: "d")]
        interrupted.tasks[0].findingCount = 2
        interrupted.tasks[0].group = "build"
        interrupted.tasks[0].dependsOn = ["setup"]
        // A cluster run's fields: each attempt's job, node and queue wait, the run's idle wait.
        interrupted.tasks[0].attempts[0].job = "812"
        interrupted.tasks[0].attempts[0].node = "gpu-01"
        interrupted.tasks[0].attempts[0].queued = 3.25
        interrupted.queueWaitSeconds = 2.5
        for report in [ReportFormatsTests.report, interrupted] {
            let fast = Data(report.jsonBytes())
            let reference = try JSONEncoder.report.encode(report)
            let referenceText = String(decoding: reference, as: UTF8.self)
                .replacing(/\[\n\n *\]/, with: "[]").replacing(/\{\n\n *\}/, with: "{}") + "\n"
            #expect(String(decoding: fast, as: UTF8.self) == referenceText)
            #expect(try JSONDecoder.events.decode(RunReport.self, from: fast) == report)
            #expect(String(decoding: fast, as: UTF8.self).hasPrefix("{\n  \"critical_path\" : ["))
        }
    }

    /// A large report is written a chunk at a time, to every path, with the same bytes as
    /// encoding it whole, replacing what was there only once it is whole; a path that cannot
    /// be written says why and leaves nothing behind.
    @Test func aReportWrittenInChunksIsTheSameFile() throws {
        var report = ReportFormatsTests.report
        let task = report.tasks[0]
        report.tasks = (1...3000).map { number in
            var copy = task
            copy.id = "task-\(number)"
            return copy
        }
        let whole = report.jsonBytes()
        #expect(whole.count > 3 * 256 * 1024, "the report spans several chunks")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("chunks-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: "\(folder)/taken", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data("the last report".utf8).write(to: URL(fileURLWithPath: "\(folder)/report.json"))
        // A folder where the file should go: written whole, then refused in its place.
        let paths = ["\(folder)/report.json", "\(folder)/missing/report.json", "\(folder)/taken", "\(folder)/copy.json"]
        let errors = JSONFile.write(to: paths, indented: true) { report.write(to: &$0) }
        #expect(errors == [0, ENOENT, EISDIR, 0])
        #expect(FileManager.default.contents(atPath: paths[0]) == Data(whole))
        #expect(FileManager.default.contents(atPath: paths[3]) == Data(whole))
        let left = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(left == ["copy.json", "report.json", "taken"], "no partial file is left")
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(folder)/taken").isEmpty)
    }
}
