import Foundation
import TuttiCore

/// Draws the dashboard into a grid of any size: header, task table, notices or summary,
/// footer, and overlays (help, details, confirmation).
public struct DashboardRenderer: Sendable {
    /// Below this size the dashboard says so instead of drawing.
    public static let minimumWidth = 60
    public static let minimumHeight = 15

    public var glyphs: DashboardGlyphs

    public init(glyphs: DashboardGlyphs = .unicode) { self.glyphs = glyphs }

    /// Draws `model` into a grid of `width` × `height` cells.
    public func render(_ model: DashboardModel, width: Int, height: Int) -> ScreenGrid {
        var grid = ScreenGrid(width: width, height: height)
        guard width >= Self.minimumWidth, height >= Self.minimumHeight else {
            let lines = ["Terminal too small: \(width)\(glyphs.times)\(height).",
                         "Tutti needs at least \(Self.minimumWidth)\(glyphs.times)\(Self.minimumHeight).", "Resize it, or press q."]
            for (offset, line) in lines.enumerated() {
                grid.put(line, x: 0, y: height / 2 - 1 + offset, style: CellStyle(offset == 0 ? .failed : .text))
            }
            if model.overlay == .confirmStop {
                grid.put("Stop the run? (y/n)", x: 0, y: height / 2 + 2, style: CellStyle(.failed, bold: true))
            }
            return grid
        }
        drawHeader(model, into: &grid)
        var bottomHeight = model.report != nil ? 5 : (height >= 30 ? 6 : 4)
        var middle = height - 3 - bottomHeight
        // The task table and the timeline share the middle: the table as tall as it needs,
        // up to half; the timeline (a rule, a row per task, an axis) gets the rest.
        let tableRows = max(1, min(model.tasks.count, (middle - 3) / 2 + 1, middle - 3))
        drawTable(model, into: &grid, top: 1, rows: tableRows)
        let timelineTop = 2 + tableRows
        var panelRows = middle - tableRows
        // Rows the timeline has no task for go to the notices or the summary below it.
        if model.panel == .timeline, panelRows > model.tasks.count + 2 {
            let spare = panelRows - (model.tasks.count + 2)
            panelRows -= spare
            middle -= spare
            bottomHeight += spare
        }
        switch model.panel {
        case .timeline:
            let shownRows = model.tasks.count > tableRows ? max(1, tableRows - 1) : tableRows
            drawTimeline(model, into: &grid, top: timelineTop, rows: panelRows, first: firstVisibleRow(
                selected: model.selected, count: model.tasks.count, rows: shownRows))
        case .gates: drawGates(model, into: &grid, top: timelineTop, rows: panelRows)
        case .log: drawLog(model, into: &grid, top: timelineTop, rows: panelRows)
        case .findings: drawFindings(model, into: &grid, top: timelineTop, rows: panelRows)
        }
        let bottomTop = 1 + 1 + middle
        if let report = model.report {
            drawSummary(report, into: &grid, top: bottomTop, rows: bottomHeight)
        } else {
            drawNotices(model, into: &grid, top: bottomTop, rows: bottomHeight)
        }
        drawFooter(model, into: &grid)
        switch model.overlay {
        case .help: drawHelp(into: &grid)
        case .source(let path, let line, let lines, let firstLine):
            drawSource(path: path, line: line, lines: lines, firstLine: firstLine, into: &grid)
        case .details: if let task = model.selectedTask { drawDetails(task, model: model, into: &grid) }
        case .confirmStop:
            drawBox(title: "Stop the run?", lines: ["The run is still going.", "Stop every task and end it? (y/n)"],
                    into: &grid, role: .failed)
        case .confirm(let action):
            drawBox(title: "\(action.description.prefix(1).uppercased())\(action.description.dropFirst())?",
                    lines: [Self.consequence(of: action), "Go ahead? (y/n)"], into: &grid, role: .failed)
        case nil: break
        }
        return grid
    }

