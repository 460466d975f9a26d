import Foundation

/// Where a line of a brace language (Swift, Go, JavaScript, TypeScript, Rust) is: at the top
/// level, directly in a type's body (and which), or nested deeper, inside a function. Braces
/// in strings and comments do not count.
struct BraceNesting {
    let language: SourceLanguage
    /// Brace depth at the start of the current line.
    private(set) var depth = 0
    /// Types whose bodies are open, with the depth of their members.
    private var types: [(name: String, memberDepth: Int)] = []
    /// A type declared on the current line, whose body its `{` opens.
    private var pendingType: String?
    private var inBlockComment = false
    private var inMultilineString = false

    init(language: SourceLanguage) { self.language = language }

    /// The type whose member the current line is, and whether it is nested in something else.
    var place: (container: String?, nested: Bool) {
        if depth == 0 { return (nil, false) }
        if let last = types.last, last.memberDepth == depth { return (last.name, false) }
        return (types.last?.name, true)
    }

    /// The current line declares a type (or a Swift extension): its body holds members.
    mutating func opens(type name: String) { pendingType = name }

    /// Moves past `line`, counting its braces.
    mutating func advance(past line: String) {
        var quote: Character?
        var previous: Character = " "
        var characters = Array(line)
        var index = 0
        // Swift's """ strings span lines: nothing inside them counts.
        if language == .swift, line.contains("\"\"\"") {
            let count = line.components(separatedBy: "\"\"\"").count - 1
            if count % 2 == 1 { inMultilineString.toggle() }
            characters = Array(line.components(separatedBy: "\"\"\"").first ?? "")
        } else if inMultilineString {
            return
        }
        while index < characters.count {
            let character = characters[index]
            defer {
                previous = character
                index += 1
            }
            if inBlockComment {
                if previous == "*" && character == "/" { inBlockComment = false }
                continue
            }
            if let open = quote {
                if character == open && previous != "\\" { quote = nil }
                continue
            }
            switch character {
            case "\"", "`": quote = character
            case "'" where language != .rust && language != .swift: quote = character
            case "/" where index + 1 < characters.count && characters[index + 1] == "/": return
            case "*" where previous == "/": inBlockComment = true
            case "{":
                depth += 1
                if let type = pendingType {
                    types.append((type, depth))
                    pendingType = nil
                }
            case "}":
                while let last = types.last, last.memberDepth >= depth { types.removeLast() }
                depth = max(0, depth - 1)
            default: break
            }
        }
    }
}
