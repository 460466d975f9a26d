import Foundation

/// The symbols of headless output: emoji and box lines in a UTF-8 locale, ASCII otherwise.
public struct Glyphs: Sendable {
    public var start, done, failed, timedOut, cancelled, skipped, retry, pass, fail, warn, branch, lastBranch, times, arrow, control: String

    public static let unicode = Glyphs(start: "🚀", done: "✅", failed: "❌", timedOut: "⏱️", cancelled: "⛔", skipped: "⏭️",
                                       retry: "🔁", pass: "✅", fail: "❌", warn: "⚠️", branch: "├─", lastBranch: "└─", times: "×",
                                       arrow: "→", control: "🎛️")
    public static let ascii = Glyphs(start: "[start]", done: "[done]", failed: "[FAILED]", timedOut: "[TIMEOUT]",
                                     cancelled: "[cancelled]", skipped: "[skipped]", retry: "[retry]", pass: "[pass]",
                                     fail: "[FAIL]", warn: "[warn]", branch: "|-", lastBranch: "`-", times: "x", arrow: "->",
                                     control: "[control]")

    /// Unicode when LC_ALL / LC_CTYPE / LANG name UTF-8, ASCII otherwise.
    public static func forEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Glyphs {
        let locale = environment["LC_ALL"].flatMap { $0.isEmpty ? nil : $0 }
            ?? environment["LC_CTYPE"].flatMap { $0.isEmpty ? nil : $0 } ?? environment["LANG"] ?? ""
        let upper = locale.uppercased()
        return upper.contains("UTF-8") || upper.contains("UTF8") ? .unicode : .ascii
    }
}

/// Formats durations as the seed does: "11.8s" below a minute, "8m 34s", "1h 02m"; with an
/// empty `separator`, the dashboard's narrow "8m34s".
public enum DurationText {
    /// The duration as text.
    public static func format(_ seconds: Double, separator: String = " ") -> String {
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        let whole = Int(seconds.rounded())
        if whole < 3600 { return "\(whole / 60)m\(separator)\(String(format: "%02d", whole % 60))s" }
        return "\(whole / 3600)h\(separator)\(String(format: "%02d", whole / 60 % 60))m"
    }
}