    // MARK: - Header and footer

    func drawHeader(_ model: DashboardModel, into grid: inout ScreenGrid) {
        let bar = CellStyle(.title, reverse: true)
        grid.fill(x: 0, y: 0, width: grid.width, height: 1, style: bar)
        let stateRole: Role = switch model.outcome {
        case .passed: .succeeded
        case .failed, .timedOut, .unrecorded: .failed
        case .interrupted: .cancelled
        case nil: model.dispatch == .running ? .running : .paused
        }
        let state = model.stateText
        // Done, then how many of those failed: their process (✗), or a gate (!).
        let failures = (model.failedCount > 0 ? " \(model.failedCount)\(glyphs.status[.failed] ?? "x")" : "")
            + (model.failedGatesCount > 0 ? " \(model.failedGatesCount)\(glyphs.failedGates)" : "")
        // A finished run's clock is its wall time, written as the summary writes it.
        let clock = model.report.map { ShortTime.format($0.wallSeconds) } ?? ShortTime.clock(model.now)
        let efficiency = "\(glyphs.separator)eff \(String(format: "%.2f", model.liveEfficiency))x"
        let counts = "\(clock)\(glyphs.separator)\(model.doneCount)/\(model.tasks.count) done\(failures)"
        let gates = "\(glyphs.separator)gates \(model.gatesPassed)/\(model.gatesTotal) "
        let badge = model.replay == nil ? "" : " REPLAY "
        // The figures stay whole: the run id goes first, then the efficiency, then the
        // workflow's name is shortened.
        func fits(_ left: String, _ right: String) -> Bool { left.count + badge.count + state.count + right.count + 3 <= grid.width }
        var left = " \(model.workflow)\(glyphs.separator)\(model.runID) "
        var right = counts + efficiency + gates
        if !fits(left, right) { left = " \(model.workflow) " }
        if !fits(left, right) { right = counts + gates }
        if !fits(left, right) {
            let room = max(4, grid.width - badge.count - state.count - right.count - 5)
            left = " \(model.workflow.prefix(room - 1))\(model.workflow.count > room - 1 ? "…" : "") "
        }
        var x = grid.put(left, x: 0, y: 0, style: CellStyle(.title, bold: true, reverse: true))
        if !badge.isEmpty { x = grid.put(badge, x: x, y: 0, style: CellStyle(.key, bold: true, reverse: true)) }
        x = grid.put(" \(state) ", x: x, y: 0, style: CellStyle(stateRole, bold: true, reverse: true))
        grid.put(right, x: max(x + 1, grid.width - right.count), y: 0, style: bar)
    }

    func drawFooter(_ model: DashboardModel, into grid: inout ScreenGrid) {
        let y = grid.height - 1
        if let flash = model.flash {
            grid.put(" \(flash.text)", x: 0, y: y, style: CellStyle(flash.role, bold: true))
            return
        }
        if let replay = model.replay {
            drawReplayBar(replay, into: &grid, y: y)
            return
        }
        let hints: [(String, String)] = [("q", "quit"), ("\(glyphs.up)\(glyphs.down) j k", "select"), (glyphs.enter, "details"),
                                         ("Tab", "panel"), ("/", "search"), ("?", "help")]
        let controls: [(String, String)] = [("p", "pause"), ("r", "retry"), ("x", "cancel")]
        var x = 1
        for (key, action) in hints + (grid.width >= 100 ? controls : []) {
            x = grid.put(key, x: x, y: y, style: CellStyle(.key, bold: true))
            x = grid.put(" \(action)  ", x: x, y: y, style: CellStyle(.dim))
        }
    }

    // MARK: - Task table

    struct Columns {
        var id, name, agent, bar: Int
        static let percent = 4, time = 6, eta = 6, attempt = 3, gates = 5
    }

