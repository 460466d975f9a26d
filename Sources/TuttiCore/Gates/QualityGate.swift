import Foundation

/// A threshold on one metric a task reports, such as `test_coverage >= 95%`.
public struct QualityGate: Sendable, Hashable {
    public var metric: String
    public var expectation: GateExpectation
    /// An advisory gate is reported, as a warning when it fails, but does not fail the run.
    public var advisory: Bool
    public var location: SourceLocation?

    public init(metric: String, expectation: GateExpectation, advisory: Bool = false, location: SourceLocation? = nil) {
        self.metric = metric
        self.expectation = expectation
        self.advisory = advisory
        self.location = location
    }
}

/// A comparison operator in a gate or success criterion.
public enum ComparisonOperator: String, Sendable, Hashable, Codable, CaseIterable {
    case greaterOrEqual = ">="
    case lessOrEqual = "<="
    case equal = "=="
    case notEqual = "!="
    case greater = ">"
    case less = "<"

    /// Whether `lhs op rhs` holds.
    public func holds(_ lhs: Double, _ rhs: Double) -> Bool {
        switch self {
        case .greaterOrEqual: return lhs >= rhs
        case .lessOrEqual: return lhs <= rhs
        case .equal: return lhs == rhs
        case .notEqual: return lhs != rhs
        case .greater: return lhs > rhs
        case .less: return lhs < rhs
        }
    }

    /// The operator as people write it in prose: "≥" and so on.
    public var symbol: String {
        switch self {
        case .greaterOrEqual: return "≥"
        case .lessOrEqual: return "≤"
        case .equal: return "="
        case .notEqual: return "≠"
        case .greater: return ">"
        case .less: return "<"
        }
    }

    /// Splits a leading operator off `text`; no operator means `==`.
    static func split(_ text: String) -> (ComparisonOperator, String)? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        for op in allCases where trimmed.hasPrefix(op.rawValue) {
            return (op, String(trimmed.dropFirst(op.rawValue.count)).trimmingCharacters(in: .whitespaces))
        }
        if let first = trimmed.first, "=!<>≥≤".contains(first) { return nil }
        return (.equal, trimmed)
    }
}

/// What a gate expects of its metric.
public enum GateExpectation: Sendable, Hashable {
    /// How a numeric threshold was written: plain, a percentage or a score out of N.
    public enum Unit: Sendable, Hashable {
        case plain
        case percent
        case outOf(Double)
    }

    case compare(ComparisonOperator, Double, Unit)
    /// The metric must be reported and not false, zero or empty.
    case required
    /// The metric must be this boolean.
    case boolean(Bool)

    /// Parses a gate's right-hand side as written in YAML: `">= 95%"`, `"100%"`,
    /// `">= 90/100"`, `"== 0"`, `required`, `true`, or a bare number.
    public static func parse(_ value: JSONValue) -> GateExpectation? {
        switch value {
        case .bool(let flag): return .boolean(flag)
        case .number(let number): return .compare(.equal, number, .plain)
        case .string(let text): return parse(text)
        default: return nil
        }
    }

    /// Parses the textual form of a gate threshold.
    public static func parse(_ text: String) -> GateExpectation? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        switch trimmed.lowercased() {
        case "required": return .required
        case "true": return .boolean(true)
        case "false": return .boolean(false)
        default: break
        }
        guard let (op, rest) = ComparisonOperator.split(trimmed), !rest.isEmpty else { return nil }
        if rest.hasSuffix("%") {
            guard let number = Double(rest.dropLast().trimmingCharacters(in: .whitespaces)), number.isFinite else { return nil }
            return .compare(op, number, .percent)
        }
        if let slash = rest.firstIndex(of: "/") {
            let left = rest[..<slash].trimmingCharacters(in: .whitespaces)
            let right = rest[rest.index(after: slash)...].trimmingCharacters(in: .whitespaces)
            guard let number = Double(left), let scale = Double(right), scale > 0, number.isFinite, scale.isFinite
            else { return nil }
            return .compare(op, number, .outOf(scale))
        }
        guard let number = Double(rest), number.isFinite else { return nil }
        return .compare(op, number, .plain)
    }

    /// The threshold as people read it: "≥ 95%", "= 0", "≥ 90/100", "required".
    public var thresholdText: String {
        switch self {
        case .required: return "required"
        case .boolean(let flag): return flag ? "true" : "false"
        case .compare(let op, let number, let unit):
            return "\(op.symbol) \(Self.format(number, unit))"
        }
    }

    /// The threshold as a workflow writes it, which `parse` reads back exactly: ">= 95%",
    /// "== 0", ">= 90/100", "required".
    public var writtenText: String {
        switch self {
        case .required, .boolean: return thresholdText
        case .compare(let op, let number, let unit):
            func exact(_ value: Double) -> String { value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)" }
            switch unit {
            case .plain: return "\(op.rawValue) \(exact(number))"
            case .percent: return "\(op.rawValue) \(exact(number))%"
            case .outOf(let scale): return "\(op.rawValue) \(exact(number))/\(exact(scale))"
            }
        }
    }

    /// A metric value formatted in this gate's unit.
    public func format(actual: JSONValue) -> String {
        if case .compare(_, _, let unit) = self, let number = actual.number {
            return Self.format(number, unit)
        }
        return actual.description
    }

    static func format(_ number: Double, _ unit: Unit) -> String {
        unitText(NumberFormat.compact(number), unit)
    }

    /// `number` with as many digits as it takes for the comparison with `threshold` to read
    /// as it holds: 94.996 against "≥ 95" is "94.996", not "95".
    static func format(_ number: Double, _ unit: Unit, against threshold: Double, _ op: ComparisonOperator) -> String {
        unitText(NumberFormat.distinguishing(number, from: threshold, op), unit)
    }

    private static func unitText(_ digits: String, _ unit: Unit) -> String {
        switch unit {
        case .plain: return digits
        case .percent: return digits + "%"
        case .outOf(let scale): return digits + "/" + NumberFormat.compact(scale)
        }
    }
}

