import Foundation
import Testing
import TuttiCore
@testable import TuttiDashboard

/// The dashboard at fixed sizes, compared as text with files in Golden/.
/// Re-record with `TUTTI_RECORD_GOLDEN=1 swift test --filter GoldenScreenTests`.
@Suite struct GoldenScreenTests {
    static let goldenDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static let cases: [(name: String, model: @Sendable () -> DashboardModel)] = [
        ("starting", { DashboardFixtures.model(at: 0.05) }),
        ("midrun-failure", { DashboardFixtures.model(at: 8.5, selected: 1) }),
        ("finished", { DashboardFixtures.finished() }),
        ("help", { var model = DashboardFixtures.model(at: 8.5); _ = model.handle(.character("?")); return model }),
        ("details", { var model = DashboardFixtures.model(at: 8.5, selected: 1); _ = model.handle(.enter); return model }),
        ("gates", { var model = DashboardFixtures.model(at: 12, selected: 0); _ = model.handle(.tab); return model }),
        ("gates-all", { var model = DashboardFixtures.model(at: 12); _ = model.handle(.character("a")); return model }),
        ("paused", {
            var model = DashboardFixtures.model(at: 8.5, selected: 0)
            for (offset, kind) in [
                EventKind.action(ActionTaken(action: .pause, task: nil, actor: "dashboard", accepted: true,
                                             message: "run paused: nothing new starts and running tasks are stopped")),
                .dispatchChanged(DispatchChanged(state: .paused)), .taskPaused(TaskRef(task: "4")), .taskPaused(TaskRef(task: "5")),
                .taskPaused(TaskRef(task: "6")),
            ].enumerated() { model.apply(RunEvent(seq: 900 + offset, time: 8.5, kind: kind)) }
            model.tick(now: 12)
            return model
        }),
        ("findings", { FindingsPanelTests.model() }),
        ("confirm-cancel", { var model = DashboardFixtures.model(at: 8.5, selected: 1); _ = model.handle(.character("x")); return model }),
        ("log-search", {
            var model = DashboardFixtures.model(at: 8.5, selected: 1)
            for key: KeyInput in [.character("/"), .character("w"), .character("a"), .character("r"), .character("n"), .enter] {
                _ = model.handle(key)
            }
            return model
        }),
    ]

    @Test(arguments: [(80, 24), (120, 40)])
    func screensMatchTheirGoldenFiles(width: Int, height: Int) throws {
        for (name, makeModel) in Self.cases {
            let screen = DashboardRenderer(glyphs: .unicode).render(makeModel(), width: width, height: height).text + "\n"
            let file = Self.goldenDirectory.appendingPathComponent("\(name)-\(width)x\(height).txt")
            if ProcessInfo.processInfo.environment["TUTTI_RECORD_GOLDEN"] != nil {
                try FileManager.default.createDirectory(at: Self.goldenDirectory, withIntermediateDirectories: true)
                try screen.write(to: file, atomically: true, encoding: .utf8)
                continue
            }
            let golden = try String(contentsOf: file, encoding: .utf8)
            #expect(screen == golden, "\(name) at \(width)×\(height) differs from \(file.lastPathComponent)")
        }
    }

    @Test func aTooSmallTerminalSaysSo() {
        let screen = DashboardRenderer().render(DashboardFixtures.model(at: 1), width: 40, height: 10).text
        #expect(screen.contains("Terminal too small: 40×10."))
        #expect(screen.contains("at least 60×15"))
    }

    @Test func asciiGlyphsWhenTheLocaleIsNotUTF8() {
        let screen = DashboardRenderer(glyphs: .ascii).render(DashboardFixtures.model(at: 8.5), width: 80, height: 24).text
        #expect(screen.contains("#"))
        #expect(!screen.contains("█"))
        #expect(screen.allSatisfy { $0.isASCII })
    }

    @Test func tabCyclesThePanelsAndEscapeClearsTheSearch() {
        var model = DashboardFixtures.model(at: 8.5)
        #expect(model.panel == .timeline)
        _ = model.handle(.tab)
        #expect(model.panel == .gates)
        _ = model.handle(.tab)
        #expect(model.panel == .log)
        _ = model.handle(.tab)
        #expect(model.panel == .findings)
        _ = model.handle(.tab)
        #expect(model.panel == .timeline)
        for key: KeyInput in [.character("/"), .character("x"), .character("\u{7f}"), .character("s"), .enter] { _ = model.handle(key) }
        #expect(model.search == "s")
        #expect(model.panel == .log)
        _ = model.handle(.escape)
        #expect(model.search == nil)
    }

    @Test func theLogKeepsABoundedNumberOfLines() {
        var model = DashboardFixtures.model(at: 0.05)
        for index in 0..<(TaskState.logLimit + 100) {
            model.apply(RunEvent(seq: 10_000 + index, time: 1, kind: .taskLog(TaskLog(task: "4", stream: .stdout, line: "line \(index)"))))
        }
        #expect(model.tasks[0].log.count == TaskState.logLimit)
        #expect(model.tasks[0].log.last == "line \(TaskState.logLimit + 99)")
        model.apply(RunEvent(seq: 30_000, time: 1, kind: .taskLogDropped(TaskLogDropped(task: "4", count: 1234))))
        _ = model.handle(.tab)
        _ = model.handle(.tab)
        #expect(DashboardRenderer().render(model, width: 120, height: 40).text.contains("1234 more came too fast to show"))
    }

