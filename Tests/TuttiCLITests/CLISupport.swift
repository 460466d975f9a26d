import Foundation
import Testing
@_exported import TuttiTestSupport

/// What a finished `tutti` process printed and returned.
struct CommandResult {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// A running `tutti` process. (Used by one test at a time; `finished()` hands it to a thread.)
final class TuttiProcess: @unchecked Sendable {
    let process = Process()
    private let out = Pipe()
    private let err = Pipe()

    /// Starts `tutti`; with `closeStdout`, the reading end of its stdout is closed at once,
    /// as when its output is piped into a program that exits early.
    /// `asAnotherUser` runs it as the user nobody when the tests run as root (through
    /// setpriv(1)); otherwise as this user.
    /// With `shell`, the arguments are one script that /bin/sh runs (which may exec `tutti`).
    init(_ arguments: [String], in directory: String, closeStdout: Bool = false, asAnotherUser: Bool = false,
         shell: Bool = false) throws {
        if shell {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c"] + arguments
        } else if asAnotherUser && getuid() == 0 {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", tuttiBinary] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: tuttiBinary)
            process.arguments = arguments
        }
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var environment = ProcessInfo.processInfo.environment
        environment["LANG"] = "C.UTF-8"
        process.environment = environment
        process.standardOutput = out
        process.standardError = err
        try process.run()
        if closeStdout { try out.fileHandleForReading.close() }
    }

    /// Waits for the process to end and collects its output (both pipes at once, so a
    /// process that fills one while the other is read cannot block).
    func finish() -> CommandResult {
        let errReader = err.fileHandleForReading
        let stderrData = ThreadResult<Data>()
        let thread = Thread { stderrData.set(errReader.readDataToEndOfFile()) }
        thread.start()
        let stdout = (try? out.fileHandleForReading.readToEnd()) ?? nil ?? Data()
        let stderr = stderrData.wait()
        process.waitUntilExit()
        return CommandResult(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                             stderr: String(decoding: stderr, as: UTF8.self))
    }
}

/// Runs `tutti` with arguments in a folder and waits for it, off Swift's shared threads.
func tutti(_ arguments: [String], in directory: String = repositoryRoot) async throws -> CommandResult {
    try await offThePool { try TuttiProcess(arguments, in: directory).finish() }
}

extension TuttiProcess {
    /// `finish()`, waited for off Swift's shared threads.
    func finished() async -> CommandResult {
        (try? await offThePool { self.finish() }) ?? CommandResult(status: -1, stdout: "", stderr: "")
    }
}

/// A value handed from one thread to another once.
final class ThreadResult<Value: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var value: Value?

    func set(_ newValue: Value) {
        condition.lock()
        value = newValue
        condition.signal()
        condition.unlock()
    }

    func wait() -> Value {
        condition.lock()
        defer { condition.unlock() }
        while value == nil { condition.wait() }
        return value!
    }
}

/// A client end of a Unix socket, for tests that talk to a control socket directly.
enum UnixSocket {
    /// Connects; with `receiveBuffer`, asks for a small receive buffer first (a client that
    /// reads nothing then fills up at once).
    static func connect(_ path: String, receiveBuffer: Int32? = nil) -> Int32? {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        if var size = receiveBuffer { setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size)) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            return nil
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            return nil
        }
        return fd
    }

    /// Sends the whole text; false when the other end has gone.
    @discardableResult
    static func send(_ fd: Int32, _ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) == $0.count }
    }
}
