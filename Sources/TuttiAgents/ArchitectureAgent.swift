import Foundation
import TuttiCore

/// ArchitectureAgent: builds the import graph of the repository's modules, finds dependency
/// cycles and the largest files and modules, and measures how much of the public API has
/// doc comments. Writes `architecture.dot` and `architecture.md`. Metrics:
/// `coverage_threshold` (percent of public declarations with a doc comment),
/// `security_score` (structural risk: 100 − 20 per dependency cycle − 5 per file over
/// `max_file_lines` lines, default 1000; never below 0) and `documentation` (a README of
/// substance: at least 1,000 characters and two headings).
public struct ArchitectureAgent {
    let context: AgentContext

    public init(context: AgentContext) { self.context = context }

    /// What the review found.
    public struct Result: Sendable {
        public var graph: ImportGraph
        public var cycles: [[String]]
        public var publicDeclarations: Int
        public var documented: Int
        public var godFiles: [(path: String, lines: Int)]
        public var score: Double
        public var documentation: Bool

        public var documentedPercent: Double {
            publicDeclarations == 0 ? 100 : Double(documented) / Double(publicDeclarations) * 100
        }
    }

    /// Reviews the repository, reports the metrics and writes the graph and the report.
    @discardableResult
    public func run() -> Result {
        let out = context.output
        out.message("Reading the repository's sources")
        let paths = RepositoryFiles.list(context.target)
        let layout = ProjectLayout(root: context.target)
        var files: [SourceFile] = []
        for (index, path) in paths.enumerated() {
            if index % 50 == 0 { out.progress(done: index, of: paths.count * 2) }
            files += RepositoryFiles.read([path], root: context.target)
        }
        let sources = files.filter { $0.language.isAnalyzed || $0.path == "go.mod" }
        out.log("\(sources.count) source files of \(paths.count) in the repository")
        out.message("Building the import graph")
        let graph = ImportGraph(files: sources)
        let cycles = graph.cycles()
        out.progress(done: paths.count + paths.count / 2, of: paths.count * 2)
        for cycle in cycles { out.log("dependency cycle: \(cycle.joined(separator: " → "))") }

        var publicDeclarations = 0, documented = 0
        var undocumented: [Declaration] = []
        // The public API is in the shipped code: not tests, fixtures, type checks or examples.
        let shipped = sources.filter { layout.role(of: $0.path) == .shipped }
        var declarations = shipped.flatMap { DeclarationScanner.declarations(in: $0) }
        DeclarationScanner.applyPythonModulePrivacy(&declarations, files: shipped)
        DeclarationScanner.applyPythonInheritedDocstrings(&declarations)
        for declaration in declarations where declaration.isPublic && declaration.kind != .value {
            publicDeclarations += 1
            if declaration.doc != nil { documented += 1 } else { undocumented.append(declaration) }
        }
        let maxLines = context.integer("max_file_lines") ?? 1000
        // Large test files are not a design problem of the code they test.
        let largest = shipped.filter { $0.language.isAnalyzed }.map { ($0.path, $0.lines.count) }.sorted { $0.1 > $1.1 }
        let godFiles = largest.filter { $0.1 > maxLines }
        let score = max(0, 100 - 20 * Double(cycles.count) - 5 * Double(godFiles.count))
        let readme = readmeOfSubstance()
        out.log("public API: \(documented) of \(publicDeclarations) declarations documented")
        out.log("README: \(readme.why)")
        let result = Result(graph: graph, cycles: cycles, publicDeclarations: publicDeclarations, documented: documented,
                            godFiles: godFiles.map { (path: $0.0, lines: $0.1) }, score: score, documentation: readme.ok)
        out.progress(done: 1, of: 1)
        if publicDeclarations > 0 {
            out.metric("coverage_threshold", (result.documentedPercent * 10).rounded() / 10, label: "documented public API")
        } else {
            out.log("coverage_threshold not reported: no public declarations found (Swift public/open, exported Go, JavaScript "
                    + "and TypeScript names, Rust pub, Python names without a leading underscore)")
        }
        out.metric("security_score", score, label: "structure score")
        out.metric("documentation", readme.ok, label: "README of substance")
        for cycle in cycles {
            out.finding(Finding(kind: "cycle", severity: .medium, title: "dependency cycle: \(cycle.joined(separator: " → "))",
                                detail: "each module imports the next; break the cycle by moving what they share into a module both import"))
        }
        for (path, lines) in godFiles {
            out.finding(Finding(kind: "large_file", severity: .low, title: "\(lines) lines (over \(maxLines))", file: path,
                                detail: "split it by concern"))
        }
        for declaration in undocumented {
            out.finding(Finding(kind: "undocumented", severity: .info, title: "\(declaration.qualifiedName) has no doc comment",
                                file: declaration.file, line: declaration.line, detail: declaration.signature))
        }
        out.headline("\(graph.modules.count) modules, \(cycles.count) cycle(s), \(NumberFormat.compact((result.documentedPercent * 10).rounded() / 10))% of the public API documented")
        context.writeFinding("architecture.dot", graph.dot(cycles: cycles))
        context.writeFinding("architecture.md", report(result, largest: Array(largest.prefix(10)), undocumented: undocumented, maxLines: maxLines),
                             main: true)
        return result
    }

