import Foundation

/// A run as one self-contained HTML page (no scripts, no network): the headline figures,
/// the timeline as SVG with a bar per attempt and the critical path marked, the gate table,
/// per-task durations and metrics, and the success criteria.
public enum HTMLReport {
    /// The page for `report`.
    public static func html(for report: RunReport) -> String {
        let outcomeClass = report.outcome == .passed ? "succeeded" : report.outcome == .interrupted ? "cancelled" : "failed"
        let started = ISO8601DateFormatter().string(from: report.startedAt)
        let figures: [(String, String)] = [
            ("Wall time", DurationText.format(report.wallSeconds)),
            ("Sequential time", DurationText.format(report.sumOfDurations)),
            ("Time saved", DurationText.format(max(0, report.timeSavedSeconds))),
            ("Parallel efficiency", String(format: "%.2fx of %.2fx possible", report.parallelEfficiency, report.maximumEfficiency)),
            ("Quality gates", "\(report.gates.passed)/\(report.gates.total) passed"),
            ("Critical path", report.criticalPath.isEmpty ? "—"
                : report.criticalPath.map { "Task \($0)" }.joined(separator: " → ") + " (\(DurationText.format(report.criticalPathSeconds)))"),
        ]
        return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(e(report.workflow)) — \(e(report.runID))</title>
        <style>\(style)</style>
        </head>
        <body>
        <header>
          <h1>\(e(report.workflow)) <span class="badge \(outcomeClass)">\(e(report.outcome.rawValue.replacingOccurrences(of: "_", with: " ")))</span></h1>
          <p class="meta">Run <code>\(e(report.runID))</code> · started \(e(started)) · \(e(report.mode)), up to \(report.parallelism) at once\
        \(report.outcomeReason.map { " · \(e($0))" } ?? "")</p>
        </header>
        <section class="figures">
        \(figures.map { "  <div><span>\(e($0.0))</span><strong>\(e($0.1))</strong></div>" }.joined(separator: "\n"))
        </section>
        <h2>Timeline</h2>
        \(timeline(report))
        <h2>Quality gates</h2>
        \(gateTable(report))
        \(findings(report))
        <h2>Tasks</h2>
        \(taskTable(report))
        \(criteria(report))
        <footer>Written by tutti from the run's report.</footer>
        </body>
        </html>

        """
    }

    // MARK: - Parts

    static func timeline(_ report: RunReport) -> String {
        let labelWidth = 250.0, chartWidth = 680.0, rowHeight = 28.0, top = 10.0
        let span = max(report.wallSeconds, report.tasks.compactMap(\.end).max() ?? 0, 0.001)
        let step = niceStep(for: span)
        let height = top + rowHeight * Double(report.tasks.count) + 34
        func x(_ time: Double) -> Double { labelWidth + time / span * chartWidth }
        var parts: [String] = []
        var tick = 0.0
        while tick <= span + 1e-9 {
            parts.append("<line class=\"grid\" x1=\"\(f(x(tick)))\" y1=\"\(f(top))\" x2=\"\(f(x(tick)))\" y2=\"\(f(height - 24))\"/>"
                         + "<text class=\"axis\" x=\"\(f(x(tick)))\" y=\"\(f(height - 8))\">\(e(DurationText.format(tick)))</text>")
            tick += step
        }
        for (row, task) in report.tasks.enumerated() {
            let y = top + rowHeight * Double(row)
            let critical = report.criticalPath.contains(task.id)
            parts.append("<g class=\"task\" data-task=\"\(e(task.id))\">"
                         + "<text class=\"label\(critical ? " critical" : "")\" x=\"\(f(labelWidth - 10))\" y=\"\(f(y + rowHeight / 2 + 4))\">"
                         + "\(critical ? "★ " : "")Task \(e(task.id)) \(e(String(task.name.prefix(22))))</text>")
            if task.attempts.isEmpty {
                parts.append("<text class=\"note\" x=\"\(f(labelWidth + 6))\" y=\"\(f(y + rowHeight / 2 + 4))\">\(e(task.status.rawValue))"
                             + "\(task.reason.map { ": \(e($0))" } ?? "")</text>")
            }
            for attempt in task.attempts {
                let width = max(2, x(attempt.end) - x(attempt.start))
                let title = "Task \(task.id) attempt \(attempt.attempt): \(attempt.status.rawValue), "
                    + "\(DurationText.format(attempt.start)) to \(DurationText.format(attempt.end))"
                    + (attempt.paused.map { ", paused \(DurationText.format($0))" } ?? "") + (attempt.reason.map { " (\($0))" } ?? "")
                let verdict = task.failedGates && attempt.attempt == task.attempts.last?.attempt ? "gates_failed" : attempt.status.rawValue
                parts.append("<rect class=\"bar \(verdict)\(critical ? " critical" : "")\" x=\"\(f(x(attempt.start)))\" "
                             + "y=\"\(f(y + 5))\" width=\"\(f(width))\" height=\"\(f(rowHeight - 10))\" rx=\"3\"><title>\(e(title))</title></rect>")
            }
            parts.append("</g>")
        }
        return "<svg class=\"timeline\" viewBox=\"0 0 \(f(labelWidth + chartWidth + 20)) \(f(height))\" role=\"img\" "
            + "aria-label=\"Timeline of the run's tasks\">\n" + parts.joined(separator: "\n") + "\n</svg>\n"
            + "<p class=\"legend\">" + ["succeeded", "gates_failed", "failed", "timed_out", "cancelled"].map {
                "<span class=\"swatch \($0)\"></span>\($0.replacingOccurrences(of: "_", with: " "))"
            }.joined(separator: " ") + " · ★ critical path</p>"
    }

    static func gateTable(_ report: RunReport) -> String {
        let rows = report.tasks.flatMap { task in
            task.gates.map { gate in
                let verdict = gate.passed ? "✔ pass" : "\(gate.isAdvisory ? "⚠ warning (advisory)" : "✘ fail")\(gate.reason.map { " — \(e($0))" } ?? "")"
                return "<tr class=\"\(gate.passed ? "pass" : gate.isAdvisory ? "warn" : "fail")\"><td>Task \(e(task.id))</td>"
                    + "<td><code>\(e(gate.metric))</code>\(gate.label.map { "<br><small>\(e($0))</small>" } ?? "")</td>"
                    + "<td>\(e(gate.threshold))</td><td>\(e(gate.actualText))</td><td>\(verdict)</td></tr>"
            }
        }
        guard !rows.isEmpty else { return "<p>This workflow has no quality gates.</p>" }
        return "<table><thead><tr><th>Task</th><th>Metric</th><th>Threshold</th><th>Actual</th><th>Verdict</th></tr></thead><tbody>\n"
            + rows.joined(separator: "\n") + "\n</tbody></table>"
    }

    static func taskTable(_ report: RunReport) -> String {
        let rows = report.tasks.map { task in
            let metrics = task.metrics.sorted { $0.key < $1.key }.map { "<code>\(e($0.key))</code>=\(e($0.value.description))" }
            return "<tr><td>\(e(task.id))</td><td>\(e(task.name))</td><td>\(e(task.agent))</td>"
                + "<td><span class=\"badge \(task.verdict)\">\(e(task.verdict.replacingOccurrences(of: "_", with: " ")))</span>"
                + "\(task.reason.map { "<br><small>\(e($0))</small>" } ?? "")</td>"
                + "<td>\(task.attempts.count)</td><td>\(e(DurationText.format(task.duration)))</td>"
                + "<td>\(task.start.map { e(DurationText.format($0)) } ?? "—")</td><td>\(task.end.map { e(DurationText.format($0)) } ?? "—")</td>"
                + "<td>\(metrics.isEmpty ? "—" : metrics.joined(separator: ", "))</td></tr>"
        }
        return "<table><thead><tr><th>ID</th><th>Task</th><th>Agent</th><th>Status</th><th>Attempts</th><th>Duration</th>"
            + "<th>Start</th><th>End</th><th>Metrics</th></tr></thead><tbody>\n" + rows.joined(separator: "\n") + "\n</tbody></table>"
    }

    static func criteria(_ report: RunReport) -> String {
        guard !report.successCriteria.isEmpty else { return "" }
        return "<h2>Success criteria</h2>\n<ul class=\"criteria\">\n" + report.successCriteria.map {
            let (style, mark) = $0.passed ? ("pass", "✔") : $0.isAdvisory ? ("warn", "⚠") : ("fail", "✘")
            return "<li class=\"\(style)\">\(mark) <code>\(e($0.criterion))</code> — \(e($0.detail))\($0.isAdvisory ? " (advisory)" : "")</li>"
        }.joined(separator: "\n") + "\n</ul>"
    }

    /// What the agents found, worst first as they reported it: a table per task that found something.
    static func findings(_ report: RunReport) -> String {
        let tasks = report.tasks.filter { $0.findingCount > 0 }
        guard !tasks.isEmpty else { return "" }
        return "<h2>Findings</h2>\n" + tasks.map { task in
            let rows = task.findings.map { finding in
                "<tr class=\"finding \(finding.severity.rawValue)\"><td>\(e(finding.severity.rawValue))</td>"
                    + "<td><code>\(e(finding.location ?? "—"))</code></td><td>\(e(finding.title))"
                    + "\(finding.rule.map { " <small><code>\(e($0))</code></small>" } ?? "")</td><td>\(e(finding.detail ?? ""))</td></tr>"
            }
            let more = task.findingCount - task.findings.count
            return "<h3>Task \(e(task.id)): \(e(task.name)) — \(task.findingCount) finding\(task.findingCount == 1 ? "" : "s")</h3>\n"
                + "<table><thead><tr><th>Severity</th><th>Where</th><th>What</th><th>Detail</th></tr></thead><tbody>\n"
                + rows.joined(separator: "\n") + "\n</tbody></table>"
                + (more > 0 ? "\n<p class=\"meta\">and \(more) more in the task's findings files.</p>" : "")
        }.joined(separator: "\n")
    }

    // MARK: - Helpers

    /// A tick spacing that gives at most about ten ticks.
    static func niceStep(for span: Double) -> Double {
        let steps: [Double] = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 43200, 86400]
        return steps.first { span / $0 <= 10 } ?? (span / 10).rounded(.up)
    }

    static func f(_ value: Double) -> String { String(format: "%.1f", value) }

    /// Text made safe for HTML.
    static func e(_ text: String) -> String { JUnitReport.escape(text) }

    static let style = """
    :root { --ok: #23883f; --bad: #c62828; --gates: #d84315; --late: #8e24aa; --stop: #b26a00; --skip: #8a8f98; --ink: #1d2330; --mute: #5d6472; }
    * { box-sizing: border-box; }
    body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); margin: 0 auto; padding: 28px; max-width: 1000px; }
    h1 { margin: 0 0 4px; font-size: 26px; } h2 { margin: 32px 0 10px; font-size: 18px; }
    .meta, footer, .legend { color: var(--mute); font-size: 13px; } footer { margin-top: 40px; }
    code { font: 13px ui-monospace, SFMono-Regular, Menlo, monospace; }
    .badge { display: inline-block; padding: 1px 9px; border-radius: 10px; font-size: 13px; color: #fff; vertical-align: middle; background: var(--skip); }
    .badge.succeeded, .badge.passed { background: var(--ok); } .badge.failed { background: var(--bad); }
    .badge.gates_failed { background: var(--gates); } .bar.gates_failed { fill: var(--gates); } .swatch.gates_failed { background: var(--gates); }
    .badge.timed_out { background: var(--late); } .badge.cancelled, .badge.interrupted { background: var(--stop); }
    .figures { display: grid; grid-template-columns: repeat(3, 1fr); gap: 10px; margin-top: 18px; }
    .figures div { background: #f4f6f9; border-radius: 8px; padding: 10px 14px; }
    .figures span { display: block; color: var(--mute); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
    .figures strong { font-size: 17px; }
    svg.timeline { width: 100%; height: auto; background: #fbfcfd; border: 1px solid #e3e6eb; border-radius: 8px; }
    .grid { stroke: #e3e6eb; } .axis { font-size: 11px; fill: var(--mute); text-anchor: middle; }
    .label { font-size: 13px; fill: var(--ink); text-anchor: end; } .label.critical { font-weight: 700; }
    .note { font-size: 12px; fill: var(--mute); }
    .bar { fill: var(--skip); } .bar.succeeded { fill: var(--ok); } .bar.failed { fill: var(--bad); }
    .bar.timed_out { fill: var(--late); } .bar.cancelled { fill: var(--stop); } .bar.critical { stroke: #111; stroke-width: 1.5; }
    .swatch { display: inline-block; width: 11px; height: 11px; border-radius: 2px; margin: 0 4px 0 10px; vertical-align: -1px; background: var(--skip); }
    .swatch.succeeded { background: var(--ok); } .swatch.failed { background: var(--bad); }
    .swatch.timed_out { background: var(--late); } .swatch.cancelled { background: var(--stop); }
    table { border-collapse: collapse; width: 100%; font-size: 14px; }
    th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #e3e6eb; vertical-align: top; }
    th { font-size: 12px; color: var(--mute); text-transform: uppercase; letter-spacing: .04em; }
    tr.pass td:last-child, li.pass { color: var(--ok); } tr.fail td:last-child, li.fail { color: var(--bad); }
    tr.warn td:last-child, li.warn { color: var(--stop); } h3 { margin: 20px 0 8px; font-size: 15px; }
    tr.finding.critical td:first-child, tr.finding.high td:first-child { color: var(--bad); font-weight: 600; }
    tr.finding.medium td:first-child { color: var(--stop); }
    ul.criteria { list-style: none; padding: 0; } ul.criteria li { margin: 4px 0; }
    """
}
