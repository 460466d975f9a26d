import Foundation

/// The repository's modules and which imports which: Swift targets (`Sources/<Name>/`),
/// Python modules, Go packages, JavaScript/TypeScript files and Rust modules. Only imports
/// of the repository's own modules are edges (an example in a docstring is not an import).
/// Dependency cycles are found among the dependencies a module has when it runs, as pylint's
/// cyclic-import finds them: a Python import under `if TYPE_CHECKING:` is for the type checker
/// alone, and the two modules it joins are left out of the cycles, even where one also
/// imports the other elsewhere (pylint leaves the pair out too). An import in a function's
/// body runs when the function does, and counts.
public struct ImportGraph: Sendable {
    /// Module → the modules it imports.
    public private(set) var edges: [String: Set<String>] = [:]
    /// Module → the modules it depends on when it runs: its edges, but those a Python import
    /// under `if TYPE_CHECKING:` makes (the cycles are found among these).
    public private(set) var runtimeEdges: [String: Set<String>] = [:]
    /// Module → lines of code in it.
    public private(set) var lines: [String: Int] = [:]
    /// File → its module.
    public private(set) var moduleOfFile: [String: String] = [:]

    public init(files: [SourceFile]) {
        let analyzed = files.filter { $0.language.isAnalyzed }
        for file in analyzed {
            guard let module = Self.module(of: file, files: analyzed) else { continue }
            moduleOfFile[file.path] = module
            lines[module, default: 0] += file.lines.count
            edges[module, default: []] = edges[module, default: []]
        }
        let known = Set(lines.keys)
        let goModule = analyzed.isEmpty ? nil : Self.goModulePath(files)
        /// Module → the modules an import for the type checker joins it to.
        var typeChecking: [String: Set<String>] = [:]
        for file in analyzed {
            guard let from = moduleOfFile[file.path] else { continue }
            for (target, forTypeChecker) in Self.imports(of: file, known: known, goModule: goModule) where target != from {
                edges[from, default: []].insert(target)
                if forTypeChecker { typeChecking[from, default: []].insert(target) }
            }
        }
        for (from, targets) in edges {
            runtimeEdges[from] = targets.subtracting(typeChecking[from] ?? [])
        }
    }

    public var modules: [String] { lines.keys.sorted() }

    /// Every dependency cycle importing a module runs through, as a path that ends where it
    /// starts (one per strongly connected group of modules).
    public func cycles() -> [[String]] {
        let edges = runtimeEdges
        var index = 0
        var indices: [String: Int] = [:], lowlinks: [String: Int] = [:]
        var stack: [String] = [], onStack: Set<String> = []
        var groups: [[String]] = []
        func connect(_ node: String) {
            indices[node] = index
            lowlinks[node] = index
            index += 1
            stack.append(node)
            onStack.insert(node)
            for next in (edges[node] ?? []).sorted() {
                if indices[next] == nil {
                    connect(next)
                    lowlinks[node] = min(lowlinks[node]!, lowlinks[next]!)
                } else if onStack.contains(next) {
                    lowlinks[node] = min(lowlinks[node]!, indices[next]!)
                }
            }
            if lowlinks[node] == indices[node] {
                var group: [String] = []
                while let top = stack.popLast() {
                    onStack.remove(top)
                    group.append(top)
                    if top == node { break }
                }
                if group.count > 1 { groups.append(group) }
            }
        }
        for node in modules where indices[node] == nil { connect(node) }
        return groups.map { path(through: Set($0)) }.sorted { $0.first ?? "" < $1.first ?? "" }
    }

    /// A cycle through a strongly connected group: from its first module, follow edges
    /// inside the group until a module repeats.
    func path(through group: Set<String>) -> [String] {
        let edges = runtimeEdges
        guard let start = group.min() else { return [] }
        var path = [start]
        var seen: [String: Int] = [start: 0]
        var current = start
        while let next = (edges[current] ?? []).filter(group.contains).sorted().first {
            if let at = seen[next] { return Array(path[at...]) + [next] }
            seen[next] = path.count
            path.append(next)
            current = next
        }
        return path
    }

    /// The graph in Graphviz DOT, modules in cycles drawn red.
    public func dot(cycles: [[String]]) -> String {
        let inCycle = Set(cycles.flatMap { $0 })
        var out = "digraph imports {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n"
        for module in modules {
            out += "  \"\(module)\" [label=\"\(module)\\n\(lines[module] ?? 0) lines\"\(inCycle.contains(module) ? ", color=red" : "")];\n"
        }
        for (from, targets) in edges.sorted(by: { $0.key < $1.key }) {
            for target in targets.sorted() {
                let red = inCycle.contains(from) && inCycle.contains(target)
                out += "  \"\(from)\" -> \"\(target)\"\(red ? " [color=red]" : "");\n"
            }
        }
        return out + "}\n"
    }

    // MARK: - Modules and imports per language

