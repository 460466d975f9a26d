import Foundation

/// A source file's lines with everything that is not code blanked out: comments, docstrings
/// and the insides of string literals. What a line names there, it names as code — the
/// pattern library finds call sites in it, not mentions in documentation or `__all__`.
enum CodeText {
    /// One entry per line of `file`.
    static func lines(of file: SourceFile) -> [String] {
        var out: [String] = []
        out.reserveCapacity(file.lines.count)
        var state = State()
        for line in file.lines { out.append(state.code(String(line), language: file.language)) }
        return out
    }

    private struct State {
        /// Inside a Python triple-quoted string (its quote), a Swift `"""` string, or a block comment.
        var openTriple: String?
        var inBlockComment = false

        mutating func code(_ line: String, language: SourceLanguage) -> String {
            let characters = Array(line)
            var result = Array(repeating: Character(" "), count: characters.count)
            var index = 0
            var quote: Character?
            // Code inside a string: Swift's \( ... ) and JavaScript's ${ ... } (the quote it returns to, and the depth of brackets).
            var interpolation: (quote: Character, depth: Int)?
            let hashComments = language == .python || language == .shell || language == .ruby
            let tripleQuotes = language == .python || language == .swift
            func starts(_ text: String, at position: Int) -> Bool {
                let needle = Array(text)
                return position + needle.count <= characters.count && Array(characters[position..<position + needle.count]) == needle
            }
            while index < characters.count {
                let character = characters[index]
                if let triple = openTriple {
                    if starts(triple, at: index) {
                        openTriple = nil
                        index += triple.count
                    } else {
                        index += 1
                    }
                    continue
                }
                if inBlockComment {
                    if starts("*/", at: index) {
                        inBlockComment = false
                        index += 2
                    } else {
                        index += 1
                    }
                    continue
                }
                if let open = quote {
                    if language == .swift, character == "\\", index + 1 < characters.count, characters[index + 1] == "(" {
                        interpolation = (open, 0)
                        quote = nil
                        result[index + 1] = "("
                        index += 2
                        continue
                    }
                    if open == "`", character == "$", index + 1 < characters.count, characters[index + 1] == "{" {
                        interpolation = (open, 0)
                        quote = nil
                        result[index + 1] = "{"
                        index += 2
                        continue
                    }
                    if character == "\\" {
                        index += 2
                        continue
                    }
                    if character == open {
                        quote = nil
                        result[index] = character
                    }
                    index += 1
                    continue
                }
                if tripleQuotes, starts("\"\"\"", at: index) || (language == .python && starts("'''", at: index)) {
                    openTriple = String(characters[index..<index + 3])
                    index += 3
                    continue
                }
                if hashComments, character == "#" { break }
                if !hashComments, starts("//", at: index) { break }
                if !hashComments, starts("/*", at: index) {
                    inBlockComment = true
                    index += 2
                    continue
                }
                if var inside = interpolation {
                    let opens: Character = inside.quote == "`" ? "{" : "("
                    let closes: Character = inside.quote == "`" ? "}" : ")"
                    if character == opens { inside.depth += 1 }
                    if character == closes {
                        if inside.depth == 0 {
                            // Back in the string.
                            quote = inside.quote
                            interpolation = nil
                            index += 1
                            continue
                        }
                        inside.depth -= 1
                    }
                    interpolation = inside
                }
                if character == "\"" || character == "`" || (character == "'" && language != .rust && language != .swift) {
                    quote = character
                }
                result[index] = character
                index += 1
            }
            return String(result)
        }
    }
}
