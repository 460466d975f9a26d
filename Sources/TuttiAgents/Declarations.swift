import Foundation

/// A declaration found in source: a type, protocol, function or constant, with its doc comment.
public struct Declaration: Sendable, Hashable {
    /// What sort of declaration it is.
    public enum Kind: String, Sendable { case type, `protocol`, function, value }

    public var name: String
    public var kind: Kind
    public var file: String
    /// 1-based.
    public var line: Int
    /// The declaration's first line, trimmed.
    public var signature: String
    /// Its doc comment, without the comment markers.
    public var doc: String?
    /// Part of the public API: `public`/`open` in Swift, exported in Go, JavaScript and
    /// TypeScript, `pub` in Rust, a name without a leading underscore in Python.
    public var isPublic: Bool
}

/// Finds declarations line by line, per language: what the architecture review counts for
/// documentation and the pattern library lists.
public enum DeclarationScanner {
    /// The declarations of one file, in the order they appear.
    public static func declarations(in file: SourceFile) -> [Declaration] {
        switch file.language {
        case .swift: return scan(file, swift, kind: swiftKind, isPublic: { $0[1] != nil }, doc: slashDoc(prefixes: ["///"]))
        case .go: return scan(file, go, kind: goKind, isPublic: { $0[2].map { $0.first?.isUppercase == true } ?? false },
                              doc: slashDoc(prefixes: ["//"]))
        case .javascript, .typescript:
            return scan(file, script, kind: scriptKind, isPublic: { $0[1] != nil }, doc: blockDoc)
        case .rust: return scan(file, rust, kind: rustKind, isPublic: { $0[1] == "pub " }, doc: slashDoc(prefixes: ["///", "//!"]))
        case .python: return python(file)
        default: return []
        }
    }

