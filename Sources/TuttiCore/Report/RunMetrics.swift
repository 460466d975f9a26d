import Foundation

/// Computes a run's figures (efficiency, critical path, gates, criteria) from its tasks.
public enum RunMetrics {
    /// Tolerance, in seconds, for "no task blocked by another": the time a ready task may
    /// take to be started before it counts as having waited for a slot.
    public static let blockedTolerance = 1.0

    /// Builds the report for finished tasks.
    public static func report(
        runID: String, workflow: Workflow, tasks: [TaskReport], parallelism: Int, startedAt: Date,
        wallSeconds: Double, outcome: RunOutcome, outcomeReason: String?
    ) -> RunReport {
        let sum = tasks.reduce(0) { $0 + $1.duration }
        let longest = tasks.map(\.duration).max() ?? 0
        // Time when nothing ran because tasks waited in a cluster's queue is not the run's.
        let queueWait = idleQueueWait(tasks)
        let working = max(0, wallSeconds - queueWait)
        let efficiency = working > 0 ? sum / working : 0
        let slowest = tasks.lazy.filter { !$0.attempts.isEmpty }.max { $0.duration < $1.duration }
        let durations = Dictionary(uniqueKeysWithValues: tasks.map { ($0.id, $0.duration) })
        let graph = DependencyGraph(workflow.tasks) { durations[$0] != nil }
        let critical = graph.longestPath { id in
            guard let duration = durations[id], duration > 0 else { return nil }
            return duration
        }
        // No schedule can beat the longest dependency chain, nor the work spread evenly over
        // the slots: with independent tasks and enough slots this is sum / longest task.
        let bestWall = max(longest, critical.total, sum / Double(max(1, parallelism)))
        let gates = GateTally(passed: tasks.reduce(0) { $0 + $1.gatesPassed }, total: tasks.reduce(0) { $0 + $1.gates.count })
        var report = RunReport(
            runID: runID, workflow: workflow.name, workflowFile: workflow.sourcePath,
            mode: parallelism > 1 ? "parallel" : "sequential", parallelism: parallelism, outcome: outcome, outcomeReason: outcomeReason,
            startedAt: startedAt, wallSeconds: wallSeconds, sumOfDurations: sum, parallelEfficiency: efficiency,
            maximumEfficiency: bestWall > 0 ? sum / bestWall : 0,
            // A run stopped before its end saved nothing it can claim.
            timeSavedSeconds: outcome == .interrupted || outcome == .timedOut ? 0 : max(0, sum - working),
            slowestTask: slowest?.id, criticalPath: critical.path, criticalPathSeconds: critical.total, gates: gates,
            successCriteria: [], tasks: tasks, exitCode: ExitStatus.success,
            queueWaitSeconds: queueWait >= 0.05 ? EventBus.microseconds(queueWait) : nil)
        report.successCriteria = workflow.successCriteria.map { entry in
            var result = evaluate(entry.criterion, report: report)
            result.advisory = entry.advisory ? true : nil
            return result
        }
        let allSucceeded = tasks.allSatisfy { $0.status == .succeeded }
        // Advisory gates and criteria warn; they do not fail the run.
        let passed = allSucceeded && !tasks.contains { $0.gates.contains(where: \.blocks) }
            && !report.successCriteria.contains(where: \.blocks)
        switch outcome {
        case .interrupted: report.exitCode = ExitStatus.interrupted
        case .unrecorded: report.exitCode = ExitStatus.notRecorded
        case .passed, .failed, .timedOut:
            if outcome == .passed && !passed { report.outcome = .failed }
            report.exitCode = report.outcome == .passed ? ExitStatus.success : ExitStatus.failure
        }
        if report.outcome == .failed && report.outcomeReason == nil {
            report.outcomeReason = failureReason(report, allSucceeded: allSucceeded)
        }
        return report
    }