    func columns(for model: DashboardModel, width: Int) -> Columns {
        let widths = model.tableWidths
        let id = min(6, max(2, widths.id))
        let fixed = 2 + id + 1 + 1 + 1 + Columns.percent + 1 + Columns.time + 1 + Columns.eta + 1 + Columns.attempt + 1 + Columns.gates + 1
        var agent = min(width >= 100 ? 18 : 12, max(5, widths.agent))
        var free = width - fixed - agent - 1
        if free < 24 {
            agent = 0
            free = width - fixed
        }
        let longestName = max(8, widths.name)
        let name = max(8, min(longestName, free - max(10, free / 3)))
        return Columns(id: id, name: name, agent: agent, bar: max(5, free - name))
    }

    /// "TestingAgent" → "Testing": the table has no room for the suffix every agent shares.
    static func agentLabel(_ agent: String) -> String {
        agent.hasSuffix("Agent") && agent.count > 5 ? String(agent.dropLast(5)) : agent
    }

    func drawTable(_ model: DashboardModel, into grid: inout ScreenGrid, top: Int, rows: Int) {
        let columns = columns(for: model, width: grid.width)
        let heading = CellStyle(.dim, bold: true)
        var x = 2
        x = grid.put("ID".padding(to: columns.id), x: x, y: top, style: heading) + 1
        x = grid.put("Task".padding(to: columns.name), x: x, y: top, style: heading) + 1
        if columns.agent > 0 { x = grid.put("Agent".padding(to: columns.agent), x: x, y: top, style: heading) + 1 }
        x = grid.put("Progress".padding(to: columns.bar), x: x, y: top, style: heading) + 1
        x = grid.put("   %", x: x, y: top, style: heading) + 1
        x = grid.put("  Time", x: x, y: top, style: heading) + 1
        x = grid.put("   ETA", x: x, y: top, style: heading) + 1
        x = grid.put("Try", x: x, y: top, style: heading) + 1
        grid.put("Gates", x: x, y: top, style: heading)

        // With more tasks than rows, the last row says which ones show.
        let scrolling = model.tasks.count > rows
        let taskRows = scrolling ? max(1, rows - 1) : rows
        let first = firstVisibleRow(selected: model.selected, count: model.tasks.count, rows: taskRows)
        for (offset, task) in model.tasks.dropFirst(first).prefix(taskRows).enumerated() {
            drawRow(task, model: model, selected: first + offset == model.selected, columns: columns,
                    into: &grid, y: top + 1 + offset)
        }
        if scrolling {
            let label = "\(first + 1)\(glyphs.dash)\(min(model.tasks.count, first + taskRows)) of \(model.tasks.count) tasks"
                + " (\(glyphs.up)\(glyphs.down) to scroll)"
            grid.put(label, x: 2, y: top + rows, style: CellStyle(.dim))
        }
    }

    /// The first row shown so that the selected task stays in view.
    func firstVisibleRow(selected: Int, count: Int, rows: Int) -> Int {
        guard count > rows, rows > 0 else { return 0 }
        return min(max(0, selected - rows / 2), count - rows)
    }

