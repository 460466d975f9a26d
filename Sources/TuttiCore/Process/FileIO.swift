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
