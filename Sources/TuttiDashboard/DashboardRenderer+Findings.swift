import Foundation
import TuttiCore

/// The findings panel, and a finding's lines when there is no editor to open it in.
extension DashboardRenderer {
    func drawFindings(_ model: DashboardModel, into grid: inout ScreenGrid, top: Int, rows: Int) {
        guard rows >= 2 else { return }
        drawPanelRule(.findings, into: &grid, y: top)
        let findings = model.findingRows
        var status = "\(findings.count) finding\(findings.count == 1 ? "" : "s"), worst first\(glyphs.separator)"
            + "e or \(glyphs.enter) opens it in $EDITOR\(glyphs.separator)/ filters"
        if let typing = model.typing {
            status = "/\(typing)"
        } else if let search = model.search {
            status = "findings with \"\(search)\" (Esc clears)\(glyphs.separator)e or \(glyphs.enter) opens it"
        }
        grid.put(status, x: 2, y: top + 1, style: CellStyle(model.typing != nil ? .key : .dim, bold: model.typing != nil))
        guard !findings.isEmpty else {
            let empty = model.run.tasks.contains { !$0.status.isFinal } ? "Nothing found yet." : "The agents found nothing."
            grid.put(model.typing ?? model.search == nil ? empty : "No finding matches.", x: 2, y: top + 2, style: CellStyle(.dim))
            return
        }
        let visible = max(1, rows - 2)
        let cursor = min(max(0, model.findingCursor), findings.count - 1)
        let first = firstVisibleRow(selected: cursor, count: findings.count, rows: visible)
        let taskWidth = min(6, findings.map(\.task.count).max() ?? 1)
        let kindWidth = min(18, findings.map { ($0.finding.rule ?? $0.finding.kind).count }.max() ?? 4)
        for (offset, row) in findings.dropFirst(first).prefix(visible).enumerated() {
            let y = top + 2 + offset
            let selected = first + offset == cursor
            let base = CellStyle(selected ? .selection : .text, reverse: selected)
            if selected { grid.fill(x: 0, y: y, width: grid.width, height: 1, style: base) }
            let severity = row.finding.severity
            let role: Role = severity <= .low ? .dim : severity >= .high ? .failed : .timedOut
            var x = grid.put(severity.rawValue.uppercased().padding(to: 8), x: 2, y: y, style: CellStyle(selected ? .selection : role, bold: true,
                                                                                                      reverse: selected))
            x = grid.put(row.task.padding(to: taskWidth), x: x, y: y, style: base) + 1
            let what = row.finding.rule ?? row.finding.kind
            x = grid.put(what.padding(to: kindWidth), x: x, y: y, style: CellStyle(selected ? .selection : .dim, reverse: selected),
                         limit: kindWidth) + 1
            grid.put(row.finding.summaryLine, x: x, y: y, style: base, limit: grid.width - x - 1)
        }
    }

    /// The lines around a finding, its own line marked.
    func drawSource(path: String, line: Int?, lines: [String], firstLine: Int, into grid: inout ScreenGrid) {
        let numberWidth = String(firstLine + max(0, lines.count - 1)).count
        var shown = lines.enumerated().map { offset, text in
            let number = firstLine + offset
            return "\(number == line ? glyphs.arrow : " ") \(String(number).leftPadding(to: numberWidth))  \(text)"
        }
        if shown.isEmpty { shown = ["(cannot read \(path))"] }
        shown.append("Set $EDITOR (or $VISUAL) to open it there; Esc closes this.")
        drawBox(title: line.map { "\(path):\($0)" } ?? path, lines: shown, into: &grid, role: .border)
    }
}
