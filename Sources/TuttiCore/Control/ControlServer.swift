import CTuttiSystem
import Foundation
import Synchronization

/// The run's control endpoint: a Unix socket in the run directory (mode 0600, and only
/// processes of the same user are served) where other processes act on the run (`tutti
/// ctl`) or watch it (`tutti watch`). One thread accepts; each connection gets its own.
public final class ControlServer: Sendable {
    public let socketPath: String
    private let engine: RunEngine
    private let listenFD: Int32
    private let wakeup = Wakeup()
    private let stopped = Mutex(false)
    private let started = Mutex(false)
    private let acceptLoopDone = DispatchSemaphore(value: 0)

    /// Opens the socket of `engine`'s run directory; `start()` serves it.
    public init(engine: RunEngine) throws(ControlError) {
        self.engine = engine
        socketPath = engine.directory.socketPath
        listenFD = tutti_unix_listen(socketPath)
        guard listenFD >= 0 else { throw .cannotListen(socketPath, String(cString: strerror(errno))) }
        var feed: WatchFeed?
        _ = engine.bus.attach { lastSeq in
            let made = WatchFeed(firstSeq: lastSeq + 1)
            feed = made
            return EventBus.Listener(deliverLine: made.deliver, finish: made.finish)
        }
        self.feed = feed!
    }

    /// Watch streams still sending; `stop()` lets them finish sending the run's last events.
    private let streams = DispatchGroup()
    /// The events sent to watchers, encoded once for all of them.
    private let feed: WatchFeed
    /// How to drop each watcher now connected, by connection.
    private let watchers = Mutex<[Int32: @Sendable () -> Void]>([:])

    /// Drops every watcher, as if each had fallen too far behind.
    func dropWatchers() {
        for drop in watchers.withLock({ Array($0.values) }) { drop() }
    }

    /// Serves connections on a thread of its own until `stop()`.
    public func start() {
        started.withLock { $0 = true }
        OwnThread.start("tutti.control") { [self] in
            acceptLoop()
            acceptLoopDone.signal()
        }
    }

    /// Stops accepting and removes the socket file. Watchers end with the run's events: once
    /// the run has finished, it waits (up to two seconds) for them to be sent.
    public func stop() {
        let first = stopped.withLock { stopped -> Bool in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        guard started.withLock({ $0 }) else {
            unlink(socketPath)
            close(listenFD)
            return
        }
        wakeup.wake()
        acceptLoopDone.wait()
        _ = streams.wait(timeout: .now() + 2)
    }

    private func acceptLoop() {
        defer {
            unlink(socketPath)
            close(listenFD)
        }
        while !stopped.withLock({ $0 }) {
            var fds = [pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: wakeup.fd, events: Int16(POLLIN), revents: 0)]
            guard poll(&fds, 2, -1) >= 0 || errno == EINTR else { return }
            guard fds[0].revents & Int16(POLLIN) != 0 else { continue }
            let connection = tutti_unix_accept(listenFD)
            guard connection >= 0 else {
                // Out of descriptors: the listener stays readable, so wait a little (or for stop).
                if errno == EMFILE || errno == ENFILE { _ = poll(&fds[1], 1, 100) }
                continue
            }
            guard tutti_peer_uid(connection) == Int(getuid()) else {
                close(connection)
                continue
            }
            OwnThread.start("tutti.control.connection") { [self] in
                serve(connection)
                close(connection)
            }
        }
    }

    private func serve(_ fd: Int32) {
        var reader = SocketLineReader(fd: fd)
        guard let line = reader.nextLine(timeout: 5),
              let request = try? JSONDecoder().decodeChecked(ControlRequest.self, from: Data(line)) else {
            Self.reply(fd, ["error": "expected one JSON request line, such as {\"op\":\"status\"}"])
            return
        }
        switch request.op {
        case .status:
            Self.reply(fd, RunStatus(runID: engine.runID, workflow: engine.workflow.name, state: engine.stateName, pid: getpid()))
        case .action:
            guard let verb = request.action else {
                Self.reply(fd, ["error": "an action request needs \"action\": one of \(ControlVerb.allCases.map(\.rawValue).joined(separator: ", "))"])
                return
            }
            let result = engine.perform(ControlAction(verb, task: request.task), actor: request.actor ?? "control socket")
            Self.reply(fd, result)
        case .watch:
            stream(to: fd)
        }
    }