    func readmeOfSubstance() -> (ok: Bool, why: String) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: context.target)) ?? []
        guard let name = names.sorted().first(where: { $0.uppercased().hasPrefix("README") }),
              let text = try? String(contentsOfFile: "\(context.target)/\(name)", encoding: .utf8) else {
            return (false, "no README")
        }
        let lines = text.split(separator: "\n")
        let headings = lines.filter { $0.hasPrefix("#") }.count
            + zip(lines, lines.dropFirst()).filter { $1.allSatisfy { $0 == "=" } || $1.allSatisfy { $0 == "-" } && $1.count >= 3 }.count
        let ok = text.count >= 1000 && headings >= 2
        return (ok, "\(name): \(text.count) characters, \(headings) headings" + (ok ? "" : " (needs at least 1,000 characters and 2 headings)"))
    }

    func report(_ result: Result, largest: [(String, Int)], undocumented: [Declaration], maxLines: Int) -> String {
        var lines = ["# Architecture review", "",
                     "- Modules: \(result.graph.modules.count), import edges: \(result.graph.edges.values.reduce(0) { $0 + $1.count })",
                     "- Dependency cycles: \(result.cycles.count)",
                     "- Public API documented: \(result.documented) of \(result.publicDeclarations) (\(NumberFormat.compact((result.documentedPercent * 10).rounded() / 10))%)",
                     "- Structural score: \(NumberFormat.compact(result.score))/100 (100 − 20 per cycle − 5 per file over \(maxLines) lines)",
                     "- README of substance: \(result.documentation ? "yes" : "no")", ""]
        lines += ["## Dependency cycles", ""]
        lines += result.cycles.isEmpty ? ["None."] : result.cycles.map { "- " + $0.joined(separator: " → ") }
        lines += ["", "## Largest modules", "", "| Module | Lines | Imports |", "|---|---:|---|"]
        for (module, count) in result.graph.lines.sorted(by: { $0.value > $1.value }).prefix(10) {
            lines.append("| \(module) | \(count) | \((result.graph.edges[module] ?? []).sorted().joined(separator: ", ")) |")
        }
        lines += ["", "## Largest files", "", "| File | Lines |", "|---|---:|"]
        lines += largest.map { "| \($0.0) | \($0.1) |" }
        if !undocumented.isEmpty {
            lines += ["", "## Public declarations without a doc comment", ""]
            lines += undocumented.prefix(50).map { "- `\($0.qualifiedName)` (\($0.file):\($0.line))" }
            if undocumented.count > 50 { lines.append("- … and \(undocumented.count - 50) more") }
        }
        lines += ["", "The import graph is in `architecture.dot` (render it with `dot -Tsvg architecture.dot`).", ""]
        return lines.joined(separator: "\n")
    }
}
