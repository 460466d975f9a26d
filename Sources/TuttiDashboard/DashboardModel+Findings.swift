import Foundation
import TuttiCore

/// One finding in the findings panel, with the task that found it.
public struct FindingRow: Sendable, Hashable {
    public var task: String
    public var finding: Finding
    /// Where the task ran, to find the finding's file from (nil: the current folder).
    public var workingDirectory: String?

    /// The finding's file as a path to open: relative to where its task ran.
    public var path: String? {
        guard let file = finding.file, !file.isEmpty else { return nil }
        if file.hasPrefix("/") { return file }
        return workingDirectory.map { ($0 as NSString).appendingPathComponent(file) } ?? file
    }
}

/// The findings panel: what every agent found, worst first, filtered by `/`.
extension DashboardModel {
    /// Every finding of the run, worst first (then in task order), that the filter lets through.
    public var findingRows: [FindingRow] {
        let all = run.tasks.flatMap { task in
            task.findings.map { FindingRow(task: task.id, finding: $0, workingDirectory: task.workingDirectory) }
        }
        let ordered = all.enumerated().sorted { a, b in
            a.element.finding.severity != b.element.finding.severity ? a.element.finding.severity > b.element.finding.severity
                : a.offset < b.offset
        }.map(\.element)
        guard let filter = typing ?? search, !filter.isEmpty else { return ordered }
        return ordered.filter { row in
            [row.task, row.finding.kind, row.finding.rule ?? "", row.finding.severity.rawValue, row.finding.summaryLine]
                .contains { $0.localizedCaseInsensitiveContains(filter) }
        }
    }

    /// The finding the cursor is on.
    public var selectedFinding: FindingRow? {
        let rows = findingRows
        return rows.isEmpty ? nil : rows[min(max(0, findingCursor), rows.count - 1)]
    }

    mutating func moveFindingCursor(_ step: Int) {
        findingCursor = min(max(0, findingCursor + step), max(0, findingRows.count - 1))
    }

    /// Opens the selected finding: in the editor when the program has one, else the lines
    /// around it are shown here.
    mutating func openSelectedFinding() -> DashboardCommand? {
        guard let row = selectedFinding else { return nil }
        guard let path = row.path else {
            flash = Notice(time: run.now, text: "This finding names no file", role: .failed)
            return nil
        }
        return .open(path: path, line: row.finding.line)
    }
}
