import TuttiCore

/// Where a replay is: shown in the header and the position bar.
public struct ReplayStatus: Sendable, Hashable {
    public var position: Double
    public var duration: Double
    public var speed: Double
    public var playing: Bool
}

/// Plays a recording into the dashboard at any speed, and seeks exactly: the state at time
/// t is always the events up to t folded into a fresh model, then the clock set to t, so a
/// seek gives the very screen that playing up to t gives. Snapshots of the fold (`ReplayIndex`)
/// keep a seek short however long the recording; a recording still being indexed plays
/// what is indexed so far, and goes on as more is.
public struct ReplayPlayer: Sendable {
    public let index: ReplayIndex
    /// The time of the first event (the run announcing its tasks): where the replay starts.
    public let start: Double
    public static let speeds: [Double] = [0.25, 0.5, 1, 2, 4, 8, 16, 32, 64]

    public private(set) var position: Double = 0
    public private(set) var speed: Double = 1
    public private(set) var playing = true

    /// The fold up to `applied` events, and the clock set to `position`.
    private var state: DashboardModel
    private var applied = 0

    /// A player at the start of `events`; a snapshot of the fold is kept every `interval` events.
    public init(events: [RunEvent], snapshotInterval interval: Int = 4096) {
        self.init(index: ReplayIndex(events: events, snapshotInterval: interval))
    }

    /// A player at the start of `index`, as soon as its first events are indexed.
    public init(index: ReplayIndex) {
        index.waitForFirstEvents()
        self.index = index
        start = index.firstTime
        state = index.snapshot(atOrBefore: 0).model
        seek(to: start)
    }

    /// The time of the last event indexed.
    public var duration: Double { index.lastTime }

    /// The run as it was at `position`, drawn with the view (selection, panel, overlays) of `view`.
    public func model(keepingViewOf view: DashboardModel) -> DashboardModel {
        var model = state
        model.adoptView(of: view)
        model.replay = status
        return model
    }

    public var status: ReplayStatus { ReplayStatus(position: position, duration: duration, speed: speed, playing: playing) }

    /// Moves the replay on by `seconds` of the person's time (times the speed) while playing;
    /// it stops at the end.
    public mutating func advance(wallSeconds seconds: Double) {
        guard playing else { return }
        seek(to: position + seconds * speed)
    }

    /// Goes to time `time` (clamped to the recording, from its first event on, so the run's
    /// tasks are always there); at the end, it stops playing.
    public mutating func seek(to time: Double) {
        let complete = index.isComplete
        let end = duration
        let target = min(max(start, time), end)
        let needed = index.count(atOrBefore: target)
        let back = needed < applied || target < position
        if back || needed - applied > index.interval {
            // From the last snapshot at or before the events needed, unless playing on from
            // here is shorter.
            let snapshot = index.snapshot(atOrBefore: needed)
            if back || snapshot.count > applied {
                state = snapshot.model
                applied = snapshot.count
            }
        }
        // The events after it, read in runs of at most 4,096 (one pread each).
        while applied < needed {
            let events = index.events(applied..<min(needed, applied + 4096))
            guard !events.isEmpty else { break }
            for event in events { state.apply(event) }
            applied += events.count
        }
        position = target
        state.tick(now: target)
        if complete, position >= end { playing = false }
    }

    /// Plays at `speed` (one of `speeds`; others are ignored).
    public mutating func setSpeed(_ newSpeed: Double) {
        if Self.speeds.contains(newSpeed) { speed = newSpeed }
    }

    /// Handles a replay key; false for keys that are not the replay's.
    public mutating func handle(_ key: KeyInput) -> Bool {
        let step = max(1, (duration / 40).rounded())
        switch key {
        case .character(" "):
            if !playing, position >= duration { seek(to: start) }
            playing.toggle()
        case .character("+"), .character("="):
            speed = Self.speeds.first { $0 > speed } ?? speed
        case .character("-"), .character("_"):
            speed = Self.speeds.last { $0 < speed } ?? speed
        case .right: seek(to: position + step)
        case .left: seek(to: position - step)
        case .home: seek(to: start)
        case .end: seek(to: duration)
        case .character("]"): if let next = nextMoment(after: position) { seek(to: next) }
        case .character("["):
            // While playing, the moment just passed is skipped, or `[` would land on it again and again.
            if let previous = previousMoment(before: position - (playing ? max(0.5, speed / 2) : 0)) { seek(to: previous) }
        default: return false
        }
        return true
    }

    /// The next time something worth stopping at happened: a task ended, was retried or
    /// skipped, a gate failed, someone acted, the run ended.
    public func nextMoment(after time: Double) -> Double? { index.nextMoment(after: time) }

    /// The last such time before `time`.
    public func previousMoment(before time: Double) -> Double? { index.previousMoment(before: time) }
}

extension Collection {
    /// The first index where `belongs` holds, for a collection where it holds for a suffix.
    func partitioningIndex(where belongs: (Element) -> Bool) -> Index {
        var low = startIndex
        var count = self.count
        while count > 0 {
            let half = count / 2
            let middle = index(low, offsetBy: half)
            if belongs(self[middle]) {
                count = half
            } else {
                low = index(after: middle)
                count -= half + 1
            }
        }
        return low
    }
}
