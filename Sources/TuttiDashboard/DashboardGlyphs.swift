import TuttiCore

/// The dashboard's symbols: box drawing and blocks in a UTF-8 locale, ASCII otherwise.
public struct DashboardGlyphs: Sendable {
    public var fill: Character
    public var empty: Character
    /// Partial blocks for an eighth, a quarter... of a cell (unicode only).
    public var partial: [Character]
    public var horizontal: Character
    public var vertical: Character
    public var corners: (Character, Character, Character, Character)
    public var separator: String
    public var status: [TaskStatus: Character]
    /// A task whose process succeeded but that failed a gate.
    public var failedGates: Character
    public var up, down, left, right, enter: String
    /// Stands for "nothing yet" and joins ranges.
    public var dash: String
    public var arrow: String
    public var times: String
    /// A tick on the timeline's axis.
    public var tick: Character

    public static let unicode = DashboardGlyphs(
        fill: "█", empty: "░", partial: ["▏", "▎", "▍", "▌", "▋", "▊", "▉"], horizontal: "─", vertical: "│",
        corners: ("┌", "┐", "└", "┘"), separator: " · ",
        status: [.pending: "○", .running: "●", .paused: "‖", .succeeded: "✓", .failed: "✗", .timedOut: "✗", .cancelled: "■", .skipped: "»"],
        failedGates: "!",
        up: "↑", down: "↓", left: "←", right: "→", enter: "⏎", dash: "–", arrow: "→", times: "×", tick: "┴")

    public static let ascii = DashboardGlyphs(
        fill: "#", empty: "-", partial: [], horizontal: "-", vertical: "|", corners: ("+", "+", "+", "+"), separator: " | ",
        status: [.pending: ".", .running: ">", .paused: "=", .succeeded: "+", .failed: "x", .timedOut: "T", .cancelled: "#", .skipped: "-"],
        failedGates: "!",
        up: "^", down: "v", left: "<", right: ">", enter: "Enter", dash: "-", arrow: "->", times: "x", tick: "+")

}

extension TaskState {
    /// The role the task is drawn with: its status's, or the failed gates' once its process
    /// succeeded but a gate failed.
    var role: Role { failedGates ? .gateFail : status.role }

    /// Its glyph in the task list.
    func glyph(_ glyphs: DashboardGlyphs) -> Character { failedGates ? glyphs.failedGates : glyphs.status[status] ?? " " }
}

extension TaskStatus {
    /// The role a task in this state is drawn with.
    var role: Role {
        switch self {
        case .pending: return .pending
        case .running: return .running
        case .paused: return .paused
        case .succeeded: return .succeeded
        case .failed: return .failed
        case .timedOut: return .timedOut
        case .cancelled: return .cancelled
        case .skipped: return .skipped
        }
    }
}

/// Short times for table cells: "9.8s", "8m34s", "1h02m"; and the header's clock.
enum ShortTime {
    static func format(_ seconds: Double) -> String { DurationText.format(seconds, separator: "") }

    /// "0:15", "12:03", "1:02:03": the header's clock.
    static func clock(_ seconds: Double) -> String {
        let whole = Int(seconds)
        if whole < 3600 { return "\(whole / 60):\(String(format: "%02d", whole % 60))" }
        return "\(whole / 3600):\(String(format: "%02d", whole / 60 % 60)):\(String(format: "%02d", whole % 60))"
    }
}
