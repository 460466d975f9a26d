import Foundation
import Logging
import MCP
import TuttiCore

/// MCP over stdio, one JSON-RPC message a line, read on a thread of its own. Replaces the
/// library's stdio transport, which searched the whole unread input again for each 4 KiB
/// read (a 5 MB line took a minute) and polled every 10 ms. Lines are checked by
/// `RequestScreen` before the server sees them, and a line longer than `maximumLine` is
/// answered with an error and skipped, not kept.
actor LineTransport: Transport {
    nonisolated let logger = Logger(label: "tutti.mcp.transport", factory: { _ in SwiftLogNoOpLogHandler() })
    /// The longest request read: 8 MiB, far beyond any tool call.
    static let maximumLine = 8 << 20

    private let input: Int32
    private let output: Int32
    private let messages: AsyncThrowingStream<Data, Error>
    private let continuation: AsyncThrowingStream<Data, Error>.Continuation
    private var connected = false

    init(input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO) {
        self.input = input
        self.output = output
        (messages, continuation) = AsyncThrowingStream.makeStream()
    }

    func connect() async throws {
        guard !connected else { return }
        connected = true
        let (input, output, continuation) = (input, output, continuation)
        OwnThread.start("tutti.mcp.stdin") {
            Self.readLines(from: input) { line in
                switch RequestScreen.verdict(on: line) {
                case .pass:
                    continuation.yield(line)
                case .reject(let error):
                    Self.write(error.json, to: output)
                }
            } tooLong: {
                Self.write(RequestScreen.RPCError(id: .null, code: -32600, message:
                    "Invalid Request: a message longer than \(LineTransport.maximumLine >> 20) MiB was skipped; send smaller requests").json, to: output)
            }
            continuation.finish()
        }
    }

    func disconnect() async {
        connected = false
        continuation.finish()
    }

    func send(_ data: Data) async throws {
        guard Self.write(data, to: output) else { throw MCPError.internalError("cannot write to standard output: \(String(cString: strerror(errno)))") }
    }

    nonisolated func receive() -> AsyncThrowingStream<Data, Error> { messages }

    /// Writes one message and its newline in one piece, so replies from the reading thread
    /// and from the server never interleave.
    @discardableResult
    private static func write(_ message: Data, to fd: Int32) -> Bool {
        var line = message
        line.append(0x0A)
        return writeLock.withLock { FileIO.writeAll(fd, line) }
    }

    private static let writeLock = NSLock()

    /// Calls `line` with each non-empty line read from `fd` until its end (the last one may
    /// lack a newline); `tooLong` for each line past `maximumLine`, whose bytes are dropped as
    /// they come. Each byte is looked at once.
    static func readLines(from fd: Int32, maximum: Int = maximumLine, line: (Data) -> Void, tooLong: () -> Void) {
        var pending = Data()
        var skipping = false
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = read(fd, &chunk, chunk.count)
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            var start = 0
            while let newline = chunk[start..<count].firstIndex(of: 0x0A) {
                if skipping {
                    skipping = false
                } else {
                    pending.append(contentsOf: chunk[start..<newline])
                    if !pending.isEmpty { line(pending) }
                }
                pending.removeAll(keepingCapacity: true)
                start = newline + 1
            }
            guard !skipping else { continue }
            pending.append(contentsOf: chunk[start..<count])
            if pending.count > maximum {
                pending = Data()
                skipping = true
                tooLong()
            }
        }
        if !skipping, !pending.isEmpty { line(pending) }
    }
}
