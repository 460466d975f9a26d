import Foundation
import TuttiCore

/// One thing the security scan found.
public struct SecurityFinding: Sendable, Codable, Hashable {
    public var rule: String
    public var severity: Severity
    public var file: String
    public var line: Int
    public var title: String
    public var explanation: String
    /// The line, with anything that looks like a secret masked.
    public var excerpt: String
}

/// SecurityAgent: scans the repository's files (as git sees them) for secrets and dangerous
/// code, writes the findings as JSON and SARIF, and reports `security_score` (100 minus the
/// weights of the findings: critical 25, high 10, medium 4, low 1; never below 0),
/// `vulnerabilities` (critical and high findings) and `compliance` (a LICENSE, and a
/// security policy or a README section on security). Findings listed in the allowlist
/// (`.tutti-allowlist`, or the `allowlist` parameter) are left out.
public struct SecurityAgent {
    let context: AgentContext

    public init(context: AgentContext) { self.context = context }

    /// The scan's result: findings kept and those the allowlist suppressed.
    public struct Result: Sendable {
        public var findings: [SecurityFinding]
        public var suppressed: [SecurityFinding]
        public var score: Double
        public var vulnerabilities: Int
        public var compliance: Bool
    }

    /// Scans the repository, reports the metrics and writes the findings.
    @discardableResult
    public func run() -> Result {
        let out = context.output
        out.message("Listing the repository's files")
        let paths = RepositoryFiles.list(context.target)
        out.log("scanning \(paths.count) files in \(context.target)")
        let allowlist = Allowlist(path: context.string("allowlist").map { $0.hasPrefix("/") ? $0 : "\(context.target)/\($0)" }
                                    ?? "\(context.target)/.tutti-allowlist")
        var findings: [SecurityFinding] = []
        var suppressed: [SecurityFinding] = []
        for (index, path) in paths.enumerated() {
            if index % 25 == 0 { out.progress(done: index, of: paths.count) }
            var fileFindings = worldWritable(path)
            if let file = RepositoryFiles.read([path], root: context.target).first { fileFindings += scan(file) }
            for finding in fileFindings {
                if allowlist.allows(finding) {
                    suppressed.append(finding)
                } else {
                    findings.append(finding)
                    out.log("\(finding.severity.rawValue.uppercased()) \(finding.file):\(finding.line) \(finding.rule): \(finding.title)")
                }
            }
        }
        out.progress(done: paths.count, of: paths.count)
        let penalty = findings.reduce(0) { $0 + $1.severity.weight }
        let score = max(0, 100 - penalty)
        let vulnerabilities = findings.filter { $0.severity >= .high }.count
        let compliance = complianceChecks()
        for (check, passed) in compliance.checks { out.log("compliance: \(check): \(passed ? "yes" : "NO")") }
        if !suppressed.isEmpty { out.log("\(suppressed.count) finding(s) suppressed by the allowlist \(allowlist.path)") }
        out.metric("security_score", score)
        out.metric("vulnerabilities", Double(vulnerabilities))
        out.metric("compliance", compliance.passed)
        out.message("\(findings.count) finding(s), \(vulnerabilities) critical or high; score \(NumberFormat.compact(score))/100"
                    + (compliance.passed ? "" : "; compliance failed: \(compliance.checks.filter { !$0.1 }.map(\.0).joined(separator: ", "))"))
        let encoder = JSONEncoder.sortedPretty
        let summary = SecuritySummary(score: score, vulnerabilities: vulnerabilities, compliance: compliance.passed,
                                      complianceChecks: Dictionary(uniqueKeysWithValues: compliance.checks),
                                      findings: findings, suppressed: suppressed)
        context.writeFinding("security.json", String(decoding: (try? encoder.encode(summary)) ?? Data(), as: UTF8.self))
        context.writeFinding("security.sarif", SARIF.document(findings: findings))
        return Result(findings: findings, suppressed: suppressed, score: score, vulnerabilities: vulnerabilities,
                      compliance: compliance.passed)
    }

    /// Documentation talks about dangerous code without running it: only secrets count there.
    static let documentationExtensions: Set<String> = ["md", "markdown", "rst", "txt", "adoc"]

    func scan(_ file: SourceFile) -> [SecurityFinding] {
        let isDocumentation = Self.documentationExtensions.contains((file.path as NSString).pathExtension.lowercased())
        let rules = SecurityRule.all.filter { rule in
            (rule.languages.isEmpty || rule.languages.contains(file.language)) && (!isDocumentation || rule.id.hasPrefix("secret."))
        }
        var found: [SecurityFinding] = []
        for (index, line) in file.lines.enumerated() where line.count < 2000 {
            let text = String(line)
            // A comment talks about code (secrets in comments still count).
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            let isComment = ["//", "#", "*", "/*", "--"].contains { trimmed.hasPrefix($0) } && !trimmed.hasPrefix("#!")
            for rule in rules where !(isComment && !rule.id.hasPrefix("secret."))
                && rule.pattern.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil && rule.accept(text) {
                found.append(SecurityFinding(rule: rule.id, severity: rule.severity, file: file.path, line: index + 1,
                                             title: rule.title, explanation: rule.explanation, excerpt: Self.mask(text)))
            }
        }
        return found
    }

