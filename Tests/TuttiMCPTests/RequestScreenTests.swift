import Foundation
import Testing
import TuttiCore
@testable import TuttiMCP

/// JSON-RPC messages that are not valid requests are answered with the code JSON-RPC names,
/// before the MCP library sees them; and stdin is cut into lines in one pass, with a bound.
@Suite struct RequestScreenTests {
    func verdict(_ line: String) -> RequestScreen.Verdict { RequestScreen.verdict(on: Data(line.utf8)) }

    func error(_ line: String) -> (id: JSONValue, code: Int)? {
        guard case .reject(let error) = verdict(line) else { return nil }
        return (error.id, error.code)
    }

    @Test func textThatIsNotJSONIsAParseErrorWithANullID() {
        #expect(error(#"{"jsonrpc":"2.0","id":3,"method":"#)! == (.null, -32700))
        #expect(error("hello")! == (.null, -32700))
    }

    @Test func aMessageThatIsNotARequestIsAnInvalidRequest() {
        #expect(error("{}")! == (.null, -32600))
        #expect(error("[]")! == (.null, -32600))
        #expect(error("42")! == (.null, -32600))
        #expect(error(#"{"jsonrpc":"1.0","id":4,"method":"ping"}"#)! == (.number(4), -32600))
        #expect(error(#"{"jsonrpc":"2.0","id":5,"method":7}"#)! == (.number(5), -32600))
        #expect(error(#"{"jsonrpc":"2.0","id":6}"#)! == (.number(6), -32600), "no method, no result")
    }

    @Test func anIDThatIsNeitherAStringAnIntegerNorNullIsAnsweredWithANullID() {
        #expect(error(#"{"jsonrpc":"2.0","id":{"a":1},"method":"tools/list"}"#)! == (.null, -32600))
        #expect(error(#"{"jsonrpc":"2.0","id":[1],"method":"tools/list"}"#)! == (.null, -32600))
        #expect(error(#"{"jsonrpc":"2.0","id":1.5,"method":"tools/list"}"#)! == (.null, -32600))
    }

    @Test func paramsThatDoNotFitTheMethodAreInvalidParams() {
        #expect(error(#"{"jsonrpc":"2.0","id":"a","method":"tools/call","params":3}"#)! == (.string("a"), -32602))
        #expect(error(#"{"jsonrpc":"2.0","id":"b","method":"tools/call","params":{"name":5}}"#)! == (.string("b"), -32602))
        #expect(error(#"{"jsonrpc":"2.0","id":"c","method":"tools/call","params":{}}"#)! == (.string("c"), -32602))
        #expect(error(#"{"jsonrpc":"2.0","id":"d","method":"initialize","params":{"protocolVersion":1}}"#)! == (.string("d"), -32602))
    }

    @Test func validMessagesPass() {
        #expect(verdict(#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#) == .pass)
        #expect(verdict(#"{"jsonrpc":"2.0","id":"x","method":"tools/call","params":{"name":"list_runs","arguments":{}}}"#) == .pass)
        #expect(verdict(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#) == .pass)
        #expect(verdict(#"{"jsonrpc":"2.0","id":2,"method":"no/such/method"}"#) == .pass, "the library answers -32601")
        #expect(verdict(#"{"jsonrpc":"2.0","id":9,"result":{}}"#) == .pass, "a client's response")
        #expect(verdict(#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#) == .pass, "a batch")
    }

    @Test func theReplyIsOneLineOfJSONRPC() throws {
        guard case .reject(let error) = verdict("{}") else { Issue.record("expected a rejection"); return }
        let reply = try #require(JSONValue(json: error.json))
        #expect(reply == .object(["jsonrpc": .string("2.0"), "id": .null,
                                  "error": .object(["code": .number(-32600), "message": .string("Invalid Request: \"jsonrpc\" must be \"2.0\"")])]))
    }

    @Test func linesAreCutInOnePassAndALineOverTheBoundIsSkippedWhole() throws {
        var fds: [Int32] = [0, 0]
        try #require(pipe(&fds) == 0)
        let writer = fds[1]
        Thread {
            let text = "one\n\n" + String(repeating: "x", count: 300_000) + "\nthree\n" + String(repeating: "y", count: 100) + "\nlast"
            _ = FileIO.writeAll(writer, Array(text.utf8))
            close(writer)
        }.start()
        var lines: [Int] = []
        var skipped = 0
        LineTransport.readLines(from: fds[0], maximum: 200_000, line: { lines.append($0.count) }, tooLong: { skipped += 1 })
        close(fds[0])
        #expect(lines == [3, 5, 100, 4], "the empty line is not a message; the last needs no newline")
        #expect(skipped == 1)
    }
}