    func drawRow(_ task: TaskState, model: DashboardModel, selected: Bool, columns: Columns,
                 into grid: inout ScreenGrid, y: Int) {
        let base = CellStyle(selected ? .selection : .text, reverse: selected)
        if selected { grid.fill(x: 0, y: y, width: grid.width, height: 1, style: base) }
        var x = grid.put("\(task.glyph(glyphs)) ", x: 0, y: y, style: CellStyle(task.role, bold: true, reverse: selected))
        x = grid.put(task.id.padding(to: columns.id), x: x, y: y, style: base, limit: columns.id) + 1
        x = grid.put(task.name.padding(to: columns.name), x: x, y: y, style: base, limit: columns.name) + 1
        if columns.agent > 0 {
            x = grid.put(Self.agentLabel(task.agent).padding(to: columns.agent), x: x, y: y, style: CellStyle(selected ? .selection : .dim,
                                                                                              reverse: selected),
                         limit: columns.agent) + 1
        }
        if let job = task.cluster, job.isQueued, task.status == .running || task.status == .paused {
            // Waiting in a cluster's queue: Slurm's reason instead of a bar that cannot move.
            let label = "queued" + (job.reason.map { ": \($0)" } ?? "") + " (job \(job.jobID))"
            grid.put(label.padding(to: columns.bar), x: x, y: y, style: CellStyle(selected ? .selection : .dim, reverse: selected),
                     limit: columns.bar)
        } else {
            drawBar(percent: task.percent, status: task.status, failedGates: task.failedGates, x: x, y: y, width: columns.bar, into: &grid)
        }
        x += columns.bar + 1
        x = grid.put(String(format: "%3d%%", Int(task.percent.rounded(.down))), x: x, y: y, style: base) + 1
        let elapsed = task.startedAt == nil ? "" : ShortTime.format(task.elapsed(now: model.now))
        x = grid.put(elapsed.leftPadding(to: Columns.time), x: x, y: y, style: base) + 1
        // An ETA from earlier runs, not from the task's own progress, is marked "~".
        let eta = model.run.eta(task).map { ($0.estimated ? "~" : "") + ShortTime.format($0.seconds) } ?? ""
        x = grid.put(eta.leftPadding(to: Columns.eta), x: x, y: y, style: CellStyle(selected ? .selection : .dim, reverse: selected)) + 1
        let attempt = task.attempt == 0 ? "" : "\(task.attempt)/\(task.maxAttempts)"
        x = grid.put(attempt.padding(to: Columns.attempt), x: x, y: y, style: base) + 1
        let evaluated = task.gatesPassed + task.gatesFailed
        let gates = task.gatesTotal == 0 ? "" : evaluated == 0 ? "\(glyphs.dash)/\(task.gatesTotal)" : "\(task.gatesPassed)/\(task.gatesTotal)"
        let gateRole: Role = evaluated == 0 ? .dim : (task.gatesFailed > 0 ? .gateFail : .gatePass)
        grid.put(gates, x: x, y: y, style: CellStyle(selected ? .selection : gateRole, reverse: selected))
    }

    func drawBar(percent: Double, status: TaskStatus, failedGates: Bool = false, x: Int, y: Int, width: Int, into grid: inout ScreenGrid) {
        let fraction = min(1, max(0, percent / 100))
        let exact = fraction * Double(width)
        let full = Int(exact)
        let fillRole: Role = failedGates ? .gateFail : status == .running || status == .succeeded ? .progressFill : status.role
        for column in 0..<width {
            if column < full {
                grid[x + column, y] = Cell(character: glyphs.fill, style: CellStyle(fillRole))
            } else if column == full, !glyphs.partial.isEmpty, exact - Double(full) >= 1.0 / 8 {
                let eighths = min(7, Int((exact - Double(full)) * 8))
                grid[x + column, y] = Cell(character: glyphs.partial[eighths - 1], style: CellStyle(fillRole))
            } else {
                grid[x + column, y] = Cell(character: glyphs.empty, style: CellStyle(.progressEmpty))
            }
        }
    }

    // MARK: - Timeline

