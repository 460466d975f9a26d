import Foundation
import TuttiCore

extension FindingSeverity {
    /// Points a counted finding takes off the security score of 100.
    public var weight: Double {
        switch self {
        case .critical: return 25
        case .high: return 10
        case .medium: return 4
        case .low: return 1
        case .info: return 0
        }
    }
}

/// Where a rule looks: a line of a file, with the file around it.
struct RuleContext {
    let file: SourceFile
    /// 0-based.
    let index: Int
    let line: String

    /// The `count` lines before this one, and this one.
    func around(before count: Int) -> String {
        file.lines[max(0, index - count)...index].joined(separator: "\n")
    }

    /// Whether the file imports one of `modules` (Python `import`/`from`, JavaScript `require`/`import`, Go imports).
    func imports(_ modules: [String]) -> Bool {
        file.lines.contains { raw in
            let text = raw.trimmingCharacters(in: .whitespaces)
            guard text.hasPrefix("import ") || text.hasPrefix("from ") || text.contains("require(") || text.hasPrefix("\"") else { return false }
            return modules.contains { module in
                text.hasPrefix("import \(module)") || text.hasPrefix("from \(module)") || text.contains("'\(module)'")
                    || text.contains("\"\(module)\"")
            }
        }
    }
}

/// One check of the security scan: what it looks for, in which languages, why it matters and
/// how to fix it.
public struct SecurityRule: Sendable {
    public let id: String
    public let severity: FindingSeverity
    public let title: String
    /// Why it matters.
    public let explanation: String
    /// How to fix it.
    public let remediation: String
    /// Languages it applies to; empty: every text file.
    let languages: Set<SourceLanguage>
    let pattern: NSRegularExpression
    /// Looks closer at a matched line: nil when it is not a finding after all (a placeholder,
    /// a JWT option named like a TLS one), else the severity it deserves.
    let classify: @Sendable (RuleContext, FindingSeverity) -> FindingSeverity?

    init(_ id: String, _ severity: FindingSeverity, _ title: String, why explanation: String, fix remediation: String,
         languages: Set<SourceLanguage> = [], _ pattern: String,
         classify: @escaping @Sendable (RuleContext, FindingSeverity) -> FindingSeverity? = { $1 }) {
        self.id = id
        self.severity = severity
        self.title = title
        self.explanation = explanation
        self.remediation = remediation
        self.languages = languages
        self.pattern = try! NSRegularExpression(pattern: pattern)
        self.classify = classify
    }

    /// Whether the rule finds a secret (it applies to documentation and comments too).
    var findsSecrets: Bool { id.hasPrefix("secret.") }

