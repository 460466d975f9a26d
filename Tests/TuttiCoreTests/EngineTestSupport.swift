import Foundation
import Testing
@testable import TuttiCore

/// A scratch folder for one test, removed when the value is dropped.
final class ScratchDirectory {
    let path: String

    init() {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("tutti-test-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { path + "/" + name }

    func read(_ name: String) -> String? { try? String(contentsOfFile: file(name), encoding: .utf8) }
}

/// A finished engine run: its report, every event it published, and where its files are.
struct EngineRun {
    let report: RunReport
    let events: [RunEvent]
    let directory: RunDirectory

    func events(for task: String) -> [EventKind] { events.map(\.kind).filter { $0.taskID == task } }

    func firstSeq(_ task: String, where match: (EventKind) -> Bool) -> Int? {
        events.first { $0.kind.taskID == task && match($0.kind) }?.seq
    }
}

/// Runs workflow YAML through the real engine with real processes.
func runWorkflow(_ yaml: String, in scratch: ScratchDirectory, options: (inout RunOptions) -> Void = { _ in },
                 whileRunning: (@Sendable (RunEngine, AsyncStream<RunEvent>) async -> Void)? = nil) async throws -> EngineRun {
    let workflow = try WorkflowLoader.parse(yaml: yaml, file: "test.yaml", baseDirectory: scratch.path)
    var runOptions = RunOptions(runsDirectory: scratch.file("runs"), agentExecutable: tuttiExecutable, killGrace: 0.5)
    options(&runOptions)
    let engine = try RunEngine(workflow: workflow, options: runOptions)
    let stream = engine.bus.subscribe()
    let collector = Task { await stream.reduce(into: [RunEvent]()) { $0.append($1) } }
    let observer: Task<Void, Never>? = whileRunning.map { body in
        let watch = engine.bus.subscribe()
        return Task { await body(engine, watch) }
    }
    let report = await engine.run()
    await observer?.value
    return EngineRun(report: report, events: await collector.value, directory: engine.directory)
}

/// The `tutti` binary built beside the test bundle.
let tuttiExecutable: String = {
    let bundle = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        ?? CommandLine.arguments[0])
    var directory = bundle.deletingLastPathComponent()
    while directory.path != "/" {
        let candidate = directory.appendingPathComponent("tutti").path
        if FileManager.default.isExecutableFile(atPath: candidate), !candidate.hasSuffix(".xctest") { return candidate }
        directory = directory.deletingLastPathComponent()
    }
    return "tutti"
}()

/// Whether a process is gone (or only a zombie waiting to be reaped by someone else).
func processIsGone(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
    guard let close = stat.lastIndex(of: ")") else { return true }
    let state = stat[stat.index(close, offsetBy: 2)]
    return state == "Z" || state == "X"
}

/// Waits for a condition by polling the system (for processes reparented to init, which
/// reaps them on its own schedule). Gives up after `limit` seconds.
func eventually(limit: Double = 10, _ condition: () -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + .seconds(limit)
    while clock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}
