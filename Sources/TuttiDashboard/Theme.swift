import Foundation
import TuttiCore

/// A colour in a theme: the terminal's own, one of the 256 indexed colours, or RGB.
public enum ThemeColor: Sendable, Hashable {
    case terminalDefault
    case indexed(Int)
    case rgb(Int, Int, Int)

    static let names = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    /// Parses "default", "red", "bright-red", "208", "#ff8800".
    static func parse(_ text: String) -> ThemeColor? {
        let name = text.lowercased()
        if name == "default" { return .terminalDefault }
        if let index = names.firstIndex(of: name) { return .indexed(index) }
        if name.hasPrefix("bright-"), let index = names.firstIndex(of: String(name.dropFirst(7))) { return .indexed(index + 8) }
        if let number = Int(name), (0...255).contains(number) { return .indexed(number) }
        if name.hasPrefix("#"), name.count == 7, let value = Int(name.dropFirst(), radix: 16) {
            return .rgb(value >> 16 & 0xFF, value >> 8 & 0xFF, value & 0xFF)
        }
        return nil
    }

    /// The colour number to use on a terminal with `available` colours (8, 16, 256), or -1
    /// for the terminal's default.
    public func index(forTerminalWith available: Int) -> Int {
        switch self {
        case .terminalDefault: return -1
        case .indexed(let index):
            if index < available { return index }
            return Self.nearestBasic(to: Self.rgb(ofIndex: index), available: available)
        case .rgb(let r, let g, let b):
            if available >= 256 { return Self.cubeIndex(r, g, b) }
            return Self.nearestBasic(to: (r, g, b), available: available)
        }
    }

    static func cubeIndex(_ r: Int, _ g: Int, _ b: Int) -> Int {
        func level(_ value: Int) -> Int { value < 48 ? 0 : value < 115 ? 1 : (value - 35) / 40 }
        return 16 + 36 * level(r) + 6 * level(g) + level(b)
    }

    static let basic: [(Int, Int, Int)] = [(0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205),
                                           (0, 205, 205), (229, 229, 229), (127, 127, 127), (255, 0, 0), (0, 255, 0),
                                           (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255)]

    static func rgb(ofIndex index: Int) -> (Int, Int, Int) {
        if index < 16 { return basic[index] }
        if index < 232 {
            let cube = index - 16
            func value(_ level: Int) -> Int { level == 0 ? 0 : 55 + level * 40 }
            return (value(cube / 36), value(cube / 6 % 6), value(cube % 6))
        }
        let grey = 8 + (index - 232) * 10
        return (grey, grey, grey)
    }

    static func nearestBasic(to color: (Int, Int, Int), available: Int) -> Int {
        // Greys go to black, grey or white, never to a colour that happens to be as near.
        if color.0 == color.1, color.1 == color.2 {
            if available >= 16 { return color.0 < 64 ? 0 : color.0 < 160 ? 8 : color.0 < 240 ? 7 : 15 }
            return color.0 < 64 ? 0 : 7
        }
        let candidates = basic.prefix(available >= 16 ? 16 : 8).enumerated()
        let best = candidates.min { a, b in distance(a.element, color) < distance(b.element, color) }
        return best?.offset ?? 7
    }

    static func distance(_ a: (Int, Int, Int), _ b: (Int, Int, Int)) -> Int {
        (a.0 - b.0) * (a.0 - b.0) + (a.1 - b.1) * (a.1 - b.1) + (a.2 - b.2) * (a.2 - b.2)
    }
}

/// How one role looks.
public struct RoleStyle: Sendable, Hashable {
    public var foreground: ThemeColor
    public var background: ThemeColor
    public var bold: Bool

    public init(_ foreground: ThemeColor, on background: ThemeColor = .terminalDefault, bold: Bool = false) {
        self.foreground = foreground
        self.background = background
        self.bold = bold
    }
}

/// A theme: a style for each semantic role. Theme files list `role = colour [on colour] [bold]`;
/// roles they leave out keep the default (dark) theme's style; unknown roles are errors.
public struct Theme: Sendable, Hashable {
    public var name: String
    public var styles: [Role: RoleStyle]
    /// A theme with no colours at all (NO_COLOR, or the monochrome theme): attributes only.
    public var monochrome: Bool

