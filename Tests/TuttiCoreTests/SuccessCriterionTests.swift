import Testing
@testable import TuttiCore

/// Parsing the workflow's run-level success criteria.
@Suite struct SuccessCriterionTests {
    @Test func namedCriteriaParse() {
        #expect(SuccessCriterion.parse("all_tasks_completed") == SuccessCriterion.allTasksCompleted)
        #expect(SuccessCriterion.parse("no_task_blocked_by_another") == SuccessCriterion.noTaskBlockedByAnother)
        #expect(SuccessCriterion.parse("  all_tasks_completed  ") == SuccessCriterion.allTasksCompleted)
    }

    @Test func totalTimeParses() {
        #expect(SuccessCriterion.parse("total_time < 1200") == SuccessCriterion.measure(.totalTime, .less, 1200))
        #expect(SuccessCriterion.parse("total_time<60") == SuccessCriterion.measure(.totalTime, .less, 60))
        #expect(SuccessCriterion.parse("total_time <= 90s") == SuccessCriterion.measure(.totalTime, .lessOrEqual, 90))
    }

    @Test func parallelEfficiencyParses() {
        #expect(SuccessCriterion.parse("parallel_efficiency >= 2.5")
            == SuccessCriterion.measure(.parallelEfficiency, .greaterOrEqual, 2.5))
    }

    @Test func gatesPassRateParses() {
        #expect(SuccessCriterion.parse("gates_pass_rate >= 90") == SuccessCriterion.measure(.gatesPassRate, .greaterOrEqual, 90))
        #expect(SuccessCriterion.parse("gates_pass_rate >= 90%") == SuccessCriterion.measure(.gatesPassRate, .greaterOrEqual, 90))
    }

    @Test(arguments: ["total_tme < 5", "total_time", "parallel_efficiency >> 2", "total_time 5", "", "all_tasks", "total_time < soon"])
    func invalidCriteriaAreRejected(_ text: String) {
        #expect(SuccessCriterion.parse(text) == nil)
    }

    @Test func textRoundTripsThroughParse() {
        let criteria: [SuccessCriterion] = [
            .allTasksCompleted, .noTaskBlockedByAnother,
            .measure(.totalTime, .less, 1200), .measure(.parallelEfficiency, .greaterOrEqual, 2.5),
        ]
        #expect(criteria.map(\.text) == [
            "all_tasks_completed", "no_task_blocked_by_another", "total_time < 1200", "parallel_efficiency >= 2.5",
        ])
        #expect(criteria.compactMap { SuccessCriterion.parse($0.text) } == criteria)
    }

    @Test func knownNamesListEveryCriterion() {
        #expect(SuccessCriterion.knownNames == [
            "all_tasks_completed", "no_task_blocked_by_another", "total_time", "parallel_efficiency", "gates_pass_rate",
        ])
    }
}
