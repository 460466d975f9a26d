import Foundation

/// An attempt's log file, created on the first byte of output (a task that prints nothing
/// leaves no file: creating thousands of empty files costs more than running the tasks).
struct LogFile {
    let path: String
    /// Where a log that cannot be written is told (once; the rest of it is not tried).
    let problems: RunFileProblems?
    let task: String
    private var fd: Int32 = -1
    private var failed = false

    init(path: String, task: String = "", problems: RunFileProblems? = nil) {
        self.path = path
        self.task = task
        self.problems = problems
    }

    mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        if fd < 0 && !failed {
            fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            if fd < 0 { fail(errno) }
        }
        guard fd >= 0 else { return }
        if !FileIO.writeAll(fd, bytes) {
            fail(errno)
            close()
        }
    }

    private mutating func fail(_ error: Int32) {
        failed = true
        problems?.failed(path, error: error, consequence: "task \(task)'s log is incomplete")
    }

    mutating func close() {
        if fd >= 0 { _ = Glibc.close(fd) }
        fd = -1
    }
}
