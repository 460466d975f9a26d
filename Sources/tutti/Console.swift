import Foundation
import TuttiCore

/// Writes whole lines to stdout or stderr, unbuffered, safe from any thread. A closed
/// reader (`tutti run | head`) is not an error: the run goes on and its files stay complete.
/// Control characters are written out visibly (`\e`, `\r`...): text from a workflow, an agent
/// or a client never steers the terminal.
enum Console {
    static func out(_ line: String) { write(line + "\n", to: STDOUT_FILENO) }

    static func err(_ line: String) { write(line + "\n", to: STDERR_FILENO) }

    private static func write(_ text: String, to fd: Int32) {
        FileIO.writeAll(fd, Array(text.escapingControls(keepingNewlines: true).utf8))
    }
}
