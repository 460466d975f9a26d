import Foundation
import Testing
import TuttiTestSupport
@testable import TuttiCore

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
/// `onStart` is called with the engine just before it runs, on the test's own task (a test
/// that must act quickly starts a thread of its own there: the shared pool can be busy).
func runWorkflow(_ yaml: String, in scratch: Scratch, options: (inout RunOptions) -> Void = { _ in },
                 onStart: (RunEngine) -> Void = { _ in },
                 whileRunning: (@Sendable (RunEngine, AsyncStream<RunEvent>) async -> Void)? = nil) async throws -> EngineRun {
    let workflow = try WorkflowLoader.parse(yaml: yaml, file: "test.yaml", baseDirectory: scratch.path)
    var runOptions = RunOptions(runsDirectory: scratch.file("runs"), agentExecutable: tuttiBinary, killGrace: 0.5)
    options(&runOptions)
    let engine = try RunEngine(workflow: workflow, options: runOptions)
    let stream = engine.bus.subscribe()
    let collector = Task { await stream.reduce(into: [RunEvent]()) { $0.append($1) } }
    let observer: Task<Void, Never>? = whileRunning.map { body in
        let watch = engine.bus.subscribe()
        return Task { await body(engine, watch) }
    }
    onStart(engine)
    let report = await engine.run()
    await observer?.value
    return EngineRun(report: report, events: await collector.value, directory: engine.directory)
}
