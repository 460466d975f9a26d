import Foundation
import Synchronization

/// One run a server (MCP, the Conductor API) started in its own process: the engine, its
/// control socket (so `tutti watch` and `tutti ctl` reach it), and the state folded from its
/// events.
public final class Execution: Sendable {
    public let engine: RunEngine
    public let control: ControlServer?
    /// The run's events folded, as every view of a run folds them.
    public let state = Mutex(RunState())
    public let workflowFile: String
    /// When the run's time 0 was, in seconds since 1970.
    public let clockOrigin: Double
    /// Told after each event is folded into `state`.
    private let watchers = Mutex<[UUID: AsyncStream<Void>.Continuation]>([:])
    private let running: Mutex<Task<RunReport, Never>?> = Mutex(nil)
    private let folding: Mutex<Task<Void, Never>?> = Mutex(nil)

    public var id: String { engine.runID }

    /// A run to start; a resumed run's `history` (its recorded events) is folded first.
    public init(engine: RunEngine, workflowFile: String, history: [RunEvent] = []) {
        self.engine = engine
        self.workflowFile = workflowFile
        clockOrigin = engine.bus.clockOrigin
        control = try? ControlServer(engine: engine)
        state.withLock { state in
            for event in history { state.apply(event) }
            // Resumed, the run is no longer finished, even before its run_resumed event is folded.
            state.outcome = nil
            state.outcomeReason = nil
            state.report = nil
        }
    }

    /// Starts the run: its events are folded, the control socket served.
    public func start() {
        let events = engine.bus.subscribe()
        folding.withLock {
            $0 = Task.detached { [self] in
                for await event in events {
                    state.withLock { $0.apply(event) }
                    for watcher in watchers.withLock({ Array($0.values) }) { watcher.yield() }
                }
                for watcher in watchers.withLock({ Array($0.values) }) { watcher.finish() }
            }
        }
        control?.start()
        running.withLock { $0 = Task.detached { [engine] in await engine.run() } }
    }

    /// A tick after every change of `state` from now on (it ends with the run).
    public func changes() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id = UUID()
        watchers.withLock { $0[id] = continuation }
        continuation.onTermination = { [weak self] _ in self?.watchers.withLock { _ = $0.removeValue(forKey: id) } }
        return stream
    }

    /// The state now, its clock moved to the run's time.
    public func snapshot() -> RunState {
        var model = state.withLock { $0 }
        model.tick(now: engine.bus.elapsed)
        return model
    }

    /// Stops the run (if it goes on), ends it, and waits until its recording is complete.
    public func finish(reason: String) async {
        engine.interrupt(reason: reason, actor: "mcp")
        engine.close()
        _ = await running.withLock { $0 }?.value
        await folding.withLock { $0 }?.value
        control?.stop()
    }
}

/// The runs a server started, by execution id (their run id).
public final class Executions: Sendable {
    private let all = Mutex<[String: Execution]>([:])
    private let order = Mutex<[String]>([])
    /// Set when the client has gone: no run may start after that.
    private let closing = Mutex(false)

    public init() {}

    /// Registers a run and starts it; false once the server is closing, when the run starts
    /// and is stopped at once (its recording complete), saying `reasonIfClosing`.
    public func start(_ execution: Execution, reasonIfClosing: String) -> Bool {
        let added = closing.withLock { closing in
            guard !closing else { return false }
            all.withLock { $0[execution.id] = execution }
            order.withLock { $0.append(execution.id) }
            return true
        }
        execution.start()
        if !added { Task { await execution.finish(reason: reasonIfClosing) } }
        return added
    }

    public func find(_ id: String) -> Execution? { all.withLock { $0[id] } }

    public var ids: [String] { order.withLock { $0 } }

    /// Ends every run (the client has gone), keeping their recordings complete; runs cannot
    /// be added any more.
    public func finishAll(reason: String) async {
        closing.withLock { $0 = true }
        for execution in all.withLock({ Array($0.values) }) { await execution.finish(reason: reason) }
    }
}
