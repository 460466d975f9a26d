import TuttiDashboard

/// What the dashboard's loop needs of a terminal: its size, a frame painted, the keys typed
/// (with a descriptor that poll(2) reports readable when there are some), and the terminal
/// given back. `TerminalScreen` is the real one (ncurses); tests drive the loop with one in
/// memory.
public protocol TerminalBackend: AnyObject {
    /// Columns and rows now.
    func size() -> (width: Int, height: Int)
    /// Paints a frame.
    func paint(_ grid: ScreenGrid)
    /// The keys typed since the last call.
    func readKeys() -> [KeyInput]
    /// Readable when keys are waiting; hang-up or error when the terminal has gone.
    var inputDescriptor: Int32 { get }
    /// Gives the terminal back as it was.
    func restore()
    /// Hands the terminal to `body` (an editor), then takes it back; the next frame is
    /// painted whole.
    func suspend(while body: () -> Void)
}