    func worldWritable(_ path: String) -> [SecurityFinding] {
        var info = stat()
        guard lstat("\(context.target)/\(path)", &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_mode & S_IWOTH != 0 else { return [] }
        let rule = SecurityRule.all.first { $0.id == "file.world-writable" }!
        return [SecurityFinding(rule: rule.id, severity: rule.severity, file: path, line: 0, title: "World-writable file",
                                explanation: rule.explanation, excerpt: String(format: "mode %o", info.st_mode & (S_IRWXU | S_IRWXG | S_IRWXO)))]
    }

    /// The line, trimmed, with every quoted value cut to its first two characters and key
    /// material masked: findings files are shared, the secrets must not be.
    static let quotedValue = try! NSRegularExpression(pattern: #"(")([^"]{0,2})[^"]*(")|(')([^']{0,2})[^']*(')"#)
    static let tokenValue = try! NSRegularExpression(
        pattern: #"\b((?:AKIA|ASIA|ghp_|gho_|github_pat_|glpat-|xox[baprs]-)[A-Za-z0-9_-]{0,4})[A-Za-z0-9_-]+"#)

    static func mask(_ line: String) -> String {
        var text = line.trimmingCharacters(in: .whitespaces)
        text = quotedValue.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "$1$2$4$5…$3$6")
        text = tokenValue.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "$1…")
        return String(text.prefix(200))
    }

    /// A LICENSE file; and a SECURITY.md or a README section about security.
    func complianceChecks() -> (passed: Bool, checks: [(String, Bool)]) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: context.target)) ?? []
        let license = names.contains { $0.uppercased().hasPrefix("LICENSE") || $0.uppercased().hasPrefix("LICENCE") || $0.uppercased() == "COPYING" }
        let policyFile = names.contains { $0.uppercased().hasPrefix("SECURITY") }
            || FileManager.default.fileExists(atPath: "\(context.target)/.github/SECURITY.md")
        let readme = names.first { $0.uppercased().hasPrefix("README") }
            .flatMap { try? String(contentsOfFile: "\(context.target)/\($0)", encoding: .utf8) } ?? ""
        let readmeSection = readme.split(separator: "\n").contains { line in
            line.hasPrefix("#") && line.lowercased().contains("security")
        }
        let checks = [("LICENSE file", license), ("security policy (SECURITY.md or a README section on security)", policyFile || readmeSection)]
        return (checks.allSatisfy(\.1), checks)
    }
}

/// The security findings file.
struct SecuritySummary: Codable {
    var score: Double
    var vulnerabilities: Int
    var compliance: Bool
    var complianceChecks: [String: Bool]
    var findings: [SecurityFinding]
    var suppressed: [SecurityFinding]
}

/// Reviewed findings to leave out: lines of `RULE PATH[:LINE]  # why`, where RULE may be `*`
/// and PATH a glob relative to the repository.
struct Allowlist {
    let path: String
    let entries: [(rule: String, path: String, line: Int?)]

    init(path: String) {
        self.path = path
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        entries = text.split(separator: "\n").compactMap { raw in
            let line = raw.split(separator: "#", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard words.count >= 2 else { return nil }
            let location = words[1].split(separator: ":", maxSplits: 1)
            guard let path = location.first else { return nil }
            return (words[0], String(path), location.count > 1 ? Int(location[1]) : nil)
        }
    }

    func allows(_ finding: SecurityFinding) -> Bool {
        entries.contains { entry in
            (entry.rule == "*" || entry.rule == finding.rule) && fnmatch(entry.path, finding.file, 0) == 0
                && (entry.line == nil || entry.line == finding.line)
        }
    }
}

/// SARIF 2.1.0, the format code-scanning tools read.
enum SARIF {
    static func document(findings: [SecurityFinding]) -> String {
        func level(_ severity: Severity) -> String { severity >= .high ? "error" : severity == .medium ? "warning" : "note" }
        let rules: [[String: Any]] = SecurityRule.all.map { rule in
            ["id": rule.id, "name": rule.title, "shortDescription": ["text": rule.title], "fullDescription": ["text": rule.explanation],
             "defaultConfiguration": ["level": level(rule.severity)], "properties": ["security-severity": String(rule.severity.weight / 2.5)]]
        }
        let results: [[String: Any]] = findings.map { finding in
            ["ruleId": finding.rule, "level": level(finding.severity), "message": ["text": "\(finding.title): \(finding.excerpt)"],
             "locations": [["physicalLocation": ["artifactLocation": ["uri": finding.file],
                                                 "region": ["startLine": max(1, finding.line)]]]]]
        }
        let document: [String: Any] = [
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
            "runs": [["tool": ["driver": ["name": "tutti-security", "rules": rules]],
                      "results": results]],
        ]
        let data = (try? JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
