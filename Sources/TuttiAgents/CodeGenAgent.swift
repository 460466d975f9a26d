import Foundation
import TuttiCore

/// CodeGenAgent (Pattern Library): finds the codebase's reusable building blocks — its
/// protocols and interfaces, and the public top-level types and functions other files use —
/// and writes `pattern-library.md`: per pattern its name, signature, doc comment, where it is
/// used and an example from a real call site. A pattern is a symbol, not a name: a method
/// belongs to its type, two declarations of one name are two symbols, and a name the
/// language's standard library owns (`append`, `map`, `len`) is never the project's. Metrics:
/// `patterns_generated`, `documentation` (the library was written) and `test_coverage`
/// (percent of patterns that test code uses).
public struct CodeGenAgent {
    let context: AgentContext

    public init(context: AgentContext) { self.context = context }

    /// A building block and its uses.
    public struct Pattern: Sendable {
        public var declaration: Declaration
        /// Files other than its own that use it.
        public var usedIn: [String]
        /// A line that uses it, with its place.
        public var example: (file: String, line: Int, text: String)?
        public var referencedFromTests: Bool
    }

    /// A file's code as the agent reads it: its lines with comments and strings blanked, and
    /// the names it uses.
    struct CodeFile {
        let file: SourceFile
        let code: [String]
        let uses: NameUses
        /// JavaScript and TypeScript: names a module is bound to here (`import * as cookie from "./index.js"`,
        /// `var cookie = require('..')`), with the file each resolves to.
        let moduleAliases: [String: String]
    }

    /// Finds the patterns, writes the library and reports the metrics.
    @discardableResult
    public func run() -> [Pattern] {
        let out = context.output
        out.message("Reading the repository's sources")
        let layout = ProjectLayout(root: context.target)
        let files = RepositoryFiles.read(RepositoryFiles.list(context.target), root: context.target).filter { $0.language.isAnalyzed }
        out.log("\(files.count) source files")
        let shipped = files.filter { layout.role(of: $0.path) == .shipped }
        var declarations = shipped.flatMap { DeclarationScanner.declarations(in: $0) }
        DeclarationScanner.applyPythonModulePrivacy(&declarations, files: shipped)
        let candidates = declarations.filter(Self.isCandidate)
        let names = Set(candidates.map(\.name))
        var code: [CodeFile] = []
        let paths = Set(files.map(\.path))
        let packageMain = Self.packageMain(root: context.target)
        for (index, file) in files.enumerated() {
            if index % 50 == 0 { out.progress(done: index, of: files.count) }
            let lines = CodeText.lines(of: file)
            code.append(CodeFile(file: file, code: lines, uses: NameUses(lines: lines, wanted: names),
                                 moduleAliases: ScriptModules.aliases(in: file, paths: paths, packageMain: packageMain)))
        }
        let minimumUses = context.integer("min_uses") ?? 2
        var patterns: [Pattern] = []
        let byName = Dictionary(grouping: candidates, by: \.name)
        for declaration in candidates {
            let namesakes = byName[declaration.name] ?? []
            let users = code.filter { user in
                user.file.path != declaration.file && Self.uses(user, declaration, namesakes: namesakes)
            }
            guard declaration.kind == .protocol || users.count >= minimumUses else { continue }
            // Tests by the project's own layout (pytest's testpaths too), not by name alone.
            let (tests, code) = (users.filter { layout.role(of: $0.file.path) == .test }, users.filter { layout.role(of: $0.file.path) != .test })
            patterns.append(Pattern(declaration: declaration, usedIn: users.map(\.file.path),
                                    example: Self.example(of: declaration, in: code + tests), referencedFromTests: !tests.isEmpty))
        }
        patterns.sort { ($0.declaration.kind == .protocol ? 1 : 0, $0.usedIn.count, $1.declaration.name)
            > ($1.declaration.kind == .protocol ? 1 : 0, $1.usedIn.count, $0.declaration.name) }
        out.progress(done: 1, of: 1)
        for pattern in patterns.prefix(20) {
            out.log("pattern \(pattern.declaration.name) (\(pattern.declaration.kind.rawValue), \(pattern.declaration.file)): "
                    + "used in \(pattern.usedIn.count) file(s)")
        }
        context.writeFinding("pattern-library.md", library(patterns), main: true)
        let tested = patterns.filter(\.referencedFromTests).count
        out.metric("patterns_generated", Double(patterns.count), label: "reusable patterns")
        out.metric("documentation", FileManager.default.fileExists(atPath: "\(context.findingsDirectory)/pattern-library.md"),
                   label: "pattern library written")
        if patterns.isEmpty {
            // Nothing reusable, so nothing reusable goes untested.
            out.log("no patterns found (no public type or function is used from \(minimumUses) other files): none is untested")
        }
        out.metric("test_coverage", patterns.isEmpty ? 100 : (Double(tested) / Double(patterns.count) * 1000).rounded() / 10,
                   label: "patterns used by tests")
        for pattern in patterns where !pattern.referencedFromTests {
            out.finding(Finding(kind: "untested_pattern", severity: .info, title: "\(pattern.declaration.name) is used by no test",
                                file: pattern.declaration.file, line: pattern.declaration.line, detail: pattern.declaration.signature))
        }
        out.headline("\(patterns.count) patterns, \(tested) referenced from tests")
        return patterns
    }

