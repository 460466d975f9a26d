import Foundation

/// Lets through a bounded number of log events per second; counts the rest.
struct LogThrottle {
    let capacity: Double
    let refillPerSecond: Double
    private var tokens: Double
    private var lastRefill: Double
    private(set) var dropped = 0

    init(capacity: Double = 500, refillPerSecond: Double = 200, now: Double) {
        self.capacity = capacity
        self.refillPerSecond = refillPerSecond
        tokens = capacity
        lastRefill = now
    }

    /// Whether one more event may be sent at time `now` (seconds).
    mutating func allow(now: Double) -> Bool {
        tokens = min(capacity, tokens + (now - lastRefill) * refillPerSecond)
        lastRefill = now
        if tokens >= 1 {
            tokens -= 1
            return true
        }
        dropped += 1
        return false
    }

    /// The count of dropped events since the last call, resetting it.
    mutating func takeDropped() -> Int {
        defer { dropped = 0 }
        return dropped
    }
}
