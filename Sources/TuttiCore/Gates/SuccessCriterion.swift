import Foundation

/// A run-level success criterion from the workflow's `success_criteria` list.
public enum SuccessCriterion: Sendable, Hashable {
    /// Every task finished successfully.
    case allTasksCompleted
    /// No task waited for a free slot once its dependencies were done.
    case noTaskBlockedByAnother
    /// A comparison on a run measure: `total_time < 1200`, `parallel_efficiency >= 2.5`.
    case measure(RunMeasure, ComparisonOperator, Double)

    /// Every criterion name this version understands.
    public static let knownNames = ["all_tasks_completed", "no_task_blocked_by_another"]
        + RunMeasure.allCases.map(\.rawValue)

    /// Parses one entry; nil when it is not understood.
    public static func parse(_ text: String) -> SuccessCriterion? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        switch trimmed {
        case "all_tasks_completed": return .allTasksCompleted
        case "no_task_blocked_by_another": return .noTaskBlockedByAnother
        default: break
        }
        let nameEnd = trimmed.firstIndex { !($0.isLetter || $0 == "_") } ?? trimmed.endIndex
        guard let measure = RunMeasure(rawValue: String(trimmed[..<nameEnd])),
              let (op, rest) = ComparisonOperator.split(String(trimmed[nameEnd...])),
              trimmed[nameEnd...].trimmingCharacters(in: .whitespaces).first.map({ "<>=!".contains($0) }) == true,
              let number = Double(rest.replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "s", with: "")),
              number.isFinite
        else { return nil }
        return .measure(measure, op, number)
    }

    /// The criterion as written in a workflow.
    public var text: String {
        switch self {
        case .allTasksCompleted: return "all_tasks_completed"
        case .noTaskBlockedByAnother: return "no_task_blocked_by_another"
        case .measure(let measure, let op, let number):
            return "\(measure.rawValue) \(op.rawValue) \(NumberFormat.compact(number))"
        }
    }
}

/// A number measured over a whole run, usable in success criteria.
public enum RunMeasure: String, Sendable, Hashable, CaseIterable {
    /// Wall time of the run, in seconds.
    case totalTime = "total_time"
    /// Sum of task durations divided by wall time.
    case parallelEfficiency = "parallel_efficiency"
    /// Percentage of quality gates that passed.
    case gatesPassRate = "gates_pass_rate"
}

/// A success criterion as a workflow lists it: the criterion, and whether it is advisory
/// (reported, as a warning when it fails, without failing the run).
public struct WorkflowCriterion: Sendable, Hashable {
    public var criterion: SuccessCriterion
    public var advisory: Bool

    public init(_ criterion: SuccessCriterion, advisory: Bool = false) {
        self.criterion = criterion
        self.advisory = advisory
    }
}

/// The verdict on one success criterion.
public struct CriterionResult: Sendable, Hashable, Codable {
    public var criterion: String
    public var passed: Bool
    public var detail: String
    /// True for an advisory criterion: a failure is a warning, not a failure of the run.
    public var advisory: Bool?

    public init(criterion: String, passed: Bool, detail: String, advisory: Bool = false) {
        self.criterion = criterion
        self.passed = passed
        self.detail = detail
        self.advisory = advisory ? true : nil
    }

    /// Whether a failure of this criterion is only a warning.
    public var isAdvisory: Bool { advisory == true }

    /// Whether it counts against the run: failed and not advisory.
    public var blocks: Bool { !passed && !isAdvisory }
}
