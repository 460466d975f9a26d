import Foundation
import Testing
import TuttiCore

/// `tutti mcp` driven by the official MCP Python client (the `mcp` package from PyPI).
@Suite struct MCPServerTests {
    static var pythonClient: Bool { ChildProcess.run(["python3", "-c", "import mcp"]).status == 0 }

    @Test(.enabled(if: pythonClient)) func theOfficialClientRunsTheSeedsStepTwo() async throws {
        let scratch = Scratch()
        let script = "\(repositoryRoot)/Tests/TuttiCLITests/MCPClient/conductor_client.py"
        let result = try await offThePool {
            ChildProcess.run(["python3", script, tuttiBinary, "\(repositoryRoot)/workflows", scratch.path], in: scratch.path,
                             captureOutput: true)
        }
        #expect(result.status == 0, "\(result.output.suffix(3000))")
        #expect(result.output.hasSuffix("ALL CHECKS PASSED\n"), "\(result.output.suffix(3000))")
    }
}

/// `tutti mcp` spoken to in raw JSON-RPC, a line at a time, as a careless or hostile client would.
@Suite struct MCPProtocolTests {
    /// A running `tutti mcp` with its stdin and stdout at hand.
    final class Session: @unchecked Sendable {
        let process = Process()
        let input = Pipe()
        let output = Pipe()
        private var buffer = Data()

        init(in directory: String) throws {
            process.executableURL = URL(fileURLWithPath: tuttiBinary)
            process.arguments = ["mcp", "--workflows-dir", "\(repositoryRoot)/workflows", "--runs-dir", directory + "/runs"]
            process.standardInput = input
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
        }

        /// Sends one line and reads the one reply line, as JSON.
        func ask(_ line: some Sequence<UInt8>) -> JSONValue? {
            try? input.fileHandleForWriting.write(contentsOf: Data(line) + [0x0A])
            var searched = 0
            while true {
                if let newline = buffer[searched...].firstIndex(of: 0x0A) {
                    defer { buffer.removeSubrange(...newline) }
                    return JSONValue(json: buffer[..<newline])
                }
                searched = buffer.endIndex
                let chunk = output.fileHandleForReading.availableData
                guard !chunk.isEmpty else { return nil }
                buffer += chunk
            }
        }

        func ask(_ line: String) -> JSONValue? { ask(Array(line.utf8)) }

        func end() {
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
        }
    }

    static func code(_ reply: JSONValue?) -> (id: JSONValue?, code: Double?) {
        guard case .object(let fields)? = reply, case .object(let error)? = fields["error"], case .number(let code)? = error["code"] else {
            return (nil, nil)
        }
        return (fields["id"], code)
    }

    @Test func malformedRequestsGetTheirJSONRPCCodesAndALongLineIsReadInOnePass() async throws {
        let scratch = Scratch()
        try await offThePool {
            let session = try Session(in: scratch.path)
            defer { session.end() }
            let initialize = session.ask(#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}"#)
            #expect(Self.code(initialize).code == nil, "\(String(describing: initialize))")
            #expect(Self.code(session.ask("not json")) == (.null, -32700))
            #expect(Self.code(session.ask("{}")) == (.null, -32600))
            #expect(Self.code(session.ask(#"{"jsonrpc":"2.0","id":{"a":1},"method":"tools/list"}"#)) == (.null, -32600))
            #expect(Self.code(session.ask(#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":5}}"#)) == (.number(7), -32602))
            #expect(Self.code(session.ask(#"{"jsonrpc":"2.0","id":8,"method":"no/such/method"}"#)) == (.number(8), -32601))

            // A 5 MB request is read whole and answered; one past the bound is refused and skipped.
            let long = #"{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"get_conductor_workflow_status","arguments":{"workflow_execution_id":""#
                + String(repeating: "x", count: 5_000_000) + #""}}}"#
            guard case .object(let answer)? = session.ask(long) else { Issue.record("no answer to the long request"); return }
            #expect(answer["id"] == .number(9) && answer["result"] != nil)
            let tooLong = #"{"jsonrpc":"2.0","id":10,"method":"tools/list","params":{"pad":""# + String(repeating: "y", count: 9 << 20) + #""}}"#
            #expect(Self.code(session.ask(tooLong)) == (.null, -32600))
            guard case .object(let after)? = session.ask(#"{"jsonrpc":"2.0","id":11,"method":"ping"}"#) else { Issue.record("no answer after"); return }
            #expect(after["id"] == .number(11) && after["result"] != nil, "the server reads on after the skipped line")
        }
    }
}
