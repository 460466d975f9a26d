/// What a cell means, not how it looks: themes map roles to colours.
public enum Role: String, Sendable, Hashable, CaseIterable {
    case text, dim, title, border, selection, key
    case pending, running, paused, succeeded, failed, timedOut = "timed_out", cancelled, skipped
    case progressFill = "progress_fill", progressEmpty = "progress_empty"
    case gatePass = "gate_pass", gateFail = "gate_fail", notice
}

/// A cell's look: its role plus emphasis.
public struct CellStyle: Sendable, Hashable {
    public var role: Role
    public var bold: Bool
    public var reverse: Bool

    public init(_ role: Role = .text, bold: Bool = false, reverse: Bool = false) {
        self.role = role
        self.bold = bold
        self.reverse = reverse
    }
}

/// One character position on screen.
public struct Cell: Sendable, Hashable {
    public var character: Character
    public var style: CellStyle

    public static let blank = Cell(character: " ", style: CellStyle())
}

/// An in-memory screen: widgets draw here; the terminal backend copies changed cells out;
/// tests compare its text with golden files.
public struct ScreenGrid: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { cells[y * width + x] = newValue }
    }

    /// Writes text from (x, y), clipped at `limit` columns and at the right edge; returns the
    /// column after the last character written. Text is made `terminalSafe` here, once for
    /// everything drawn, so output a task prints can never shift the screen.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, style: CellStyle = CellStyle(), limit: Int? = nil) -> Int {
        guard y >= 0, y < height else { return x }
        var column = x
        let end = min(width, limit.map { x + $0 } ?? width)
        let plain = text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
        for character in plain ? text : text.terminalSafe {
            if column >= end { break }
            if column >= 0 { self[column, y] = Cell(character: character, style: style) }
            column += 1
        }
        return column
    }

    /// Fills a rectangle with one character.
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, character: Character = " ",
                              style: CellStyle = CellStyle()) {
        for row in max(0, y)..<min(height, y + h) {
            for column in max(0, x)..<min(width, x + w) { self[column, row] = Cell(character: character, style: style) }
        }
    }

    /// The screen as lines of text, trailing spaces removed: what golden files hold.
    public var text: String {
        (0..<height).map { row in
            var line = String((0..<width).map { self[$0, row].character })
            while line.last == " " { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }

    /// Positions whose cell differs from `other` (a grid of the same size).
    public func changes(from other: ScreenGrid?) -> [(x: Int, y: Int)] {
        guard let other, other.width == width, other.height == height else {
            return (0..<height).flatMap { y in (0..<width).map { (x: $0, y: y) } }
        }
        var changed: [(x: Int, y: Int)] = []
        for index in cells.indices where cells[index] != other.cells[index] {
            changed.append((x: index % width, y: index / width))
        }
        return changed
    }
}
