import Foundation

/// The end-of-run summary in the seed's form: slowest task, efficiency, gates, time saved,
/// per-task breakdown and success criteria.
public enum SummaryFormatter {
    /// The summary's lines.
    public static func lines(for report: RunReport, glyphs: Glyphs = .forEnvironment()) -> [String] {
        var lines: [String] = [""]
        switch report.outcome {
        case .passed: lines.append("All tasks complete!")
        case .failed: lines.append("Run failed: \(report.outcomeReason ?? "see below")")
        case .timedOut: lines.append("Run timed out: \(report.outcomeReason ?? "")")
        case .interrupted: lines.append("Run interrupted: \(report.outcomeReason ?? "")")
        case .unrecorded: lines.append("Run not recorded: \(report.outcomeReason ?? "its files could not be written")")
        }
        // What failed comes first: the gates against their thresholds, and the findings behind them.
        let digest = FailureDigest(report)
        if !digest.isEmpty {
            lines += ["", "What failed:"]
            for item in digest.items {
                lines.append("  \(glyphs.fail) \(item.text)")
                lines += item.findings.map { "      \($0)" }
            }
        }
        let executed = report.tasks.filter { !$0.attempts.isEmpty }
        let mode = report.parallelism > 1 ? "Parallel (up to \(report.parallelism) concurrent)" : "Sequential (one at a time)"
        let title = report.parallelism > 1 ? "Parallel Workflow Summary:" : "Workflow Summary:"
        lines += ["", title, "- Total tasks executed: \(executed.count) of \(report.tasks.count)", "- Execution mode: \(mode)"]
        if let slowestID = report.slowestTask, let slowest = report.task(slowestID) {
            lines.append("- Slowest task: Task \(slowest.id) (\(slowest.name)) - \(DurationText.format(slowest.duration))")
        }
        let average = executed.isEmpty ? 0 : report.sumOfDurations / Double(executed.count)
        lines.append("- Parallel efficiency: (\(executed.count) \(glyphs.times) \(DurationText.format(average)) avg) / "
                     + "\(DurationText.format(report.wallSeconds)) actual = \(String(format: "%.2f", report.parallelEfficiency))x "
                     + "speedup (max possible \(String(format: "%.2f", report.maximumEfficiency))x)")
        if !report.criticalPath.isEmpty {
            lines.append("- Critical path: " + report.criticalPath.map { "Task \($0)" }.joined(separator: " \(glyphs.arrow) ")
                         + " (\(DurationText.format(report.criticalPathSeconds)))")
        }
        let warnings = report.tasks.reduce(0) { $0 + $1.gates.filter { !$0.passed && $0.isAdvisory }.count }
        lines.append("- Total quality gates passed: \(report.gates.passed)/\(report.gates.total) "
                     + "(\(String(format: "%.1f", report.gates.rate))%)"
                     + (warnings > 0 ? ", \(warnings) advisory gate\(warnings == 1 ? "" : "s") warned" : ""))

        lines += ["", "Performance Breakdown:"]
        for (index, task) in report.tasks.enumerated() {
            let branch = index == report.tasks.count - 1 ? glyphs.lastBranch : glyphs.branch
            var line = "\(branch) Task \(task.id) (\(task.name)): "
            switch task.status {
            case .succeeded: line += DurationText.format(task.duration)
            case .skipped: line += "skipped (\(task.reason ?? ""))"
            default: line += "\(task.status.rawValue) after \(DurationText.format(task.duration)) (\(task.reason ?? ""))"
            }
            if task.attempts.count > 1 { line += " [\(task.attempts.count) attempts]" }
            if task.id == report.slowestTask { line += " ← Slowest" + (report.criticalPath.contains(task.id) ? " (critical path)" : "") }
            lines.append(line)
        }

        let gateRows = report.tasks.flatMap { task in task.gates.map { (task.id, $0) } }
        if !gateRows.isEmpty {
            lines += ["", "Quality Gates:"]
            let metricWidth = gateRows.map(\.1.metricText.count).max() ?? 0
            let thresholdWidth = gateRows.map(\.1.threshold.count).max() ?? 0
            let idWidth = gateRows.map(\.0.count).max() ?? 0
            for (id, gate) in gateRows {
                let verdict = gate.passed ? "\(glyphs.pass) Pass"
                    : gate.isAdvisory ? "\(glyphs.warn) Warn (\(gate.reason ?? ""); advisory)" : "\(glyphs.fail) Fail (\(gate.reason ?? ""))"
                lines.append("  Task \(id.padding(toLength: idWidth, withPad: " ", startingAt: 0))  "
                             + "\(gate.metricText.padding(toLength: metricWidth, withPad: " ", startingAt: 0))  "
                             + "\(gate.threshold.padding(toLength: thresholdWidth, withPad: " ", startingAt: 0))  "
                             + "\(gate.actualText.padding(toLength: 8, withPad: " ", startingAt: 0)) \(verdict)")
            }
        }
        lines += findingLines(report)

        let saved = report.timeSavedSeconds
        let percent = report.sumOfDurations > 0 ? Int((saved / report.sumOfDurations * 100).rounded()) : 0
        lines += ["",
                  "Workflow Time (if sequential): \(DurationText.format(report.sumOfDurations))",
                  "Workflow Time (actual \(report.parallelism > 1 ? "parallel" : "sequential")): "
                  + DurationText.format(report.wallSeconds)
                  + (report.queueWaitSeconds.map { ", of which \(DurationText.format($0)) waiting in the cluster's queue with nothing running "
                      + "(not counted in the efficiency or the time saved)" } ?? ""),
                  report.ranToItsEnd ? "Time Saved: \(DurationText.format(saved)) (\(percent)% reduction)"
                      : "Time Saved: not claimed (the run did not run to its end)"]
        if !report.successCriteria.isEmpty {
            lines += ["", "Success Criteria:"]
            for criterion in report.successCriteria {
                let glyph = criterion.passed ? glyphs.pass : criterion.isAdvisory ? glyphs.warn : glyphs.fail
                lines.append("\(glyph) \(criterion.criterion): \(criterion.detail)\(criterion.isAdvisory ? " (advisory)" : "")")
            }
        }
        lines += ["", "Result: \(report.outcome.rawValue.uppercased()) (exit \(report.exitCode))"]
        // Names, reasons and findings come from the workflow and its agents: one line each.
        return lines.map(\.escapingControls)
    }

    /// Findings shown per task in the summary; the rest are counted.
    public static let findingsShown = 5

    /// What the agents found, per task: the first few, and how many more there are.
    static func findingLines(_ report: RunReport) -> [String] {
        let tasks = report.tasks.filter { $0.findingCount > 0 }
        guard !tasks.isEmpty else { return [] }
        var lines = ["", "Findings:"]
        for task in tasks {
            lines.append("  Task \(task.id) (\(task.name)): \(task.findingCount) finding\(task.findingCount == 1 ? "" : "s")")
            for finding in task.findings.prefix(findingsShown) {
                lines.append("    \(finding.severity.rawValue.uppercased()) \(finding.summaryLine)")
            }
            let more = task.findingCount - min(findingsShown, task.findings.count)
            if more > 0 { lines.append("    and \(more) more") }
        }
        return lines
    }
}
