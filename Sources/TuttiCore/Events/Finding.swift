import Foundation

/// How much a finding matters, worst first.
public enum FindingSeverity: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case critical, high, medium, low, info

    /// Worse findings sort first: critical is 0, info 4.
    public var rank: Int { Self.allCases.firstIndex(of: self) ?? Self.allCases.count }

    /// `a < b` when `a` is less severe than `b`.
    public static func < (a: FindingSeverity, b: FindingSeverity) -> Bool { a.rank > b.rank }
}

/// Something an agent found that a person should look at: a failing test, a security
/// finding, a dependency cycle, an undocumented declaration. Agents report them through the
/// protocol (`@tutti finding {...}`); the engine records them with the task and the reports
/// show them beside the gates they explain.
public struct Finding: Sendable, Hashable, Codable {
    /// What sort of finding: `test_failure`, `runner_error`, `security`, `cycle`, ...
    public var kind: String
    public var severity: FindingSeverity
    /// What it is, in a few words: a test's id, a rule's title.
    public var title: String
    /// Where, relative to the checked folder, when it has a place.
    public var file: String?
    /// 1-based, with `file`.
    public var line: Int?
    /// One line more: a failure's message, a masked excerpt.
    public var detail: String?
    /// The rule or check that found it, when there is one (`secret.private-key`, `bandit.B602`).
    public var rule: String?

    public init(kind: String, severity: FindingSeverity, title: String, file: String? = nil, line: Int? = nil,
                detail: String? = nil, rule: String? = nil) {
        self.kind = kind
        self.severity = severity
        self.title = title
        self.file = file
        self.line = line
        self.detail = detail
        self.rule = rule
    }

    /// `file:line`, `file`, or nil.
    public var location: String? {
        guard let file, !file.isEmpty else { return nil }
        guard let line, line > 0 else { return file }
        return "\(file):\(line)"
    }

    /// One line for a summary: "tests/test_a.py:12 test_a — assert 1 == 2".
    public var summaryLine: String {
        var text = [location, title].compactMap { $0 }.joined(separator: " ")
        if let detail, !detail.isEmpty { text += " — " + detail }
        return text
    }

    /// Reads a finding from the agent protocol's JSON object; nil with why when it cannot.
    public static func parse(_ value: JSONValue) -> Result<Finding, FindingError> {
        guard case .object(let fields) = value else { return .failure(FindingError("a finding must be a JSON object")) }
        guard let title = fields["title"]?.string, !title.isEmpty else { return .failure(FindingError("a finding needs a 'title'")) }
        var severity = FindingSeverity.medium
        if let written = fields["severity"] {
            guard let known = written.string.flatMap({ FindingSeverity(rawValue: $0.lowercased()) }) else {
                return .failure(FindingError("severity must be one of \(FindingSeverity.allCases.map(\.rawValue).joined(separator: ", "))"))
            }
            severity = known
        }
        let line = fields["line"]?.number.flatMap { Int(exactly: $0.rounded()) }
        func bounded(_ text: String?, _ limit: Int) -> String? { text.map { String($0.prefix(limit)) } }
        return .success(Finding(kind: bounded(fields["kind"]?.string, 40) ?? "finding", severity: severity,
                                title: String(title.prefix(300)), file: bounded(fields["file"]?.string, 500),
                                line: line.map { max(0, min($0, 100_000_000)) }, detail: bounded(fields["detail"]?.string, 500),
                                rule: bounded(fields["rule"]?.string, 100)))
    }

    /// The finding as the protocol's JSON object (what `parse` reads).
    public var jsonValue: JSONValue {
        var fields: [String: JSONValue] = ["kind": .string(kind), "severity": .string(severity.rawValue), "title": .string(title)]
        if let file { fields["file"] = .string(file) }
        if let line { fields["line"] = .number(Double(line)) }
        if let detail { fields["detail"] = .string(detail) }
        if let rule { fields["rule"] = .string(rule) }
        return .object(fields)
    }
}

/// Why a finding line could not be read.
public struct FindingError: Error, Sendable, Hashable {
    public let message: String
    public init(_ message: String) { self.message = message }
}

/// The agent reported a finding.
public struct TaskFinding: Sendable, Hashable, Codable {
    public var task: String
    public var finding: Finding
    public init(task: String, finding: Finding) {
        self.task = task
        self.finding = finding
    }
}

extension Finding {
    /// The finding as an object with sorted keys.
    func write(to w: inout JSONWriter) {
        w.object { w in
            w.field("detail", detail)
            w.field("file", file)
            w.field("kind", kind)
            w.field("line", line)
            w.field("rule", rule)
            w.field("severity", severity.rawValue)
            w.field("title", title)
        }
    }
}
