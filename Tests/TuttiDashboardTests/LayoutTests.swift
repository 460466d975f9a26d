import Foundation
import Testing
import TuttiCore
@testable import TuttiDashboard

/// The screen's rows go where there is something to show, and long log lines wrap.
@Suite struct LayoutTests {
    @Test func rowsTheTimelineHasNoTaskForGoToTheNotices() {
        let model = DashboardFixtures.model(at: 8.5)
        let lines = DashboardRenderer().render(model, width: 120, height: 40).text.split(separator: "\n", omittingEmptySubsequences: false)
        let axis = lines.firstIndex { $0.contains("┴0s") }
        let notices = lines.firstIndex { $0.hasPrefix("── Notices") }
        #expect(axis != nil && notices == axis.map { $0 + 1 }, "the notices start right under the timeline's axis")
    }

    @Test func aLongLogLineWrapsInsteadOfBeingCut() {
        var model = DashboardFixtures.model(at: 8.5)
        let long = (1...30).map { "word\($0)" }.joined(separator: " ")
        model.apply(RunEvent(seq: 5000, time: 8.6, kind: .taskLog(TaskLog(task: "4", stream: .stdout, line: long))))
        model.panel = .log
        let text = DashboardRenderer().render(model, width: 80, height: 24).text
        #expect(text.contains("word1 word2") && text.contains("word30"), "\(text)")
        #expect(DashboardRenderer.wrap(String(repeating: "x", count: 25), width: 10) == ["xxxxxxxxxx", "xxxxxxxxxx", "xxxxx"])
    }

    @Test func aFinishedRunsClockIsItsWallTime() {
        var model = DashboardFixtures.finished()
        model.tick(now: 3)
        let header = DashboardRenderer().render(model, width: 120, height: 40).text.split(separator: "\n")[0]
        #expect(header.contains(" 16.0s · 4/4 done"), "the summary's 'actual 16.0s': \(header)")
    }

    @Test func theHeaderKeepsItsFiguresWholeAt80Columns() {
        var model = DashboardFixtures.finished()
        model.run.workflow = "template-03-parallel-execution"
        let header = String(DashboardRenderer().render(model, width: 80, height: 24).text.split(separator: "\n")[0])
        #expect(header.contains("16.0s · 4/4 done 1✗ 1!") && header.contains("gates 3/12"), "\(header)")
        #expect(header.contains("template-03-parallel-execution") || header.contains("…"), "\(header)")
    }
}