    static func module(of file: SourceFile, files: [SourceFile]) -> String? {
        let path = file.path
        let parts = path.split(separator: "/").map(String.init)
        switch file.language {
        case .swift:
            if let at = parts.firstIndex(where: { $0 == "Sources" || $0 == "Tests" }), at + 2 < parts.count { return parts[at + 1] }
            return parts.count > 1 ? parts[parts.count - 2] : "main"
        case .python:
            var dotted = parts
            dotted[dotted.count - 1] = (dotted.last! as NSString).deletingPathExtension
            if dotted.last == "__init__" { dotted.removeLast() }
            if dotted.first == "src", dotted.count > 1 { dotted.removeFirst() }
            return dotted.isEmpty ? nil : dotted.joined(separator: ".")
        case .go:
            return parts.count > 1 ? parts.dropLast().joined(separator: "/") : "."
        case .javascript, .typescript:
            return (path as NSString).deletingPathExtension
        case .rust:
            // In a workspace, modules are named after their crate's folder: crates/a::config.
            guard let src = parts.firstIndex(of: "src") else { return nil }
            let crateFolder = parts[..<src].joined(separator: "/")
            var rest = Array(parts[(src + 1)...])
            let last = (rest.removeLast() as NSString).deletingPathExtension
            if !["lib", "main", "mod"].contains(last) { rest.append(last) }
            let inCrate = rest.isEmpty ? "crate" : rest.joined(separator: "::")
            return crateFolder.isEmpty ? inCrate : "\(crateFolder)::\(inCrate)"
        default:
            return nil
        }
    }

    static func goModulePath(_ files: [SourceFile]) -> String? {
        files.first { $0.path == "go.mod" }?.lines.lazy
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .first { $0.hasPrefix("module ") }
            .map { String($0.dropFirst("module ".count)).trimmingCharacters(in: .whitespaces) }
    }

