import TuttiDashboard

/// The built-in dark palette: a colour for each role, degrading to 8 colours.
enum Palette {
    // Colour numbers of the 8- and 16-colour sets; -1 is the terminal's own.
    static let black = 0, red = 1, green = 2, yellow = 3, blue = 4, magenta = 5, cyan = 6, white = 7, brightBlack = 8
    static let terminalDefault = -1

    static func pair(for role: Role) -> Int { (Role.allCases.firstIndex(of: role) ?? 0) + 1 }

    static func colors(for role: Role, available: Int) -> (foreground: Int, background: Int) {
        let grey = available >= 16 ? brightBlack : white
        switch role {
        case .text, .notice, .selection: return (terminalDefault, terminalDefault)
        case .dim, .pending, .progressEmpty, .skipped: return (grey, terminalDefault)
        case .title: return (cyan, terminalDefault)
        case .border: return (blue, terminalDefault)
        case .key: return (yellow, terminalDefault)
        case .running: return (cyan, terminalDefault)
        case .succeeded, .gatePass, .progressFill: return (green, terminalDefault)
        case .failed, .gateFail: return (red, terminalDefault)
        case .timedOut: return (magenta, terminalDefault)
        case .cancelled: return (yellow, terminalDefault)
        }
    }

    static func isBold(_ role: Role) -> Bool { role == .title || role == .key }
}
