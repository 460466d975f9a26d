import Foundation

/// A scratch folder for one test, removed when the value is dropped.
public final class Scratch: Sendable {
    public let path: String

    public init() {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("tutti-test-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// The path of a file in the folder.
    public func file(_ name: String) -> String { path + "/" + name }

    /// A file's text, if it exists.
    public func read(_ name: String) -> String? { try? String(contentsOfFile: file(name), encoding: .utf8) }

    /// Writes a file (and the folders it is in) and returns its path.
    @discardableResult
    public func write(_ name: String, _ text: String) -> String {
        try? FileManager.default.createDirectory(atPath: (file(name) as NSString).deletingLastPathComponent,
                                                 withIntermediateDirectories: true)
        try? text.write(toFile: file(name), atomically: true, encoding: .utf8)
        return file(name)
    }

    /// The process id a task wrote into a file (`echo $$ > name`), once it has.
    public func pid(_ name: String) -> Int32? {
        read(name).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
}

/// The `tutti` binary built beside the test bundle.
public let tuttiBinary: String = {
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
public let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// Whether a process is gone (or only a zombie waiting to be reaped by someone else).
public func processIsGone(_ pid: Int32) -> Bool {
    guard let state = processState(pid) else { return true }
    return state == "Z" || state == "X"
}

/// A process's state letter in /proc ("S", "R", "T" stopped...), nil when it is gone.
public func processState(_ pid: Int32) -> Character? {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return nil }
    return stat[stat.index(close, offsetBy: 2)]
}

/// Polls a condition of the system (a process gone, a screen showing text) until it holds;
/// false after `limit` seconds.
public func eventually(limit: Double = 20, _ condition: () -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + .seconds(limit)
    while clock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}

/// Runs blocking work (waiting for a child process) on a thread of its own and waits for it
/// without holding one of Swift's few shared threads, which other tests need meanwhile.
public func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}

/// The states ("T" stopped, "S" sleeping, "D" waiting...) of the live processes of a
/// process group, read from /proc.
public func processGroupStates(_ group: Int32) -> [Character] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { entry -> Character? in
        guard Int32(entry) != nil, let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        // After the command name: state, parent, process group.
        let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
        guard fields.count > 2, Int32(fields[2]) == group, let state = fields[0].first, state != "Z", state != "X" else { return nil }
        return state
    }
}

/// Whether a process group is stopped: SIGSTOP reached it. A shell waiting for a stopped
/// child it has just forked (vfork) shows "D" meanwhile; it makes no progress either.
public func processGroupIsStopped(_ group: Int32) -> Bool {
    let states = processGroupStates(group)
    return states.contains("T") && states.allSatisfy { $0 == "T" || $0 == "D" }
}