    /// The default theme, for dark terminals; `themes/dark.theme` holds the same.
    public static let dark = Theme(name: "dark", styles: [
        .text: RoleStyle(.terminalDefault), .dim: RoleStyle(.indexed(8)), .title: RoleStyle(.indexed(6), bold: true),
        .border: RoleStyle(.indexed(4)), .selection: RoleStyle(.terminalDefault), .key: RoleStyle(.indexed(3), bold: true),
        .pending: RoleStyle(.indexed(8)), .running: RoleStyle(.indexed(6)), .paused: RoleStyle(.indexed(3), bold: true), .succeeded: RoleStyle(.indexed(2)),
        .failed: RoleStyle(.indexed(1), bold: true), .timedOut: RoleStyle(.indexed(5), bold: true),
        .cancelled: RoleStyle(.indexed(3)), .skipped: RoleStyle(.indexed(8)), .progressFill: RoleStyle(.indexed(2)),
        .progressEmpty: RoleStyle(.indexed(8)), .gatePass: RoleStyle(.indexed(2)), .gateFail: RoleStyle(.indexed(1), bold: true),
        .notice: RoleStyle(.terminalDefault),
    ], monochrome: false)

    /// Attributes only, no colours.
    public static let noColor = Theme(name: "monochrome", styles: dark.styles, monochrome: true)

    /// The style of `role`: this theme's, else the dark theme's, else the terminal's own.
    public func style(for role: Role) -> RoleStyle { styles[role] ?? Theme.dark.styles[role] ?? RoleStyle(.terminalDefault) }

    /// Reads a theme file; every problem names its line.
    public static func parse(_ text: String, file: String) throws(WorkflowLoadError) -> Theme {
        var theme = Theme(name: ((file as NSString).lastPathComponent as NSString).deletingPathExtension,
                          styles: dark.styles, monochrome: false)
        var problems: [Diagnostic] = []
        let roles = Role.allCases.map(\.rawValue)
        for (number, rawLine) in text.components(separatedBy: "\n").enumerated() {
            // A comment is a line starting with '#', or '# ...' after the value ("#rrggbb" is a colour).
            var line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#") { continue }
            if let comment = line.range(of: " # ") ?? (line.hasSuffix(" #") ? line.range(of: " #", options: .backwards) : nil) {
                line = String(line[..<comment.lowerBound])
            }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            let at = SourceLocation(file: file, line: number + 1, column: (rawLine.firstIndex { $0 != " " }?.utf16Offset(in: rawLine) ?? 0) + 1)
            if trimmed == "monochrome = true" || trimmed == "monochrome=true" {
                theme.monochrome = true
                continue
            }
            let parts = trimmed.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[1].isEmpty else {
                problems.append(Diagnostic("expected 'role = colour [on colour] [bold]'", at: at,
                                           hint: "for example: failed = red bold"))
                continue
            }
            guard let role = Role(rawValue: parts[0]) else {
                let hint = Suggestion.closest(to: parts[0], in: roles).map { "did you mean '\($0)'?" }
                    ?? "roles: \(roles.joined(separator: ", "))"
                problems.append(Diagnostic("unknown role '\(parts[0])'", at: at, hint: hint))
                continue
            }
            var words = parts[1].split(separator: " ").map(String.init)
            let bold = words.last == "bold"
            if bold { words.removeLast() }
            var background = ThemeColor.terminalDefault
            if words.count == 3, words[1] == "on" {
                guard let color = ThemeColor.parse(words[2]) else {
                    problems.append(Diagnostic("unknown colour '\(words[2])'", at: at, hint: colourHint))
                    continue
                }
                background = color
                words.removeLast(2)
            }
            guard words.count == 1, let foreground = ThemeColor.parse(words[0]) else {
                problems.append(Diagnostic("unknown colour '\(words.joined(separator: " "))'", at: at, hint: colourHint))
                continue
            }
            theme.styles[role] = RoleStyle(foreground, on: background, bold: bold)
        }
        if !problems.isEmpty { throw WorkflowLoadError(problems) }
        return theme
    }

    static let colourHint = "colours: default, black, red, green, yellow, blue, magenta, cyan, white, bright-<name>, 0-255, #rrggbb"

    /// Finds a theme by name (in the themes folders) or path, as `--theme` and TUTTI_THEME give it.
    public static func load(_ nameOrPath: String, searchDirectories: [String]) throws(WorkflowLoadError) -> Theme {
        let isPath = nameOrPath.contains("/") || nameOrPath.hasSuffix(".theme")
        let candidates = isPath ? [nameOrPath] : searchDirectories.map { "\($0)/\(nameOrPath).theme" }
        for path in candidates {
            if let text = try? String(contentsOfFile: path, encoding: .utf8) { return try parse(text, file: path) }
        }
        if nameOrPath == "dark" { return .dark }
        let known = searchDirectories.flatMap { directory in
            ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".theme") }
                .map { String($0.dropLast(6)) }
        }
        throw WorkflowLoadError([Diagnostic("no theme '\(nameOrPath)'", at: SourceLocation(file: nameOrPath, line: 1, column: 1),
                                            hint: known.isEmpty ? "give a path to a .theme file"
                                                : "themes: \(Set(known).sorted().joined(separator: ", ")), or a path")])
    }
}