    /// A Gantt chart: a row per task, a segment per attempt coloured by how it ended, a "now"
    /// line while the run goes on, the critical path marked once it is known, a time axis.
    func drawTimeline(_ model: DashboardModel, into grid: inout ScreenGrid, top: Int, rows: Int, first: Int) {
        guard rows >= 3 else { return }
        drawPanelRule(model.panel, into: &grid, y: top)
        let label = min(6, max(2, model.tableWidths.id)) + 2
        let x0 = label + 1
        let width = grid.width - x0 - 2
        guard width > 10 else { return }
        let finished = model.report != nil || model.outcome != nil
        // While running, leave room on the right so the "now" line stays in view, and round the
        // span up to a whole axis step so it changes (and the bars rescale) only now and then.
        // Finished, the span reaches the last end of any attempt (read in place, once the run
        // has ended: not every frame of a running one).
        let span: Double
        if finished {
            var end = 0.0
            model.run.tasks.withUnsafeBufferPointer { all in
                for index in all.indices { if let last = all[index].segments.last?.end { end = max(end, last) } }
            }
            span = max(1, end, model.now)
        } else {
            span = Self.roundedSpan(model.now * 1.15, width: width)
        }
        func column(_ time: Double) -> Int { min(width - 1, max(0, Int((time / span * Double(width)).rounded(.down)))) }
        let critical = Set(model.report?.criticalPath ?? [])
        let taskRows = rows - 2
        for (offset, task) in model.tasks.dropFirst(first).prefix(taskRows).enumerated() {
            let y = top + 1 + offset
            let marker = critical.contains(task.id) ? "*" : " "
            grid.put(marker + task.id, x: 0, y: y, style: CellStyle(critical.contains(task.id) ? .title : .dim, bold: true),
                     limit: label)
            for (index, segment) in task.segments.enumerated() {
                let from = column(segment.start)
                let to = max(from, column(segment.end ?? model.now))
                // The last attempt of a task that failed its gates shows it.
                let role = task.failedGates && index == task.segments.count - 1 ? .gateFail : segment.status.role
                for x in from...to {
                    grid[x0 + x, y] = Cell(character: glyphs.fill, style: CellStyle(role, bold: critical.contains(task.id)))
                }
            }
        }
        if !finished {
            let now = column(model.now)
            for row in 0..<min(taskRows, max(0, model.tasks.count - first)) where grid[x0 + now, top + 1 + row].character == " " {
                grid[x0 + now, top + 1 + row] = Cell(character: glyphs.vertical, style: CellStyle(.key))
            }
        }
        drawAxis(span: span, x0: x0, width: width, y: top + rows - 1, into: &grid)
    }

    /// The panel's rule: its name and the others', Tab to switch.
    func drawPanelRule(_ panel: DashboardModel.Panel, into grid: inout ScreenGrid, y: Int) {
        grid.fill(x: 0, y: y, width: grid.width, height: 1, character: glyphs.horizontal, style: CellStyle(.border))
        var x = 2
        for candidate in DashboardModel.Panel.allCases {
            let active = candidate == panel
            let name = candidate.rawValue.capitalized
            x = grid.put(active ? "[\(name)]" : " \(name) ", x: x, y: y,
                         style: CellStyle(active ? .title : .dim, bold: active, reverse: false)) + 1
        }
        let hint = " Tab: next panel "
        grid.put(hint, x: grid.width - hint.count - 1, y: y, style: CellStyle(.dim))
    }

    /// The selected task's gates: threshold, actual value, verdict; and totals.
    func drawGates(_ model: DashboardModel, into grid: inout ScreenGrid, top: Int, rows: Int) {
        guard rows >= 2 else { return }
        drawPanelRule(.gates, into: &grid, y: top)
        if model.allGates {
            drawAllGates(model, into: &grid, top: top, rows: rows)
            return
        }
        guard let task = model.selectedTask else { return }
        let title = "Task \(task.id): \(task.name)\(glyphs.separator)gates \(task.gatesPassed)/\(task.gatesTotal) passed"
            + "\(glyphs.separator)all tasks \(model.gatesPassed)/\(model.gatesTotal) (a: all)"
        grid.put(title, x: 2, y: top + 1, style: CellStyle(.text, bold: true))
        if task.gateResults.isEmpty {
            let text = task.gatesTotal == 0 ? "This task has no quality gates."
                : "\(task.gatesTotal) gate\(task.gatesTotal == 1 ? "" : "s") not evaluated yet: the engine evaluates them when the task ends."
            grid.put(text, x: 2, y: top + 2, style: CellStyle(.dim))
            return
        }
        let metricWidth = min(28, task.gateResults.map(\.metric.terminalSafe.count).max() ?? 10)
        for (offset, gate) in task.gateResults.prefix(rows - 2).enumerated() {
            let y = top + 2 + offset
            let role = gateRole(gate)
            var x = grid.put(String(glyphs.status[gate.passed ? .succeeded : .failed] ?? " "), x: 2, y: y, style: CellStyle(role, bold: true)) + 1
            x = grid.put(gate.metric.padding(to: metricWidth), x: x, y: y, style: CellStyle()) + 2
            x = grid.put(gate.threshold.padding(to: 10), x: x, y: y, style: CellStyle(.dim)) + 2
            x = grid.put(gate.actualText.padding(to: 10), x: x, y: y, style: CellStyle()) + 2
            x = grid.put(gate.passed ? "pass" : "\(verdict(gate)) \(gate.reason.map { "(\($0))" } ?? "")", x: x, y: y, style: CellStyle(role))
            if let label = gate.label { grid.put("  \(label)", x: x, y: y, style: CellStyle(.dim)) }
        }
    }

