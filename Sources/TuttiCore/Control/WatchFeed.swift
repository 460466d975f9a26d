import Foundation
import Synchronization

/// The run's events as `watch` connections receive them: the lines of the recording, in a
/// window of the latest lines that every watcher reads at its own pace. The window is bounded
/// (`limit` bytes in all, however many watch); a watcher whose next line has left it has
/// fallen behind and is dropped, never waited for. The bus delivers to the feed alone, so
/// watchers cost the engine an append per event and a wake-up for each watcher that was idle,
/// nothing more.
final class WatchFeed: Sendable {
    /// What a watcher gets when it asks for more.
    enum Batch {
        /// Lines to send, each ending in a newline.
        case lines([UInt8])
        /// Nothing new yet: wait for the watcher's wake-up.
        case nothing
        /// Everything has been taken and the run has ended.
        case finished
        /// The watcher fell out of the window.
        case dropped
    }

    private struct Watcher {
        var next: Int
        let wake: Wakeup
        let drop: @Sendable () -> Void
    }

    private struct State {
        /// Encoded lines from `firstSeq` on; the part before `head` is already let go.
        var lines: [[UInt8]] = []
        var head = 0
        var firstSeq: Int
        var bytes = 0
        var finished = false
        var watchers: [Int: Watcher] = [:]
        /// How to wake the watchers that have taken everything and wait for more.
        var idle: [Wakeup] = []
        var nextID = 0

        var endSeq: Int { firstSeq + lines.count - head }
    }

    private let state: Mutex<State>
    /// The most bytes of encoded events the window holds for all watchers together.
    let limit: Int

    /// A feed whose first event will be `firstSeq` (the ones before are in the recording).
    init(firstSeq: Int, limit: Int = 8 << 20) {
        state = Mutex(State(firstSeq: firstSeq))
        self.limit = limit
    }

    /// Takes the bus's next event and its line, kept when someone watches; then the idle
    /// watchers are woken.
    func deliver(_ event: RunEvent, line: [UInt8]) {
        let (wakes, drops) = state.withLock { state -> ([Wakeup], [@Sendable () -> Void]) in
            guard !state.watchers.isEmpty else {
                // No one to send it to: the window stays empty, and a watcher who comes reads it from the recording.
                state.lines.removeAll()
                state.head = 0
                state.bytes = 0
                state.firstSeq = event.seq + 1
                return ([], [])
            }
            state.lines.append(line)
            state.bytes += line.count
            let drops = state.bytes > limit ? Self.trim(&state, to: limit * 3 / 4) : []
            defer { state.idle.removeAll(keepingCapacity: true) }
            return (state.idle, drops)
        }
        for wake in wakes { wake.wake() }
        for drop in drops { drop() }
    }

    /// Lets go of the oldest lines until the window holds at most `bytes`; returns how to drop
    /// the watchers that had not sent them yet.
    private static func trim(_ state: inout State, to bytes: Int) -> [@Sendable () -> Void] {
        while state.bytes > bytes, state.head < state.lines.count {
            state.bytes -= state.lines[state.head].count
            state.lines[state.head] = []
            state.head += 1
            state.firstSeq += 1
        }
        if state.head > state.lines.count / 2 {
            state.lines.removeFirst(state.head)
            state.head = 0
        }
        var drops: [@Sendable () -> Void] = []
        for (id, watcher) in state.watchers where watcher.next < state.firstSeq {
            state.watchers.removeValue(forKey: id)
            drops.append(watcher.drop)
        }
        return drops
    }

    /// The run has ended: watchers take what is left, then finish.
    func finish() {
        let wakes = state.withLock { state in
            state.finished = true
            return state.watchers.values.map(\.wake)
        }
        for wake in wakes { wake.wake() }
    }

    /// Adds a watcher woken through `wake` when lines come, dropped with `drop`. Returns its id
    /// and the first event it will get from the feed: the ones before are in the recording.
    func join(wake: Wakeup, drop: @escaping @Sendable () -> Void) -> (id: Int, firstSeq: Int) {
        state.withLock { state in
            let id = state.nextID
            state.nextID += 1
            state.watchers[id] = Watcher(next: state.firstSeq, wake: wake, drop: drop)
            return (id, state.firstSeq)
        }
    }

    /// Removes a watcher.
    func leave(_ id: Int) {
        state.withLock { _ = $0.watchers.removeValue(forKey: id) }
    }

    /// The watcher's next lines, up to about `maximum` bytes at a time.
    func take(_ id: Int, maximum: Int = 1 << 20) -> Batch {
        state.withLock { state in
            guard let watcher = state.watchers[id] else { return .dropped }
            guard watcher.next < state.endSeq else {
                if state.finished { return .finished }
                state.idle.append(watcher.wake)
                return .nothing
            }
            var bytes: [UInt8] = []
            var index = state.head + (watcher.next - state.firstSeq)
            while index < state.lines.count, bytes.count < maximum {
                bytes += state.lines[index]
                index += 1
            }
            state.watchers[id]?.next = state.firstSeq + (index - state.head)
            return .lines(bytes)
        }
    }
}
