import Foundation
import TuttiCore

/// One thing the security scan found.
public struct SecurityFinding: Sendable, Codable, Hashable {
    public var rule: String
    public var severity: FindingSeverity
    public var file: String
    public var line: Int
    public var title: String
    /// Why it matters.
    public var explanation: String
    /// How to fix it.
    public var remediation: String
    /// The line, with anything that looks like a secret masked.
    public var excerpt: String
    /// What the file is: shipped code, tests, examples, documentation, tooling.
    public var role: FileRole = .shipped
    /// Whether it counts against the score: in shipped code, or a live-looking secret anywhere.
    public var counts = true
    /// The scanner that found it: "tutti" (the built-in rules) or an installed one ("bandit").
    public var scanner = "tutti"

    /// As a finding for the reports: counted ones at their severity, the others as information.
    var reportFinding: Finding {
        Finding(kind: "security", severity: counts ? severity : .info, title: title + (counts ? "" : " (in \(role.rawValue) files)"),
                file: file, line: line > 0 ? line : nil, detail: excerpt, rule: rule)
    }
}

/// SecurityAgent: scans the repository's files (as git sees them) with its rules, and with
/// Bandit when it is installed, and tells shipped code from tests, fixtures, examples and
/// documentation: findings outside shipped code are reported as information and do not count,
/// unless they are live-looking provider tokens. Metrics: `security_score` (100 minus the
/// weights of the counted findings: critical 25, high 10, medium 4, low 1; never below 0),
/// `vulnerabilities` (counted critical findings, as the seed's gate "0 critical" reads) and
/// `compliance` (a LICENSE, and a security policy or a README section on security).
/// Findings listed in the allowlist (`.tutti-allowlist`, or the `allowlist` parameter) are
/// left out. Writes `security.json` and `security.sarif`.
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
        /// The scanners that ran, with their versions.
        public var scanners: [String]

        /// The findings that count against the score.
        public var counted: [SecurityFinding] { findings.filter(\.counts) }
    }

    /// Scans the repository, reports the metrics and findings, and writes the findings files.
    @discardableResult
    public func run() -> Result {
        let out = context.output
        out.message("Listing the repository's files")
        let paths = RepositoryFiles.list(context.target)
        let layout = ProjectLayout(root: context.target)
        out.log("scanning \(paths.count) files in \(context.target)")
        let allowlist = Allowlist(path: context.string("allowlist").map { $0.hasPrefix("/") ? $0 : "\(context.target)/\($0)" }
                                    ?? "\(context.target)/.tutti-allowlist")
        var found: [SecurityFinding] = []
        var lines: [String: [Substring]] = [:]
        for (index, path) in paths.enumerated() {
            if index % 25 == 0 { out.progress(done: index, of: paths.count + 1) }
            found += worldWritable(path)
            if let file = RepositoryFiles.read([path], root: context.target).first {
                let hits = scan(file)
                if !hits.isEmpty { lines[path] = file.lines }
                found += hits
            }
        }
        var scanners = ["tutti \(SecurityRule.all.count) rules"]
        let shippedPython = paths.filter { SourceLanguage(path: $0) == .python && layout.role(of: $0) == .shipped }
        if !shippedPython.isEmpty {
            if let bandit = Bandit.installed() {
                out.detail(.command, (bandit.command + ["-f", "json", "-q", "<\(shippedPython.count) Python files>"]).joined(separator: " ")
                           + " (and Tutti's built-in rules)")
                switch Bandit.scan(shippedPython, root: context.target, command: bandit.command) {
                case .success(let banditFindings):
                    // A place a built-in rule already flagged for the same thing is one finding, not two.
                    let fresh = banditFindings.filter { candidate in
                        let rule = Bandit.sameAs[String(candidate.rule.dropFirst("bandit.".count))]
                        return !found.contains { $0.rule == rule && $0.file == candidate.file && abs($0.line - candidate.line) <= 1 }
                    }
                    found += fresh
                    scanners.append("\(bandit.version) on \(shippedPython.count) Python files (\(fresh.count) findings merged)")
                case .failure(let error):
                    out.log("bandit did not run: \(error.message)")
                }
            } else {
                out.log("bandit is not installed (pip install bandit): the built-in rules alone checked the Python code")
            }
        }
        out.progress(done: paths.count, of: paths.count + 1)
        out.log("scanners: \(scanners.joined(separator: "; "))")

        var findings: [SecurityFinding] = []
        var suppressed: [SecurityFinding] = []
        for var finding in found {
            finding.role = layout.role(of: finding.file)
            let line = lines[finding.file].flatMap { finding.line > 0 && finding.line <= $0.count ? String($0[finding.line - 1]) : nil } ?? ""
            finding.counts = finding.role == .shipped || SecurityRule.isLiveLooking(finding, line: line)
            if allowlist.allows(finding) { suppressed.append(finding) } else { findings.append(finding) }
        }
        findings.sort { ($0.counts ? 1 : 0, $0.severity, $1.file, $1.line) > ($1.counts ? 1 : 0, $1.severity, $0.file, $0.line) }
        for finding in findings {
            out.log("\(finding.counts ? finding.severity.rawValue.uppercased() : "INFO (\(finding.role.rawValue))") "
                    + "\(finding.file):\(finding.line) \(finding.rule): \(finding.title)")
        }
        let counted = findings.filter(\.counts)
        let score = max(0, 100 - counted.reduce(0) { $0 + $1.severity.weight })
        let vulnerabilities = counted.filter { $0.severity == .critical }.count
        let compliance = complianceChecks()
        for (check, passed) in compliance.checks { out.log("compliance: \(check): \(passed ? "yes" : "NO")") }
        if !suppressed.isEmpty { out.log("\(suppressed.count) finding(s) suppressed by the allowlist \(allowlist.path)") }
        let bySeverity = FindingSeverity.allCases.dropLast().map { severity in "\(counted.filter { $0.severity == severity }.count) \(severity.rawValue)" }
        out.log("counted: \(bySeverity.joined(separator: ", ")); \(findings.count - counted.count) informational "
                + "(in tests, examples, documentation or tooling)")
        out.metric("security_score", score, label: "security score")
        out.metric("vulnerabilities", Double(vulnerabilities), label: "critical findings in shipped code")
        out.metric("compliance", compliance.passed, label: "LICENSE and security policy")
        for finding in findings { out.finding(finding.reportFinding) }
        out.headline("\(counted.count) finding(s) in shipped code (\(vulnerabilities) critical), \(findings.count - counted.count) informational; "
                    + "score \(NumberFormat.compact(score))/100"
                    + (compliance.passed ? "" : "; compliance failed: \(compliance.checks.filter { !$0.1 }.map(\.0).joined(separator: ", "))"))
        let summary = SecuritySummary(score: score, vulnerabilities: vulnerabilities, compliance: compliance.passed,
                                      complianceChecks: Dictionary(uniqueKeysWithValues: compliance.checks), scanners: scanners,
                                      findings: findings, suppressed: suppressed)
        context.writeFinding("security.json", String(decoding: (try? JSONEncoder.sortedPretty.encode(summary)) ?? Data(), as: UTF8.self),
                             main: true)
        context.writeFinding("security.sarif", SARIF.document(findings: findings))
        return Result(findings: findings, suppressed: suppressed, score: score, vulnerabilities: vulnerabilities,
                      compliance: compliance.passed, scanners: scanners)
    }

    func scan(_ file: SourceFile) -> [SecurityFinding] {
        let isDocumentation = ProjectLayout.documentationExtensions.contains((file.path as NSString).pathExtension.lowercased())
        // Documentation talks about dangerous code without running it: only secrets count there.
        let rules = SecurityRule.all.filter { rule in
            (rule.languages.isEmpty || rule.languages.contains(file.language)) && (!isDocumentation || rule.findsSecrets)
        }
        var found: [SecurityFinding] = []
        let commentPrefixes = Self.commentPrefixes(file.language)
        for (index, line) in file.lines.enumerated() where line.count < 2000 {
            let text = String(line)
            // A comment talks about code (secrets in comments still count).
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            let isComment = commentPrefixes.contains { trimmed.hasPrefix($0) } && !trimmed.hasPrefix("#!")
            for rule in rules where !(isComment && !rule.findsSecrets)
                && rule.pattern.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil {
                guard let severity = rule.classify(RuleContext(file: file, index: index, line: text), rule.severity) else { continue }
                found.append(SecurityFinding(rule: rule.id, severity: severity, file: file.path, line: index + 1, title: rule.title,
                                             explanation: rule.explanation, remediation: rule.remediation, excerpt: Self.mask(text)))
            }
        }
        return found
    }

    /// How a line comment starts in a language (`#` is a Swift directive or raw string, not one).
    static func commentPrefixes(_ language: SourceLanguage) -> [String] {
        switch language {
        case .python, .shell, .ruby: return ["#"]
        case .swift, .go, .javascript, .typescript, .rust, .java: return ["//", "/*", "*"]
        case .other: return ["#", "//", "/*", "*", "--", ";"]
        }
    }

    func worldWritable(_ path: String) -> [SecurityFinding] {
        var info = stat()
        guard lstat("\(context.target)/\(path)", &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_mode & S_IWOTH != 0,
              let rule = SecurityRule.named("file.world-writable") else { return [] }
        return [SecurityFinding(rule: rule.id, severity: rule.severity, file: path, line: 0, title: "World-writable file",
                                explanation: rule.explanation, remediation: rule.remediation,
                                excerpt: String(format: "mode %o", info.st_mode & (S_IRWXU | S_IRWXG | S_IRWXO)))]
    }

    /// The line, trimmed, with every quoted value cut to its first characters and key
    /// material masked: findings files are shared, the secrets must not be. What is left is
    /// enough to recognise the line.
    static let quotedValue = try! NSRegularExpression(
        pattern: #"(")((?:[^"\\]|\\.){0,3})(?:[^"\\]|\\.){3,}(")|(')((?:[^'\\]|\\.){0,3})(?:[^'\\]|\\.){3,}(')"#)
    static let tokenValue = try! NSRegularExpression(
        pattern: #"\b((?:AKIA|ASIA|ghp_|gho_|github_pat_|glpat-|xox[baprs]-)[A-Za-z0-9_-]{0,4})[A-Za-z0-9_-]+"#)

    static func mask(_ line: String) -> String {
        var text = line.trimmingCharacters(in: .whitespaces)
        text = quotedValue.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "$1$2$4$5…$3$6")
        text = tokenValue.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "$1…")
        return text.count > 200 ? String(text.prefix(199)) + "…" : text
    }

    /// A LICENSE file; and a SECURITY.md or a README section about security.
    func complianceChecks() -> (passed: Bool, checks: [(String, Bool)]) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: context.target)) ?? []
        let license = names.contains { $0.uppercased().hasPrefix("LICENSE") || $0.uppercased().hasPrefix("LICENCE") || $0.uppercased() == "COPYING" }
        let policyFile = names.contains { $0.uppercased().hasPrefix("SECURITY") }
            || FileManager.default.fileExists(atPath: "\(context.target)/.github/SECURITY.md")
            || FileManager.default.fileExists(atPath: "\(context.target)/docs/SECURITY.md")
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
    var scanners: [String]
    var findings: [SecurityFinding]
    var suppressed: [SecurityFinding]
}
