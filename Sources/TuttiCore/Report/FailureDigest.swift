import Foundation

/// What failed in a run, worst first, as the summaries lead with it: tasks whose process
/// failed, gates that failed (actual and threshold), the findings behind them, and the
/// success criteria not met.
public struct FailureDigest: Sendable {
    /// One thing that failed.
    public struct Item: Sendable, Hashable {
        /// "Task 4 test_coverage: 61%, needs ≥ 95%".
        public var text: String
        /// The worst findings of the task behind it, as their summary lines.
        public var findings: [String]
    }

    public var items: [Item]

    /// How many findings are named under each failing task.
    public static let findingsPerTask = 3

    public init(_ report: RunReport) {
        var items: [Item] = []
        for task in report.tasks {
            let findings = task.findings.sorted { $0.severity > $1.severity }.prefix(Self.findingsPerTask)
                .map { "\($0.severity.rawValue.uppercased()) \($0.summaryLine)" }
            switch task.status {
            case .failed, .timedOut, .cancelled:
                let reason = task.reason.map { ": \($0)" } ?? ""
                items.append(Item(text: "Task \(task.id) (\(task.name)) \(task.status.rawValue.replacingOccurrences(of: "_", with: " "))\(reason)",
                                  findings: findings))
            default:
                let gates = task.gates.filter(\.blocks)
                for (index, gate) in gates.enumerated() {
                    // "61%, needs ≥ 95%"; "false (required)"; "not reported (required)".
                    let comparison = gate.threshold.first.map { "<>=≥≤≠!".contains($0) } ?? false
                    let actual = gate.actual == nil ? "not reported" : gate.actualText
                    let verdict = comparison && gate.actual != nil ? "\(actual), needs \(gate.threshold)" : "\(actual) (\(gate.threshold))"
                    items.append(Item(text: "Task \(task.id) \(gate.metricText): \(verdict)",
                                      findings: index == gates.count - 1 ? findings : []))
                }
            }
        }
        for criterion in report.successCriteria where criterion.blocks {
            items.append(Item(text: "\(criterion.criterion): \(criterion.detail)", findings: []))
        }
        self.items = items
    }

    /// Nothing failed.
    public var isEmpty: Bool { items.isEmpty }
}

extension RunReport {
    /// The outcome in words, telling a run whose every task succeeded but failed on its
    /// gates ("gates failed") from one where a task failed ("failed").
    public var outcomeText: String {
        if outcome == .failed, tasks.allSatisfy({ $0.status == .succeeded }), tasks.contains(where: \.failedGates) { return "gates failed" }
        return outcome.rawValue.replacingOccurrences(of: "_", with: " ")
    }

    /// Whether the run went all the way (not interrupted, not stopped by its time limit): only
    /// then do its efficiency and time saved mean anything.
    public var ranToItsEnd: Bool { outcome != .interrupted && outcome != .timedOut }
}
