import Foundation

extension NSRegularExpression {
    /// A pattern known to be valid (the agents' own): compiled once, at first use.
    static func known(_ pattern: String, options: NSRegularExpression.Options = []) -> NSRegularExpression {
        try! NSRegularExpression(pattern: pattern, options: options)
    }

    /// The capture groups of the first match in `text`, a group that took no part as nil;
    /// nil when nothing matches.
    func captures(in text: String) -> [String?]? {
        guard let match = firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else { return nil }
        return (1..<match.numberOfRanges).map { Range(match.range(at: $0), in: text).map { String(text[$0]) } }
    }

    /// The capture groups of the first match in `text`, a group that took no part as "".
    func groups(in text: String) -> [String]? { captures(in: text)?.map { $0 ?? "" } }

    /// Whether the pattern matches anywhere in `text`.
    func matches(_ text: String) -> Bool { firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil }
}
