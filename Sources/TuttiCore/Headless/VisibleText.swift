extension String {
    /// The text with every character that could steer a terminal written out visibly instead:
    /// control characters (`\e`, `\r`, `\n`, `\t`, `\u{07}`...), DEL, the C1 controls, and
    /// the invisible ones that reorder or break lines (bidirectional overrides, U+2028/9).
    /// For text from a workflow, an agent or a client on its way to a terminal: one line,
    /// nothing hidden, nothing executed.
    public var escapingControls: String { escapingControls(keepingNewlines: false) }

    /// `escapingControls`, keeping line breaks: for text whose lines are meant.
    public func escapingControls(keepingNewlines: Bool) -> String {
        guard unicodeScalars.contains(where: { Self.steersTerminal($0) && !(keepingNewlines && $0 == "\n") }) else { return self }
        var result = String.UnicodeScalarView()
        for scalar in unicodeScalars {
            guard Self.steersTerminal(scalar), !(keepingNewlines && scalar == "\n") else {
                result.append(scalar)
                continue
            }
            let escape: String
            switch scalar {
            case "\u{1B}": escape = "\\e"
            case "\n": escape = "\\n"
            case "\r": escape = "\\r"
            case "\t": escape = "\\t"
            default: escape = "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            }
            result.append(contentsOf: escape.unicodeScalars)
        }
        return String(result)
    }

    static func steersTerminal(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0..<0x20, 0x7F...0x9F, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }
}
