import Foundation

/// One thing an agent reported through the protocol.
public enum AgentReport: Sendable, Hashable {
    case progress(Double)
    case metric(String, JSONValue)
    /// What a metric measures, in words: shown beside its name in gate tables.
    case label(String, String)
    case message(String)
    case finding(Finding)
    /// What the task's details say of it: `command` (what really ran), `headline` (its
    /// result in a line), `findings` (the file that lists what it found).
    case detail(TaskDetail.Name, String)
}

/// The agent protocol: lines on stdout that start with `@tutti `. Anything else is log.
///
///     @tutti progress 35            percent, or "35%", or "12/40" (done/known)
///     @tutti metric test_coverage 96.4
///     @tutti metric documentation true
///     @tutti label coverage_threshold documented public API
///     @tutti message Scanning dependencies
///     @tutti detail command python3 -m pytest -q      (also: headline, findings)
///     @tutti finding {"kind": "test_failure", "severity": "high", "title": "test_a", "file": "t.py", "line": 3}
///     @tutti {"progress": 35, "metrics": {"vulnerabilities": 0}, "labels": {...}, "findings": [...], "message": "..."}
public enum AgentProtocol {
    /// Every protocol line starts with this.
    public static let prefix = "@tutti "

    /// What a line means: `.log` for ordinary output, `.reports` for protocol, `.malformed`
    /// for a line that starts like protocol but cannot be read (it is kept as log).
    public enum Line: Sendable, Hashable {
        case log
        case reports([AgentReport])
        case malformed(String)
    }

    /// Classifies one line of an agent's stdout.
    public static func parse(_ line: String) -> Line {
        guard line.hasPrefix(prefix) else { return .log }
        let body = line.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
        if body.hasPrefix("{") { return parseJSON(body) }
        let (word, rest) = splitWord(body)
        switch word {
        case "progress":
            guard let percent = percent(from: rest) else { return .malformed("progress needs a number, 'N%' or 'done/total'") }
            return .reports([.progress(percent)])
        case "metric":
            let (name, value) = splitWord(rest)
            guard !name.isEmpty, !value.isEmpty else { return .malformed("metric needs a name and a value") }
            return .reports([.metric(name, metricValue(value))])
        case "label":
            let (name, text) = splitWord(rest)
            guard !name.isEmpty, !text.isEmpty else { return .malformed("label needs a metric name and text") }
            return .reports([.label(name, String(text.prefix(80)))])
        case "message":
            guard !rest.isEmpty else { return .malformed("message needs text") }
            return .reports([.message(rest)])
        case "detail":
            let (name, text) = splitWord(rest)
            guard let detail = TaskDetail.Name(rawValue: name), !text.isEmpty else {
                return .malformed("detail needs one of \(TaskDetail.Name.allCases.map(\.rawValue).joined(separator: ", ")) and text")
            }
            return .reports([.detail(detail, String(text.prefix(TaskDetail.maximumLength)))])
        case "finding":
            guard let value = JSONValue(json: Data(rest.utf8)) else {
                return .malformed("finding needs a JSON object")
            }
            switch Finding.parse(value) {
            case .success(let finding): return .reports([.finding(finding)])
            case .failure(let error): return .malformed(error.message)
            }
        default:
            return .malformed("unknown protocol word '\(word)' (expected progress, metric, label, message, finding or detail)")
        }
    }

    /// "35", "35%", "12/40" → percent 0...100.
    static func percent(from text: String) -> Double? {
        var trimmed = text.trimmingCharacters(in: .whitespaces)
        if let slash = trimmed.firstIndex(of: "/") {
            guard let done = Double(trimmed[..<slash].trimmingCharacters(in: .whitespaces)),
                  let total = Double(trimmed[trimmed.index(after: slash)...].trimmingCharacters(in: .whitespaces)),
                  total > 0, done.isFinite else { return nil }
            return clamp(done / total * 100)
        }
        if trimmed.hasSuffix("%") { trimmed.removeLast() }
        guard let value = Double(trimmed), value.isFinite else { return nil }
        return clamp(value)
    }

    static func clamp(_ value: Double) -> Double { min(100, max(0, value)) }

    /// A metric value: true/false, a number (a trailing % is dropped), else the text.
    static func metricValue(_ text: String) -> JSONValue {
        var trimmed = text.trimmingCharacters(in: .whitespaces)
        switch trimmed.lowercased() {
        case "true": return .bool(true)
        case "false": return .bool(false)
        default: break
        }
        if trimmed.count >= 2, trimmed.first == "\"", trimmed.last == "\"" {
            return .string(String(trimmed.dropFirst().dropLast()))
        }
        let numeric = trimmed.hasSuffix("%") ? String(trimmed.dropLast()) : trimmed
        if let number = Double(numeric), number.isFinite { return .number(number) }
        trimmed = text.trimmingCharacters(in: .whitespaces)
        return .string(trimmed)
    }

    static func parseJSON(_ body: String) -> Line {
        guard let value = JSONValue(json: Data(body.utf8)),
              case .object(let object) = value else { return .malformed("not a JSON object") }
        var reports: [AgentReport] = []
        for (key, field) in object.sorted(by: { $0.key < $1.key }) {
            switch (key, field) {
            case ("progress", .number(let number)): reports.append(.progress(clamp(number)))
            case ("progress", .string(let text)):
                guard let percent = percent(from: text) else { return .malformed("progress needs a number") }
                reports.append(.progress(percent))
            case ("metrics", .object(let metrics)):
                for (name, metric) in metrics.sorted(by: { $0.key < $1.key }) { reports.append(.metric(name, metric)) }
            case ("labels", .object(let labels)):
                for (name, label) in labels.sorted(by: { $0.key < $1.key }) {
                    guard let text = label.string, !text.isEmpty else { return .malformed("a label must be text") }
                    reports.append(.label(name, String(text.prefix(80))))
                }
            case ("message", .string(let text)): reports.append(.message(text))
            case ("finding", let value), ("findings", let value):
                let items: [JSONValue]
                if case .array(let list) = value { items = list } else { items = [value] }
                for item in items {
                    switch Finding.parse(item) {
                    case .success(let finding): reports.append(.finding(finding))
                    case .failure(let error): return .malformed(error.message)
                    }
                }
            case ("details", .object(let details)):
                for (name, value) in details.sorted(by: { $0.key < $1.key }) {
                    guard let detail = TaskDetail.Name(rawValue: name), let text = value.string, !text.isEmpty else {
                        return .malformed("a detail is one of \(TaskDetail.Name.allCases.map(\.rawValue).joined(separator: ", ")) with text")
                    }
                    reports.append(.detail(detail, String(text.prefix(TaskDetail.maximumLength))))
                }
            default: return .malformed("unexpected field '\(key)'")
            }
        }
        return .reports(reports)
    }

    static func splitWord(_ text: String) -> (String, String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let space = trimmed.firstIndex(of: " ") else { return (trimmed, "") }
        return (String(trimmed[..<space]), trimmed[space...].trimmingCharacters(in: .whitespaces))
    }
}
