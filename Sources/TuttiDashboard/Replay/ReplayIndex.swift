import Foundation
import Synchronization
import TuttiCore

/// The events a replay plays, indexed for seeking: each event's time, the fold of the events
/// so far every `interval` events, and the moments worth stopping at. From a file, it is
/// built on a thread of its own while the replay already shows the first events, and keeps
/// no decoded event: an event is decoded again from the file's bytes when a seek needs it, so
/// a recording of a million events costs its size and the snapshots, not its decoded events.
public final class ReplayIndex: Sendable {
    /// Where the events come from.
    private enum Source: Sendable {
        case events([RunEvent])
        case file(RecordingStream)
    }

    /// What is indexed so far.
    private struct Built: Sendable {
        var times: [Double] = []
        /// Per event: where its line starts in the file (or its place in the events given),
        /// and how long the line is.
        var offsets: [Int] = []
        var lengths: [Int32] = []
        /// Snapshot k: the fold of the first k × interval events.
        var snapshots: [DashboardModel] = []
        /// The events worth stopping at (a task ended, a gate failed...), by number.
        var moments: [Int] = []
        var damage: [RecordingDamage] = []
        /// Whether the run's end is recorded after any reopening.
        var finished = false
        var complete = false
    }

    public let interval: Int
    private let source: Source
    private let built = Mutex(Built())
    private let changed = Condition()

    /// An index of events already in memory, built at once.
    public init(events: [RunEvent], snapshotInterval: Int = 4096) {
        interval = max(1, snapshotInterval)
        source = .events(events)
        var builder = Builder(interval: interval)
        for (position, event) in events.enumerated() { builder.add(event, line: position, offset: position, length: 0) }
        built.withLock { builder.publish(into: &$0, complete: true) }
    }

    /// An index of an events file, built on a thread of its own from now on, about
    /// `partBytes` of the file at a time.
    public convenience init(file: RecordingStream, snapshotInterval: Int = 16384, partBytes: Int = 4 << 20) {
        self.init(file: file, snapshotInterval: snapshotInterval) { file.read(upTo: partBytes) }
    }

    /// An index of an events file whose parts, in order, `readPart` reads (an empty part is the
    /// end), on threads of their own (a test holds parts back to play a replay mid-index).
    init(file: RecordingStream, snapshotInterval: Int, readPart: @escaping @Sendable () -> RecordingStream.Part) {
        interval = max(1, snapshotInterval)
        source = .file(file)
        OwnThread.start("replay index") { [self] in build(readPart) }
    }

    /// Reads the file in parts: each part's lines decoded on every core, then folded in
    /// order and published, the decoded events dropped. The next part is read and decoded
    /// while this one is folded (one core folds; the other would otherwise wait).
    private func build(_ readPart: @escaping @Sendable () -> RecordingStream.Part) {
        var builder = Builder(interval: interval)
        var next = OwnThread.Result("replay read", readPart)
        while true {
            let part = next.wait()
            if !part.isEmpty { next = OwnThread.Result("replay read", readPart) }
            // Damage and events in the order of their lines (out-of-order events are damage too).
            var damage = part.damage.makeIterator()
            var nextDamage = damage.next()
            for index in part.events.indices {
                let number = part.firstNumber + index
                if let wrong = nextDamage, wrong.line == RecordingDamage.line(afterHeader: number) {
                    builder.damage.append(wrong)
                    nextDamage = damage.next()
                    continue
                }
                guard let event = part.events[index] else { continue }
                builder.add(event, line: number, offset: part.offsets[index], length: Int32(clamping: part.lengths[index]))
            }
            built.withLock { builder.publish(into: &$0, complete: part.isEmpty) }
            changed.signal()
            if part.isEmpty { return }
        }
    }

    /// Waits until the first events (or all of them) are indexed: enough for a first frame.
    public func waitForFirstEvents() {
        changed.wait(until: { built.withLock { $0.complete || !$0.times.isEmpty } })
    }

    /// Waits until every event is indexed.
    public func waitUntilComplete() {
        changed.wait(until: { isComplete })
    }

    public var isComplete: Bool { built.withLock { $0.complete } }
    /// How many events are indexed so far.
    public var count: Int { built.withLock { $0.times.count } }
    public var firstTime: Double { built.withLock { $0.times.first ?? 0 } }
    public var lastTime: Double { built.withLock { $0.times.last ?? 0 } }
    /// The lines that are not events (complete once the index is).
    public var damage: [RecordingDamage] { built.withLock { $0.damage } }
    /// Whether the run finished (its end recorded after any reopening), once complete.
    public var finished: Bool { built.withLock { $0.finished } }

