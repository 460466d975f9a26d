import Foundation

/// Where a line of a brace language (Swift, Go, JavaScript, TypeScript, Rust) is: at the top
/// level, directly in a type's body (and which), or nested deeper, inside a function. It reads
/// `CodeText`'s lines, so braces in strings and comments never count.
struct BraceNesting {
    /// Brace depth at the start of the current line.
    private(set) var depth = 0
    /// Types whose bodies are open, with the depth of their members.
    private var types: [(name: String, memberDepth: Int)] = []
    /// A type declared on a line whose body's `{` has not come yet.
    private var pendingType: String?

    /// The type whose member the current line is, and whether it is nested in something else.
    var place: (container: String?, nested: Bool) {
        if depth == 0 { return (nil, false) }
        if let last = types.last, last.memberDepth == depth { return (last.name, false) }
        return (types.last?.name, true)
    }

    /// The current line (`code`) declares a type or a Swift extension whose body holds
    /// members — unless it has no body (`type X = Y`, `struct Unit;`).
    mutating func opens(type name: String, on code: String) {
        let trimmed = code.trimmingCharacters(in: .whitespaces)
        if code.contains("{") || !(code.contains("=") || trimmed.hasSuffix(";")) { pendingType = name }
    }

    /// Moves past a line of code, counting its braces.
    mutating func advance(past code: String) {
        for character in code {
            switch character {
            case "{":
                depth += 1
                if let type = pendingType {
                    types.append((type, depth))
                    pendingType = nil
                }
            case "}":
                while let last = types.last, last.memberDepth >= depth { types.removeLast() }
                depth = max(0, depth - 1)
            case ";":
                pendingType = nil
            default:
                break
            }
        }
    }
}
