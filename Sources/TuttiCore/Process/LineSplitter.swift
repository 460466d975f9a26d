/// Splits a byte stream into lines, holding at most `maxLineLength` bytes of an unfinished
/// line: a longer line is cut into pieces, so memory stays bounded whatever a task prints.
struct LineSplitter {
    let maxLineLength: Int
    private var pending: [UInt8] = []

    init(maxLineLength: Int = 16 * 1024) { self.maxLineLength = maxLineLength }

    /// Feeds bytes and returns the complete lines they finish (without the newline).
    mutating func feed(_ bytes: UnsafeRawBufferPointer) -> [String] {
        var lines: [String] = []
        for byte in bytes {
            if byte == 0x0A {
                lines.append(takePending())
            } else {
                pending.append(byte)
                if pending.count >= maxLineLength { lines.append(takePending()) }
            }
        }
        return lines
    }

    /// The unfinished last line, if any, at end of stream.
    mutating func finish() -> String? {
        pending.isEmpty ? nil : takePending()
    }

    private mutating func takePending() -> String {
        if pending.last == 0x0D { pending.removeLast() }
        let line = String(decoding: pending, as: UTF8.self)
        pending.removeAll(keepingCapacity: true)
        return line
    }
}

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
