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
    /// The type it is declared in (a Python class, a Go method's receiver), nil at the top level.
    public var container: String? = nil
    /// Declared inside a function or other body that is not a type's: not part of any API.
    public var nested = false
    /// Go: the package it is in (`package uuid`), the name other packages call it through.
    public var package: String? = nil

    /// The name with its container: `Signer.sign`, or `sign`.
    public var qualifiedName: String { container.map { "\($0).\(name)" } ?? name }
}

/// Finds declarations line by line, per language: what the architecture review counts for
/// documentation and the pattern library lists.
public enum DeclarationScanner {
    /// The declarations of one file, in the order they appear.
    public static func declarations(in file: SourceFile) -> [Declaration] {
        switch file.language {
        case .swift: return scan(file, swift, kind: swiftKind, isPublic: { $0[1] != nil }, doc: slashDoc(prefixes: ["///"]))
        case .go: return goMethods(scan(file, go, kind: goKind, isPublic: { $0[2].map { $0.first?.isUppercase == true } ?? false },
                                        doc: slashDoc(prefixes: ["//"])), file: file)
        case .javascript, .typescript: return script(file)
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
        #"^\s*(export\s+)?(?:default\s+)?(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?(function\*?|class|interface|type|const|let|var|enum)\s+([A-Za-z_$][\w$]*)"#)
    static let commonJSExport = try! NSRegularExpression(pattern: #"^\s*(?:module\.)?exports\.([A-Za-z_$][\w$]*)\s*=\s*(.*)$"#)
    static let commonJSModule = try! NSRegularExpression(pattern: #"^\s*module\.exports\s*=\s*(.*)$"#)
    static let functionValue = try! NSRegularExpression(pattern: #"=\s*(?:async\s+)?(?:function\b|\([^)]*\)\s*=>|[A-Za-z_$][\w$]*\s*=>)"#)
    static let goReceiver = try! NSRegularExpression(pattern: #"^func\s+\(\s*(?:\w+\s+)?\*?\s*([A-Za-z_]\w*)"#)
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
        case "const", "let", "var": return .value
        default: return .function
        }
    }

    /// JavaScript and TypeScript: ES module `export`s, and CommonJS — `exports.x = ...`,
    /// `module.exports = name` or `{ a, b: c }` — which make the declarations they name public.
    /// A `const` holding a function is a function.
    static func script(_ file: SourceFile) -> [Declaration] {
        var found = scan(file, script, kind: scriptKind, isPublic: { $0[1] != nil }, doc: blockDoc).map { declaration in
            var declaration = declaration
            let line = String(file.lines[declaration.line - 1])
            if declaration.kind == .value, functionValue.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) != nil {
                declaration.kind = .function
            }
            return declaration
        }
        var exported: Set<String> = []
        var exportList: String?
        for (index, raw) in file.lines.enumerated() {
            let line = String(raw)
            if let list = exportList {
                // `module.exports = {` ... `}` over several lines.
                exportList = list + " " + line
                guard line.contains("}") else { continue }
                exported.formUnion(exportedNames(inObject: exportList ?? ""))
                exportList = nil
                continue
            }
            if let groups = groups(commonJSExport, line), let name = groups[0], let value = groups[1] {
                let local = value.trimmingCharacters(in: CharacterSet(charactersIn: " ;"))
                if local.range(of: #"^[A-Za-z_$][\w$]*$"#, options: .regularExpression) != nil, local != "undefined" {
                    exported.insert(local)
                } else if !found.contains(where: { $0.line == index + 1 }) {
                    let kind: Declaration.Kind = value.hasPrefix("class") ? .type
                        : functionValue.firstMatch(in: "= " + value, range: NSRange(("= " + value).startIndex..., in: "= " + value)) != nil ? .function : .value
                    found.append(Declaration(name: name, kind: kind, file: file.path, line: index + 1, signature: line.trimmingCharacters(in: .whitespaces),
                                             doc: blockDoc(file.lines, index), isPublic: true))
                }
            } else if let groups = groups(commonJSModule, line), let value = groups[0] {
                if value.hasPrefix("function") || value.hasPrefix("class") || value.hasPrefix("async function") {
                    // `module.exports = function name () {`: the module is that function.
                    let named = value.split(whereSeparator: { " (){".contains($0) }).dropFirst(value.hasPrefix("async") ? 2 : 1).first
                    found.append(Declaration(name: named.map(String.init) ?? ((file.path as NSString).lastPathComponent as NSString).deletingPathExtension,
                                             kind: value.hasPrefix("class") ? .type : .function, file: file.path, line: index + 1,
                                             signature: line.trimmingCharacters(in: .whitespaces), doc: blockDoc(file.lines, index), isPublic: true))
                    continue
                }
                if value.hasPrefix("{"), !value.contains("}") {
                    exportList = value
                    continue
                }
                exported.formUnion(exportedNames(inObject: value))
            }
        }
        for index in found.indices where exported.contains(found[index].name) { found[index].isPublic = true }
        return found.sorted { $0.line < $1.line }
    }

    static func groups(_ pattern: NSRegularExpression, _ text: String) -> [String?]? { pattern.captures(in: text) }

    /// The local names an exported object literal names: `{ a, b: c }` → a, c (a bare name: the module itself).
    static func exportedNames(inObject text: String) -> Set<String> {
        let body = text.trimmingCharacters(in: CharacterSet(charactersIn: " ;{}"))
        var names: Set<String> = []
        for item in body.split(whereSeparator: { $0 == "," || $0 == "{" || $0 == "}" }) {
            // `a`, or `a: b` (b is the local name).
            let parts = item.split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces) }
            if let local = parts.last, local.range(of: #"^[A-Za-z_$][\w$]*$"#, options: .regularExpression) != nil { names.insert(local) }
        }
        return names
    }

    /// Go: a method's receiver type is its container (`func (u UUID) String()` is `UUID.String`).
    static func goMethods(_ declarations: [Declaration], file: SourceFile) -> [Declaration] {
        // `package uuid // import "github.com/google/uuid"`: the name alone.
        let package = file.lines.first { $0.hasPrefix("package ") }
            .flatMap { $0.dropFirst("package ".count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map(String.init) }
        return declarations.map { declaration in
            var declaration = declaration
            declaration.package = package
            let line = String(file.lines[declaration.line - 1])
            if let receiver = groups(goReceiver, line)?.first ?? nil {
                declaration.container = receiver
                // A method of an unexported type is not part of the package's API.
                declaration.isPublic = declaration.isPublic && receiver.first?.isUppercase == true
            }
            return declaration
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
        var nesting = BraceNesting()
        let code = CodeText.lines(of: file)
        for (index, line) in file.lines.enumerated() {
            let text = String(line)
            defer { nesting.advance(past: code[index]) }
            guard let match = pattern.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else {
                let opener = file.language == .swift ? extensionPattern : file.language == .rust ? rustImpl : nil
                if let opener, let extended = groups(opener, text)?.first ?? nil { nesting.opens(type: extended, on: code[index]) }
                continue
            }
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
            let place = nesting.place
            found.append(Declaration(name: name, kind: declarationKind, file: file.path, line: index + 1,
                                     signature: head.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "{ ")),
                                     doc: doc(file.lines, index), isPublic: isPublic(access) && !place.nested,
                                     container: place.container, nested: place.nested))
            if declarationKind == .type || declarationKind == .protocol, keyword != "typealias" { nesting.opens(type: name, on: code[index]) }
        }
        return found
    }

    static let rustImpl = try! NSRegularExpression(pattern: #"^\s*impl(?:<[^>]*>)?\s+(?:[\w:<>]+\s+for\s+)?([A-Za-z_]\w*)"#)
    static let extensionPattern = try! NSRegularExpression(pattern: #"^\s*(?:@\w+\s+)*(?:public\s+|internal\s+|private\s+|fileprivate\s+)?extension\s+([A-Za-z_][\w.]*)"#)

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

    /// A `/** ... */` block above the declaration (decorators and a blank line or two may
    /// stand between, as JSDoc allows).
    static func blockDoc(_ lines: [Substring], _ index: Int) -> String? {
        var cursor = index - 1
        var blanks = 0
        while cursor >= 0 {
            let line = lines[cursor].trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("@") {
                cursor -= 1
            } else if line.isEmpty, blanks < 2 {
                blanks += 1
                cursor -= 1
            } else {
                break
            }
        }
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

    static let pythonDocstring = try! NSRegularExpression(pattern: #"^(?:[rRbBuU]{1,2})?("{3}|'{3}|"|')"#)
    static let pythonDecorator = try! NSRegularExpression(pattern: #"^\s*@([\w.]+)"#)
    /// `name.__doc__ = ...` (or `Class.method.__doc__`): a docstring given after the definition.
    static let pythonDocAssignment = try! NSRegularExpression(pattern: #"^\s*([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?)\.__doc__\s*=\s*(\S.*)$"#)

    /// Python: module-level `def` and `class`, and the methods of module-level classes, with
    /// their docstrings (after signatures of any length, decorators, and `r`/`b`/`u` prefixes).
    /// Functions nested in functions are not API; nor are the methods of a private class.
    /// `@overload` stubs and their implementation are one declaration, documented if any is.
    /// A docstring assigned outside a function (`f.__doc__ = _f.__doc__`) documents its
    /// declaration, as `inspect.getdoc` finds it.
    static func python(_ file: SourceFile) -> [Declaration] {
        /// A block the current line is inside: a class's body, a function's, or another
        /// statement's (`if`, `try`...), which does not change what is module level.
        enum Frame { case block, type(name: String, isPublic: Bool), function }
        var frames: [(indent: Int, frame: Frame)] = []
        var found: [Declaration] = []
        var seen: [String: Int] = [:]
        /// Docstrings assigned to declarations, by `container.name` as `seen` keys them: the
        /// value, and its line (a docstring's text may start on the next).
        var assignedDocs: [String: (value: String, line: Int)] = [:]
        var bracketDepth = 0
        let code = CodeText.lines(of: file)
        for (index, line) in file.lines.enumerated() {
            let structure = code[index]
            let startsInsideBrackets = bracketDepth > 0
            for character in structure {
                if "([{".contains(character) { bracketDepth += 1 } else if ")]}".contains(character) { bracketDepth = max(0, bracketDepth - 1) }
            }
            let trimmed = structure.trimmingCharacters(in: .whitespaces)
            // Blank lines, comments, docstrings and the rest of a bracketed expression say nothing of structure.
            guard !trimmed.isEmpty, !startsInsideBrackets else { continue }
            let text = String(line)
            let indentation = text.prefix { $0 == " " || $0 == "\t" }.count
            while let last = frames.last, last.indent >= indentation { frames.removeLast() }
            guard let match = pythonDef.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
                  let keywordRange = Range(match.range(at: 2), in: text), let nameRange = Range(match.range(at: 3), in: text) else {
                if trimmed.hasSuffix(":"), !trimmed.hasPrefix("@") { frames.append((indentation, .block)) }
                let inFunction = frames.contains { if case .function = $0.frame { return true } else { return false } }
                if !inFunction, let assigned = pythonDocAssignment.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
                   let target = Range(assigned.range(at: 1), in: text), let value = Range(assigned.range(at: 2), in: text) {
                    let path = text[target].split(separator: ".")
                    // The code's value: a comment after it is not part of it.
                    let code = String(structure.dropFirst(text.distance(from: text.startIndex, to: value.lowerBound)))
                        .trimmingCharacters(in: .whitespaces)
                    let kept = code.isEmpty || code.first == "\"" || code.first == "'" ? String(text[value]) : code
                    assignedDocs[path.count == 1 ? ".\(path[0])" : "\(path[0]).\(path[1])"] = (kept, index)
                }
                continue
            }
            let name = String(text[nameRange])
            let isClass = text[keywordRange] == "class"
            // Module level (perhaps inside `if`/`try`), a class's member, or nested in a function.
            let enclosing = frames.last { if case .block = $0.frame { return false } else { return true } }
            var container: String?
            var ownerIsPublic = true
            switch enclosing?.frame {
            case nil: break
            case .type(let owner, let isPublic)?:
                container = owner
                ownerIsPublic = isPublic
            default:
                frames.append((indentation, .function))
                continue
            }
            let isPublic = !name.hasPrefix("_") && ownerIsPublic
            frames.append((indentation, isClass ? .type(name: name, isPublic: isPublic && container == nil) : .function))
            let bases = Range(match.range(at: 4), in: text).map { String(text[$0]) } ?? ""
            let kind: Declaration.Kind = !isClass ? .function : (bases.contains("Protocol") || bases.contains("ABC") ? .protocol : .type)
            let doc = pythonDocstring(file.lines, afterSignatureAt: index)
            let key = "\(container ?? "").\(name)"
            if let earlier = seen[key] {
                // An @overload stub and its implementation, or a redefinition: one declaration.
                if found[earlier].doc == nil { found[earlier].doc = doc }
                continue
            }
            seen[key] = found.count
            found.append(Declaration(name: name, kind: kind, file: file.path, line: index + 1,
                                     signature: text.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: ":")),
                                     doc: doc, isPublic: isPublic, container: container))
        }
        for (key, assigned) in assignedDocs where assigned.value != "None" {
            guard let index = seen[key], found[index].doc == nil else { continue }
            // A string literal is the docstring (an empty one documents nothing); any other
            // value (another function's `__doc__`) is taken to be one.
            let value = assigned.value
            let literal = docstringText(Substring(value), following: file.lines, from: assigned.line + 1)
            if literal == nil, value.first == "\"" || value.first == "'" { continue }
            found[index].doc = literal ?? "(assigned: \(value))"
        }
        return found
    }

    /// The docstring of the `def` or `class` whose first line is at `index`: the signature
    /// ends at the first `:` outside brackets; the docstring is the first statement after it.
    static func pythonDocstring(_ lines: [Substring], afterSignatureAt index: Int) -> String? {
        var depth = 0
        var cursor = index
        var bodyOnSameLine: Substring?
        signature: while cursor < lines.count, cursor < index + 200 {
            let line = lines[cursor]
            var quote: Character?
            for position in line.indices {
                let character = line[position]
                if let open = quote {
                    if character == open { quote = nil }
                    continue
                }
                switch character {
                case "\"", "'": quote = character
                case "#": break
                case "(", "[", "{": depth += 1
                case ")", "]", "}": depth -= 1
                case ":" where depth == 0:
                    let rest = line[line.index(after: position)...].trimmingCharacters(in: .whitespaces)
                    if !rest.isEmpty, !rest.hasPrefix("#") { bodyOnSameLine = Substring(rest) }
                    break signature
                default: continue
                }
                if character == "#" { break }
            }
            cursor += 1
        }
        if let body = bodyOnSameLine { return docstringText(body, following: [], from: 0) }
        var next = cursor + 1
        while next < lines.count {
            let trimmed = lines[next].trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { next += 1; continue }
            return docstringText(Substring(trimmed), following: lines, from: next + 1)
        }
        return nil
    }

    /// The text of a docstring that opens `line`, or nil when the line is not one.
    static func docstringText(_ line: Substring, following lines: [Substring], from next: Int) -> String? {
        let text = String(line)
        guard let match = pythonDocstring.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
              let quoteRange = Range(match.range(at: 1), in: text) else { return nil }
        let quote = String(text[quoteRange])
        var body = String(text[quoteRange.upperBound...])
        if let end = body.range(of: quote) { body = String(body[..<end.lowerBound]) }
        var summary = body.trimmingCharacters(in: .whitespaces)
        var cursor = next
        while summary.isEmpty, quote.count == 3, cursor < lines.count, cursor < next + 5 {
            // """ on its own line, the text on the next.
            summary = lines[cursor].trimmingCharacters(in: .whitespaces).replacingOccurrences(of: quote, with: "")
            cursor += 1
        }
        return summary.isEmpty ? nil : summary
    }

    static let pythonFromImport = try! NSRegularExpression(
        pattern: #"^[ \t]*from[ \t]+[\w.]+[ \t]+import[ \t]+(?:\(([^)]*)\)|([^\n]+))"#, options: [.anchorsMatchLines])
    static let pythonAll = try! NSRegularExpression(pattern: #"__all__\s*\+?=\s*[\[(]([^\])]*)[\])]"#)
    static let quotedName = try! NSRegularExpression(pattern: #"["']([A-Za-z_]\w*)["']"#)

    static let pythonClassBases = try! NSRegularExpression(pattern: #"^class\s+\w+\s*\(([^)]*)\)"#)

    /// The documented public methods of Python's built-in types and of the standard library's
    /// containers and their abstract bases (`collections`, `collections.abc`): a class that
    /// derives from one (`class Markup(str)`, `class Cache(collections.abc.MutableMapping)`)
    /// and overrides `join` or `get` inherits its docstring, as `inspect.getdoc` and Sphinx
    /// say. (Exceptions derive from BaseException.) A base is matched by its last name.
    static let pythonStandardMethods: [String: [String]] = [
        "str": ["capitalize", "casefold", "center", "count", "encode", "endswith", "expandtabs", "find", "format", "format_map", "index", "isalnum", "isalpha", "isascii", "isdecimal", "isdigit", "isidentifier", "islower", "isnumeric", "isprintable", "isspace", "istitle", "isupper", "join", "ljust", "lower", "lstrip", "maketrans", "partition", "removeprefix", "removesuffix", "replace", "rfind", "rindex", "rjust", "rpartition", "rsplit", "rstrip", "split", "splitlines", "startswith", "strip", "swapcase", "title", "translate", "upper", "zfill"],
        "bytes": ["capitalize", "center", "count", "decode", "endswith", "expandtabs", "find", "fromhex", "hex", "index", "isalnum", "isalpha", "isascii", "isdigit", "islower", "isspace", "istitle", "isupper", "join", "ljust", "lower", "lstrip", "maketrans", "partition", "removeprefix", "removesuffix", "replace", "rfind", "rindex", "rjust", "rpartition", "rsplit", "rstrip", "split", "splitlines", "startswith", "strip", "swapcase", "title", "translate", "upper", "zfill"],
        "dict": ["clear", "copy", "fromkeys", "get", "items", "keys", "pop", "popitem", "setdefault", "update", "values"],
        "list": ["append", "clear", "copy", "count", "extend", "index", "insert", "pop", "remove", "reverse", "sort"],
        "set": ["add", "clear", "copy", "difference", "difference_update", "discard", "intersection", "intersection_update", "isdisjoint", "issubset", "issuperset", "pop", "remove", "symmetric_difference", "symmetric_difference_update", "union", "update"],
        "frozenset": ["copy", "difference", "intersection", "isdisjoint", "issubset", "issuperset", "symmetric_difference", "union"],
        "tuple": ["count", "index"],
        "int": ["as_integer_ratio", "bit_count", "bit_length", "conjugate", "denominator", "from_bytes", "imag", "numerator", "real", "to_bytes"],
        "float": ["as_integer_ratio", "conjugate", "fromhex", "hex", "imag", "is_integer", "real"],
        "BaseException": ["add_note", "with_traceback"],
        "Mapping": ["get", "items", "keys", "values"],
        "MutableMapping": ["clear", "get", "items", "keys", "pop", "popitem", "setdefault", "update", "values"],
        "Sequence": ["count", "index"],
        "MutableSequence": ["append", "clear", "count", "extend", "index", "insert", "pop", "remove", "reverse"],
        "Set": ["isdisjoint"],
        "MutableSet": ["add", "clear", "discard", "isdisjoint", "pop", "remove"],
        "KeysView": ["isdisjoint"],
        "ItemsView": ["isdisjoint"],
        "Generator": ["close", "send", "throw"],
        "Coroutine": ["close", "send", "throw"],
        "AsyncGenerator": ["aclose", "asend", "athrow"],
        "OrderedDict": ["clear", "copy", "fromkeys", "get", "items", "keys", "move_to_end", "pop", "popitem", "setdefault", "update", "values"],
        "defaultdict": ["clear", "copy", "default_factory", "fromkeys", "get", "items", "keys", "pop", "popitem", "setdefault", "update", "values"],
        "UserDict": ["clear", "get", "items", "keys", "pop", "popitem", "setdefault", "update", "values"],
        "UserList": ["append", "clear", "count", "extend", "index", "insert", "pop", "remove", "reverse"],
        "Counter": ["clear", "copy", "elements", "fromkeys", "get", "items", "keys", "most_common", "pop", "popitem", "setdefault", "subtract", "total", "update", "values"],
        "deque": ["append", "appendleft", "clear", "copy", "count", "extend", "extendleft", "index", "insert", "maxlen", "pop", "popleft", "remove", "reverse", "rotate"],
    ]

    /// A Python method without a docstring of its own takes its base class's, as
    /// `inspect.getdoc` and Sphinx do: an override of a documented method is documented,
    /// a built-in type's or a standard container's method too.
    static func applyPythonInheritedDocstrings(_ declarations: inout [Declaration]) {
        var bases: [String: [String]] = [:]
        var documented = Set(pythonStandardMethods.flatMap { type, methods in methods.map { "\(type).\($0)" } })
        for declaration in declarations where SourceLanguage(path: declaration.file) == .python {
            if declaration.container == nil, declaration.kind != .function,
               let list = groups(pythonClassBases, declaration.signature)?.first ?? nil {
                // `Base`, `module.Base`, `Generic[T]`: the class's own name.
                bases[declaration.name] = list.split(separator: ",").compactMap { base in
                    base.split(separator: "[").first?.split(separator: ".").last?.trimmingCharacters(in: .whitespaces)
                }.filter { !$0.isEmpty && !$0.contains("=") }
            }
            if let owner = declaration.container, declaration.doc != nil { documented.insert("\(owner).\(declaration.name)") }
        }
        func inherits(_ owner: String, _ name: String, depth: Int) -> Bool {
            guard depth < 10 else { return false }
            // A base the project does not define named as Python's exceptions are (ValueError,
            // OSError, UserWarning…) is one of them: they all derive from BaseException.
            let exceptionName = ["Error", "Exception", "Warning"].contains { owner.hasSuffix($0) } && owner != "BaseException"
            let parents = bases[owner] ?? (exceptionName ? ["BaseException"] : [])
            return parents.contains { base in documented.contains("\(base).\(name)") || inherits(base, name, depth: depth + 1) }
        }
        for index in declarations.indices where declarations[index].doc == nil {
            guard let owner = declarations[index].container, SourceLanguage(path: declarations[index].file) == .python,
                  inherits(owner, declarations[index].name, depth: 0) else { continue }
            declarations[index].doc = "(inherited from a base class)"
        }
    }

    /// Whether a Python module is private by its name: a `_module.py` or a `_package/` on its path.
    static func isPrivatePythonModule(_ path: String) -> Bool {
        path.split(separator: "/").contains { component in
            let stem = component.hasSuffix(".py") ? component.dropLast(3) : component
            return stem.hasPrefix("_") && stem != "__init__" && stem != "__main__"
        }
    }

    /// Python's convention for what a package offers: names in private modules (`_make.py`)
    /// are public only when a public module re-exports them — in its `__all__` when it has one
    /// (PEP 8: `__all__` is the module's public interface; `markers.py` importing `Op` from
    /// `_parser` for its own use does not offer it), else by importing them under a public
    /// name (`from ._make import attrs`, not `... as _attrs`); a private class's methods are
    /// never public.
    static func applyPythonModulePrivacy(_ declarations: inout [Declaration], files: [SourceFile]) {
        var exported: Set<String> = []
        var starModules: Set<String> = []
        for file in files where file.language == .python && !file.isTest && !isPrivatePythonModule(file.path) {
            let text = file.lines.joined(separator: "\n")
            var imported: Set<String> = []
            var listed: Set<String>?
            for match in pythonFromImport.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                let names = [1, 2].compactMap { Range(match.range(at: $0), in: text).map { String(text[$0]) } }.joined(separator: ",")
                for item in names.split(whereSeparator: { $0 == "," || $0 == "\n" }) {
                    let words = item.split(separator: "#").first?.trimmingCharacters(in: .whitespaces).split(separator: " ") ?? []
                    guard let name = words.first else { continue }
                    // `from ._core import *` re-exports every public name of the module: all of them stay public.
                    if name == "*", let module = String(text[Range(match.range, in: text)!]).split(separator: " ").dropFirst().first {
                        starModules.insert(String(module).trimmingCharacters(in: CharacterSet(charactersIn: ".")))
                    } else if !name.isEmpty, !(words.count == 3 && words[1] == "as" && words[2].hasPrefix("_")) {
                        imported.insert(String(name))
                    }
                }
            }
            for match in pythonAll.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                guard let range = Range(match.range(at: 1), in: text) else { continue }
                let list = String(text[range])
                for name in quotedName.matches(in: list, range: NSRange(list.startIndex..., in: list)) {
                    if let found = Range(name.range(at: 1), in: list) { listed = (listed ?? []).union([String(list[found])]) }
                }
            }
            exported.formUnion(listed ?? imported)
        }
        for index in declarations.indices where SourceLanguage(path: declarations[index].file) == .python
            && isPrivatePythonModule(declarations[index].file) {
            let stem = ((declarations[index].file as NSString).lastPathComponent as NSString).deletingPathExtension
            guard !starModules.contains(where: { $0 == stem || $0.hasSuffix("." + stem) }) else { continue }
            let owner = declarations[index].container ?? declarations[index].name
            declarations[index].isPublic = declarations[index].isPublic && exported.contains(owner)
        }
    }
}
