import Foundation
import Synchronization

/// The run's one event stream: numbers and times each event, records it, and fans it out
/// to every subscriber (dashboard, headless printer, remote watchers).
public final class EventBus: Sendable {
    /// Someone who gets every event: `deliver` is called under the bus lock, in order, so it
    /// must only append the event to a buffer of its own (see `OwnThread` for the lock
    /// order). Only the core attaches listeners; everyone else subscribes to a stream.
    struct Listener: Sendable {
        /// Takes the event and its line as recorded (JSON and a newline).
        var deliver: @Sendable (RunEvent, _ line: [UInt8]) -> Void
        var finish: @Sendable () -> Void

        init(deliver: @escaping @Sendable (RunEvent) -> Void, finish: @escaping @Sendable () -> Void) {
            self.deliver = { event, _ in deliver(event) }
            self.finish = finish
        }

        init(deliverLine: @escaping @Sendable (RunEvent, _ line: [UInt8]) -> Void, finish: @escaping @Sendable () -> Void) {
            self.deliver = deliverLine
            self.finish = finish
        }
    }

    private struct State {
        var nextSeq = 1
        var subscribers: [Int: Listener] = [:]
        var nextSubscriberID = 0
        var finished = false
        var recorder: EventRecorder?
    }

    private let state: Mutex<State>
    private let start: ContinuousClock.Instant
    /// The run's time when the bus was created: 0, or where a resumed run goes on from.
    private let startTime: Double

    /// A bus that records every event with `recorder`, when given. A resumed run's bus goes
    /// on after event `lastSeq`, at `time` seconds into the run.
    public init(recorder: sending EventRecorder? = nil, after lastSeq: Int = 0, at time: Double = 0) {
        state = Mutex(State(nextSeq: lastSeq + 1, recorder: recorder))
        start = .now
        startTime = time
    }

    /// When its time 0 was, in seconds since 1970 (as the wall clock tells it now).
    public var clockOrigin: Double { Date().timeIntervalSince1970 - elapsed }

    /// Seconds since the run started (the bus was created, for a run not resumed), on the
    /// monotonic clock, to the microsecond.
    public var elapsed: Double { Self.microseconds(startTime + Self.seconds(ContinuousClock.now - start)) }

    /// Seconds rounded to the microsecond: how times and durations are kept and recorded.
    public static func microseconds(_ seconds: Double) -> Double { (seconds * 1_000_000).rounded() / 1_000_000 }

    /// Converts a Duration to fractional seconds.
    public static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }

    /// Publishes one event: numbered, timed, written to the recording, then delivered.
    @discardableResult
    public func emit(_ kind: EventKind) -> RunEvent { emit(all: [kind])[0] }

    /// Publishes events that happen at the same moment (a run announcing its tasks): numbered,
    /// timed, encoded once, written to the recording in one write, then delivered.
    @discardableResult
    public func emit(all kinds: [EventKind]) -> [RunEvent] {
        state.withLock { state in
            let time = elapsed
            let events = kinds.enumerated().map { RunEvent(seq: state.nextSeq + $0.offset, time: time, kind: $0.element) }
            state.nextSeq += events.count
            let lines = events.map { EventJSON.line($0) }
            state.recorder?.append(lines)
            for (event, line) in zip(events, lines) {
                for listener in state.subscribers.values { listener.deliver(event, line) }
            }
            return events
        }
    }

    /// Every event published from now on, until the run finishes.
    public func subscribe() -> AsyncStream<RunEvent> {
        let (stream, continuation) = AsyncStream<RunEvent>.makeStream()
        let attached = attach(Listener(deliver: { continuation.yield($0) }, finish: { continuation.finish() }))
        if let id = attached.id {
            continuation.onTermination = { [weak self] _ in self?.detach(id) }
        }
        return stream
    }

    /// Adds a listener for every later event. Returns its id (nil when the run has already
    /// finished: then `finish` has been called) and the number of the last event published
    /// before it, so a watcher can take events up to it from the recording with no gap.
    func attach(_ listener: Listener) -> (id: Int?, lastSeq: Int) {
        attach { _ in listener }
    }

    /// Adds the listener `make` builds from the number of the last event published before it.
    func attach(_ make: (_ lastSeq: Int) -> Listener) -> (id: Int?, lastSeq: Int) {
        let (attached, listener): ((id: Int?, lastSeq: Int), Listener) = state.withLock { state in
            let listener = make(state.nextSeq - 1)
            guard !state.finished else { return ((nil, state.nextSeq - 1), listener) }
            let id = state.nextSubscriberID
            state.nextSubscriberID += 1
            state.subscribers[id] = listener
            return ((id, state.nextSeq - 1), listener)
        }
        if attached.id == nil { listener.finish() }
        return attached
    }

    /// Removes a listener.
    func detach(_ id: Int) {
        state.withLock { _ = $0.subscribers.removeValue(forKey: id) }
    }

    /// Ends every subscriber's stream and closes the recording.
    public func finish() {
        let listeners = state.withLock { state in
            state.finished = true
            state.recorder?.close()
            state.recorder = nil
            let all = Array(state.subscribers.values)
            state.subscribers.removeAll()
            return all
        }
        for listener in listeners { listener.finish() }
    }
}