/// The outcome of one gate for one task: threshold, actual value and verdict.
public struct GateResult: Sendable, Hashable, Codable {
    public var metric: String
    public var threshold: String
    public var actual: JSONValue?
    public var actualText: String
    public var passed: Bool
    /// Why it failed, when it did ("not reported", "96 < 97"...).
    public var reason: String?
    /// What the metric measures, in words, when its agent said ("documented public API").
    public var label: String?
    /// True for an advisory gate: a failure is a warning, not a failure of the run.
    public var advisory: Bool?

    public init(metric: String, threshold: String, actual: JSONValue?, actualText: String, passed: Bool, reason: String?,
                label: String? = nil, advisory: Bool = false) {
        self.metric = metric
        self.threshold = threshold
        self.actual = actual
        self.actualText = actualText
        self.passed = passed
        self.reason = reason
        self.label = label
        self.advisory = advisory ? true : nil
    }

    /// Whether a failure of this gate is only a warning.
    public var isAdvisory: Bool { advisory == true }

    /// Whether it counts against the run: failed and not advisory.
    public var blocks: Bool { !passed && !isAdvisory }

    /// The metric's name with what it measures: "coverage_threshold (documented public API)".
    public var metricText: String { label.map { "\(metric) (\($0))" } ?? metric }
}

extension QualityGate {
    /// Evaluates the gate against the metrics a task reported. The engine calls this;
    /// an agent never decides its own verdict.
    public func evaluate(_ metrics: [String: JSONValue], labels: [String: String] = [:]) -> GateResult {
        let threshold = expectation.thresholdText
        let label = labels[metric]
        guard let actual = metrics[metric], actual != .null else {
            return GateResult(metric: metric, threshold: threshold, actual: nil, actualText: "—",
                              passed: false, reason: "not reported", label: label, advisory: advisory)
        }
        var text = expectation.format(actual: actual)
        func result(_ passed: Bool, _ reason: String) -> GateResult {
            GateResult(metric: metric, threshold: threshold, actual: actual, actualText: text,
                       passed: passed, reason: passed ? nil : reason, label: label, advisory: advisory)
        }
        switch expectation {
        case .required:
            let present: Bool
            switch actual {
            case .bool(let flag): present = flag
            case .number(let number): present = number != 0
            case .string(let string):
                present = !string.isEmpty && !["false", "no", "missing", "none"].contains(string.lowercased())
            case .array(let items): present = !items.isEmpty
            case .object(let fields): present = !fields.isEmpty
            case .null: present = false
            }
            return result(present, "required but reported as \(actual.description.isEmpty ? "empty" : actual.description)")
        case .boolean(let expected):
            let value = actual.bool ?? (actual.string.flatMap { Bool($0.lowercased()) })
            guard let value else { return result(false, "expected \(expected), got \(actual.description)") }
            return result(value == expected, "expected \(expected), got \(value)")
        case .compare(let op, let number, let unit):
            guard let value = actual.number ?? actual.string.flatMap({ Self.number(from: $0, unit: unit) }) else {
                return result(false, "not a number: \(actual.description)")
            }
            // Enough digits that a value just short of the threshold never reads as equal to it.
            if actual.number != nil { text = GateExpectation.format(value, unit, against: number, op) }
            return result(op.holds(value, number), "needs \(threshold)")
        }
    }

    /// Reads "96.5", "96.5%" or a fraction "9/10" as a number in the gate's unit: a
    /// fraction is scaled to the gate's (9/10 is 90 for "≥ 90/100" and for "≥ 90%").
    static func number(from text: String, unit: GateExpectation.Unit) -> Double? {
        var trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasSuffix("%") { trimmed.removeLast() }
        if let slash = trimmed.firstIndex(of: "/") {
            guard let part = Double(trimmed[..<slash].trimmingCharacters(in: .whitespaces)),
                  let whole = Double(trimmed[trimmed.index(after: slash)...].trimmingCharacters(in: .whitespaces)),
                  whole > 0, part.isFinite, whole.isFinite else { return nil }
            switch unit {
            case .outOf(let scale): return part / whole * scale
            case .percent: return part / whole * 100
            case .plain: return part / whole
            }
        }
        guard let value = Double(trimmed.trimmingCharacters(in: .whitespaces)), value.isFinite else { return nil }
        return value
    }
}