    static let swiftImport = try! NSRegularExpression(pattern: #"^\s*(?:@testable\s+|@_exported\s+)?import\s+(?:(?:struct|class|enum|protocol|func|typealias)\s+)?([A-Za-z_]\w*)"#)
    static let pythonImport = try! NSRegularExpression(pattern: #"^\s*import\s+([\w., ]+)"#)
    static let pythonFrom = try! NSRegularExpression(pattern: #"^\s*from\s+(\.*)([\w.]*)\s+import\s+([\w, *()]+)"#)
    static let goImport = try! NSRegularExpression(pattern: #"^\s*(?:import\s+)?(?:[\w.]+\s+)?"([^"]+)""#)
    static let scriptImport = try! NSRegularExpression(pattern: #"(?:from\s+|require\(\s*|import\s*\(?\s*)['"](\.{1,2}/[^'"]*)['"]"#)
    static let rustUse = try! NSRegularExpression(pattern: #"^\s*(?:pub(?:\([^)]*\))?\s+)?use\s+(crate|super|self)::([\w:]*)(?:\{([^}]*)\})?"#)

    static func captures(_ pattern: NSRegularExpression, _ text: String) -> [[String]] {
        pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { match in
            (1..<match.numberOfRanges).map { Range(match.range(at: $0), in: text).map { String(text[$0]) } ?? "" }
        }
    }

    static let pythonTypeCheckingBlock = try! NSRegularExpression(pattern: #"^\s*if\s+(?:[A-Za-z_]\w*\.)?TYPE_CHECKING\s*:"#)
    /// Per line of a Python file: whether it is under `if TYPE_CHECKING:` (run by the type
    /// checker alone).
    static func pythonTypeCheckingLines(code: [String]) -> [Bool] {
        var frames: [(indent: Int, typeChecking: Bool)] = []
        var under: [Bool] = []
        var bracketDepth = 0
        for code in code {
            let continues = bracketDepth > 0
            for character in code {
                if "([{".contains(character) { bracketDepth += 1 } else if ")]}".contains(character) { bracketDepth = max(0, bracketDepth - 1) }
            }
            let trimmed = code.trimmingCharacters(in: .whitespaces)
            // The rest of a bracketed statement (an import list over lines) is the statement's.
            guard !trimmed.isEmpty, !continues else {
                under.append(continues && under.last == true)
                continue
            }
            let indent = code.prefix { $0 == " " || $0 == "\t" }.count
            while let last = frames.last, last.indent >= indent { frames.removeLast() }
            under.append(frames.contains { $0.typeChecking })
            if trimmed.hasSuffix(":") { frames.append((indent, pythonTypeCheckingBlock.matches(code))) }
        }
        return under
    }

    /// The repository's modules `file` imports, each with whether the import is for the type
    /// checker alone (Python's `if TYPE_CHECKING:`).
    static func imports(of file: SourceFile, known: Set<String>, goModule: String?) -> [(module: String, forTypeChecker: Bool)] {
        guard file.language == .python else { return otherImports(of: file, known: known, goModule: goModule).map { ($0, false) } }
        // Strings blanked: an import in a docstring's example is none.
        let code = CodeText.lines(of: file)
        let typeChecking = pythonTypeCheckingLines(code: code)
        let own = module(of: file, files: []) ?? ""
        return code.indices.flatMap { index in pythonImports(code[index], own: own, file: file, known: known).map { ($0, typeChecking[index]) } }
    }

    /// The repository's modules one line of Python imports.
    /// The repository's modules one line of Python imports, in the file of module `own`.
    static func pythonImports(_ text: String, own: String, file: SourceFile, known: Set<String>) -> [String] {
        var found: [String] = []
        for groups in captures(pythonImport, text) {
            for name in groups[0].split(separator: ",") {
                let dotted = name.split(separator: " ").first.map(String.init) ?? ""
                if let target = longestKnownPrefix(dotted, known) { found.append(target) }
            }
        }
        for groups in captures(pythonFrom, text) {
            var base = groups[1]
            if !groups[0].isEmpty {
                // Relative: from the file's package, one level up per extra dot.
                var package = own.split(separator: ".").map(String.init)
                if !file.path.hasSuffix("__init__.py") { package = Array(package.dropLast()) }
                package = Array(package.dropLast(groups[0].count - 1))
                base = (package + (base.isEmpty ? [] : [base])).joined(separator: ".")
            }
            let names = groups[2].replacingOccurrences(of: "(", with: "").replacingOccurrences(of: ")", with: "")
                .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).split(separator: " ").first.map(String.init) ?? "" }
            var matched = false
            for name in names where !name.isEmpty && name != "*" {
                let candidate = base.isEmpty ? name : "\(base).\(name)"
                if known.contains(candidate) {
                    found.append(candidate)
                    matched = true
                }
            }
            if !matched, let target = longestKnownPrefix(base, known) { found.append(target) }
        }
        return found
    }

    /// The repository's modules a file in another language than Python imports.
    static func otherImports(of file: SourceFile, known: Set<String>, goModule: String?) -> [String] {
        var found: [String] = []
        var inGoBlock = false
        let own = module(of: file, files: []) ?? ""
        for line in file.lines {
            let text = String(line)
            switch file.language {
            case .swift:
                found += captures(swiftImport, text).compactMap { known.contains($0[0]) ? $0[0] : nil }
            case .python:
                break
            case .go:
                let trimmed = text.trimmingCharacters(in: .whitespaces)
                if trimmed.hasPrefix("import (") { inGoBlock = true; continue }
                if inGoBlock, trimmed == ")" { inGoBlock = false; continue }
                guard inGoBlock || trimmed.hasPrefix("import ") else { continue }
                for groups in captures(goImport, text) {
                    guard let goModule, groups[0].hasPrefix(goModule) else { continue }
                    let rest = String(groups[0].dropFirst(goModule.count)).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
                    let target = rest.isEmpty ? "." : rest
                    if known.contains(target) { found.append(target) }
                }
            case .javascript, .typescript:
                for groups in captures(scriptImport, text) {
                    let folder = (file.path as NSString).deletingLastPathComponent
                    let joined = ((folder.isEmpty ? "." : folder) as NSString).appendingPathComponent(groups[0])
                    var normalized = (joined as NSString).standardizingPath
                    if normalized.hasPrefix("./") { normalized.removeFirst(2) }
                    let stripped = (normalized as NSString).deletingPathExtension
                    for candidate in [normalized, stripped, normalized + "/index"] where known.contains(candidate) {
                        found.append(candidate)
                        break
                    }
                }
            case .rust:
                // Modules are "[crate folder::]path"; `crate::` starts from the crate's root.
                let pathParts = file.path.split(separator: "/").map(String.init)
                let crateFolder = pathParts.firstIndex(of: "src").map { pathParts[..<$0].joined(separator: "/") } ?? ""
                let ownParts = own.components(separatedBy: "::")
                let inCrate = crateFolder.isEmpty ? ownParts : Array(ownParts.dropFirst())
                for groups in captures(rustUse, text) {
                    var base: [String] = groups[0] == "crate" ? [] : inCrate.filter { $0 != "crate" }
                    if groups[0] == "super" { base = Array(base.dropLast()) }
                    let prefix = base + groups[1].split(separator: ":").filter { !$0.isEmpty }.map(String.init)
                    // `use crate::{a::B, c};` names several paths.
                    let items = groups[2].isEmpty ? [[String]()]
                        : groups[2].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).split(separator: ":").filter { !$0.isEmpty }.map(String.init) }
                    for item in items {
                        let path = (prefix + item).filter { $0 != "*" && $0 != "self" }.joined(separator: "::")
                        let qualified = crateFolder.isEmpty ? path : "\(crateFolder)::\(path)"
                        if let target = longestKnownPrefix(qualified, known, separator: "::") { found.append(target) }
                    }
                }
            default:
                break
            }
        }
        return found
    }

    static func longestKnownPrefix(_ dotted: String, _ known: Set<String>, separator: String = ".") -> String? {
        var parts = dotted.components(separatedBy: separator).filter { !$0.isEmpty }
        while !parts.isEmpty {
            let candidate = parts.joined(separator: separator)
            if known.contains(candidate) { return candidate }
            parts.removeLast()
        }
        return nil
    }
}
