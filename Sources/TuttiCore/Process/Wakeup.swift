import CTuttiSystem
import Foundation

/// Wakes a thread sleeping in poll(2): `wake()` from any thread makes `fd` readable;
/// `drain()` resets it. One eventfd, non-blocking and close-on-exec.
public final class Wakeup: Sendable {
    public let fd: Int32

    public init() {
        fd = tutti_eventfd()
    }

    deinit {
        close(fd)
    }

    /// Makes `fd` readable.
    public func wake() {
        var one: UInt64 = 1
        _ = write(fd, &one, 8)
    }

    /// Makes `fd` unreadable again, after a wake.
    public func drain() {
        var count: UInt64 = 0
        _ = read(fd, &count, 8)
    }
}