    private static func reply<T: Encodable>(_ fd: Int32, _ value: T) {
        guard var bytes = try? JSONEncoder.sortedCompact.encode(value) else { return }
        bytes.append(0x0A)
        SocketIO.sendAll(fd, bytes)
    }

    /// Sends the recording so far, then every event as it is published, until the run ends
    /// or the watcher goes away. A watcher that falls out of the feed's window is dropped: its
    /// connection is shut down, which also frees this thread if it is stuck sending to it.
    private func stream(to fd: Int32) {
        streams.enter()
        defer { streams.leave() }
        let drop: @Sendable () -> Void = { shutdown(fd, Int32(SHUT_RDWR)) }
        let wake = Wakeup()
        let joined = feed.join(wake: wake, drop: drop)
        watchers.withLock { $0[fd] = drop }
        defer {
            feed.leave(joined.id)
            watchers.withLock { _ = $0.removeValue(forKey: fd) }
        }
        // The header and the events before the feed's first are in the events file (event n is
        // its line n + 1).
        guard Self.sendRecorded(lines: joined.firstSeq, of: engine.directory.eventsPath, to: fd) else { return }
        while true {
            switch feed.take(joined.id) {
            case .lines(let bytes):
                guard SocketIO.sendAll(fd, bytes) else { return }
                // At most one batch every `batchInterval` milliseconds: events that come
                // meanwhile go in the next, so a busy run costs each watcher a few sends a
                // frame, not one per event.
                var hangup = pollfd(fd: fd, events: 0, revents: 0)
                if poll(&hangup, 1, Self.batchInterval) > 0 { return }
            case .nothing:
                var fds = [pollfd(fd: wake.fd, events: Int16(POLLIN), revents: 0), pollfd(fd: fd, events: 0, revents: 0)]
                _ = poll(&fds, 2, -1)
                if fds[1].revents & Int16(POLLHUP | POLLERR) != 0 { return }
                wake.drain()
            case .finished, .dropped:
                return
            }
        }
    }

    /// How long a watcher gathers events after sending some, in milliseconds: one frame of the dashboard.
    static let batchInterval: Int32 = 20

    /// Sends the first `count` lines of the recording at `path`, a piece at a time.
    private static func sendRecorded(lines count: Int, of path: String, to fd: Int32) -> Bool {
        guard count > 0 else { return true }
        let file = open(path, O_RDONLY | O_CLOEXEC)
        guard file >= 0 else { return true }
        defer { close(file) }
        var remaining = count
        var chunk = [UInt8](repeating: 0, count: 256 * 1024)
        while remaining > 0 {
            let read = Glibc.read(file, &chunk, chunk.count)
            guard read > 0 else { return true }
            var end = 0
            while end < read, remaining > 0 {
                if chunk[end] == 0x0A { remaining -= 1 }
                end += 1
            }
            guard SocketIO.sendAll(fd, Array(chunk[..<end])) else { return false }
        }
        return true
    }
}

/// Reads newline-terminated lines from a socket, with a time limit per line.
struct SocketLineReader {
    let fd: Int32
    private var buffer: [UInt8] = []
    /// Where the unread part of `buffer` starts.
    private var start = 0
    private var ended = false
    static let maximumLine = 16 << 20

    init(fd: Int32) { self.fd = fd }

    /// The next line without its newline; nil at the end, on an error or after `timeout`
    /// seconds without one (nil: wait as long as it takes). A last line without a newline
    /// counts.
    mutating func nextLine(timeout: Double? = nil) -> [UInt8]? {
        var searchFrom = start
        while true {
            if let newline = buffer[searchFrom...].firstIndex(of: 0x0A) {
                let line = Array(buffer[start..<newline])
                start = newline + 1
                return line
            }
            if buffer.count - start > Self.maximumLine { return nil }
            if ended {
                defer { start = buffer.count }
                return start < buffer.count ? Array(buffer[start...]) : nil
            }
            if start > 0, start >= buffer.count / 2 {
                buffer.removeSubrange(..<start)
                start = 0
            }
            searchFrom = buffer.count
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&entry, 1, timeout.map { Int32($0 * 1000) } ?? -1)
            if ready < 0, errno == EINTR { continue }
            guard ready > 0 else { return nil }
            var chunk = [UInt8](repeating: 0, count: 64 * 1024)
            let count = read(fd, &chunk, chunk.count)
            if count < 0, errno == EINTR { continue }
            if count <= 0 { ended = true } else { buffer += chunk[..<count] }
        }
    }
}
