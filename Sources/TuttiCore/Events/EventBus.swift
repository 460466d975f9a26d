import Foundation
import Synchronization

/// The run's one event stream: numbers and times each event, records it, and fans it out
/// to every subscriber (dashboard, headless printer, remote watchers).
public final class EventBus: Sendable {
    private struct State {
        var nextSeq = 1
        var subscribers: [Int: AsyncStream<RunEvent>.Continuation] = [:]
        var nextSubscriberID = 0
        var finished = false
        var recorder: EventRecorder?
    }

    private let state: Mutex<State>
    private let start: ContinuousClock.Instant

    /// A bus that records every event with `recorder`, when given.
    public init(recorder: sending EventRecorder? = nil) {
        state = Mutex(State(recorder: recorder))
        start = .now
    }

    /// Seconds since the bus was created, on the monotonic clock.
    public var elapsed: Double { Self.seconds(ContinuousClock.now - start) }

    /// Converts a Duration to fractional seconds.
    public static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }

    /// Publishes one event: numbered, timed, written to the recording, then delivered.
    @discardableResult
    public func emit(_ kind: EventKind) -> RunEvent {
        state.withLock { state in
            let event = RunEvent(seq: state.nextSeq, time: (elapsed * 1_000_000).rounded() / 1_000_000, kind: kind)
            state.nextSeq += 1
            state.recorder?.append(event)
            for continuation in state.subscribers.values { continuation.yield(event) }
            return event
        }
    }

    /// Every event published from now on, until the run finishes.
    public func subscribe() -> AsyncStream<RunEvent> {
        let (stream, continuation) = AsyncStream<RunEvent>.makeStream()
        let id: Int? = state.withLock { state in
            guard !state.finished else { return nil }
            let id = state.nextSubscriberID
            state.nextSubscriberID += 1
            state.subscribers[id] = continuation
            return id
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Ends every subscriber's stream and closes the recording.
    public func finish() {
        let continuations = state.withLock { state in
            state.finished = true
            state.recorder?.close()
            state.recorder = nil
            let all = Array(state.subscribers.values)
            state.subscribers.removeAll()
            return all
        }
        for continuation in continuations { continuation.finish() }
    }
}
