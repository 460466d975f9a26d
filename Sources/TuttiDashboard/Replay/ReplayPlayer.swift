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
/// seek gives the very screen that playing up to t gives. Snapshots of the fold every few
/// thousand events keep a seek short however long the recording.
public struct ReplayPlayer: Sendable {
    public let events: [RunEvent]
    /// The time of the first event (the run announcing its tasks): where the replay starts.
    public let start: Double
    /// The time of the last event.
    public let duration: Double
    public static let speeds: [Double] = [0.25, 0.5, 1, 2, 4, 8, 16, 32, 64]

    public private(set) var position: Double = 0
    public private(set) var speed: Double = 1
    public private(set) var playing = true

    /// The fold after `events[0..<index]`, every `interval` events.
    private let snapshots: [DashboardModel]
    private let interval: Int
    /// The fold up to `applied` events, and the clock set to `position`.
    private var state: DashboardModel
    private var applied = 0

    /// A player at the start of `events`; a snapshot of the fold is kept every `interval` events.
    public init(events: [RunEvent], snapshotInterval interval: Int = 4096) {
        self.events = events
        self.interval = max(1, interval)
        duration = events.last?.time ?? 0
        start = events.first?.time ?? 0
        var snapshots: [DashboardModel] = []
        var model = DashboardModel()
        snapshots.reserveCapacity(events.count / self.interval + 1)
        for (index, event) in events.enumerated() {
            if index % self.interval == 0 { snapshots.append(model) }
            model.apply(event)
        }
        if snapshots.isEmpty { snapshots.append(model) }
        self.snapshots = snapshots
        state = snapshots[0]
        seek(to: start)
    }

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
        let target = min(max(start, time), duration)
        let needed = events.partitioningIndex { $0.time > target }
        if needed < applied || target < position {
            // Back: from the last snapshot at or before the events needed.
            let snapshot = min(needed / interval, snapshots.count - 1)
            state = snapshots[snapshot]
            applied = snapshot * interval
        } else if needed - applied > interval {
            let snapshot = min(needed / interval, snapshots.count - 1)
            if snapshot * interval > applied {
                state = snapshots[snapshot]
                applied = snapshot * interval
            }
        }
        while applied < needed {
            state.apply(events[applied])
            applied += 1
        }
        position = target
        state.tick(now: target)
        if position >= duration { playing = false }
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
    public func nextMoment(after time: Double) -> Double? {
        let start = events.partitioningIndex { $0.time > time }
        return events[start...].first { Self.isMoment($0.kind) }?.time
    }

    /// The last such time before `time`.
    public func previousMoment(before time: Double) -> Double? {
        let end = events.partitioningIndex { $0.time >= time }
        return events[..<end].last { Self.isMoment($0.kind) }?.time
    }

    static func isMoment(_ kind: EventKind) -> Bool {
        switch kind {
        case .taskFinished, .taskRetrying, .taskSkipped, .action, .runFinished, .runReopened: return true
        case .taskGate(let gate): return !gate.result.passed
        default: return false
        }
    }
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
