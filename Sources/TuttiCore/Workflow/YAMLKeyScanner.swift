/// Finds, in a workflow's text before it is parsed, a mapping key an alias expands: the
/// YAML parser compares every key with its neighbours, and comparing an alias bomb used as a
/// key walks every value it stands for, so this must be refused before parsing starts.
/// Workflow keys are plain names, so refusing these keys costs no real workflow anything.
///
/// The scan knows quoted strings, comments and block scalars (`|`, `>`), which hold text that
/// only looks like YAML; everything else it reads as tokens.
struct YAMLKeyScanner {
    /// Where a key that an alias expands begins, 1-based as the parser counts.
    struct Place: Equatable {
        let line: Int
        let column: Int
    }

    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var column = 1
    /// Open flow collections (`[`, `{`): where each began and whether an alias is inside.
    private var flows: [(place: Place, holdsAlias: Bool)] = []
    private var aliasSeen = false
    private var explicitKey: Place?
    /// Whether the next token begins a value (after indentation, `- `, `: `, `? `, `[`, `{`, `,`).
    private var atValueStart = true
    /// The column (0-based) of the last token that began a value on this line.
    private var ownerColumn = 0

    init(_ text: String) { bytes = Array(text.utf8) }

    /// The first key an alias expands, if any.
    static func aliasKey(in text: String) -> Place? {
        var scanner = YAMLKeyScanner(text)
        return scanner.scan()
    }

    private mutating func scan() -> Place? {
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\n"):
                advance()
                startLine()
                continue
            case UInt8(ascii: " "), UInt8(ascii: "\t"):
                advance()
                continue
            case UInt8(ascii: "#") where precededBySpace:
                skipToEndOfLine()
                continue
            default: break
            }
            let wasValueStart = atValueStart
            let here = Place(line: line, column: column)
            let owner = ownerColumn
            if wasValueStart { ownerColumn = column - 1 }
            atValueStart = false
            switch byte {
            case UInt8(ascii: "\"") where wasValueStart: skipQuoted(closing: byte, escape: UInt8(ascii: "\\"))
            case UInt8(ascii: "'") where wasValueStart: skipQuoted(closing: byte, escape: nil)
            case UInt8(ascii: "|"), UInt8(ascii: ">"):
                if wasValueStart && flows.isEmpty { skipBlockScalar(owner: owner) } else { advance() }
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                flows.append((here, false))
                advance()
                atValueStart = true
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                advance()
                if let closed = flows.popLast(), closed.holdsAlias, followedByKeyColon() { return closed.place }
            case UInt8(ascii: ","):
                advance()
                atValueStart = !flows.isEmpty
            case UInt8(ascii: "*") where wasValueStart:
                aliasSeen = true
                for depth in flows.indices { flows[depth].holdsAlias = true }
                advance()
                while index < bytes.count, !Self.endsName(bytes[index]) { advance() }
                if followedByKeyColon() { return here }
            case UInt8(ascii: "?") where wasValueStart && followedBySpace(at: index + 1):
                if explicitKey == nil { explicitKey = here }
                advance()
                atValueStart = true
            case UInt8(ascii: "-") where wasValueStart && followedBySpace(at: index + 1):
                advance()
                atValueStart = true
            case UInt8(ascii: ":") where followedBySpace(at: index + 1) || !flows.isEmpty:
                advance()
                atValueStart = true
            default:
                advance()
            }
        }
        // An explicit key (`? `) may hold anything, an alias too: refused when aliases are used.
        return aliasSeen ? explicitKey : nil
    }

    private var precededBySpace: Bool {
        index == 0 || bytes[index - 1] == UInt8(ascii: " ") || bytes[index - 1] == UInt8(ascii: "\t")
            || bytes[index - 1] == UInt8(ascii: "\n")
    }

    private static func endsName(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: ","),
             UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"):
            return true
        default: return false
        }
    }

    private func followedBySpace(at position: Int) -> Bool {
        position >= bytes.count || bytes[position] == UInt8(ascii: " ") || bytes[position] == UInt8(ascii: "\t")
            || bytes[position] == UInt8(ascii: "\n") || bytes[position] == UInt8(ascii: "\r")
    }

    /// Whether `:` comes next on this line (after spaces), as it does after a key.
    private func followedByKeyColon() -> Bool {
        var position = index
        while position < bytes.count, bytes[position] == UInt8(ascii: " ") || bytes[position] == UInt8(ascii: "\t") {
            position += 1
        }
        guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { return false }
        return !flows.isEmpty || followedBySpace(at: position + 1)
    }

    private mutating func advance() {
        // Columns count characters: a UTF-8 continuation byte adds none.
        if bytes[index] & 0xC0 != 0x80 { column += 1 }
        if bytes[index] == UInt8(ascii: "\n") {
            line += 1
            column = 1
        }
        index += 1
    }

    private mutating func startLine() {
        if flows.isEmpty { atValueStart = true }
        ownerColumn = 0
    }

    private mutating func skipToEndOfLine() {
        while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { advance() }
    }

    private mutating func skipQuoted(closing: UInt8, escape: UInt8?) {
        advance()
        while index < bytes.count {
            let byte = bytes[index]
            if let escape, byte == escape {
                advance()
                if index < bytes.count { advance() }
                continue
            }
            advance()
            if byte == closing {
                // '' inside single quotes is a quote, not the end.
                if escape == nil, index < bytes.count, bytes[index] == closing {
                    advance()
                    continue
                }
                return
            }
        }
    }

    /// Skips a block scalar: the rest of its header line, then every line more indented than
    /// the key or item that owns it, and blank lines.
    private mutating func skipBlockScalar(owner: Int) {
        skipToEndOfLine()
        while index < bytes.count {
            var position = index + 1
            var indent = 0
            while position < bytes.count, bytes[position] == UInt8(ascii: " ") {
                position += 1
                indent += 1
            }
            let blank = position >= bytes.count || bytes[position] == UInt8(ascii: "\n") || bytes[position] == UInt8(ascii: "\r")
            guard blank || indent > owner else { return }
            advance()
            skipToEndOfLine()
        }
    }
}
