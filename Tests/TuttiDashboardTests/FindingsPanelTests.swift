import Foundation
import Testing
import TuttiCore
@testable import TuttiDashboard

/// The findings panel: what every agent found, worst first, filtered, and opened where it is.
@Suite struct FindingsPanelTests {
    /// The fixture run at 12 s, with findings from two tasks; task 4 ran in `repo`.
    static func model() -> DashboardModel {
        var model = DashboardFixtures.model(at: 12)
        let found: [(String, Finding)] = [
            ("6", Finding(kind: "undocumented", severity: .info, title: "sub has no doc comment", file: "calc.py", line: 6)),
            ("4", Finding(kind: "test_failure", severity: .high, title: "tests/test_calc.py::test_add", file: "tests/test_calc.py", line: 5,
                          detail: "assert 3 == 4")),
            ("5", Finding(kind: "security", severity: .medium, title: "subprocess call with shell=True", file: "/src/run.py", line: 12,
                          rule: "bandit.B602")),
            ("5", Finding(kind: "security", severity: .low, title: "assert used", rule: "bandit.B101")),
        ]
        for (offset, (task, finding)) in found.enumerated() {
            model.apply(RunEvent(seq: 9000 + offset, time: 12, kind: .taskFinding(TaskFinding(task: task, finding: finding))))
        }
        model.run.tasks[0].workingDirectory = "/repo"
        _ = model.handle(.character("f"))
        return model
    }

    @Test func findingsAreListedWorstFirstAndFiltered() {
        var model = Self.model()
        #expect(model.panel == .findings)
        #expect(model.findingRows.map(\.finding.severity) == [.high, .medium, .low, .info])
        for key: KeyInput in [.character("/"), .character("b"), .character("6"), .enter] { _ = model.handle(key) }
        #expect(model.findingRows.map { $0.finding.rule } == ["bandit.B602"], "the filter matches the rule")
        _ = model.handle(.escape)
        #expect(model.findingRows.count == 4)
    }

    @Test func eOpensTheSelectedFindingAtItsLineWhereItsTaskRan() {
        var model = Self.model()
        #expect(model.handle(.character("e")) == .open(path: "/repo/tests/test_calc.py", line: 5), "relative to task 4's folder")
        _ = model.handle(.character("j"))
        #expect(model.handle(.enter) == .open(path: "/src/run.py", line: 12), "an absolute path stays as it is")
        #expect(model.selected == 0, "j moves through the findings, not the tasks")
        _ = model.handle(.character("j"))
        #expect(model.handle(.character("e")) == nil)
        #expect(model.flash?.text == "This finding names no file")
    }

    @Test(arguments: [(80, 24), (120, 40)])
    func thePanelShowsSeverityTaskRuleAndWhere(width: Int, height: Int) {
        let grid = DashboardRenderer().render(Self.model(), width: width, height: height)
        let lines = grid.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.contains { $0.contains("[Findings]") })
        #expect(lines.contains { $0.hasPrefix("  4 findings, worst first") })
        guard let high = lines.firstIndex(where: { $0.hasPrefix("  HIGH    4 test_failure") }) else {
            Issue.record("no HIGH row:\n\(grid.text)")
            return
        }
        #expect(lines[high].contains("tests/test_calc.py:5 tests/test_calc.py::test_add — assert 3 == 4") || width < 100)
        #expect(grid[2, high].style.reverse, "the cursor starts on the worst")
        #expect(lines[high + 1].hasPrefix("  MEDIUM  5 bandit.B602"))
        #expect(grid[2, high + 1].style.role == .timedOut && grid[2, high + 3].style.role == .dim, "medium in amber, info dim")
    }

    /// The excerpt itself is read by `FindingOpener` (FindingOpenerTests); here, how it is drawn.
    @Test func withoutAnEditorTheLinesAroundTheFindingAreShown() {
        let path = "/repo/t.py"
        var model = Self.model()
        let lines = (8...16).map { "line \($0)" }
        model.overlay = .source(path: path, line: 12, lines: lines, firstLine: 8)
        let text = DashboardRenderer().render(model, width: 100, height: 30).text
        #expect(text.contains("→ 12  line 12") && text.contains("  8  line 8") && text.contains("\(path):12"), "\(text)")
        _ = model.handle(.escape)
        #expect(model.overlay == nil)
    }
}
