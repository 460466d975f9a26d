import CTuttiSystem
import Foundation

/// Talks to a live run's control socket from another process (`tutti ctl`, `tutti watch`,
/// `tutti runs`).
public struct ControlClient: Sendable {
    public let socketPath: String

    public init(socketPath: String) { self.socketPath = socketPath }

    /// Asks the run for an action; the answer says whether it was done, or why not.
    public func perform(_ action: ControlAction, actor: String) throws(ControlError) -> ControlResult {
        try ask(ControlRequest(op: .action, action: action.verb, task: action.task, actor: actor))
    }

    /// The run's state.
    public func status() throws(ControlError) -> RunStatus {
        try ask(ControlRequest(op: .status))
    }

    /// Streams the run: the recording's header, then every event so far and every later
    /// one, until the run ends (true) or its process goes away first (false). `connected`
    /// gets the socket: shutting it down (shutdown(2)) ends the watch from another thread,
    /// until `disconnecting` is called, just before it is closed.
    public func watch(connected: (Int32) -> Void = { _ in }, disconnecting: () -> Void = {},
                      header: (RecordingHeader) -> Void, event: (RunEvent) -> Void) throws(ControlError) -> Bool {
        let fd = try connect()
        defer {
            disconnecting()
            close(fd)
        }
        connected(fd)
        try send(ControlRequest(op: .watch), to: fd)
        var reader = SocketLineReader(fd: fd)
        let decoder = JSONDecoder.events
        guard let first = reader.nextLine(timeout: 10),
              let decoded = try? decoder.decodeChecked(RecordingHeader.self, from: Data(first)) else {
            throw .badAnswer("no recording header")
        }
        header(decoded)
        var finished = false
        while let line = reader.nextLine() {
            guard let decodedEvent = try? decoder.decodeChecked(RunEvent.self, from: Data(line)) else { continue }
            if case .runFinished = decodedEvent.kind { finished = true }
            if case .runReopened = decodedEvent.kind { finished = false }
            if case .runResumed = decodedEvent.kind { finished = false }
            event(decodedEvent)
        }
        return finished
    }

    /// Whether a run process listens on the socket.
    public var isLive: Bool { (try? reach()) != nil }

    /// Connects and hangs up: throws why the run cannot be reached (ended, or another user's).
    public func reach() throws(ControlError) {
        close(try connect())
    }

    private func ask<Answer: Decodable>(_ request: ControlRequest) throws(ControlError) -> Answer {
        let fd = try connect()
        defer { close(fd) }
        try send(request, to: fd)
        var reader = SocketLineReader(fd: fd)
        guard let line = reader.nextLine(timeout: 30) else { throw .badAnswer("no answer within 30 seconds") }
        if let answer = try? JSONDecoder.events.decodeChecked(Answer.self, from: Data(line)) { return answer }
        throw .badAnswer(String(decoding: line.prefix(300), as: UTF8.self))
    }

    private func connect() throws(ControlError) -> Int32 {
        let fd = tutti_unix_connect(socketPath)
        guard fd >= 0 else {
            if errno == EACCES || errno == EPERM { throw .permissionDenied(socketPath) }
            throw .runNotLive(socketPath)
        }
        return fd
    }

    private func send(_ request: ControlRequest, to fd: Int32) throws(ControlError) {
        guard var bytes = try? JSONEncoder.sortedCompact.encode(request) else { throw .badAnswer("cannot encode the request") }
        bytes.append(0x0A)
        guard SocketIO.sendAll(fd, bytes) else { throw .runNotLive(socketPath) }
    }
}
