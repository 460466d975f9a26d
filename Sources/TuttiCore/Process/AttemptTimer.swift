import Foundation

/// An attempt's timeout, counted on the time it runs: time spent paused moves the deadline
/// on, so a paused task never times out. Pure: the caller says what time it is.
struct AttemptTimer: Sendable, Equatable {
    /// When the attempt times out, while it runs (nil without a timeout, or while paused).
    var deadline: Double? { pausedSince == nil ? runningDeadline : nil }
    /// Seconds paused so far (a pause under way not counted until it ends).
    private(set) var pausedTotal: Double = 0
    private var runningDeadline: Double?
    private var pausedSince: Double?

    /// A timer for an attempt started at `start`, timing out after `timeout` seconds of running.
    init(start: Double, timeout: Double?) {
        runningDeadline = timeout.map { start + $0 }
    }

    var isPaused: Bool { pausedSince != nil }

    /// The attempt stopped at `now`.
    mutating func pause(at now: Double) {
        if pausedSince == nil { pausedSince = now }
    }

    /// The attempt went on at `now` (or ended): the time paused moves the deadline on.
    mutating func resume(at now: Double) {
        guard let since = pausedSince else { return }
        pausedSince = nil
        pausedTotal += now - since
        runningDeadline = runningDeadline.map { $0 + (now - since) }
    }

    /// Whether the attempt has run out of time at `now` (never while paused).
    func expired(at now: Double) -> Bool { deadline.map { now >= $0 } ?? false }
}
