import Foundation
import Synchronization

/// A run followed from another process: live through its control socket, or from its
/// recording when its process has ended.
public final class WatchedRun: Sendable {
    /// How following the run ended.
    public enum Ending: Sendable {
        case finished(RunReport)
        /// Its process ended before the run finished.
        case lost
        /// The watcher left first.
        case left
        /// The run's socket refused this user: the run belongs to another user.
        case denied
    }

    private struct Clock {
        var origin: Double?
        var lastEventTime = 0.0
        var live = true
    }

    public let directory: RunDirectory
    private let clockState = Mutex(Clock())
    /// Whether the watcher is leaving, and the socket to shut down when it does.
    private let connection = Mutex<(stopped: Bool, fd: Int32?)>((false, nil))

    public init(directory: RunDirectory) { self.directory = directory }

    /// The run's clock: seconds since it started; frozen at its last event once its
    /// process is gone.
    public func clock() -> Double {
        clockState.withLock { clock in
            guard clock.live, let origin = clock.origin else { return clock.lastEventTime }
            return max(clock.lastEventTime, Date().timeIntervalSince1970 - origin)
        }
    }

    /// Stops following (the watcher is leaving).
    public func stop() {
        connection.withLock { connection in
            connection.stopped = true
            if let fd = connection.fd { shutdown(fd, Int32(SHUT_RDWR)) }
        }
    }

    /// Hands every event to `event` until the run finishes or its process goes away;
    /// `notice` tells the person what happened when it is not a plain finish.
    public func follow(event: @escaping @Sendable (RunEvent) -> Void, notice: @escaping @Sendable (String) -> Void) async -> Ending {
        await withCheckedContinuation { (done: CheckedContinuation<Ending, Never>) in
            OwnThread.start("tutti.watch") { [self] in done.resume(returning: followOnThisThread(event: event, notice: notice)) }
        }
    }

    private func followOnThisThread(event: @escaping @Sendable (RunEvent) -> Void, notice: (String) -> Void) -> Ending {
        var report: RunReport?
        var lastSeq = 0
        let record: (RunEvent) -> Void = { [self] received in
            guard received.seq > lastSeq else { return }
            lastSeq = received.seq
            clockState.withLock { $0.lastEventTime = max($0.lastEventTime, received.time) }
            if case .runFinished(let finished) = received.kind { report = finished.report }
            if case .runReopened = received.kind { report = nil }
            if case .runResumed = received.kind { report = nil }
            event(received)
        }
        let client = ControlClient(socketPath: directory.socketPath)
        var wasLive = false
        // A run drops a watcher that falls too far behind; while its process still records
        // the run, follow it again (events already seen are skipped by their number).
        var attempts = 0
        while attempts < Self.maximumReattachments {
            attempts += 1
            let (ending, live) = followLive(client, record: record, report: { report })
            wasLive = wasLive || live
            if let ending {
                if case .denied = ending { notice("\(ControlError.permissionDenied(directory.socketPath)).") }
                return ending
            }
            guard live, !connection.withLock({ $0.stopped }), EventRecorder.isBeingRecorded(directory.eventsPath) else { break }
            notice("This watcher fell behind the run and was dropped; following it again from event \(lastSeq + 1).")
        }
        clockState.withLock { $0.live = false }
        if connection.withLock({ $0.stopped }) { return report.map { .finished($0) } ?? .left }
        // No process serves the run any more, or it went away mid-stream: what it recorded
        // is complete up to its last event.
        guard let recording = try? Recording.read(path: directory.eventsPath) else {
            notice("Cannot read the recording \(directory.eventsPath).")
            return .lost
        }
        for recorded in recording.events { record(recorded) }
        if let damaged = RecordingDamage.summary(recording.damage) { notice(damaged) }
        if let report {
            if !wasLive { notice("The run's process has ended; this is the final state from its recording.") }
            return .finished(report)
        }
        notice("This run never finished: its process ended after t=\(DurationText.format(recording.events.last?.time ?? 0)), "
               + "before the run's end was recorded; this is its last recorded state.")
        return .lost
    }

    /// How often a watcher that keeps falling behind attaches again before it settles for the
    /// recording.
    static let maximumReattachments = 100

    /// Follows the live run over its socket once: how it ended (nil when the stream stopped
    /// before the run finished) and whether the socket was reached at all.
    private func followLive(_ client: ControlClient, record: @escaping (RunEvent) -> Void,
                            report: () -> RunReport?) -> (Ending?, Bool) {
        do {
            let finished = try client.watch(
                connected: { fd in
                    connection.withLock { connection in
                        connection.fd = fd
                        if connection.stopped { shutdown(fd, Int32(SHUT_RDWR)) }
                    }
                },
                disconnecting: { connection.withLock { $0.fd = nil } },
                header: { header in clockState.withLock { $0.origin = header.clockOrigin } },
                event: record)
            if let report = report(), finished { return (.finished(report), true) }
            return (nil, true)
        } catch .permissionDenied {
            return (.denied, false)
        } catch {
            return (nil, false)
        }
    }
}
