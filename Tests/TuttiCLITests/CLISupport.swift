import Foundation
import Testing

/// The `tutti` binary built beside the test bundle.
let tuttiBinary: String = {
    let bundle = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        ?? CommandLine.arguments[0])
    var directory = bundle.deletingLastPathComponent()
    while directory.path != "/" {
        let candidate = directory.appendingPathComponent("tutti").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        directory = directory.deletingLastPathComponent()
    }
    return "tutti"
}()

/// The repository's root folder.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// A scratch folder for one test, removed afterwards.
final class Scratch {
    let path: String

    init() {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("tutti-cli-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    @discardableResult
    func write(_ name: String, _ text: String) -> String {
        let file = path + "/" + name
        try? text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }
}

/// What a finished `tutti` process printed and returned.
struct CommandResult {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// A running `tutti` process.
final class TuttiProcess {
    let process = Process()
    private let out = Pipe()
    private let err = Pipe()

    /// Starts `tutti`; with `closeStdout`, the reading end of its stdout is closed at once,
    /// as when its output is piped into a program that exits early.
    init(_ arguments: [String], in directory: String, closeStdout: Bool = false) throws {
        process.executableURL = URL(fileURLWithPath: tuttiBinary)
        process.arguments = arguments
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

/// Runs `tutti` with arguments in a folder and waits for it.
func tutti(_ arguments: [String], in directory: String = repositoryRoot) throws -> CommandResult {
    try TuttiProcess(arguments, in: directory).finish()
}

/// Polls a condition until it holds or `limit` seconds pass.
func eventually(limit: Double = 20, _ condition: () -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + .seconds(limit)
    while clock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
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