    /// Every task's evaluated gates, one line each, with the totals.
    func drawAllGates(_ model: DashboardModel, into grid: inout ScreenGrid, top: Int, rows: Int) {
        let evaluated = model.tasks.reduce(0) { $0 + $1.gateResults.count }
        grid.put("All tasks\(glyphs.separator)gates \(model.gatesPassed)/\(model.gatesTotal) passed\(glyphs.separator)"
                 + "\(model.gatesTotal - evaluated) not evaluated yet (a: selected task only)", x: 2, y: top + 1,
                 style: CellStyle(.text, bold: true))
        let rowsOut = model.tasks.flatMap { task in task.gateResults.map { (task.id, $0) } }
        for (offset, (id, gate)) in rowsOut.prefix(rows - 2).enumerated() {
            let y = top + 2 + offset
            let role = gateRole(gate)
            var x = grid.put(String(glyphs.status[gate.passed ? .succeeded : .failed] ?? " "), x: 2, y: y, style: CellStyle(role, bold: true)) + 1
            x = grid.put("Task \(id)".padding(to: 9), x: x, y: y, style: CellStyle(.dim)) + 1
            x = grid.put(gate.metric.padding(to: 24), x: x, y: y, style: CellStyle()) + 1
            x = grid.put(gate.threshold.padding(to: 10), x: x, y: y, style: CellStyle(.dim)) + 1
            x = grid.put(gate.actualText.padding(to: 10), x: x, y: y, style: CellStyle()) + 1
            x = grid.put(gate.passed ? "pass" : verdict(gate), x: x, y: y, style: CellStyle(role))
            if let label = gate.label { grid.put("  \(label)", x: x, y: y, style: CellStyle(.dim)) }
        }
    }

    /// A failed gate's verdict: FAIL, or WARN for an advisory gate.
    func verdict(_ gate: GateResult) -> String { gate.isAdvisory ? "WARN" : "FAIL" }

    /// A gate's colour: passed, failed, or (advisory and failed) a warning.
    func gateRole(_ gate: GateResult) -> Role { gate.passed ? .gatePass : gate.isAdvisory ? .timedOut : .gateFail }