    @Test func pageUpScrollsTheLogBack() {
        var model = DashboardFixtures.model(at: 0.05)
        for index in 0..<40 {
            model.apply(RunEvent(seq: 20_000 + index, time: 1, kind: .taskLog(TaskLog(task: "4", stream: .stdout, line: "line \(index)"))))
        }
        _ = model.handle(.tab)
        _ = model.handle(.tab)
        let latest = DashboardRenderer().render(model, width: 80, height: 24).text
        #expect(latest.contains("line 39"))
        _ = model.handle(.pageUp)
        let back = DashboardRenderer().render(model, width: 80, height: 24).text
        #expect(!back.contains("line 39"))
        #expect(back.contains("10 lines back"))
        _ = model.handle(.pageDown)
        #expect(DashboardRenderer().render(model, width: 80, height: 24).text.contains("line 39"))
    }

    @Test func outputIsMadeSafeForTheGrid() {
        #expect("\u{1B}[31mred\u{1B}[0m text".terminalSafe == "red text")
        #expect("a\tb".terminalSafe == "a    b")
        #expect("bell\u{07}!".terminalSafe == "bell !")
        #expect("wide 漢字 and 😀".terminalSafe == "wide ?? and ?")
        #expect("é and e\u{301}".terminalSafe == "é and e")
        #expect("box █ ░ ✓".terminalSafe == "box █ ░ ✓")
        var grid = ScreenGrid(width: 20, height: 1)
        grid.put("a\tb\u{1B}[1mc漢", x: 0, y: 0)
        #expect(grid.text == "a    bc?", "everything put on the grid is made safe")
    }

    @Test func hostileTaskNamesKeepTheirRowsAligned() {
        let names = ["Plain name", "Title\u{1B}]0;pwned\u{07}set", "Clear\u{1B}[2J\u{1B}[Hscreen", "Tab\tand\r\nnewline",
                     "C1\u{9B}31mred", "漢字 wide", "e\u{301}\u{301}\u{301} marks", "\u{202E}reversed"]
        let tasks = names.enumerated().map { index, name in
            AnnouncedTask(id: "\(index + 1)", name: name, agent: "sh\u{1B}[5m", dependsOn: [], gates: 0, maxAttempts: 1)
        }
        var model = DashboardModel()
        model.apply(RunEvent(seq: 1, time: 0, kind: .runStarted(RunStarted(runID: "r\u{1B}[31m", workflow: "evil\u{1B}]2;x\u{07}",
                                                                             parallelism: 8, mode: "parallel", pollingInterval: 2, tasks: tasks))))
        let screen = DashboardRenderer(glyphs: .unicode).render(model, width: 80, height: 24).text
        #expect(!screen.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" || (0x7F...0x9F).contains($0.value) || $0.value == 0x202E })
        let rows = screen.split(separator: "\n").filter { $0.hasPrefix("○ ") }
        #expect(rows.count == names.count, "\(screen)")
        let percentColumns = Set(rows.map { $0.distance(from: $0.startIndex, to: $0.firstIndex(of: "%") ?? $0.endIndex) })
        #expect(percentColumns.count == 1, "every row's columns line up:\n\(rows.joined(separator: "\n"))")
        #expect(!screen.contains("pwned") && !screen.contains("2J"), "escape sequences are dropped whole")
    }

    @Test func waitingForARetryCountsNoTime() {
        var model = DashboardFixtures.model(at: 5.5)
        let task = model.tasks[1]
        #expect(task.reason == "retrying in 1.0s")
        #expect(abs(task.elapsed(now: 5.9) - 4.98) < 1e-9)
        model.tick(now: 5.9)
        #expect(model.tasks[1].eta(now: 5.9) == nil)
    }

    @Test func ctrlCWhileTypingASearchStillAsksToStop() {
        var model = DashboardFixtures.model(at: 8.5)
        _ = model.handle(.character("/"))
        _ = model.handle(.interrupt)
        #expect(model.typing == nil)
        #expect(model.overlay == .confirmStop)
    }

    @Test func manyTasksScrollWithARowSayingWhichShow() {
        var model = DashboardModel()
        let infos = (1...22).map { AnnouncedTask(id: "\($0)", name: "Task \($0)", agent: "sim", dependsOn: [], gates: 0, maxAttempts: 1) }
        model.apply(RunEvent(seq: 1, time: 0, kind: .runStarted(RunStarted(runID: "r", workflow: "w", parallelism: 4,
                                                                          mode: "parallel", pollingInterval: 2, tasks: infos))))
        model.selected = 21
        let screen = DashboardRenderer().render(model, width: 80, height: 24).text
        #expect(screen.contains("of 22 tasks"))
        #expect(screen.contains(" 22 "))
        #expect(!screen.contains("○ 1  "))
    }
}
