import Foundation
import TuttiCore

/// CodeGenAgent (Pattern Library): finds the codebase's reusable building blocks — its
/// protocols and interfaces, and public types and functions used from other files — and
/// writes `pattern-library.md`: per pattern its name, signature, doc comment, where it is
/// used and an example from a real call site. Metrics: `patterns_generated`,
/// `documentation` (the library was written) and `test_coverage` (percent of patterns that
/// test code refers to).
public struct CodeGenAgent {
    let context: AgentContext

    public init(context: AgentContext) { self.context = context }

    /// A building block and its uses.
    public struct Pattern: Sendable {
        public var declaration: Declaration
        /// Files other than its own that name it.
        public var usedIn: [String]
        /// A line that uses it, with its place.
        public var example: (file: String, line: Int, text: String)?
        public var referencedFromTests: Bool
    }

    /// Names too common to tell one declaration's uses from another's.
    static let commonNames: Set<String> = ["init", "main", "run", "test", "get", "set", "new", "call", "load", "save", "close", "open",
                                           "start", "stop", "read", "write", "update", "create", "delete", "handle", "value", "name",
                                           "data", "item", "result", "error", "config", "setup", "apply", "map", "filter", "reduce"]

    /// Finds the patterns, writes the library and reports the metrics.
    @discardableResult
    public func run() -> [Pattern] {
        let out = context.output
        out.message("Reading the repository's sources")
        let files = RepositoryFiles.read(RepositoryFiles.list(context.target), root: context.target).filter { $0.language.isAnalyzed }
        out.log("\(files.count) source files")
        // Candidates first, then one pass over each file's identifiers finds their users.
        var candidates: [Declaration] = []
        var seen: Set<String> = []
        for file in files where !file.isTest {
            for declaration in DeclarationScanner.declarations(in: file) where declaration.kind != .value {
                let name = declaration.name
                guard name.count >= 3, !Self.commonNames.contains(name.lowercased()), !seen.contains(name),
                      declaration.isPublic || declaration.kind == .protocol else { continue }
                seen.insert(name)
                candidates.append(declaration)
            }
        }
        // A type is used where its name appears; a function where it is called.
        var users: [String: [SourceFile]] = [:]
        var callers: [String: [SourceFile]] = [:]
        for (index, file) in files.enumerated() {
            if index % 50 == 0 { out.progress(done: index, of: files.count) }
            let found = Self.identifiers(in: file)
            for name in found.names where seen.contains(name) { users[name, default: []].append(file) }
            for name in found.calls where seen.contains(name) { callers[name, default: []].append(file) }
        }
        let minimumUses = context.integer("min_uses") ?? 2
        var patterns: [Pattern] = []
        for declaration in candidates {
            let others = ((declaration.kind == .function ? callers : users)[declaration.name] ?? []).filter { $0.path != declaration.file }
            let isProtocol = declaration.kind == .protocol
            guard isProtocol ? (declaration.isPublic || !others.isEmpty) : others.count >= minimumUses else { continue }
            patterns.append(Pattern(declaration: declaration, usedIn: others.map(\.path),
                                    example: Self.example(of: declaration.name, in: others.filter { !$0.isTest } + others.filter(\.isTest)),
                                    referencedFromTests: others.contains(where: \.isTest)))
        }
        patterns.sort { ($0.declaration.kind == .protocol ? 1 : 0, $0.usedIn.count, $1.declaration.name)
            > ($1.declaration.kind == .protocol ? 1 : 0, $1.usedIn.count, $0.declaration.name) }
        out.progress(done: 1, of: 1)
        for pattern in patterns.prefix(20) {
            out.log("pattern \(pattern.declaration.name) (\(pattern.declaration.kind.rawValue)): used in \(pattern.usedIn.count) file(s)")
        }
        context.writeFinding("pattern-library.md", library(patterns))
        let tested = patterns.filter(\.referencedFromTests).count
        out.metric("patterns_generated", Double(patterns.count))
        out.metric("documentation", FileManager.default.fileExists(atPath: "\(context.findingsDirectory)/pattern-library.md"))
        if patterns.isEmpty {
            out.log("test_coverage not reported: no patterns found")
        } else {
            out.metric("test_coverage", (Double(tested) / Double(patterns.count) * 1000).rounded() / 10)
        }
        out.message("\(patterns.count) patterns, \(tested) referenced from tests")
        return patterns
    }

    static let identifier = try! NSRegularExpression(pattern: #"[A-Za-z_][A-Za-z0-9_]*(\s*\()?"#)

    /// The identifiers a file names, and those it calls (followed by a parenthesis).
    static func identifiers(in file: SourceFile) -> (names: Set<String>, calls: Set<String>) {
        var names: Set<String> = [], calls: Set<String> = []
        for line in file.lines {
            let text = String(line)
            for match in identifier.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                guard let range = Range(match.range, in: text) else { continue }
                let word = text[range]
                if match.range(at: 1).location != NSNotFound {
                    let name = String(word.prefix { $0 != "(" && !$0.isWhitespace })
                    calls.insert(name)
                    names.insert(name)
                } else {
                    names.insert(String(word))
                }
            }
        }
        return (names, calls)
    }

    /// The first line in `files` that uses `name` in code (not an import or a comment).
    static func example(of name: String, in files: [SourceFile]) -> (file: String, line: Int, text: String)? {
        let word = try! NSRegularExpression(pattern: "\\b\(NSRegularExpression.escapedPattern(for: name))\\b")
        for file in files {
            for (index, line) in file.lines.enumerated() {
                let text = line.trimmingCharacters(in: .whitespaces)
                guard !text.isEmpty, !text.hasPrefix("import "), !text.hasPrefix("from "), !text.hasPrefix("use "),
                      !text.hasPrefix("//"), !text.hasPrefix("#"), !text.hasPrefix("*"), !text.hasPrefix("/*"),
                      word.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil else { continue }
                return (file.path, index + 1, String(text.prefix(160)))
            }
        }
        return nil
    }

    func library(_ patterns: [Pattern]) -> String {
        var lines = ["# Pattern library", "",
                     "The reusable building blocks of this codebase: its protocols and interfaces, and the public types and "
                        + "functions that other files use. Generated by tutti's CodeGenAgent.", "",
                     "\(patterns.count) patterns; \(patterns.filter(\.referencedFromTests).count) referenced from tests.", ""]
        lines += patterns.map { "- [\($0.declaration.name)](#\($0.declaration.name.lowercased())) — \($0.declaration.kind.rawValue), used in \($0.usedIn.count) file(s)" }
        for pattern in patterns {
            let declaration = pattern.declaration
            let fence = SourceLanguage(path: declaration.file) == .other ? "" : SourceLanguage(path: declaration.file).rawValue
            lines += ["", "## \(declaration.name)", "",
                      "\(declaration.kind.rawValue.capitalized), declared in `\(declaration.file):\(declaration.line)`.", "",
                      "```\(fence)", declaration.signature, "```", ""]
            lines.append(declaration.doc ?? "_No doc comment._")
            lines += ["", "Used in: " + (pattern.usedIn.isEmpty ? "no other file yet." : pattern.usedIn.prefix(8).map { "`\($0)`" }.joined(separator: ", ")
                + (pattern.usedIn.count > 8 ? " and \(pattern.usedIn.count - 8) more." : "."))]
            if let example = pattern.example {
                lines += ["", "Example (`\(example.file):\(example.line)`):", "", "```\(SourceLanguage(path: example.file).rawValue)", example.text, "```"]
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
