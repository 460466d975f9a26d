import Foundation

/// The symbols of headless output: emoji and box lines in a UTF-8 locale, ASCII otherwise.
public struct Glyphs: Sendable {
    public var start, done, failed, timedOut, cancelled, skipped, retry, pass, fail, branch, lastBranch, times, arrow: String

    public static let unicode = Glyphs(start: "🚀", done: "✅", failed: "❌", timedOut: "⏱️", cancelled: "⛔", skipped: "⏭️",
                                       retry: "🔁", pass: "✅", fail: "❌", branch: "├─", lastBranch: "└─", times: "×",
                                       arrow: "→")
    public static let ascii = Glyphs(start: "[start]", done: "[done]", failed: "[FAILED]", timedOut: "[TIMEOUT]",
                                     cancelled: "[cancelled]", skipped: "[skipped]", retry: "[retry]", pass: "[pass]",
                                     fail: "[FAIL]", branch: "|-", lastBranch: "`-", times: "x", arrow: "->")

    /// Unicode when LC_ALL / LC_CTYPE / LANG name UTF-8, ASCII otherwise.
    public static func forEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Glyphs {
        let locale = environment["LC_ALL"].flatMap { $0.isEmpty ? nil : $0 }
            ?? environment["LC_CTYPE"].flatMap { $0.isEmpty ? nil : $0 } ?? environment["LANG"] ?? ""
        let upper = locale.uppercased()
        return upper.contains("UTF-8") || upper.contains("UTF8") ? .unicode : .ascii
    }
}

/// Formats durations as the seed does: "8m 34s" from a minute on, "11.8s" below.
public enum DurationText {
    public static func format(_ seconds: Double) -> String {
        Duration.milliseconds(Int64((seconds * 1000).rounded())).formattedShort
    }
}