    // Capture groups: [1] the access or export word, [2] the name, [3] the keyword.
    static let swift = try! NSRegularExpression(pattern:
        #"^\s*(?:@[\w.]+(?:\([^)]*\))?\s+)*(?:(public|open)\s+|(?:internal|private|fileprivate|package)\s+)?(?:(?:final|static|class|indirect|nonisolated|mutating|override|convenience|required|lazy|weak|dynamic)\s+)*(struct|class|enum|protocol|actor|func|typealias|var|let)\s+([A-Za-z_][A-Za-z0-9_]*)"#)
    static let go = try! NSRegularExpression(pattern: #"^(?:func\s+(?:\([^)]*\)\s*)?|type\s+)([A-Za-z_]\w*)(?:\s+(interface|struct))?"#)
    static let script = try! NSRegularExpression(pattern:
        #"^\s*(export\s+)?(?:default\s+)?(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?(function\*?|class|interface|type|const|enum)\s+([A-Za-z_$][\w$]*)"#)
    static let rust = try! NSRegularExpression(pattern:
        #"^\s*(pub )?(?:pub\([^)]*\)\s+)?(?:async\s+)?(?:unsafe\s+)?(?:const\s+)?(fn|struct|enum|trait|type|const|static)\s+([A-Za-z_]\w*)"#)
    static let pythonDef = try! NSRegularExpression(pattern: #"^(\s*)(?:async\s+)?(def|class)\s+([A-Za-z_]\w*)\s*(\([^)]*\)?)?"#)

    static func swiftKind(_ keyword: String) -> Declaration.Kind? {
        switch keyword {
        case "protocol": return .protocol
        case "struct", "class", "enum", "actor", "typealias": return .type
        case "func": return .function
        default: return .value
        }
    }

    static func goKind(_ keyword: String) -> Declaration.Kind? { keyword == "interface" ? .protocol : keyword == "func" ? .function : .type }

    static func scriptKind(_ keyword: String) -> Declaration.Kind? {
        switch keyword {
        case "interface": return .protocol
        case "class", "type", "enum": return .type
        case "const": return .value
        default: return .function
        }
    }

    static func rustKind(_ keyword: String) -> Declaration.Kind? {
        switch keyword {
        case "trait": return .protocol
        case "fn": return .function
        case "struct", "enum", "type": return .type
        default: return .value
        }
    }

    /// Runs a declaration pattern over every line; the groups are access, keyword, name
    /// (Go: name, then interface/struct).
    static func scan(_ file: SourceFile, _ pattern: NSRegularExpression, kind: (String) -> Declaration.Kind?,
                     isPublic: ([String?]) -> Bool, doc: ([Substring], Int) -> String?) -> [Declaration] {
        var found: [Declaration] = []
        for (index, line) in file.lines.enumerated() {
            let text = String(line)
            guard let match = pattern.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else { continue }
            let groups = (0..<match.numberOfRanges).map { Range(match.range(at: $0), in: text).map { String(text[$0]) } }
            let keyword: String, name: String
            if file.language == .go {
                name = groups[1] ?? ""
                keyword = groups[2] ?? (text.hasPrefix("func") ? "func" : "type")
            } else {
                keyword = groups[2] ?? ""
                name = groups[3] ?? ""
            }
            guard !name.isEmpty, let declarationKind = kind(keyword) else { continue }
            let access: [String?] = file.language == .go ? [nil, nil, name] : groups
            // The signature ends where the body begins.
            let head = text.range(of: " {").map { String(text[..<$0.lowerBound]) } ?? text
            found.append(Declaration(name: name, kind: declarationKind, file: file.path, line: index + 1,
                                     signature: head.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "{ ")),
                                     doc: doc(file.lines, index), isPublic: isPublic(access)))
        }
        return found
    }

    /// Line comments right above the declaration (attributes in between are skipped).
    static func slashDoc(prefixes: [String]) -> ([Substring], Int) -> String? {
        { lines, index in
            var collected: [String] = []
            var cursor = index - 1
            while cursor >= 0 {
                let line = lines[cursor].trimmingCharacters(in: .whitespaces)
                if line.hasPrefix("@"), collected.isEmpty {
                    cursor -= 1
                    continue
                }
                guard let prefix = prefixes.first(where: { line.hasPrefix($0) }) else { break }
                collected.insert(line.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces), at: 0)
                cursor -= 1
            }
            if collected.isEmpty, index > 0, lines[index - 1].trimmingCharacters(in: .whitespaces).hasSuffix("*/") {
                return blockDoc(lines, index)
            }
            let text = collected.joined(separator: " ").trimmingCharacters(in: .whitespaces)
            return text.isEmpty ? nil : text
        }
    }

    /// A `/** ... */` block right above the declaration.
    static func blockDoc(_ lines: [Substring], _ index: Int) -> String? {
        var cursor = index - 1
        while cursor >= 0, lines[cursor].trimmingCharacters(in: .whitespaces).hasPrefix("@") { cursor -= 1 }
        guard cursor >= 0, lines[cursor].trimmingCharacters(in: .whitespaces).hasSuffix("*/") else { return nil }
        var collected: [String] = []
        while cursor >= 0 {
            let line = lines[cursor].trimmingCharacters(in: .whitespaces)
            let cleaned = line.replacingOccurrences(of: "/**", with: "").replacingOccurrences(of: "*/", with: "")
                .trimmingCharacters(in: CharacterSet(charactersIn: "* ").union(.whitespaces))
            if !cleaned.isEmpty { collected.insert(cleaned, at: 0) }
            if line.hasPrefix("/**") { return collected.joined(separator: " ") }
            if line.hasPrefix("/*") { return nil }
            cursor -= 1
        }
        return nil
    }

    /// Python: module-level `def` and `class`, and the methods of module-level classes, with
    /// their docstrings (functions nested in functions are not API).
    static func python(_ file: SourceFile) -> [Declaration] {
        var found: [Declaration] = []
        // The indentation of the module-level class we are in, if any.
        var classIndent: Int?
        var memberIndent: Int?
        for (index, line) in file.lines.enumerated() {
            let text = String(line)
            let indentation = text.prefix { $0 == " " || $0 == "\t" }.count
            let content = text.dropFirst(indentation)
            if !content.isEmpty, !content.hasPrefix("#"), indentation == 0, !content.hasPrefix("class ") { classIndent = nil }
            guard let match = pythonDef.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
                  let indentRange = Range(match.range(at: 1), in: text), let keywordRange = Range(match.range(at: 2), in: text),
                  let nameRange = Range(match.range(at: 3), in: text) else { continue }
            let indent = text[indentRange].count
            if indent == 0 {
                classIndent = text[keywordRange] == "class" ? 0 : nil
                memberIndent = nil
            } else {
                guard classIndent != nil else { continue }
                if memberIndent == nil { memberIndent = indent }
                guard indent == memberIndent else { continue }
            }
            let name = String(text[nameRange])
            let bases = Range(match.range(at: 4), in: text).map { String(text[$0]) } ?? ""
            let kind: Declaration.Kind = text[keywordRange] == "def" ? .function
                : (bases.contains("Protocol") || bases.contains("ABC") ? .protocol : .type)
            var doc: String?
            var cursor = index + 1
            while cursor < file.lines.count, file.lines[cursor - 1].trimmingCharacters(in: .whitespaces).hasSuffix(":") == false,
                  cursor < index + 6 { cursor += 1 }
            if cursor < file.lines.count {
                let next = file.lines[cursor].trimmingCharacters(in: .whitespaces)
                if next.hasPrefix("\"\"\"") || next.hasPrefix("'''") || next.hasPrefix("r\"\"\"") {
                    doc = next.trimmingCharacters(in: CharacterSet(charactersIn: "r\"' "))
                    if doc?.isEmpty == true, cursor + 1 < file.lines.count {
                        doc = file.lines[cursor + 1].trimmingCharacters(in: .whitespaces)
                    }
                }
            }
            found.append(Declaration(name: name, kind: kind, file: file.path, line: index + 1,
                                     signature: text.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: ":")),
                                     doc: doc, isPublic: !name.hasPrefix("_")))
        }
        return found
    }
}