    /// The selected task's latest output, filtered by the `/` search.
    func drawLog(_ model: DashboardModel, into grid: inout ScreenGrid, top: Int, rows: Int) {
        guard rows >= 2 else { return }
        drawPanelRule(.log, into: &grid, y: top)
        guard let task = model.selectedTask else { return }
        var status = "Task \(task.id) output, latest \(task.log.count) lines (the full log is in the run directory)"
        if task.logDropped > 0 { status += "; \(task.logDropped) more came too fast to show" }
        if let typing = model.typing {
            status = "/\(typing)"
        } else if let search = model.search {
            status = "lines with \"\(search)\" (Esc clears)"
        }
        grid.put(status, x: 2, y: top + 1, style: CellStyle(model.typing != nil ? .key : .dim, bold: model.typing != nil))
        let filter = model.typing ?? model.search
        let lines = filter.map { query in task.log.filter { $0.localizedCaseInsensitiveContains(query) } } ?? task.log
        if lines.isEmpty {
            grid.put(filter == nil ? "No output yet." : "No line matches.", x: 2, y: top + 2, style: CellStyle(.dim))
        }
        let visible = rows - 2
        let scroll = min(model.logScroll, max(0, lines.count - visible))
        if scroll > 0 {
            let label = " \(scroll) lines back, PgDn for newer "
            grid.put(label, x: grid.width - label.count - 1, y: top + 1, style: CellStyle(.key))
        }
        // Long lines wrap: the newest rows that fit, each line whole where it can be.
        let width = max(10, grid.width - 3)
        let rowsShown = lines.dropLast(scroll).suffix(visible).flatMap { Self.wrap($0, width: width) }.suffix(visible)
        for (offset, row) in rowsShown.enumerated() {
            grid.put(row, x: 2, y: top + 2 + offset, style: CellStyle(), limit: width)
        }
    }

    /// `line` cut into rows of at most `width` characters, as the grid shows them.
    static func wrap(_ line: String, width: Int) -> [String] {
        let shown = Array(line.terminalSafe)
        guard shown.count > width else { return [String(shown)] }
        return stride(from: 0, to: shown.count, by: width).map { String(shown[$0..<min(shown.count, $0 + width)]) }
    }

