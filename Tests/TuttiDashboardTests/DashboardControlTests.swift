import Foundation
import Testing
import TuttiCore
@testable import TuttiDashboard

/// Control keys, and how the dashboard shows pauses, holds, retries and refusals.
@Suite struct DashboardControlTests {
    /// The fixture run at 8.5 s, with more events folded in after it.
    static func model(selected: Int = 0, then kinds: [(Double, EventKind)] = []) -> DashboardModel {
        var model = DashboardFixtures.model(at: 8.5, selected: selected)
        for (offset, (time, kind)) in kinds.enumerated() { model.apply(RunEvent(seq: 1000 + offset, time: time, kind: kind)) }
        return model
    }

    @Test func keysAskForTheActionsOnTheSelectedTaskOrTheRun() {
        var model = Self.model(selected: 1)
        #expect(model.handle(.character("p")) == .perform(ControlAction(.pause, task: "5")))
        #expect(model.handle(.character("r")) == .perform(ControlAction(.retry, task: "5")))
        #expect(model.handle(.character("P")) == .perform(ControlAction(.pause)))
        #expect(model.handle(.character("h")) == .perform(ControlAction(.hold)))
        model.apply(RunEvent(seq: 2000, time: 8.6, kind: .taskPaused(TaskRef(task: "5"))))
        model.apply(RunEvent(seq: 2001, time: 8.6, kind: .dispatchChanged(DispatchChanged(state: .paused))))
        #expect(model.handle(.character("p")) == .perform(ControlAction(.resume, task: "5")), "p on a paused task resumes it")
        #expect(model.handle(.character("P")) == .perform(ControlAction(.resume)), "P on a paused run resumes it")
    }

    @Test func hardActionsAskFirstAndDoNothingWithoutAYes() {
        var model = Self.model(selected: 2)
        #expect(model.handle(.character("x")) == nil)
        #expect(model.overlay == .confirm(ControlAction(.cancel, task: "6")))
        #expect(model.handle(.character("n")) == nil, "anything but y says no")
        #expect(model.overlay == nil)
        _ = model.handle(.character("x"))
        #expect(model.handle(.character("y")) == .perform(ControlAction(.cancel, task: "6")))
        _ = model.handle(.character("X"))
        #expect(model.handle(.character("Y")) == .perform(ControlAction(.cancel)))
        _ = model.handle(.character("R"))
        #expect(model.overlay == .confirm(ControlAction(.retry)))
        #expect(model.handle(.character("y")) == .perform(ControlAction(.retry)))
    }

    @Test func aPausedTaskShowsAsPausedAndItsTimeStandsStill() {
        var model = Self.model(then: [(8.5, .taskPaused(TaskRef(task: "4")))])
        let task = model.tasks[0]
        #expect(task.status == .paused)
        #expect(abs(task.elapsed(now: 20) - task.elapsed(now: 8.5)) < 1e-9, "paused time is not counted")
        #expect(task.eta(now: 20) == nil)
        model.apply(RunEvent(seq: 3000, time: 10.5, kind: .taskResumed(TaskRef(task: "4"))))
        #expect(model.tasks[0].status == .running)
        #expect(abs(model.tasks[0].elapsed(now: 11.5) - (task.elapsed(now: 8.5) + 1)) < 1e-9, "time counts again after resume")
    }

    @Test func theHeaderSaysWhenTheRunIsPausedOrHeld() {
        var model = Self.model(then: [(8.5, .dispatchChanged(DispatchChanged(state: .paused)))])
        #expect(model.stateText == "PAUSED")
        #expect(DashboardRenderer().render(model, width: 80, height: 24).text.contains(" PAUSED "))
        model.apply(RunEvent(seq: 3000, time: 9, kind: .dispatchChanged(DispatchChanged(state: .held))))
        #expect(model.stateText == "HOLDING")
        model.apply(RunEvent(seq: 3001, time: 9, kind: .dispatchChanged(DispatchChanged(state: .running))))
        #expect(model.stateText == "RUNNING")
    }

