import Foundation
import FoundationXML
import Testing
import TuttiTestSupport
@testable import TuttiCore

/// JUnit XML and HTML reports: their content, read back.
@Suite struct ReportFormatsTests {
    static func gate(_ metric: String, passed: Bool, skipped: Bool = false) -> GateResult {
        GateResult(metric: metric, threshold: "≥ 90%", actual: skipped ? nil : .number(passed ? 95 : 50),
                   actualText: skipped ? "—" : (passed ? "95%" : "50%"), passed: passed,
                   reason: passed ? nil : (skipped ? "task skipped" : "needs ≥ 90%"))
    }

    static func attempt(_ n: Int, _ start: Double, _ end: Double, _ status: TaskStatus) -> AttemptRecord {
        AttemptRecord(attempt: n, start: start, end: end, status: status, exitCode: status == .succeeded ? 0 : 1, signal: nil,
                      reason: status == .succeeded ? nil : "exited with status 1", log: "logs/x.log")
    }

    static let report: RunReport = {
        let tasks = [
            TaskReport(id: "a", name: "Tests <unit & \"e2e\">", agent: "TestingAgent", status: .succeeded, dependsOn: [],
                       attempts: [attempt(1, 0, 4, .succeeded)], metrics: ["cov": .number(95)],
                       gates: [gate("cov", passed: true), gate("pass_rate", passed: true), gate("lint", passed: false)],
                       reason: nil, readyAt: 0),
            TaskReport(id: "b", name: "Build", agent: "sh", status: .failed, dependsOn: [],
                       attempts: [attempt(1, 0, 1, .failed), attempt(2, 1.5, 2.5, .failed)], metrics: [:], gates: [],
                       reason: "exited with status 1", readyAt: 0),
            TaskReport(id: "c", name: "Deploy", agent: "sh", status: .skipped, dependsOn: ["b"], attempts: [], metrics: [:],
                       gates: [gate("up", passed: false, skipped: true), gate("fast", passed: false, skipped: true)],
                       reason: "dependency b failed", readyAt: nil),
        ]
        let workflow = Workflow(name: "ship", tasks: tasks.map { TaskSpec(id: $0.id, name: $0.name, launch: .agent("sim"),
                                                                          dependsOn: $0.dependsOn) })
        return RunMetrics.report(runID: "ship-1", workflow: workflow, tasks: tasks, parallelism: 2,
                                 startedAt: Date(timeIntervalSince1970: 1_790_000_000), wallSeconds: 4.2, outcome: .failed,
                                 outcomeReason: "tasks b, c did not succeed")
    }()

    @Test func junitHasATestCasePerGateGroupedByTask() throws {
        let document = try XMLDocument(xmlString: JUnitReport.xml(for: Self.report))
        let root = try #require(document.rootElement())
        #expect(root.name == "testsuites")
        #expect(root.attribute(forName: "tests")?.stringValue == "6", "3 + 2 gates, and one case for the task without gates")
        #expect(root.attribute(forName: "failures")?.stringValue == "2")
        #expect(root.attribute(forName: "skipped")?.stringValue == "2")
        let suites = root.elements(forName: "testsuite")
        #expect(suites.map { $0.attribute(forName: "name")?.stringValue } == ["Task a: Tests <unit & \"e2e\">", "Task b: Build", "Task c: Deploy"])
        let first = suites[0].elements(forName: "testcase")
        #expect(first.map { $0.attribute(forName: "name")?.stringValue } == ["cov ≥ 90%", "pass_rate ≥ 90%", "lint ≥ 90%"])
        #expect(first[2].elements(forName: "failure").first?.attribute(forName: "message")?.stringValue == "lint is 50%: needs ≥ 90%")
        #expect(suites[1].elements(forName: "testcase").first?.elements(forName: "failure").first?.attribute(forName: "type")?.stringValue
                == "task_failed", "a process that failed is not a gate that failed")
        #expect(first[2].elements(forName: "failure").first?.attribute(forName: "type")?.stringValue == "quality_gate")
        #expect(suites[2].elements(forName: "testcase").allSatisfy { !$0.elements(forName: "skipped").isEmpty })
    }

    @Test func aTaskThatFailedAGateHasItsOwnBadgeAndBarInTheHTML() {
        let html = HTMLReport.html(for: Self.report)
        #expect(Self.report.tasks[0].failedGates && Self.report.tasks[0].verdict == "gates_failed")
        #expect(html.contains(#"<span class="badge gates_failed">gates failed</span>"#), "task a succeeded but failed its lint gate")
        #expect(!html.contains(#"<span class="badge succeeded">"#))
        #expect(html.contains(#"<rect class="bar gates_failed"#))
        #expect(html.contains(#"<span class="badge failed">failed</span>"#), "task b's process failed: a different badge")
    }

    @Test func htmlIsSelfContainedWithATimelineForEveryTask() throws {
        let html = HTMLReport.html(for: Self.report)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("<script"), "nothing to fetch, nothing to run")
        let svgStart = try #require(html.range(of: "<svg"))
        let svgEnd = try #require(html.range(of: "</svg>"))
        let svg = try XMLDocument(xmlString: String(html[svgStart.lowerBound..<svgEnd.upperBound]))
        let groups = try svg.nodes(forXPath: "//g[@class='task']")
        #expect(groups.count == 3)
        #expect(try svg.nodes(forXPath: "//rect").count == 3, "a bar per attempt")
        #expect(try svg.nodes(forXPath: "//g[@data-task='b']/rect").count == 2)
        #expect(html.contains("Tests &lt;unit &amp; &quot;e2e&quot;&gt;"), "names are escaped")
        #expect(html.components(separatedBy: "<tr class=").count - 1 == 5, "a row per gate")
        #expect(html.contains("2.5s") && html.contains("ship-1"))
        #expect(html.contains("tasks b, c did not succeed"))
    }
}

extension ReportFormatsTests {
    @Test func aFailedTaskWhoseGatesPassedStillFailsInJUnit() throws {
        var report = Self.report
        report.tasks[0].status = .failed
        let document = try XMLDocument(xmlString: JUnitReport.xml(for: report))
        let first = try #require(document.rootElement()?.elements(forName: "testsuite").first)
        #expect(first.elements(forName: "testcase").last?.attribute(forName: "name")?.stringValue == "task succeeded")
        #expect(first.attribute(forName: "failures")?.stringValue == "2")
    }

    @Test func lineBreaksSurviveInAttributes() throws {
        #expect(JUnitReport.escape("a\nb\tc\u{1}") == "a&#10;b&#9;c")
    }
}

/// Whether a run's process is still recording it, seen from outside.
@Suite struct RecordingLockTests {
    @Test func aRecordingIsLockedWhileItIsWrittenAndFreeAfter() async throws {
        let scratch = Scratch()
        let path = scratch.file("events.ndjson")
        let recorder = try EventRecorder(path: path, header: RecordingHeader(runID: "r", workflow: "w", workflowFile: nil, host: "h",
                                                                              startedAt: Date()))
        #expect(EventRecorder.isBeingRecorded(path))
        recorder.close()
        // A process another test is starting holds a copy of every descriptor until it execs.
        #expect(await eventually(limit: 5) { !EventRecorder.isBeingRecorded(path) })
        #expect(!EventRecorder.isBeingRecorded(scratch.file("missing")))
    }
}
