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
