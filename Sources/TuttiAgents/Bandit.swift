import Foundation
import TuttiCore

/// Bandit, the Python security linter, run on the shipped Python code when it is installed;
/// its findings are merged with the built-in rules'. Bandit's audit notes and code-quality
/// checks are kept at the weight a reviewer would give them: an `assert` or a bare
/// `except: pass` is not a vulnerability, and SHA-1 in an HMAC is not a weak password hash.
enum Bandit {
    /// The command that runs it and its version, when it is installed.
    static func installed() -> (command: [String], version: String)? {
        for command in [["bandit"], ["python3", "-m", "bandit"]] {
            let probe = ChildProcess.run(command + ["--version"], captureOutput: true)
            guard probe.status == 0, let first = probe.output.split(separator: "\n").first, first.lowercased().hasPrefix("bandit") else { continue }
            return (command, String(first))
        }
        return nil
    }

    /// Checks that are not about security (code quality), that flag an import rather than a
    /// use (the use has its own check), or that the built-in rules make with more care
    /// (hard-coded passwords, whose labels and placeholders Bandit flags too): left out.
    static let skipped: Set<String> = ["B101", "B110", "B112", "B403", "B404", "B405", "B406", "B407", "B408", "B409", "B410",
                                       "B411", "B603", "B607", "B105", "B106", "B107"]
    /// Bandit's checks that find what a built-in rule finds: where both flag a place, it is one finding.
    static let sameAs: [String: String] = ["B501": "code.tls-verification-off", "B502": "code.tls-verification-off",
                                           "B503": "code.tls-verification-off", "B504": "code.tls-verification-off",
                                           "B602": "code.shell-injection", "B605": "code.shell-injection", "B604": "code.shell-injection",
                                           "B307": "code.eval", "B102": "code.eval"]
    /// Audit notes: worth a look, not a vulnerability by themselves (weak hashes outside
    /// passwords, URL schemes, pseudo-random numbers, a deprecated crypto library).
    static let notes: Set<String> = ["B303", "B304", "B305", "B324", "B310", "B311", "B413"]

    /// Bandit's findings in `files` (relative to `root`), as security findings; nil when it
    /// could not run, with why.
    static func scan(_ files: [String], root: String, command: [String]) -> Result<[SecurityFinding], ScanError> {
        guard !files.isEmpty else { return .success([]) }
        var arguments = command + ["-f", "json", "-q"]
        if ConfigSection.read("pyproject.toml", section: "tool.bandit", root: root) != nil { arguments += ["-c", "pyproject.toml"] }
        let run = ChildProcess.run(arguments + files, in: root, captureOutput: true)
        // Bandit exits 1 when it found something; its JSON says what.
        guard let data = run.output.data(using: .utf8),
              let report = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let results = report["results"] as? [[String: Any]] else {
            return .failure(ScanError("bandit exited with status \(run.status) without a report"))
        }
        return .success(results.compactMap { finding(from: $0, root: root) })
    }

    static func finding(from result: [String: Any], root: String) -> SecurityFinding? {
        guard let test = result["test_id"] as? String, !skipped.contains(test),
              let confidence = result["issue_confidence"] as? String, confidence != "LOW",
              var file = result["filename"] as? String, let line = (result["line_number"] as? NSNumber)?.intValue else { return nil }
        if file.hasPrefix(root + "/") { file.removeFirst(root.count + 1) }
        if file.hasPrefix("./") { file.removeFirst(2) }
        var severity: FindingSeverity
        switch result["issue_severity"] as? String {
        case "HIGH": severity = .high
        case "MEDIUM": severity = .medium
        default: severity = .low
        }
        if notes.contains(test) { severity = .low }
        let text = (result["issue_text"] as? String ?? "").trimmingCharacters(in: .whitespaces)
        // The first sentence says what it is: "Use of weak SHA1 hash for security."
        let title = text.range(of: ". ").map { String(text[..<$0.lowerBound]) } ?? (text.hasSuffix(".") ? String(text.dropLast()) : text)
        let code = (result["code"] as? String ?? "").split(separator: "\n")
            .first { $0.hasPrefix("\(line) ") }.map { String($0.drop { $0 != " " }.dropFirst()) } ?? ""
        let more = result["more_info"] as? String
        return SecurityFinding(rule: "bandit.\(test)", severity: severity, file: file, line: line,
                               title: title.isEmpty ? "bandit \(test)" : title, explanation: text,
                               remediation: more.map { "See \($0)" } ?? "See Bandit's documentation for \(test).",
                               excerpt: SecurityAgent.mask(code), scanner: "bandit")
    }

    /// Why a scanner produced nothing.
    struct ScanError: Error {
        let message: String
        init(_ message: String) { self.message = message }
    }
}
