import Foundation

/// An attempt's log file, created on the first byte of output (a task that prints nothing
/// leaves no file: creating thousands of empty files costs more than running the tasks).
struct LogFile {
    let path: String
    private var fd: Int32 = -1
    private var failed = false

    init(path: String) { self.path = path }

    mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        if fd < 0 && !failed {
            fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            failed = fd < 0
        }
        guard fd >= 0 else { return }
        FileIO.writeAll(fd, bytes)
    }

    mutating func close() {
        if fd >= 0 { _ = Glibc.close(fd) }
        fd = -1
    }
}