    /// A public top-level type, protocol or function with a name of its own.
    static func isCandidate(_ declaration: Declaration) -> Bool {
        let name = declaration.name
        return declaration.kind != .value && declaration.container == nil && !declaration.nested && declaration.isPublic
            && !name.hasPrefix("_") && name.count >= 3 && !commonNames.contains(name.lowercased())
            && !StandardNames.owns(name, in: SourceLanguage(path: declaration.file))
    }

    /// Names too common to tell one declaration's uses from another's.
    static let commonNames: Set<String> = ["init", "main", "run", "test", "get", "set", "new", "call", "load", "save", "close", "open",
                                           "start", "stop", "read", "write", "update", "create", "delete", "handle", "value", "name",
                                           "data", "item", "result", "error", "config", "setup", "apply", "map", "filter", "reduce"]

    /// Whether `user` uses `declaration`: a type where its name appears, a function where it is
    /// called, bare or through its module (`uuid.Parse(`, `cookie.parse(`), never as another
    /// object's method (`JSON.parse(`). When several symbols share the name, the file that
    /// imports (or sits beside) one of them uses that one.
    static func uses(_ user: CodeFile, _ declaration: Declaration, namesakes: [Declaration]) -> Bool {
        let name = declaration.name
        let qualifiers = moduleNames(of: declaration).union(user.moduleAliases.filter { $0.value == declaration.file }.keys)
        let used: Bool
        if declaration.kind == .function {
            used = user.uses.bareCalls.contains(name) || !(user.uses.qualifiedCalls[name] ?? []).isDisjoint(with: qualifiers)
        } else {
            used = user.uses.names.contains(name)
        }
        guard used, namesakes.count > 1 else { return used }
        let owner = namesakes.first { other in
            let folder = (other.file as NSString).deletingLastPathComponent
            return user.file.path.hasPrefix(folder + "/") && !folder.isEmpty
                || user.code.contains { line in moduleNames(of: other).contains { line.contains("import") && line.contains($0) } }
        }
        return owner == declaration
    }

    /// The names a declaration's module goes by where it is imported: its file's stem, its
    /// folder's name, and Go's package name.
    static func moduleNames(of declaration: Declaration) -> Set<String> {
        let path = declaration.file as NSString
        let stem = (path.lastPathComponent as NSString).deletingPathExtension
        let folder = (path.deletingLastPathComponent as NSString).lastPathComponent
        var names = [stem, folder]
        if let package = declaration.package { names.append(package) }
        return Set(names.filter { !$0.isEmpty && $0 != "src" })
    }

    /// package.json's `main` (or `index.js`): what `require('..')` from a test folder loads.
    static func packageMain(root: String) -> String? {
        guard let data = FileManager.default.contents(atPath: "\(root)/package.json"),
              let package = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        var main = package["main"] as? String ?? "index.js"
        if main.hasPrefix("./") { main.removeFirst(2) }
        return main
    }

    /// The first line in `files` that uses the declaration in code: not its own declaration,
    /// an import, a comment, a docstring or a string such as `__all__`'s.
    static func example(of declaration: Declaration, in files: [CodeFile]) -> (file: String, line: Int, text: String)? {
        let word = try! NSRegularExpression(pattern: "(?<![\\w$])\(NSRegularExpression.escapedPattern(for: declaration.name))(?![\\w$])"
                                            + (declaration.kind == .function ? "\\s*\\(" : ""))
        for file in files {
            // The names a multi-line import lists are not uses: `from attr import (\n    Factory,\n)`.
            var importCloser: Character?
            for (index, code) in file.code.enumerated() {
                let trimmed = code.trimmingCharacters(in: .whitespaces)
                if let closer = importCloser {
                    if trimmed.contains(closer) { importCloser = nil }
                    continue
                }
                let isImport = trimmed.hasPrefix("import ") || trimmed.hasPrefix("from ") || trimmed.hasPrefix("use ")
                    || trimmed.hasPrefix("export {") || trimmed.hasPrefix("module.exports")
                if isImport {
                    if trimmed.hasSuffix("(") { importCloser = ")" } else if trimmed.hasSuffix("{") { importCloser = "}" }
                    continue
                }
                guard !trimmed.isEmpty, !trimmed.hasPrefix("@"), !isDeclarationLine(trimmed),
                      word.firstMatch(in: code, range: NSRange(code.startIndex..., in: code)) != nil else { continue }
                let text = file.file.lines[index].trimmingCharacters(in: .whitespaces)
                return (file.file.path, index + 1, text.count > 160 ? String(text.prefix(159)) + "…" : text)
            }
        }
        return nil
    }

    static let declarationStart = try! NSRegularExpression(pattern:
        #"^(?:(?:public|private|internal|open|fileprivate|export|default|static|final|async|pub|abstract|override|@\w+)\s+)*(?:def|class|func|function|struct|enum|protocol|interface|type|fn|trait|impl|extension|typealias|actor)\b"#)

    static func isDeclarationLine(_ line: String) -> Bool {
        declarationStart.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) != nil
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
