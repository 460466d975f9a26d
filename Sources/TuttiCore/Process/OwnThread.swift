import Foundation

/// Tutti's threading, in one place. Four mechanisms, each for one kind of work:
///
/// - **A thread of its own** (`OwnThread.start`) for work that blocks in poll(2): each task
///   attempt (it waits on the process and its pipes, then runs the next attempt that its end
///   lets start), each control-socket connection, the control socket's accept loop, a
///   `tutti watch` following a run, the terminal's input loop. Never Swift's cooperative
///   pool, which a blocked thread would starve.
/// - **Swift tasks** for what waits without blocking a thread: consuming the event stream
///   (headless printer, dashboard feed, MCP), waiting for a run's end.
/// - **`DispatchQueue.concurrentPerform`** for data-parallel work: decoding a recording's lines.
/// - **`DispatchSource`** for POSIX signals (`SignalForwarder`).
///
/// Locks are taken in one order, never the other way: the engine's (`RunEngine`, which holds
/// the scheduler's state and publishes events while holding it), then the event bus's
/// (`EventBus`, which numbers, records and delivers each event), then a subscriber's buffer
/// (an `AsyncStream`'s, or a watcher's outbox). A subscriber only ever appends to its buffer
/// under the bus lock: none can block the engine, however slow its reader.
public enum OwnThread {
    /// Runs `body` on a new thread named `name`, for work that blocks.
    public static func start(_ name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread { body() }
        thread.name = name
        thread.start()
    }

    /// Work on a thread of its own while the caller does something else; `wait()` gives its
    /// value once it is done (the run's report files, written while its last event is).
    public final class Result<Value: Sendable>: @unchecked Sendable {
        // Written once by the thread before `done` is signalled, read after waiting on it.
        private var value: Value?
        private let done = DispatchSemaphore(value: 0)

        public init(_ name: String, _ body: @escaping @Sendable () -> Value) {
            OwnThread.start(name) { [self] in
                value = body()
                done.signal()
            }
        }

        /// Waits until the work is done and returns its value. Once only: a second call
        /// would wait forever.
        public func wait() -> Value {
            done.wait()
            return value!
        }
    }
}
