import Foundation
import Testing
import TuttiTestSupport
@testable import TuttiCore

/// What an agent found reaches every report; labels say what a metric measures; advisory
/// gates and criteria warn without failing the run; a number just short of its threshold
/// never reads as equal to it.
@Suite struct FindingsAndVerdictTests {
    @Test func findingAndLabelLinesParse() {
        let line = #"@tutti finding {"kind": "test_failure", "severity": "high", "title": "t::a", "file": "t.py", "line": 3, "detail": "assert 1 == 2"}"#
        #expect(AgentProtocol.parse(line) == .reports([.finding(Finding(kind: "test_failure", severity: .high, title: "t::a",
                                                                                file: "t.py", line: 3, detail: "assert 1 == 2"))]))
        #expect(AgentProtocol.parse("@tutti label coverage_threshold documented public API")
            == .reports([.label("coverage_threshold", "documented public API")]))
        let json = #"@tutti {"labels": {"x": "lines covered"}, "metrics": {"x": 5}, "findings": [{"title": "a"}, {"title": "b", "severity": "low"}]}"#
        #expect(AgentProtocol.parse(json) == .reports([.finding(Finding(kind: "finding", severity: .medium, title: "a")),
                                                       .finding(Finding(kind: "finding", severity: .low, title: "b")),
                                                       .label("x", "lines covered"), .metric("x", .number(5))]),
                "labels come before the metrics they describe")
        #expect(AgentProtocol.parse(#"@tutti finding {"severity": "high"}"#) == .malformed("a finding needs a 'title'"))
        #expect(AgentProtocol.parse(#"@tutti finding {"title": "a", "severity": "dire"}"#)
            == .malformed("severity must be one of critical, high, medium, low, info"))
        #expect(AgentProtocol.parse("@tutti finding not json") == .malformed("finding needs a JSON object"))
        #expect(AgentProtocol.parse("@tutti label onlyname") == .malformed("label needs a metric name and text"))
    }

    @Test func severitiesSortWorstFirst() {
        #expect(FindingSeverity.allCases.sorted(by: >) == [.critical, .high, .medium, .low, .info])
        #expect(FindingSeverity.low < .high)
    }

    @Test func aValueJustShortOfItsThresholdShowsTheDigitsThatTellThemApart() throws {
        let gate = QualityGate(metric: "efficiency", expectation: try #require(GateExpectation.parse(">= 2.5")))
        let short = gate.evaluate(["efficiency": .number(2.4996)])
        #expect(!short.passed && short.actualText == "2.4996", "never '2.5 (needs ≥ 2.5)'")
        #expect(gate.evaluate(["efficiency": .number(2.5)]).actualText == "2.5")
        #expect(gate.evaluate(["efficiency": .number(3.14159)]).actualText == "3.14", "two decimals when they are enough")
        let coverage = QualityGate(metric: "cov", expectation: try #require(GateExpectation.parse(">= 95%")))
        #expect(coverage.evaluate(["cov": .number(94.999)]).actualText == "94.999%")
        #expect(NumberFormat.distinguishing(2.4996, from: 2.5, .greaterOrEqual, keepZeros: true) == "2.4996")
        #expect(NumberFormat.distinguishing(3.3, from: 2.5, .greaterOrEqual, keepZeros: true) == "3.30")
        #expect(NumberFormat.distinguishing(1199.999, from: 1200, .less) == "1199.999")
    }

    @Test func advisoryGatesAndCriteriaAreReadAndBadOnesNamed() throws {
        let workflow = try WorkflowLoader.parse(yaml: """
        name: advisory
        tasks:
          - task_id: 1
            command: ["true"]
            quality_gates:
              - coverage: ">= 95%"
              - speed: ">= 2"
                advisory: true
        success_criteria:
          - all_tasks_completed
          - criterion: parallel_efficiency >= 2.5
            advisory: true
        """, file: "a.yaml", baseDirectory: "/tmp")
        #expect(workflow.tasks[0].gates.map(\.advisory) == [false, true])
        #expect(workflow.successCriteria == [WorkflowCriterion(.allTasksCompleted),
                                             WorkflowCriterion(.measure(.parallelEfficiency, .greaterOrEqual, 2.5), advisory: true)])
        let error = #expect(throws: WorkflowLoadError.self) {
            try WorkflowLoader.parse(yaml: """
            name: bad
            tasks:
              - {task_id: 1, command: ["true"], quality_gates: [{coverage: ">= 1", advisory: maybe}]}
            success_criteria:
              - {criterion: total_time < 5, advisory: 3}
              - {criterion: nonsense}
            """, file: "bad.yaml", baseDirectory: "/tmp")
        }
        let text = error?.description ?? ""
        #expect(text.contains("bad.yaml:3:82: error: 'advisory' must be true or false"), "\(text)")
        #expect(text.contains("bad.yaml:5:43: error: 'advisory' must be true or false"), "\(text)")
        #expect(text.contains("bad.yaml:6:17: error: unknown success criterion 'nonsense'"), "\(text)")
    }

    /// Two tasks: one reports findings, labels and metrics; the gates include an advisory one.
    static let workflow = """
    name: findings
    success_criteria:
      - all_tasks_completed
      - criterion: parallel_efficiency >= 50
        advisory: true
    tasks:
      - task_id: tests
        command:
          - sh
          - -c
          - |
            echo '@tutti label pass_rate tests passed'
            echo '@tutti metric pass_rate 50'
            echo '@tutti finding {"kind": "test_failure", "severity": "high", "title": "t.py::test_b", "file": "t.py", "line": 7, "detail": "assert 1 == 2"}'
            i=0; while [ $i -lt 104 ]; do i=$((i+1)); echo "@tutti finding {\\"title\\": \\"extra $i\\", \\"severity\\": \\"low\\"}"; done
        quality_gates:
          - pass_rate: "100%"
          - speed: ">= 1"
            advisory: true
      - task_id: quiet
        command: ["true"]
    """

    @Test func findingsLabelsAndAdvisoryVerdictsReachEveryReport() async throws {
        let scratch = Scratch()
        let run = try await runWorkflow(Self.workflow, in: scratch)
        let task = try #require(run.report.task("tests"))
        #expect(task.findingCount == 105)
        #expect(task.findings.count == OutputReader.maximumFindings, "at most a hundred are recorded")
        #expect(task.findings.first?.summaryLine == "t.py:7 t.py::test_b — assert 1 == 2")
        #expect(run.events.filter { if case .taskFinding = $0.kind { return true } else { return false } }.count == 100)
        #expect(run.events.contains { if case .taskMessage(let m) = $0.kind { return m.text.hasPrefix("5 more findings not recorded") } else { return false } })
        let gates = task.gates
        #expect(gates.map(\.label) == ["tests passed", nil])
        #expect(gates.map(\.isAdvisory) == [false, true])
        #expect(run.report.outcome == .failed && run.report.outcomeReason == "1 quality gate failed",
                "the advisory gate and criterion do not count")
        #expect(run.report.successCriteria.last?.isAdvisory == true && run.report.successCriteria.last?.passed == false)

        let summary = SummaryFormatter.lines(for: run.report, glyphs: .unicode).joined(separator: "\n")
        #expect(summary.contains("pass_rate (tests passed)"))
        #expect(summary.contains("⚠️ Warn (not reported; advisory)"))
        #expect(summary.contains("Findings:\n  Task tests (Task tests): 105 findings\n    HIGH t.py:7 t.py::test_b — assert 1 == 2"))
        #expect(summary.contains("    and 100 more\n"))
        #expect(summary.contains("- Total quality gates passed: 0/2 (0.0%), 1 advisory gate warned"))
        #expect(summary.contains("(advisory)"))

        let junit = JUnitReport.xml(for: run.report)
        #expect(junit.contains("HIGH t.py:7 t.py::test_b — assert 1 == 2"), "the findings explain the failed gate")
        #expect(junit.contains("name=\"speed ≥ 1 (advisory)\" time=\"0\"><system-out>warning: speed is —: not reported</system-out></testcase>"),
                "an advisory gate's case passes, its warning kept")
        let html = HTMLReport.html(for: run.report)
        #expect(html.contains("<h2>Findings</h2>") && html.contains("<code>t.py:7</code>") && html.contains("and 5 more"))
        #expect(html.contains("⚠ warning (advisory)"))

        // The result file and the report read back with the findings; the recording replays them.
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let result = try decoder.decode(TaskReport.self, from: Data(contentsOf: URL(fileURLWithPath: run.directory.resultPath(task: "tests"))))
        #expect(result == task)
        #expect(try decoder.decode(RunReport.self, from: Data(contentsOf: URL(fileURLWithPath: run.directory.reportPath))) == run.report)
        let quiet = try #require(run.report.task("quiet"))
        #expect(quiet.findings.isEmpty)
        let quietFile = try String(contentsOfFile: run.directory.resultPath(task: "quiet"), encoding: .utf8)
        #expect(!quietFile.contains("finding"), "a task without findings writes no findings fields")
    }
}
