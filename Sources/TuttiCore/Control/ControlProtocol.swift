import CTuttiSystem
import Foundation

/// One request to a run's control socket, sent as a single JSON line.
///
/// - `{"op":"action","action":"pause","task":"4","actor":"ctl"}`: answered by one
///   `ControlResult` line.
/// - `{"op":"status"}`: answered by one `RunStatus` line.
/// - `{"op":"watch"}`: answered by the recording's header line, every event so far, then
///   every later event as it happens, one JSON line each, until the run ends.
public struct ControlRequest: Sendable, Hashable, Codable {
    /// What the request asks for.
    public enum Operation: String, Sendable, Hashable, Codable { case action, status, watch }

    public var op: Operation
    public var action: ControlVerb?
    public var task: String?
    public var actor: String?

    public init(op: Operation, action: ControlVerb? = nil, task: String? = nil, actor: String? = nil) {
        self.op = op
        self.action = action
        self.task = task
        self.actor = actor
    }
}

/// A live run's state, as the control socket reports it.
public struct RunStatus: Sendable, Hashable, Codable {
    public var runID: String
    public var workflow: String
    /// "running", "paused", "held", "stopping" or "finished".
    public var state: String
    public var pid: Int32

    enum CodingKeys: String, CodingKey { case runID = "run_id", workflow, state, pid }

    public init(runID: String, workflow: String, state: String, pid: Int32) {
        self.runID = runID
        self.workflow = workflow
        self.state = state
        self.pid = pid
    }
}

/// Why talking to a run's control socket failed.
public enum ControlError: Error, Sendable, CustomStringConvertible {
    /// Nothing listens: the run's process has ended (or never had a socket).
    case runNotLive(String)
    /// The socket is there but this user may not use it: the run belongs to another user.
    case permissionDenied(String)
    /// The socket answered something that is not the protocol.
    case badAnswer(String)
    /// The run could not open its own socket.
    case cannotListen(String, String)

    public var description: String {
        switch self {
        case .runNotLive(let path): return "no run process is listening at \(path): the run has ended"
        case .permissionDenied(let path):
            return "permission denied on the control socket \(path): the run belongs to another user; act on it as that user"
        case .badAnswer(let why): return "the run's control socket answered something unexpected: \(why)"
        case .cannotListen(let path, let why): return "cannot open the control socket \(path): \(why)"
        }
    }
}

/// Writes to a control socket.
enum SocketIO {
    /// Sends every byte; false when the peer has gone. Never raises SIGPIPE.
    @discardableResult
    static func sendAll<Bytes: ContiguousBytes>(_ fd: Int32, _ bytes: Bytes) -> Bool {
        bytes.withUnsafeBytes { buffer in
            buffer.isEmpty || tutti_send_all(fd, buffer.baseAddress, buffer.count) == 0
        }
    }
}
