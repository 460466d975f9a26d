import Foundation
import Testing
@testable import TuttiCore

/// JSON nested just past Foundation's limit made its decoder trap (the process died) instead
/// of throwing: 513 `[` and nothing after, found by fuzzing the control protocol. Every place
/// Tutti decodes what another process wrote checks the depth first.
@Suite struct DeepJSONTests {
    static func nested(_ depth: Int, closed: Bool) -> Data {
        Data((String(repeating: "[", count: depth) + (closed ? String(repeating: "]", count: depth) : "")).utf8)
    }

    @Test(arguments: [510, 511, 512, 513, 514, 600, 100_000])
    func deepInputIsDecodedOrRefusedNeverATrap(depth: Int) {
        for closed in [false, true] {
            let data = Self.nested(depth, closed: closed)
            let decoded = try? JSONDecoder().decodeChecked(JSONValue.self, from: data)
            #expect((decoded != nil) == (closed && depth <= JSONParser.maximumDepth))
            _ = try? JSONDecoder().decodeChecked(ControlRequest.self, from: data)
            _ = try? JSONDecoder.events.decodeChecked(RunEvent.self, from: data)
        }
    }

    @Test func anAgentLineNestedTooDeepIsMalformedNotACrash() {
        let line = "@tutti " + String(decoding: Self.nested(513, closed: false), as: UTF8.self)
        guard case .malformed = AgentProtocol.parse(line) else { Issue.record("expected a malformed line"); return }
        guard case .malformed = AgentProtocol.parse("@tutti finding " + String(repeating: "[", count: 513)) else {
            Issue.record("expected a malformed finding")
            return
        }
    }

    @Test func aRecordingLineNestedTooDeepIsDamageNotACrash() throws {
        let header = #"{"host":"h","run_id":"r","schema":"tutti-events","started_at":"2026-12-04T22:55:33Z","version":1,"workflow":"w"}"#
        let data = Data((header + "\n" + String(repeating: "[", count: 513) + "\n").utf8)
        let recording = try Recording.parse(data, path: "deep.ndjson")
        #expect(recording.events.isEmpty && recording.damage.count == 1)
    }
}