    static let axisSteps: [Double] = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 86400]

    /// The axis step for a span: ticks at most every ten columns.
    static func axisStep(span: Double, width: Int) -> Double {
        axisSteps.first { span / $0 <= Double(max(1, width / 10)) } ?? 86400
    }

    /// `span` rounded up to a whole number of axis steps.
    static func roundedSpan(_ span: Double, width: Int) -> Double {
        let raw = max(1, span)
        let step = axisStep(span: raw, width: width)
        return (raw / step).rounded(.up) * step
    }

    /// Ticks at round intervals: 1, 2, 5, 10, 15, 30 s, 1, 2, 5, 10 min...
    func drawAxis(span: Double, x0: Int, width: Int, y: Int, into grid: inout ScreenGrid) {
        let step = Self.axisStep(span: span, width: width)
        grid.fill(x: x0, y: y, width: width, height: 1, character: glyphs.horizontal, style: CellStyle(.border))
        var tick = 0.0
        while tick <= span {
            let x = x0 + min(width - 1, Int((tick / span * Double(width)).rounded(.down)))
            let text = step >= 60 ? "\(Int(tick / 60))m" : "\(Int(tick))s"
            if x + 1 + text.count <= grid.width {
                grid[x, y] = Cell(character: glyphs.tick, style: CellStyle(.border))
                grid.put(text, x: x + 1, y: y, style: CellStyle(.dim))
            }
            tick += step
        }
    }

    // MARK: - Lower area

    func drawRule(_ title: String, into grid: inout ScreenGrid, y: Int) {
        grid.fill(x: 0, y: y, width: grid.width, height: 1, character: glyphs.horizontal, style: CellStyle(.border))
        grid.put(" \(title) ", x: 2, y: y, style: CellStyle(.title, bold: true))
    }

    func drawNotices(_ model: DashboardModel, into grid: inout ScreenGrid, top: Int, rows: Int) {
        drawRule("Notices", into: &grid, y: top)
        drawRunID(model, into: &grid, y: top)
        let shown = model.notices.suffix(rows - 1)
        if shown.isEmpty {
            grid.put("Tasks report here as they finish.", x: 2, y: top + 1, style: CellStyle(.dim))
        }
        for (offset, notice) in shown.enumerated() {
            let time = "t=\(ShortTime.format(notice.time))".leftPadding(to: 9)
            let x = grid.put(time, x: 1, y: top + 1 + offset, style: CellStyle(.dim)) + 1
            grid.put(notice.text, x: x, y: top + 1 + offset, style: CellStyle(notice.role))
        }
    }

    /// The run id on the lower rule (the header drops it when narrow).
    func drawRunID(_ model: DashboardModel, into grid: inout ScreenGrid, y: Int) {
        guard !model.runID.isEmpty else { return }
        let label = " run \(model.runID) "
        if label.count + 14 < grid.width { grid.put(label, x: grid.width - label.count - 1, y: y, style: CellStyle(.dim)) }
    }

    func drawSummary(_ report: RunReport, into grid: inout ScreenGrid, top: Int, rows: Int) {
        drawRule("Summary", into: &grid, y: top)
        grid.put(" run \(report.runID) ", x: max(12, grid.width - report.runID.count - 7), y: top, style: CellStyle(.dim))
        let headline: String
        switch report.outcome {
        case .passed: headline = "All tasks complete!"
        case .failed: headline = "Run failed: \(report.outcomeReason ?? "")"
        case .timedOut: headline = "Run timed out: \(report.outcomeReason ?? "")"
        case .interrupted: headline = "Run interrupted: \(report.outcomeReason ?? "")"
        case .unrecorded: headline = "Run not recorded: \(report.outcomeReason ?? "")"
        }
        let slowest = report.slowestTask.flatMap(report.task).map {
            "Slowest: Task \($0.id) (\($0.name)) \(ShortTime.format($0.duration))"
        } ?? "No task ran"
        let criteria = report.successCriteria.filter(\.passed).count
        let saved = report.sumOfDurations > 0 ? Int((report.timeSavedSeconds / report.sumOfDurations * 100).rounded()) : 0
        // What failed leads: each failed task or gate, with the worst finding behind it.
        var failures: [(String, Role)] = []
        for item in FailureDigest(report).items {
            failures.append(("\(glyphs.status[.failed] ?? "x") \(item.text)", .gateFail))
            if let finding = item.findings.first { failures.append(("    \(finding)", .dim)) }
        }
        let savedText = report.ranToItsEnd ? "saved \(ShortTime.format(report.timeSavedSeconds)) (\(saved)%)" : "nothing saved: the run was cut short"
        let lines: [(String, Role)] = [(headline, report.outcome == .passed ? .succeeded : .failed)] + failures + [
            (slowest + "\(glyphs.separator)critical path: " + report.criticalPath.joined(separator: " \(glyphs.arrow) "), .text),
            ("Efficiency \(String(format: "%.2f", report.parallelEfficiency))x of \(String(format: "%.2f", report.maximumEfficiency))x"
             + "\(glyphs.separator)sequential \(ShortTime.format(report.sumOfDurations)), actual \(ShortTime.format(report.wallSeconds))"
             + "\(glyphs.separator)\(savedText)", .text),
            ("Gates \(report.gates.passed)/\(report.gates.total) passed\(glyphs.separator)criteria \(criteria)/"
             + "\(report.successCriteria.count) met\(glyphs.separator)press q to leave",
             report.tasks.contains { $0.gates.contains(where: \.blocks) } ? .gateFail : .gatePass),
        ]
        for (offset, line) in lines.prefix(rows - 1).enumerated() {
            grid.put(line.0, x: 2, y: top + 1 + offset, style: CellStyle(line.1, bold: offset == 0))
        }
    }
}

extension String {
    /// The text as the grid shows it (`terminalSafe`), cut or padded to `width` cells.
    func padding(to width: Int) -> String {
        let shown = terminalSafe
        return shown.count >= width ? String(shown.prefix(width)) : shown + String(repeating: " ", count: width - shown.count)
    }

    /// The string right-aligned in `width` characters.
    func leftPadding(to width: Int) -> String {
        count >= width ? String(suffix(width)) : String(repeating: " ", count: width - count) + self
    }
}
