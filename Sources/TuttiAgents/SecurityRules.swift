import Foundation

/// How bad a finding is; its weight in the security score.
public enum Severity: String, Sendable, Codable, Comparable {
    case critical, high, medium, low

    /// Points taken off the score of 100 per finding.
    public var weight: Double {
        switch self {
        case .critical: return 25
        case .high: return 10
        case .medium: return 4
        case .low: return 1
        }
    }

    public static func < (a: Severity, b: Severity) -> Bool { a.weight < b.weight }
}

/// One check of the security scan: what it looks for, in which languages, and why it matters.
public struct SecurityRule: Sendable {
    public let id: String
    public let severity: Severity
    public let title: String
    public let explanation: String
    /// Languages it applies to; empty: every text file.
    let languages: Set<SourceLanguage>
    let pattern: NSRegularExpression
    /// An extra test on the matched line (entropy, a password nearby).
    let accept: @Sendable (String) -> Bool

    init(_ id: String, _ severity: Severity, _ title: String, _ explanation: String, languages: Set<SourceLanguage> = [],
         _ pattern: String, options: NSRegularExpression.Options = [], accept: @escaping @Sendable (String) -> Bool = { _ in true }) {
        self.id = id
        self.severity = severity
        self.title = title
        self.explanation = explanation
        self.languages = languages
        self.pattern = try! NSRegularExpression(pattern: pattern, options: options)
        self.accept = accept
    }

