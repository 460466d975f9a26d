import Foundation

/// The last lines a runner printed, for saying why it failed.
struct OutputTail {
    private(set) var lines: [String] = []
    let limit = 200

    mutating func append(_ line: String) {
        lines.append(line)
        if lines.count > limit * 2 { lines.removeFirst(lines.count - limit) }
    }
}

/// Why a test runner did not do its work, in its own words: the line of its output that says.
enum RunnerError {
    static let errorLine = NSRegularExpression.known(
        #"(?i)(error|not found|cannot|can't|no module named|no tests? (?:ran|found|collected)|no test files|exception|fatal|panic|failed to)"#)

    /// The most telling line of `lines`: pytest's `E   ...` detail, an `Error:` line, any line
    /// about an error, else the last line printed.
    static func describe(_ lines: [String], status: Int32) -> String {
        let trimmed = lines.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        func clean(_ line: String) -> String {
            var text = line
            if text.hasPrefix("E ") { text = text.dropFirst(2).trimmingCharacters(in: .whitespaces) }
            return text.count > 240 ? String(text.prefix(239)) + "…" : text
        }
        if let detail = trimmed.first(where: { $0.hasPrefix("E ") && errorLine.firstMatch(in: $0, range: NSRange($0.startIndex..., in: $0)) != nil }) {
            return clean(detail)
        }
        let errors = trimmed.filter { errorLine.firstMatch(in: $0, range: NSRange($0.startIndex..., in: $0)) != nil }
            .filter { !$0.allSatisfy { "=-_!*".contains($0) || $0 == " " } }
        if let explicit = errors.first(where: { $0.contains("Error:") || $0.hasPrefix("ERROR:") || $0.hasPrefix("error:") }) {
            return clean(explicit)
        }
        if let any = errors.last { return clean(any) }
        if status == 127 { return "the command was not found" }
        return trimmed.last.map(clean) ?? "it printed nothing"
    }
}