    /// The rules, secrets first.
    public static let all: [SecurityRule] = [
        SecurityRule("secret.private-key", .critical, "Private key in the repository",
                     why: "A private key committed to a repository is readable by everyone who can clone it.",
                     fix: "Revoke the key, remove it from the history, and load it from a secret store.",
                     #"-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY(?: BLOCK)?-----"#),
        SecurityRule("secret.aws-access-key", .critical, "AWS access key id",
                     why: "An AWS access key id (with its secret nearby) gives access to the account.",
                     fix: "Rotate the key and read credentials from the environment or an instance role.",
                     #"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"#),
        SecurityRule("secret.vcs-token", .critical, "Version-control or chat token",
                     why: "A GitHub, GitLab or Slack token in code can act as its owner.",
                     fix: "Revoke the token and read it from the environment.",
                     #"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,}|glpat-[A-Za-z0-9_-]{20,}|xox[baprs]-[A-Za-z0-9-]{10,})\b"#),
        SecurityRule("secret.password-assignment", .high, "Password written in code",
                     why: "A password assigned to a literal is in every copy of the code.",
                     fix: "Read it from the environment or a secret store.",
                     #"(?i)\b\w*(?:password|passwd|pwd|secret|api_?key|auth_?token|access_?token)\w*\b["']?\s*[:=]\s*["']([^"'\s$\{][^"']{3,})["']"#,
                     classify: { context, severity in
                         SecurityRule.looksLikePlaceholder(context.line) || SecurityRule.valueNamesItsKey(context.line) ? nil : severity
                     }),
        SecurityRule("secret.high-entropy", .medium, "High-entropy string assigned to a key-like name",
                     why: "A long random-looking string in an assignment is usually a credential.",
                     fix: "Move it out of the code, into the environment or a secret store.",
                     #"(?i)\b\w*(?:key|token|secret|credential)\w*\b["']?\s*[:=]\s*["']([A-Za-z0-9+/=_\-]{24,})["']"#,
                     classify: { context, severity in SecurityRule.hasHighEntropyLiteral(context.line) ? severity : nil }),
        SecurityRule("code.shell-injection", .high, "Shell command built from interpolated text",
                     why: "Running a shell on a string with values pasted in lets those values run commands.",
                     fix: "Pass an argument list to the process API instead of a shell string.",
                     languages: [.python, .javascript, .typescript, .go, .swift, .ruby],
                     #"(?:subprocess\.\w+\([^)]*shell\s*=\s*True|os\.(?:system|popen)\(\s*(?:f["']|["'][^"']*["']\s*[%+]|\w)|\b(?:\w+\.)?exec(?:Sync)?\(\s*(?:`[^`]*\$\{|["'][^"']*["']\s*\+)|exec\.Command\(\s*"(?:ba)?sh"\s*,\s*"-c"\s*,\s*(?:"[^"]*"\s*)?(?:\+|fmt\.Sprintf|\w)|"/bin/(?:ba)?sh"\s*,\s*"-c"\s*,\s*"[^"]*\\\(|`[^`]*#\{)"#),
        SecurityRule("code.eval", .high, "eval of dynamic code",
                     why: "eval runs whatever string it is given: data that reaches it becomes code.",
                     fix: "Parse the data instead (json.loads, JSON.parse, ast.literal_eval); for generated code, make sure no outside input reaches its source.",
                     languages: [.python, .javascript, .typescript, .ruby],
                     #"(?<![\w.])(?:eval|exec)\s*\(\s*(?!["'`][^"'`]*["'`]\s*\))"#,
                     classify: { context, severity in
                         if context.line.trimmingCharacters(in: .whitespaces).hasPrefix("def ") { return nil }
                         // Running code the program compiled itself (code generation, as attrs and
                         // dataclasses do) is worth a look, not an alarm.
                         return SecurityRule.compileCall.matches(context.around(before: 3)) ? .low : severity
                     }),
        SecurityRule("code.tls-verification-off", .high, "TLS certificate verification turned off",
                     why: "Without certificate checks anyone on the network can impersonate the server.",
                     fix: "Keep verification on and fix the trust store (a CA bundle, REQUESTS_CA_BUNDLE, SSL_CERT_FILE).",
                     #"(?:verify\s*=\s*False|InsecureSkipVerify\s*:\s*true|rejectUnauthorized\s*:\s*false|NODE_TLS_REJECT_UNAUTHORIZED\s*=\s*['"]?0|\bcurl\b[^\n]*\s(?:-k|--insecure)\b|ssl\._create_unverified_context|CERT_NONE)"#,
                     classify: { context, severity in SecurityRule.isTLSClientCall(context) ? severity : nil }),
        SecurityRule("code.weak-password-hash", .high, "Weak hash used for a password",
                     why: "MD5 and SHA-1 are fast to brute-force.",
                     fix: "Hash passwords with bcrypt, scrypt or Argon2.",
                     languages: [.python, .javascript, .typescript, .go, .swift, .ruby, .java, .rust, .shell],
                     #"(?i)(?:md5|sha1)\b[^\n]*(?:password|passwd|pwd)|(?:password|passwd|pwd)[^\n]*\b(?:md5|sha1)\b"#),
        SecurityRule("file.world-writable", .medium, "World-writable permissions",
                     why: "A file anyone can write can be changed by any user of the machine.",
                     fix: "Use 0644 for files and 0755 for programs and folders.",
                     #"(?:chmod\s+(?:-R\s+)?(?:0?777|o\+w|a\+w)\b|(?<![\d.])0o?777\b|os\.chmod\([^)]*0o?777)"#),
    ]

    /// Python's `compile(...)` builtin, not `re.compile(`.
    static let compileCall = NSRegularExpression.known(#"(?<![\w.])compile\("#)

    /// The rule with this id.
    static func named(_ id: String) -> SecurityRule? { all.first { $0.id == id } }

    /// HTTP and TLS client libraries, whose `verify=False` turns certificate checks off.
    static let tlsClientModules = ["requests", "httpx", "urllib3", "aiohttp", "ssl", "http.client", "urllib.request", "pycurl",
                                   "tornado.httpclient", "boto3", "botocore", "treq", "niquests"]
    static let httpCall = try! NSRegularExpression(pattern:
        #"(?i)(?:\b(?:requests|httpx|session|client|http|urllib3|aiohttp|s)\.(?:get|post|put|patch|delete|head|options|request|send|stream)|\b(?:Session|Client|AsyncClient|ClientSession|PoolManager|TCPConnector|urlopen|request))\s*\("#)
    static let notTLS = try! NSRegularExpression(pattern: #"(?i)\b(?:jwt|jws|jwk|jose)\b|\b(?:decode|encode|verify_signature)\s*\("#)

    /// `verify=False` turns TLS off only in an HTTP or TLS client's call (not `jwt.decode(..., verify=False)`);
    /// the other forms are TLS-specific by their names.
    static func isTLSClientCall(_ context: RuleContext) -> Bool {
        let line = context.line
        guard line.range(of: #"verify\s*=\s*False"#, options: .regularExpression) != nil else { return true }
        if httpCall.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) != nil { return true }
        if notTLS.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) != nil { return false }
        return context.imports(tlsClientModules)
    }

    static func looksLikePlaceholder(_ line: String) -> Bool {
        let lower = line.lowercased()
        return ["example", "changeme", "placeholder", "<your", "xxxx", "dummy", "redacted", "***", "os.environ", "getenv", "env["]
            .contains { lower.contains($0) }
    }

    /// A provider token that is not a documented example: it could open a real account,
    /// wherever it is in the repository.
    static func isLiveLooking(_ finding: SecurityFinding, line: String) -> Bool {
        guard ["secret.aws-access-key", "secret.vcs-token"].contains(finding.rule) else { return false }
        let upper = line.uppercased()
        // AWS's documented example key, and the usual stand-ins.
        if upper.contains("EXAMPLE") || upper.contains("XXXXXXXX") || upper.contains("00000000") || upper.contains("AAAAAAAAAAAA") { return false }
        return !looksLikePlaceholder(line)
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
