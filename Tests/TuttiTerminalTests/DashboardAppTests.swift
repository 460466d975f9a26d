import Foundation
import Synchronization
import Testing
import TuttiCore
import TuttiDashboard
import TuttiTestSupport
@testable import TuttiTerminal

/// A terminal in memory: frames kept as text, keys typed by the test (a pipe makes them
/// readable to poll(2), as stdin is).
final class MemoryTerminal: TerminalBackend, @unchecked Sendable {
    private let state = Mutex<(frames: [String], keys: [KeyInput], restored: Bool)>(([], [], false))
    private let pipe: [Int32]
    let width: Int, height: Int

    init(width: Int = 100, height: Int = 30) {
        var fds: [Int32] = [-1, -1]
        _ = Glibc.pipe(&fds)
        _ = fcntl(fds[0], F_SETFL, O_NONBLOCK)
        pipe = fds
        self.width = width
        self.height = height
    }

    deinit {
        close(pipe[0])
        close(pipe[1])
    }

    func size() -> (width: Int, height: Int) { (width, height) }
    func paint(_ grid: ScreenGrid) { state.withLock { $0.frames.append(grid.text) } }
    var inputDescriptor: Int32 { pipe[0] }
    func restore() { state.withLock { $0.restored = true } }
    func suspend(while body: () -> Void) {
        state.withLock { $0.frames.append("(suspended)") }
        body()
    }

    func readKeys() -> [KeyInput] {
        var byte: UInt8 = 0
        while read(pipe[0], &byte, 1) == 1 {}
        return state.withLock { state in
            defer { state.keys.removeAll() }
            return state.keys
        }
    }

    /// Types keys, as a person would.
    func type(_ keys: KeyInput...) {
        state.withLock { $0.keys += keys }
        var byte: UInt8 = 1
        _ = write(pipe[1], &byte, 1)
    }

    var lastFrame: String { state.withLock { $0.frames.last ?? "" } }
    var restored: Bool { state.withLock { $0.restored } }

    /// Waits, up to thirty seconds, for a frame that `matches`.
    func waitForFrame(_ matches: (String) -> Bool) async -> Bool {
        await waitUntil { matches(lastFrame) }
    }
}

/// The dashboard's loop, driven as a person would drive it, on a terminal in memory: events
/// posted from another thread reach the screen, keys act, and the terminal is given back.
@Suite struct DashboardAppTests {
    static let started = RunStarted(runID: "r-1", workflow: "loop", parallelism: 2, mode: "parallel", pollingInterval: 1,
                                    tasks: [AnnouncedTask(id: "1", name: "Build", agent: "sh", dependsOn: [], gates: 0, maxAttempts: 1),
                                            AnnouncedTask(id: "2", name: "Test", agent: "sh", dependsOn: [], gates: 0, maxAttempts: 1)])

    @Test func eventsReachTheScreenKeysActAndQuitGivesTheTerminalBack() async throws {
        let terminal = MemoryTerminal()
        let app = DashboardApp(glyphs: .ascii, theme: .dark)
        let performed = Mutex<[ControlAction]>([])
        let start = ContinuousClock.now
        // The loop blocks in poll(2): on a thread of its own, as the program runs it.
        let loop = Task {
            await app.show(clock: { EventBus.seconds(ContinuousClock.now - start) },
                           perform: { action in performed.withLock { $0.append(action) } }, terminal: terminal)
        }
        app.post(RunEvent(seq: 1, time: 0, kind: .runStarted(Self.started)))
        app.post(RunEvent(seq: 2, time: 0.1, kind: .taskStarted(TaskStarted(task: "1", attempt: 1, pid: 42, command: ["make"]))))
        app.post(RunEvent(seq: 3, time: 0.2, kind: .taskProgress(TaskProgress(task: "1", percent: 40))))
        #expect(await terminal.waitForFrame { $0.contains("loop") && $0.contains("Build") && $0.contains("40%") })

        terminal.type(.character("p"))
        #expect(await waitUntil { performed.withLock { $0 } == [ControlAction(.pause, task: "1")] }, "p pauses the selected task")
        terminal.type(.character("x"))
        #expect(await terminal.waitForFrame { $0.contains("Cancel task 1?") })
        terminal.type(.character("y"))
        #expect(await waitUntil { performed.withLock { $0 }.last == ControlAction(.cancel, task: "1") }, "a yes cancels it")

        terminal.type(.character("q"))
        #expect(await terminal.waitForFrame { $0.contains("Stop the run?") }, "q asks first while the run goes on")
        app.leave()
        await loop.value
        #expect(terminal.restored)
    }

    @Test func aFinishedRunLeavesWhenAskedToExitWhenDone() async throws {
        let terminal = MemoryTerminal()
        let app = DashboardApp(glyphs: .ascii, theme: .dark)
        let start = ContinuousClock.now
        let loop = Task { await app.show(clock: { EventBus.seconds(ContinuousClock.now - start) }, terminal: terminal) }
        app.post(RunEvent(seq: 1, time: 0, kind: .runStarted(Self.started)))
        #expect(await terminal.waitForFrame { $0.contains("RUNNING") && $0.contains("Build") })
        app.exitWhenDone()
        let report = RunMetrics.report(runID: "r-1", workflow: Workflow(name: "loop", tasks: []), tasks: [], parallelism: 2,
                                       startedAt: Date(), wallSeconds: 1, outcome: .passed, outcomeReason: nil)
        app.post(RunEvent(seq: 2, time: 1, kind: .runFinished(RunFinished(outcome: .passed, report: report))))
        await loop.value
        #expect(terminal.restored, "the loop returned on its own, the terminal given back")
    }
}

/// Waits, up to thirty seconds, until `condition` holds. It is checked once more after the
/// deadline: a test starved of Swift's shared threads by others still sees what happened.
func waitUntil(_ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .seconds(30)
    while true {
        if condition() { return true }
        if ContinuousClock.now >= deadline { return condition() }
        try? await Task.sleep(for: .milliseconds(10))
    }
}
