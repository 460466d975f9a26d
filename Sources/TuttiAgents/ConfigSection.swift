import Foundation

/// One section of a project's INI or TOML configuration file, read as keys and lists of
/// values: enough for `[tool.coverage.run]`, `[coverage:run]`, `[tool.pytest.ini_options]`
/// and their kin. Not a full parser: nested tables, inline tables and escapes are not read.
struct ConfigSection: Sendable, Equatable {
    /// The file it came from, relative to the project.
    var file: String
    /// The section's name as written between brackets.
    var name: String
    var values: [String: [String]]

    /// The values of `key` (a list's items, or one value).
    subscript(_ key: String) -> [String] { values[key] ?? [] }

    /// A boolean key: true, false, or nil when absent.
    func flag(_ key: String) -> Bool? {
        guard let value = values[key]?.first?.lowercased() else { return nil }
        return ["true", "1", "yes", "on"].contains(value) ? true : ["false", "0", "no", "off"].contains(value) ? false : nil
    }

    /// The section `name` of the file at `path` (relative to `root`), if the file has it.
    static func read(_ path: String, section name: String, root: String) -> ConfigSection? {
        guard let text = try? String(contentsOfFile: "\(root)/\(path)", encoding: .utf8) else { return nil }
        return parse(text, section: name, file: path)
    }

    /// In TOML a key may name its table with dots: `report.exclude_also = [...]` under
    /// `[tool.coverage]` is `exclude_also` of `[tool.coverage.report]`, as coverage.py reads it.
    static func parse(_ text: String, section name: String, file: String) -> ConfigSection? {
        let toml = file.hasSuffix(".toml")
        var current = ""
        var found = false
        var values: [String: [String]] = [:]
        /// The key being read, when it belongs to the section (a value continued on the next
        /// lines goes to it).
        var key: String?
        /// A TOML list that goes on over several lines, and the key it belongs to, if any.
        var openList: (key: String?, items: [String])?
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = stripComment(String(raw), toml: toml)
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if let list = openList {
                let closes = trimmed.contains("]")
                let items = list.items + listItems(closes ? String(trimmed[..<trimmed.firstIndex(of: "]")!]) : trimmed)
                if !closes {
                    openList = (list.key, items)
                } else {
                    if let key = list.key { values[key] = items }
                    openList = nil
                }
                continue
            }
            if trimmed.hasPrefix("["), trimmed.hasSuffix("]"), !(toml && current == name && trimmed.hasPrefix("[[")) {
                current = trimmed.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                found = found || current == name
                key = nil
                continue
            }
            guard !trimmed.isEmpty else { continue }
            if !toml, current == name, let continued = key, line.first == " " || line.first == "\t" {
                // An INI value continued on an indented line.
                values[continued, default: []] += listItems(trimmed)
                continue
            }
            guard let equals = trimmed.firstIndex(where: { $0 == "=" || (!toml && $0 == ":") }) else { continue }
            let written = trimmed[..<equals].trimmingCharacters(in: .whitespaces)
            let value = trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            // The key's own name in the section, or nil when it belongs to another one.
            let full = current.isEmpty ? written : "\(current).\(written)"
            let own: String? = !toml ? (current == name ? written : nil)
                : full.hasPrefix(name + ".") && !full.dropFirst(name.count + 1).contains(".") ? String(full.dropFirst(name.count + 1)) : nil
            found = found || own != nil
            key = own
            if toml, value.hasPrefix("[") {
                let body = value.dropFirst()
                if let end = body.firstIndex(of: "]") {
                    if let own { values[own] = listItems(String(body[..<end])) }
                } else {
                    openList = (own, listItems(String(body)))
                }
            } else if let own {
                values[own] = toml ? [unquote(value)] : listItems(value)
            }
        }
        return found ? ConfigSection(file: file, name: name, values: values) : nil
    }

    /// `"a", 'b', c` or `a\nb` → its items, unquoted.
    static func listItems(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == "," }).map { unquote($0.trimmingCharacters(in: .whitespaces)) }.filter { !$0.isEmpty }
    }

    static func unquote(_ text: String) -> String {
        let value = text.trimmingCharacters(in: .whitespaces)
        guard value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first else { return value }
        let body = String(value.dropFirst().dropLast())
        guard first == "\"" else { return body }
        // A basic string's escapes: \\ and \" (enough for regexes and paths).
        var result = ""
        var escaped = false
        for character in body {
            if escaped {
                switch character {
                case "n": result.append("\n")
                case "t": result.append("\t")
                default: result.append(character)
                }
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                result.append(character)
            }
        }
        return result
    }

    /// The section as INI text: multi-valued keys one value a line, indented.
    func iniText(as header: String, leaving: Set<String> = []) -> String {
        var lines = ["[\(header)]"]
        for (key, items) in values.sorted(by: { $0.key < $1.key }) where !leaving.contains(key) {
            lines.append(items.count == 1 && !["omit", "include", "source", "source_pkgs", "exclude_lines", "exclude_also",
                                               "partial_branches", "plugins", "patch"].contains(key)
                ? "\(key) = \(items[0])" : "\(key) =\n" + items.map { "    \($0)" }.joined(separator: "\n"))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The line without a comment: `#` (and `;` at the start of an INI line) outside quotes.
    static func stripComment(_ line: String, toml: Bool) -> String {
        if !toml, line.trimmingCharacters(in: .whitespaces).hasPrefix(";") { return "" }
        var quote: Character?
        for (offset, character) in line.enumerated() {
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "#", offset == 0 || line[line.index(line.startIndex, offsetBy: offset - 1)].isWhitespace {
                return String(line.prefix(offset))
            }
        }
        return line
    }
}