    /// How many events happened at or before `time`.
    public func count(atOrBefore time: Double) -> Int {
        built.withLock { $0.times.partitioningIndex { $0 > time } }
    }

    /// The latest snapshot at or before event `index`: how many events it holds, and the fold.
    public func snapshot(atOrBefore index: Int) -> (count: Int, model: DashboardModel) {
        built.withLock { built in
            let number = min(index / interval, built.snapshots.count - 1)
            guard number >= 0 else { return (0, DashboardModel()) }
            return (number * interval, built.snapshots[number])
        }
    }

    /// Events number `range` (decoded again from the file, in one read, for a file source),
    /// as far as they are indexed.
    public func events(_ range: Range<Int>) -> [RunEvent] {
        let places = built.withLock { built -> [(offset: Int, length: Int)] in
            let indexed = range.clamped(to: 0..<built.offsets.count)
            return indexed.map { (built.offsets[$0], Int(built.lengths[$0])) }
        }
        switch source {
        // Out-of-order events were left out: the index's events are the ones it kept.
        case .events(let events): return places.map { events[$0.offset] }
        case .file(let file): return file.events(at: places)
        }
    }

    /// The time of the first moment after `time`, if any.
    public func nextMoment(after time: Double) -> Double? {
        built.withLock { built in
            let first = built.times.partitioningIndex { $0 > time }
            let moment = built.moments.partitioningIndex { $0 >= first }
            return built.moments.indices.contains(moment) ? built.times[built.moments[moment]] : nil
        }
    }

    /// The time of the last moment before `time`, if any.
    public func previousMoment(before time: Double) -> Double? {
        built.withLock { built in
            let end = built.times.partitioningIndex { $0 >= time }
            let moment = built.moments.partitioningIndex { $0 >= end } - 1
            return moment >= 0 ? built.times[built.moments[moment]] : nil
        }
    }

    static func isMoment(_ kind: EventKind) -> Bool {
        switch kind {
        case .taskFinished, .taskRetrying, .taskSkipped, .action, .runFinished, .runReopened: return true
        case .taskGate(let gate): return !gate.result.passed
        default: return false
        }
    }

    /// Folds events in order, keeping what the index needs of them; `publish` hands over what
    /// it gathered since the last time.
    private struct Builder {
        let interval: Int
        var model = DashboardModel()
        var count = 0
        var lastSeq: Int?
        var finished = false
        var times: [Double] = []
        var offsets: [Int] = []
        var lengths: [Int32] = []
        /// Snapshot 0, the fold of no event, is there from the start.
        var snapshots: [DashboardModel] = [DashboardModel()]
        var moments: [Int] = []
        var damage: [RecordingDamage] = []

        init(interval: Int) { self.interval = interval }

        mutating func add(_ event: RunEvent, line: Int, offset: Int, length: Int32) {
            // An event must come after the one before it; one that does not is damage.
            if let lastSeq, event.seq <= lastSeq {
                damage.append(RecordingDamage(afterHeader: line, problem: .outOfOrder(seq: event.seq, after: lastSeq)))
                return
            }
            lastSeq = event.seq
            if count > 0, count % interval == 0 { snapshots.append(model) }
            model.apply(event)
            if ReplayIndex.isMoment(event.kind) { moments.append(count) }
            switch event.kind {
            case .runFinished: finished = true
            case .runReopened, .runResumed: finished = false
            default: break
            }
            times.append(event.time)
            offsets.append(offset)
            lengths.append(length)
            count += 1
        }

        mutating func publish(into built: inout Built, complete: Bool) {
            built.times += times
            built.offsets += offsets
            built.lengths += lengths
            built.snapshots += snapshots
            built.moments += moments
            built.damage += damage
            built.finished = finished
            built.complete = complete
            (times, offsets, lengths, snapshots, moments, damage) = ([], [], [], [], [], [])
        }
    }
}

/// Wakes those waiting for a condition on the index when it changes.
private final class Condition: @unchecked Sendable {
    // Unchecked: NSCondition is a lock, made for use from several threads.
    private let lock = NSCondition()

    func signal() {
        lock.lock()
        lock.broadcast()
        lock.unlock()
    }

    /// Waits until `holds` (checked under the lock, again after each change).
    func wait(until holds: () -> Bool) {
        lock.lock()
        defer { lock.unlock() }
        while !holds() { lock.wait() }
    }
}