    @Test func actionsAndRefusalsBecomeNotices() {
        let model = Self.model(then: [
            (8.5, .action(ActionTaken(action: .pause, task: "4", actor: "ctl (pid 7, ana)", accepted: true, message: "task 4 paused"))),
            (8.6, .action(ActionTaken(action: .retry, task: "4", actor: "dashboard", accepted: false,
                                      message: "task 4 is paused; only a failed, timed-out or cancelled task can be retried"))),
        ])
        let texts = model.notices.suffix(2).map(\.text)
        #expect(texts.first == "Task 4 paused (ctl (pid 7, ana))")
        #expect(texts.last == "Refused retry task 4: task 4 is paused; only a failed, timed-out or cancelled task can be retried")
        #expect(model.notices.last?.role == .failed)
    }

    @Test func aRetryAfterTheEndReopensTheRunAndQueuesTheTaskAgain() {
        var model = DashboardFixtures.model(at: 100)
        #expect(model.outcome == .failed)
        for (offset, kind) in [EventKind.runReopened(RunReopened(reason: "retry asked by dashboard")), .taskQueued(TaskRef(task: "5")),
                               .taskStarted(TaskStarted(task: "5", attempt: 3, pid: 1200, command: ["sim"]))].enumerated() {
            model.apply(RunEvent(seq: 5000 + offset, time: 30, kind: kind))
        }
        #expect(model.outcome == nil)
        #expect(model.stateText == "RUNNING")
        #expect(model.tasks[1].status == .running)
        #expect(model.tasks[1].attempt == 3)
        #expect(model.tasks[1].maxAttempts == 3, "a manual retry raises the attempt count shown")
        #expect(model.tasks[1].gateResults.isEmpty)
        model.tick(now: 31)
        #expect(model.now == 31, "the clock runs again")
    }

    @Test func theRunFinishedEventCarriesTheReportTheSummaryShows() throws {
        let report = try #require(DashboardFixtures.finished().report)
        var model = DashboardFixtures.model(at: 16)
        model.apply(RunEvent(seq: 9000, time: 16.01, kind: .runFinished(RunFinished(outcome: .failed, report: report))))
        #expect(model.report == report)
    }

    @Test func aWatcherLeavesWithQAtOnce() {
        var model = Self.model()
        model.detachOnQuit = true
        #expect(model.handle(.character("q")) == .quit)
    }

    @Test func theDetailsListWhatTheAgentFoundAndTheGatesSayWhatTheyMeasure() {
        var model = DashboardFixtures.model(at: 8.5)
        let failure = Finding(kind: "test_failure", severity: .high, title: "tests/test_calc.py::test_wrong", file: "tests/test_calc.py",
                              line: 17, detail: "assert 2 == 3")
        let gate = GateResult(metric: "coverage_threshold", threshold: "≥ 90%", actual: .number(73.3), actualText: "73.3%", passed: false,
                              reason: "needs ≥ 90%", label: "documented public API")
        let advisory = GateResult(metric: "patterns_generated", threshold: "≥ 10", actual: .number(3), actualText: "3", passed: false,
                                  reason: "needs ≥ 10", advisory: true)
        for (offset, kind) in [EventKind.taskFinding(TaskFinding(task: "4", finding: failure)), .taskGate(TaskGate(task: "4", result: gate)),
                               .taskGate(TaskGate(task: "4", result: advisory))].enumerated() {
            model.apply(RunEvent(seq: 7000 + offset, time: 8.6, kind: kind))
        }
        #expect(model.tasks[0].findings == [failure])
        model.selected = 0
        model.overlay = .details
        let details = DashboardRenderer(glyphs: .unicode).render(model, width: 100, height: 30).text
        #expect(details.contains("Found     1:"))
        #expect(details.contains("HIGH tests/test_calc.py:17 tests/test_calc.py::test_wrong — assert 2 == 3"))
        model.overlay = nil
        model.panel = .gates
        let gates = DashboardRenderer(glyphs: .unicode).render(model, width: 120, height: 30).text
        #expect(gates.contains("FAIL (needs ≥ 90%)  documented public API"), "\(gates)")
        #expect(gates.contains("WARN (needs ≥ 10)"), "an advisory gate warns")
        // A new attempt starts with nothing found yet.
        model.apply(RunEvent(seq: 7100, time: 9, kind: .taskStarted(TaskStarted(task: "4", attempt: 2, pid: 1300, command: ["sim"]))))
        #expect(model.tasks[0].findings.isEmpty)
    }
}