    /// Seconds when at least one attempt waited in a cluster's queue and none ran.
    static func idleQueueWait(_ tasks: [TaskReport]) -> Double {
        // Most runs wait in no queue: found out without copying every attempt.
        guard tasks.contains(where: { $0.attempts.contains { ($0.queued ?? 0) > 0 } }) else { return 0 }
        let attempts = tasks.flatMap(\.attempts)
        let waits = attempts.compactMap { attempt -> (Double, Double)? in
            guard let queued = attempt.queued, queued > 0 else { return nil }
            return (attempt.start - queued, attempt.start)
        }
        // Sweep the moments where waiting or running begins or ends.
        var changes: [(time: Double, waiting: Int, running: Int)] = []
        for (start, end) in waits { changes += [(start, 1, 0), (end, -1, 0)] }
        for attempt in attempts where attempt.end > attempt.start { changes += [(attempt.start, 0, 1), (attempt.end, 0, -1)] }
        changes.sort { $0.time < $1.time }
        var waiting = 0, running = 0, idle = 0.0
        var last = changes[0].time
        for change in changes {
            if waiting > 0, running == 0 { idle += change.time - last }
            waiting += change.waiting
            running += change.running
            last = change.time
        }
        return idle
    }

    static func failureReason(_ report: RunReport, allSucceeded: Bool) -> String {
        if !allSucceeded {
            let failed = report.tasks.filter { $0.status != .succeeded }.map(\.id)
            if failed.count == report.tasks.count { return "all tasks failed" }
            return "task\(failed.count == 1 ? "" : "s") \(failed.joined(separator: ", ")) did not succeed"
        }
        let failedGates = report.tasks.reduce(0) { $0 + $1.gates.filter(\.blocks).count }
        if failedGates > 0 {
            return "\(failedGates) quality gate\(failedGates == 1 ? "" : "s") failed"
        }
        let criteria = report.successCriteria.filter(\.blocks).map(\.criterion)
        return "success criteria not met: \(criteria.joined(separator: ", "))"
    }

    /// Evaluates one success criterion against a report's figures.
    public static func evaluate(_ criterion: SuccessCriterion, report: RunReport) -> CriterionResult {
        switch criterion {
        case .allTasksCompleted:
            let done = report.tasks.count { $0.status == .succeeded }
            return CriterionResult(criterion: criterion.text, passed: done == report.tasks.count,
                                   detail: "\(done)/\(report.tasks.count) tasks completed")
        case .noTaskBlockedByAnother:
            let blocked = report.tasks.compactMap { task -> (String, Double)? in
                guard let ready = task.readyAt, let start = task.start else { return nil }
                // Waiting in a cluster's queue is not waiting for another task's slot.
                let waited = start - ready - (task.attempts.first?.queued ?? 0)
                return waited > blockedTolerance ? (task.id, waited) : nil
            }
            let detail = blocked.isEmpty ? "every task started as soon as its dependencies were done"
                : blocked.map { "task \($0.0) waited \(DurationText.format($0.1)) for a slot" }.joined(separator: "; ")
            return CriterionResult(criterion: criterion.text, passed: blocked.isEmpty, detail: detail)
        case .measure(let measure, let op, let threshold) where measure != .gatesPassRate && !report.ranToItsEnd:
            // Time and efficiency of a run stopped before its end are not its figures.
            return CriterionResult(criterion: criterion.text, passed: false,
                                   detail: "not measured: the run did not run to its end (needs \(op.rawValue) \(NumberFormat.compact(threshold)))")
        case .measure(let measure, let op, let threshold):
            let value: Double
            let shown: String
            switch measure {
            case .totalTime:
                value = report.wallSeconds
                shown = "total time \(NumberFormat.distinguishing(value, from: threshold, op))s"
            case .parallelEfficiency:
                value = report.parallelEfficiency
                shown = "parallel efficiency \(NumberFormat.distinguishing(value, from: threshold, op, keepZeros: true))x"
            case .gatesPassRate:
                value = report.gates.rate
                shown = "gates pass rate \(NumberFormat.distinguishing(value, from: threshold, op, digits: 1, keepZeros: true))%"
            }
            return CriterionResult(criterion: criterion.text, passed: op.holds(value, threshold),
                                   detail: "\(shown) (needs \(op.rawValue) \(NumberFormat.compact(threshold)))")
        }
    }
}
