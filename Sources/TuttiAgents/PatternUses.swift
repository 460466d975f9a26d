import Foundation
import TuttiCore

/// The names a file's code uses: every identifier, the bare calls (`parse(`) and the
/// qualified calls with their qualifiers (`cookie.parse(` → parse: [cookie]).
struct NameUses {
    var names: Set<String> = []
    var bareCalls: Set<String> = []
    var qualifiedCalls: [String: Set<String>] = [:]

    /// A name, the one it is reached through (`module.name`), and whether it is called. A name
    /// deeper in a chain (`self.session.request(`) is another object's member: not matched.
    static let identifier = NSRegularExpression.known(#"(?<![\w$.])(?:([A-Za-z_$][\w$]*)\s*\.\s*)?([A-Za-z_$][\w$]*)(\s*\()?"#)

    /// The uses in `lines` (code only) of the names in `wanted`.
    init(lines: [String], wanted: Set<String>) {
        for line in lines {
            for match in Self.identifier.matches(in: line, range: NSRange(line.startIndex..., in: line)) {
                guard let nameRange = Range(match.range(at: 2), in: line) else { continue }
                let name = String(line[nameRange])
                let qualifier = Range(match.range(at: 1), in: line).map { String(line[$0]) }
                if let qualifier, wanted.contains(qualifier) { names.insert(qualifier) }
                guard wanted.contains(name) else { continue }
                names.insert(name)
                guard match.range(at: 3).location != NSNotFound else { continue }
                if let qualifier {
                    qualifiedCalls[name, default: []].insert(qualifier)
                } else {
                    bareCalls.insert(name)
                }
            }
        }
    }
}

/// JavaScript's and TypeScript's module bindings: which file each name stands for.
enum ScriptModules {
    static let binding = try! NSRegularExpression(pattern:
        #"(?:import\s+\*\s+as\s+([A-Za-z_$][\w$]*)\s+from\s+|import\s+([A-Za-z_$][\w$]*)\s+from\s+|(?:var|let|const)\s+([A-Za-z_$][\w$]*)\s*=\s*require\(\s*)['"](\.{1,2}(?:/[^'"]*)?)['"]"#)

    /// The module names bound in `file`, each with the repository file it resolves to.
    static func aliases(in file: SourceFile, paths: Set<String>, packageMain: String?) -> [String: String] {
        guard file.language == .javascript || file.language == .typescript else { return [:] }
        var found: [String: String] = [:]
        let folder = (file.path as NSString).deletingLastPathComponent
        for line in file.lines where line.contains("import") || line.contains("require") {
            let text = String(line)
            for match in binding.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                guard let name = (1...3).lazy.compactMap({ Range(match.range(at: $0), in: text) }).first.map({ String(text[$0]) }),
                      let specRange = Range(match.range(at: 4), in: text) else { continue }
                let target = resolve(String(text[specRange]), from: folder)
                let stem = (target as NSString).deletingPathExtension
                let candidates = (target.isEmpty ? [packageMain].compactMap { $0 } : [target])
                    + [".js", ".ts", ".mjs", ".cjs", ".tsx", ".jsx"].map { stem + $0 }
                    + ["index.js", "index.ts"].map { target.isEmpty ? $0 : "\(target)/\($0)" }
                if let resolved = candidates.first(where: paths.contains) { found[name] = resolved }
            }
        }
        return found
    }

    /// A relative module path from `folder`, as a path from the root ("" for the root itself).
    static func resolve(_ spec: String, from folder: String) -> String {
        var parts = folder.split(separator: "/").map(String.init)
        for component in spec.split(separator: "/") {
            switch component {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(String(component))
            }
        }
        return parts.joined(separator: "/")
    }
}

/// Names a language's standard library or runtime owns: a call to them is never a use of
/// the project's own symbol of that name.
enum StandardNames {
    static func owns(_ name: String, in language: SourceLanguage) -> Bool {
        shared.contains(name) || (byLanguage[language]?.contains(name) ?? false)
    }

    static let shared: Set<String> = ["append", "map", "filter", "reduce", "forEach", "contains", "count", "first", "last", "min", "max",
                                      "sorted", "sort", "print", "join", "split", "keys", "values", "push", "pop", "insert", "remove",
                                      "toString", "description", "hash", "copy", "equals", "length", "size", "isEmpty", "next",
                                      "flatMap", "compactMap", "extend", "items"]
    static let byLanguage: [SourceLanguage: Set<String>] = [
        .swift: ["String", "Int", "Double", "Bool", "Array", "Dictionary", "Set", "Optional", "Result", "Error", "Data", "URL", "Date",
                 "zip", "stride", "abs", "precondition", "assert", "fatalError", "debugPrint", "withLock", "removeAll", "joined",
                 "dropFirst", "dropLast", "lowercased", "uppercased", "hasPrefix", "hasSuffix", "enumerated", "reversed", "task"],
        .python: ["abs", "all", "any", "bool", "bytes", "callable", "chr", "dict", "dir", "divmod", "enumerate", "eval", "exec", "float",
                  "getattr", "hasattr", "isinstance", "issubclass", "iter", "len", "list", "object", "ord", "pow", "property", "range",
                  "repr", "reversed", "round", "setattr", "slice", "staticmethod", "classmethod", "str", "sum", "super", "tuple", "type",
                  "vars", "zip", "get", "update", "setdefault", "read", "write"],
        .go: ["cap", "clear", "complex", "delete", "imag", "len", "make", "new", "panic", "println", "real", "recover", "String",
              "Error", "Errorf", "Sprintf", "Printf", "Println"],
        .javascript: ["parseInt", "parseFloat", "isNaN", "isFinite", "require", "setTimeout", "setInterval", "then", "catch",
                      "valueOf", "JSON", "Object", "Array", "Promise", "Error", "slice", "splice", "concat", "indexOf", "includes"],
        .typescript: ["parseInt", "parseFloat", "isNaN", "isFinite", "require", "setTimeout", "setInterval", "then", "catch",
                      "valueOf", "JSON", "Object", "Array", "Promise", "Error", "slice", "splice", "concat", "indexOf", "includes"],
        .rust: ["new", "default", "clone", "unwrap", "expect", "into", "from", "iter", "collect", "len", "push_str", "to_string",
                "Vec", "String", "Option", "Result", "Box", "println", "format"],
    ]
}
