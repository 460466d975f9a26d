import CNCurses
import CTuttiSystem
import Foundation
import TuttiDashboard

/// The ncurses terminal: puts it in raw mode, paints changed cells of a grid, reads keys,
/// and restores it. The only type that touches ncurses; use it from one thread.
public final class TerminalScreen: TerminalBackend {
    private var previous: ScreenGrid?
    private var active = false
    private let colors: Bool
    private let theme: Theme

    /// Takes over the terminal, drawing with `theme` (attributes only when it is monochrome
    /// or the terminal has no colours).
    public convenience init(theme: Theme) {
        self.init(theme: theme, terminal: nil)
    }

    /// Draws on another terminal than the process's own: `output` and `input` are a pty's
    /// streams, as the benchmark uses to count the bytes a frame writes.
    public convenience init(theme: Theme, output: UnsafeMutablePointer<FILE>, input: UnsafeMutablePointer<FILE>) {
        self.init(theme: theme, terminal: (output, input))
    }

    private var screenHandle: OpaquePointer?

    private init(theme: Theme, terminal: (UnsafeMutablePointer<FILE>, UnsafeMutablePointer<FILE>)?) {
        self.theme = theme
        tutti_set_locale()
        tutti_short_escape_delay()
        if let (output, input) = terminal {
            screenHandle = newterm("xterm-256color", output, input)
            set_term(screenHandle)
        } else {
            initscr()
        }
        raw()
        noecho()
        nonl()
        keypad(tutti_stdscr(), true)
        nodelay(tutti_stdscr(), true)
        curs_set(0)
        active = true
        // Whatever path ends the process (exit() from anywhere), the terminal comes back.
        atexit { tutti_restore_terminal() }
        tutti_on_crash { tutti_restore_terminal() }
        var colors = false
        if !theme.monochrome, has_colors() {
            start_color()
            use_default_colors()
            colors = true
            let available = Int(tutti_colors())
            for role in Role.allCases {
                let style = theme.style(for: role)
                init_pair(Int16(Self.pair(for: role)), Int16(style.foreground.index(forTerminalWith: available)),
                          Int16(style.background.index(forTerminalWith: available)))
            }
        }
        self.colors = colors
    }

    deinit { restore() }

    /// Gives the terminal back as it was: cooked mode, echo, cursor, normal screen.
    public func restore() {
        guard active else { return }
        active = false
        curs_set(1)
        endwin()
        if let screenHandle { delscreen(screenHandle) }
        screenHandle = nil
    }

    /// The terminal's size now (rows and columns), following resizes.
    public func size() -> (width: Int, height: Int) {
        var window = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &window) == 0, window.ws_col > 0, window.ws_row > 0 {
            if Int(window.ws_col) != Int(tutti_cols()) || Int(window.ws_row) != Int(tutti_lines()) {
                resizeterm(Int32(window.ws_row), Int32(window.ws_col))
                previous = nil
            }
            return (Int(window.ws_col), Int(window.ws_row))
        }
        return (Int(tutti_cols()), Int(tutti_lines()))
    }

    /// Paints the cells that changed since the last frame; returns how many it wrote.
    @discardableResult
    public func draw(_ grid: ScreenGrid) -> Int {
        let changed = grid.changes(from: previous)
        if previous == nil || previous?.width != grid.width || previous?.height != grid.height { erase() }
        for position in changed {
            let cell = grid[position.x, position.y]
            attrset(attributes(for: cell.style))
            // The bottom-right cell cannot be written without scrolling on some terminals.
            if position.x == grid.width - 1, position.y == grid.height - 1 { continue }
            mvaddstr(Int32(position.y), Int32(position.x), String(cell.character))
        }
        attrset(0)
        refresh()
        previous = grid
        return changed.count
    }

    /// Leaves curses mode for `body` (a program that uses the terminal), then comes back and
    /// forgets what the screen showed, so the next frame repaints every cell.
    public func suspend(while body: () -> Void) {
        guard active else { return body() }
        def_prog_mode()
        endwin()
        body()
        reset_prog_mode()
        clearok(tutti_stdscr(), true)
        refresh()
        previous = nil
    }

    /// Paints a frame (the cells that changed).
    public func paint(_ grid: ScreenGrid) { draw(grid) }

    /// The terminal's input: stdin.
    public var inputDescriptor: Int32 { STDIN_FILENO }

    /// Keys waiting on stdin, decoded; `.resize` never appears here (sizes are polled).
    public func readKeys() -> [KeyInput] {
        var keys: [KeyInput] = []
        var character: wint_t = 0
        while true {
            let result = wget_wch(tutti_stdscr(), &character)
            if result == ERR { break }
            if result == KEY_CODE_YES {
                switch Int32(character) {
                case KEY_UP: keys.append(.up)
                case KEY_DOWN: keys.append(.down)
                case KEY_LEFT: keys.append(.left)
                case KEY_RIGHT: keys.append(.right)
                case KEY_PPAGE: keys.append(.pageUp)
                case KEY_NPAGE: keys.append(.pageDown)
                case KEY_HOME: keys.append(.home)
                case KEY_END: keys.append(.end)
                case KEY_ENTER: keys.append(.enter)
                case KEY_BACKSPACE: keys.append(.character("\u{7f}"))
                default: break
                }
                continue
            }
            switch character {
            case 3: keys.append(.interrupt)
            case 9: keys.append(.tab)
            case 10, 13: keys.append(.enter)
            case 27: keys.append(.escape)
            default:
                if let scalar = Unicode.Scalar(UInt32(character)) { keys.append(.character(Character(scalar))) }
            }
        }
        return keys
    }

    private func attributes(for style: CellStyle) -> Int32 {
        var attributes: UInt32 = 0
        if colors { attributes |= UInt32(tutti_color_pair(Int32(Self.pair(for: style.role)))) }
        if style.bold || theme.style(for: style.role).bold { attributes |= UInt32(NCURSES_BITS(1, 13)) }
        if style.reverse { attributes |= UInt32(NCURSES_BITS(1, 10)) }
        if !colors, style.role == .dim || style.role == .pending || style.role == .progressEmpty {
            attributes |= UInt32(NCURSES_BITS(1, 12))
        }
        return Int32(bitPattern: attributes)
    }

    /// Each role has its own colour pair.
    static func pair(for role: Role) -> Int { (Role.allCases.firstIndex(of: role) ?? 0) + 1 }

    private func NCURSES_BITS(_ mask: UInt32, _ shift: UInt32) -> UInt32 { mask << (shift + 8) }
}
