import CTuttiSystem
import Foundation

/// Small POSIX I/O helpers shared by the recorder, logs, result files and the console.
public enum FileIO {
    /// Writes every byte to `fd`, retrying after EINTR and short writes; false on an error
    /// (a closed pipe, a full disk), which the callers treat as "nothing more to do".
    @discardableResult
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0, errno == EINTR { continue }
            if written <= 0 { return false }
            offset += written
        }
        return true
    }

    /// `writeAll` for an array or Data.
    @discardableResult
    public static func writeAll<Bytes: ContiguousBytes>(_ fd: Int32, _ bytes: Bytes) -> Bool {
        bytes.withUnsafeBytes { writeAll(fd, $0) }
    }
}

/// A pipe that wakes a thread sleeping in poll(2): `wake()` from any thread makes
/// `readFD` readable; `drain()` empties it. Both ends non-blocking and close-on-exec.
public final class WakePipe: Sendable {
    public let readFD: Int32
    private let writeFD: Int32

    public init() {
        var fds: [Int32] = [-1, -1]
        _ = tutti_pipe_cloexec(&fds)
        readFD = fds[0]
        writeFD = fds[1]
        _ = tutti_set_nonblocking(readFD)
        _ = tutti_set_nonblocking(writeFD)
    }

    deinit {
        close(readFD)
        close(writeFD)
    }

    /// Makes `readFD` readable.
    public func wake() {
        var byte: UInt8 = 1
        _ = write(writeFD, &byte, 1)
    }

    /// Empties the pipe after a wake.
    public func drain() {
        var sink = [UInt8](repeating: 0, count: 64)
        while read(readFD, &sink, sink.count) > 0 {}
    }
}
