import Foundation

/// Writes whole lines to stdout or stderr, unbuffered, safe from any thread. A closed
/// reader (`tutti run | head`) is not an error: the run goes on and its files stay complete.
enum Console {
    static func out(_ line: String) { write(line + "\n", to: STDOUT_FILENO) }

    static func err(_ line: String) { write(line + "\n", to: STDERR_FILENO) }

    /// Whether stdout is a terminal.
    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    private static func write(_ text: String, to fd: Int32) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += written
        }
    }
}
