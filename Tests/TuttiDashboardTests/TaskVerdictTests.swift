import Foundation
import Testing
import TuttiCore
@testable import TuttiDashboard

/// A task whose process succeeded but whose gates failed looks like neither a success nor a
/// process failure, and any ended task can be run again (asked first when it had passed).
@Suite struct TaskVerdictTests {
    /// Three ended tasks: `ok` passed its gate, `gates` failed one, `crash` exited 1.
    static func model() -> DashboardModel {
        var model = DashboardModel()
        let tasks = ["ok", "gates", "crash"].map { AnnouncedTask(id: $0, name: "Task \($0)", agent: "sh", dependsOn: [], gates: 1, maxAttempts: 1) }
        var kinds: [EventKind] = [.runStarted(RunStarted(runID: "r", workflow: "verdicts", parallelism: 3, mode: "parallel",
                                                         pollingInterval: 5, tasks: tasks))]
        for (index, id) in ["ok", "gates", "crash"].enumerated() {
            kinds.append(.taskStarted(TaskStarted(task: id, attempt: 1, pid: Int32(100 + index), command: ["sh"], workingDirectory: nil)))
        }
        kinds.append(.taskFinished(TaskFinished(task: "ok", attempt: 1, status: .succeeded, exitCode: 0, signal: nil, reason: nil, duration: 1)))
        kinds.append(.taskGate(TaskGate(task: "ok", result: GateResult(metric: "coverage", threshold: ">= 90", actual: .number(97),
                                                                       actualText: "97", passed: true, reason: nil))))
        kinds.append(.taskFinished(TaskFinished(task: "gates", attempt: 1, status: .succeeded, exitCode: 0, signal: nil, reason: nil, duration: 1)))
        kinds.append(.taskGate(TaskGate(task: "gates", result: GateResult(metric: "coverage", threshold: ">= 90", actual: .number(61),
                                                                          actualText: "61", passed: false, reason: "needs >= 90"))))
        kinds.append(.taskFinished(TaskFinished(task: "crash", attempt: 1, status: .failed, exitCode: 1, signal: nil,
                                                reason: "exited with status 1", duration: 1)))
        for (index, kind) in kinds.enumerated() { model.apply(RunEvent(seq: index + 1, time: Double(index) / 10, kind: kind)) }
        return model
    }

    @Test(arguments: [(80, 24), (120, 40)])
    func aTaskThatFailedItsGatesHasItsOwnGlyphAndColourAndTheHeaderCountsIt(width: Int, height: Int) {
        let model = Self.model()
        let grid = DashboardRenderer().render(model, width: width, height: height)
        let lines = grid.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let rows = ["ok": "✓", "gates": "!", "crash": "✗"]
        for (id, glyph) in rows {
            guard let y = lines.firstIndex(where: { $0.hasPrefix("\(glyph) \(id) ") }) else {
                Issue.record("no row '\(glyph) \(id)' in\n\(grid.text)")
                continue
            }
            let expected: Role = id == "ok" ? .succeeded : id == "gates" ? .gateFail : .failed
            #expect(grid[0, y].style.role == expected, "the glyph of \(id)")
        }
        #expect(lines[0].contains("3/3 done 1✗ 1!"), "\(lines[0])")
        // On the timeline, its attempt is drawn in the failed gates' colour too.
        let timelineRow = lines.lastIndex { $0.hasPrefix(" gates ") }
        #expect(timelineRow != nil, "\(grid.text)")
        if let y = timelineRow {
            let roles = Set((0..<width).map { grid[$0, y].style.role })
            #expect(roles.contains(.gateFail) && !roles.contains(.succeeded), "\(lines[y])")
        }
        #expect(model.failedGatesCount == 1 && model.failedCount == 1)
    }

    @Test func rAsksFirstOnlyForATaskThatPassed() {
        var model = Self.model()
        model.selected = 0
        #expect(model.handle(.character("r")) == nil)
        #expect(model.overlay == .confirm(ControlAction(.retry, task: "ok")), "it passed: asked first")
        #expect(model.handle(.character("y")) == .perform(ControlAction(.retry, task: "ok")))
        model.selected = 1
        #expect(model.handle(.character("r")) == .perform(ControlAction(.retry, task: "gates")), "its gates failed: at once")
        model.selected = 2
        #expect(model.handle(.character("r")) == .perform(ControlAction(.retry, task: "crash")))
    }
}

extension TaskVerdictTests {
    @Test func detailsShowTheCommandThatReallyRanItsResultAndItsFindingsFile() {
        var model = Self.model()
        for (offset, (name, text)) in [(TaskDetail.Name.command, "python3 -m pytest -q"), (.headline, "297 passed, 0 failed, 97.6% of lines covered"),
                                       (.findings, "/runs/r/findings/task-gates/testing.json")].enumerated() {
            model.apply(RunEvent(seq: 100 + offset, time: 2, kind: .taskDetail(TaskDetail(task: "gates", name: name, text: text))))
        }
        model.selected = 1
        _ = model.handle(.enter)
        let text = DashboardRenderer().render(model, width: 120, height: 40).text
        for line in ["Status    succeeded, gates failed, attempt 1 of 1", "Result    297 passed, 0 failed, 97.6% of lines covered",
                     "Command   python3 -m pytest -q", "Run by    sh", "Findings  /runs/r/findings/task-gates/testing.json"] {
            #expect(text.contains(line), "\(line)\n\(text)")
        }
    }
}

extension TaskVerdictTests {
    @Test func anETAFromEarlierRunsIsMarkedAndExplained() {
        var model = DashboardFixtures.model(at: 0.05)
        model.run.history = DurationHistory(durations: ["4": [12, 10, 14]])
        let grid = DashboardRenderer().render(model, width: 120, height: 40)
        let row = grid.text.split(separator: "\n").first { $0.hasPrefix("● 4 ") }
        #expect(row?.contains("~12.0s") == true, "\(row ?? "")")
        model.overlay = .details
        #expect(DashboardRenderer().render(model, width: 120, height: 40).text.contains("Expected  ~12.0s (median of 3 earlier runs, 10.0s–14.0s)"))
    }
}
