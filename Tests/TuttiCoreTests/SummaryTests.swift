import Foundation
import Testing
@testable import TuttiCore

/// The end-of-run summary leads with what failed, and a run cut short claims no time saved.
@Suite struct SummaryTests {
    static func report(outcome: RunOutcome, findings: [Finding] = []) -> RunReport {
        let tasks = [
            TaskReport(id: "4", name: "Testing", agent: "testing", status: .succeeded, dependsOn: [],
                       attempts: [ReportFormatsTests.attempt(1, 0, 4, .succeeded)], metrics: ["test_coverage": .number(61)],
                       gates: [GateResult(metric: "test_coverage", threshold: "≥ 95%", actual: .number(61), actualText: "61%", passed: false,
                                          reason: "needs ≥ 95%"),
                               GateResult(metric: "tests_passed", threshold: "= 100%", actual: .number(100), actualText: "100%", passed: true,
                                          reason: nil)],
                       reason: nil, readyAt: 0, findings: findings),
            TaskReport(id: "5", name: "Build", agent: "sh", status: .failed, dependsOn: [],
                       attempts: [ReportFormatsTests.attempt(1, 0, 1, .failed)], metrics: [:], gates: [],
                       reason: "exited with status 2", readyAt: 0),
            TaskReport(id: "6", name: "Docs", agent: "sh", status: .succeeded, dependsOn: [],
                       attempts: [ReportFormatsTests.attempt(1, 0, 2, .succeeded)], metrics: [:], gates: [], reason: nil, readyAt: 0),
        ]
        var workflow = Workflow(name: "w", tasks: tasks.map { TaskSpec(id: $0.id, name: $0.name, launch: .agent("sim"), dependsOn: []) })
        workflow.successCriteria = [WorkflowCriterion(.measure(.parallelEfficiency, .greaterOrEqual, 1.5))]
        return RunMetrics.report(runID: "w-1", workflow: workflow, tasks: tasks, parallelism: 3,
                                 startedAt: Date(timeIntervalSince1970: 0), wallSeconds: 4, outcome: outcome, outcomeReason: nil)
    }

    @Test func theSummaryLeadsWithTheFailedGatesAndTheFindingsBehindThem() {
        let findings = [Finding(kind: "test", severity: .low, title: "test_slow", file: "tests/test_a.py", line: 3),
                        Finding(kind: "test", severity: .high, title: "test_add", file: "tests/test_calc.py", line: 12, detail: "assert 3 == 4")]
        let lines = SummaryFormatter.lines(for: Self.report(outcome: .passed, findings: findings), glyphs: .unicode)
        let failed = lines.firstIndex(of: "What failed:")
        let efficiency = lines.firstIndex { $0.hasPrefix("- Parallel efficiency") }
        #expect(failed != nil && efficiency != nil && failed! < efficiency!, "\(lines.joined(separator: "\n"))")
        guard let start = failed else { return }
        #expect(Array(lines[(start + 1)...].prefix(4)) == [
            "  ❌ Task 4 test_coverage: 61%, needs ≥ 95%",
            "      HIGH tests/test_calc.py:12 test_add — assert 3 == 4",
            "      LOW tests/test_a.py:3 test_slow",
            "  ❌ Task 5 (Build) failed: exited with status 2",
        ])
    }

    @Test func aRunCutShortClaimsNoTimeSavedAndNoEfficiency() {
        let finished = Self.report(outcome: .passed)
        #expect(finished.timeSavedSeconds > 0)
        #expect(finished.successCriteria.first?.passed == true, "\(finished.successCriteria)")
        let interrupted = Self.report(outcome: .interrupted)
        #expect(interrupted.timeSavedSeconds == 0)
        #expect(interrupted.successCriteria.first?.passed == false)
        #expect(interrupted.successCriteria.first?.detail == "not measured: the run did not run to its end (needs >= 1.5)")
        let lines = SummaryFormatter.lines(for: interrupted, glyphs: .unicode)
        #expect(lines.contains("Time Saved: not claimed (the run did not run to its end)"))
        #expect(!lines.contains { $0.hasPrefix("✅") && $0.contains("efficiency") })
    }
}
