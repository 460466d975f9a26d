import Foundation
import Testing
import TuttiCore
@testable import TuttiDashboard

/// Replay: plays and seeks exactly, at any speed, and looks like the live run.
@Suite struct ReplayPlayerTests {
    static func screen(_ model: DashboardModel, width: Int = 80, height: Int = 24) -> String {
        DashboardRenderer(glyphs: .unicode).render(model, width: width, height: height).text
    }

    /// A screen without its first line (the header says REPLAY) and last (the replay's bar).
    static func body(_ screen: String) -> [Substring] {
        let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
        return Array(lines.dropFirst().dropLast())
    }

    @Test(arguments: [0.05, 5.0, 5.5, 8.5, 12.0, 16.0, 30.0])
    func seekingGivesTheScreenThatPlayingGives(to time: Double) {
        let events = DashboardFixtures.events()
        var played = ReplayPlayer(events: events, snapshotInterval: 3)
        var elapsed = 0.0
        var step = 0.013
        while played.position < min(time, played.duration) {
            let move = min(step, time - elapsed)
            played.advance(wallSeconds: move)
            elapsed += move
            step = step * 1.7 > 0.9 ? 0.013 : step * 1.7
        }
        var fromEnd = ReplayPlayer(events: events, snapshotInterval: 3)
        fromEnd.seek(to: 100)
        fromEnd.seek(to: time)
        var fromStart = ReplayPlayer(events: events, snapshotInterval: 1000)
        fromStart.seek(to: time)
        let view = DashboardModel()
        // Everything but the bar, which says whether the replay is playing.
        func run(_ player: ReplayPlayer) -> Substring { Self.screen(player.model(keepingViewOf: view)).dropLast(80) }
        #expect(played.position == min(time, played.duration))
        #expect(run(fromEnd) == run(played), "seeking back to \(time)")
        #expect(run(fromStart) == run(played), "seeking forward to \(time)")
    }

    @Test(arguments: [("starting", 0.05, 0), ("midrun-failure", 8.5, 1)])
    func aReplayLooksLikeTheLiveRunAtTheSameTime(name: String, time: Double, selected: Int) throws {
        var player = ReplayPlayer(events: DashboardFixtures.events())
        player.seek(to: time)
        var view = DashboardModel()
        view.selected = selected
        for (width, height) in [(80, 24), (120, 40)] {
            let replay = Self.screen(player.model(keepingViewOf: view), width: width, height: height)
            let golden = try String(contentsOf: GoldenScreenTests.goldenDirectory.appendingPathComponent("\(name)-\(width)x\(height).txt"),
                                    encoding: .utf8)
            #expect(Self.body(replay) == Self.body(String(golden.dropLast())), "\(name) at \(width)×\(height)")
            #expect(replay.split(separator: "\n").first?.contains(" REPLAY ") == true)
        }
    }

    @Test func speedGoesFromAQuarterTo64TimesAndScalesTheClock() {
        var player = ReplayPlayer(events: DashboardFixtures.events())
        for _ in 0..<20 { _ = player.handle(.character("+")) }
        #expect(player.speed == 64)
        for _ in 0..<20 { _ = player.handle(.character("-")) }
        #expect(player.speed == 0.25)
        player.setSpeed(4)
        player.advance(wallSeconds: 1)
        #expect(player.position == 4)
        _ = player.handle(.character(" "))
        player.advance(wallSeconds: 1)
        #expect(player.position == 4, "paused, the replay stands still")
        _ = player.handle(.character(" "))
        player.advance(wallSeconds: 100)
        #expect(player.position == player.duration)
        #expect(!player.playing, "it stops at the end")
    }

    @Test func bracketsJumpBetweenMomentsAndArrowsStep() {
        var player = ReplayPlayer(events: DashboardFixtures.events())
        _ = player.handle(.character("]"))
        #expect(player.position == 5, "task 5's first attempt failed at 5 s")
        _ = player.handle(.character("]"))
        #expect(player.position == 9.71, "task 6 finished (the retry at 5 s is the same moment)")
        _ = player.handle(.character("["))
        #expect(player.position == 5)
        _ = player.handle(.end)
        #expect(player.position == player.duration)
        _ = player.handle(.home)
        #expect(player.position == 0)
        _ = player.handle(.right)
        #expect(player.position == 1)
        _ = player.handle(.left)
        #expect(player.position == 0)
        #expect(player.handle(.character("j")) == false, "other keys are the dashboard's")
    }

    @Test func controlKeysAreRefusedWithAMessage() {
        var player = ReplayPlayer(events: DashboardFixtures.events())
        player.seek(to: 8.5)
        var model = player.model(keepingViewOf: DashboardModel())
        #expect(model.handle(.character("p")) == nil)
        #expect(model.flash?.text == "Refused pause task 4: this is a replay; control acts on live runs")
        let kept = player.model(keepingViewOf: model)
        #expect(Self.screen(kept).contains("Refused pause task 4"), "the message stays while the replay plays")
        #expect(model.handle(.character("q")) == .quit, "q leaves a replay at once")
    }
}

extension ReplayPlayerTests {
    @Test func goingBackToTheStartKeepsTheSelectedTask() {
        var player = ReplayPlayer(events: DashboardFixtures.events())
        player.seek(to: 8.5)
        var view = player.model(keepingViewOf: DashboardModel())
        view.selected = 2
        player.seek(to: 0)
        view = player.model(keepingViewOf: view)
        player.seek(to: 8.5)
        #expect(player.model(keepingViewOf: view).selected == 2)
    }

    @Test func bracketWhilePlayingSkipsTheMomentJustPassed() {
        var player = ReplayPlayer(events: DashboardFixtures.events())
        player.seek(to: 9.71)
        player.advance(wallSeconds: 0.1)
        #expect(player.playing)
        _ = player.handle(.character("["))
        #expect(player.position == 5, "not 9.71 again")
    }
}

extension ReplayPlayerTests {
    @Test func homeShowsTheRunAsItStartedNotAnEmptyHeader() {
        // A real recording's first event comes a few milliseconds into the run.
        let events = DashboardFixtures.events().map { RunEvent(seq: $0.seq, time: $0.time + 0.004, kind: $0.kind) }
        var player = ReplayPlayer(events: events)
        player.seek(to: 8.5)
        let handled = player.handle(.home)
        #expect(handled)
        let model = player.model(keepingViewOf: DashboardModel())
        #expect(model.tasks.count == 4 && player.status.position == 0.004)
        #expect(Self.screen(model).contains("0/4 done"), "\(Self.screen(model))")
    }

    @Test func hardActionsAreRefusedAtOnceWithoutAskingFirst() {
        var player = ReplayPlayer(events: DashboardFixtures.events())
        player.seek(to: 8.5)
        var model = player.model(keepingViewOf: DashboardModel())
        for key in ["x", "X", "R"] {
            #expect(model.handle(.character(Character(key))) == nil)
            #expect(model.overlay == nil, "\(key) asks nothing in a replay")
            #expect(model.flash?.text.hasPrefix("Refused") == true && model.flash?.text.hasSuffix("this is a replay; control acts on live runs") == true)
        }
    }
}