    /// The rules, secrets first.
    public static let all: [SecurityRule] = [
        SecurityRule("secret.private-key", .critical, "Private key in the repository",
                     "A private key committed to a repository is readable by everyone who can clone it; revoke it and load it from a secret store.",
                     #"-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY(?: BLOCK)?-----"#),
        SecurityRule("secret.aws-access-key", .critical, "AWS access key id",
                     "An AWS access key id (with its secret nearby) gives access to the account; rotate it and use the environment or a role.",
                     #"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"#),
        SecurityRule("secret.vcs-token", .critical, "Version-control or chat token",
                     "A GitHub, GitLab or Slack token in code can act as its owner; revoke it and read it from the environment.",
                     #"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,}|glpat-[A-Za-z0-9_-]{20,}|xox[baprs]-[A-Za-z0-9-]{10,})\b"#),
        SecurityRule("secret.password-assignment", .high, "Password written in code",
                     "A password assigned to a literal is in every copy of the code; read it from the environment or a secret store.",
                     #"(?i)\b\w*(?:password|passwd|pwd|secret|api_?key|auth_?token|access_?token)\w*\b["']?\s*[:=]\s*["']([^"'\s$\{][^"']{3,})["']"#,
                     accept: { line in !SecurityRule.looksLikePlaceholder(line) && !SecurityRule.valueNamesItsKey(line) }),
        SecurityRule("secret.high-entropy", .medium, "High-entropy string assigned to a key-like name",
                     "A long random-looking string in an assignment is usually a credential; move it out of the code.",
                     #"(?i)\b\w*(?:key|token|secret|credential)\w*\b["']?\s*[:=]\s*["']([A-Za-z0-9+/=_\-]{24,})["']"#,
                     accept: { line in SecurityRule.hasHighEntropyLiteral(line) }),
        SecurityRule("code.shell-injection", .high, "Shell command built from interpolated text",
                     "Running a shell on a string with values pasted in lets those values run commands; pass an argument list instead.",
                     languages: [.python, .javascript, .typescript, .go, .swift, .ruby],
                     #"(?:subprocess\.\w+\([^)]*shell\s*=\s*True|os\.(?:system|popen)\(\s*(?:f["']|["'][^"']*["']\s*[%+]|\w)|\b(?:\w+\.)?exec(?:Sync)?\(\s*(?:`[^`]*\$\{|["'][^"']*["']\s*\+)|exec\.Command\(\s*"(?:ba)?sh"\s*,\s*"-c"\s*,\s*(?:"[^"]*"\s*)?(?:\+|fmt\.Sprintf|\w)|"/bin/(?:ba)?sh"\s*,\s*"-c"\s*,\s*"[^"]*\\\(|`[^`]*#\{)"#),
        SecurityRule("code.eval", .high, "eval of dynamic code",
                     "eval runs whatever string it is given; parse the data instead (json.loads, JSON.parse, ast.literal_eval).",
                     languages: [.python, .javascript, .typescript, .ruby],
                     #"(?<![\w.])(?:eval|exec)\s*\(\s*(?!["'`][^"'`]*["'`]\s*\))"#,
                     accept: { line in !line.trimmingCharacters(in: .whitespaces).hasPrefix("def ") }),
        SecurityRule("code.tls-verification-off", .high, "TLS certificate verification turned off",
                     "Without certificate checks anyone on the network can impersonate the server; fix the trust store instead.",
                     #"(?:verify\s*=\s*False|InsecureSkipVerify\s*:\s*true|rejectUnauthorized\s*:\s*false|NODE_TLS_REJECT_UNAUTHORIZED\s*=\s*['"]?0|\bcurl\b[^\n]*\s(?:-k|--insecure)\b|ssl\._create_unverified_context|CERT_NONE)"#),
        SecurityRule("code.weak-password-hash", .high, "Weak hash used for a password",
                     "MD5 and SHA-1 are fast to brute-force; hash passwords with bcrypt, scrypt or Argon2.",
                     languages: [.python, .javascript, .typescript, .go, .swift, .ruby, .java, .rust, .shell],
                     #"(?i)(?:md5|sha1)\b[^\n]*(?:password|passwd|pwd)|(?:password|passwd|pwd)[^\n]*\b(?:md5|sha1)\b"#),
        SecurityRule("file.world-writable", .medium, "World-writable permissions",
                     "A file anyone can write can be changed by any user of the machine; use 0644 or 0755.",
                     #"(?:chmod\s+(?:-R\s+)?(?:0?777|o\+w|a\+w)\b|(?<![\d.])0o?777\b|os\.chmod\([^)]*0o?777)"#),
    ]

    static func looksLikePlaceholder(_ line: String) -> Bool {
        let lower = line.lowercased()
        return ["example", "changeme", "placeholder", "<your", "xxxx", "dummy", "redacted", "***", "os.environ", "getenv", "env["]
            .contains { lower.contains($0) }
    }

    static let keyValuePair = try! NSRegularExpression(pattern: #"["']?(\w+)["']?\s*[:=]\s*["']([^"']*)["']"#)
    static let longLiteral = try! NSRegularExpression(pattern: #"["']([A-Za-z0-9+/=_\-]{24,})["']"#)

    /// `"password": "Password"`: a label, not a secret (translations, forms).
    static func valueNamesItsKey(_ line: String) -> Bool {
        guard let match = keyValuePair.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)),
              let key = Range(match.range(at: 1), in: line), let value = Range(match.range(at: 2), in: line) else { return false }
        let normalized = { (text: Substring) in text.lowercased().filter { $0.isLetter } }
        let (keyText, valueText) = (normalized(line[key]), normalized(line[value]))
        guard !keyText.isEmpty, !valueText.isEmpty else { return false }
        return valueText.contains(keyText) || keyText.contains(valueText)
    }

    static func hasHighEntropyLiteral(_ line: String) -> Bool {
        return longLiteral.matches(in: line, range: NSRange(line.startIndex..., in: line)).contains { match in
            guard let range = Range(match.range(at: 1), in: line) else { return false }
            return entropy(line[range]) >= 4.0
        }
    }

    /// Shannon entropy in bits per character.
    static func entropy(_ text: Substring) -> Double {
        var counts: [Character: Int] = [:]
        for character in text { counts[character, default: 0] += 1 }
        let length = Double(text.count)
        return counts.values.reduce(0) { total, count in
            let p = Double(count) / length
            return total - p * log2(p)
        }
    }
}
