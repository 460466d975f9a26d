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

/// Numbers read without a string (times, percents, counts) are the Doubles strtod gives.
@Suite struct ShortDecimalTests {
    static func read(_ text: String) -> Double? {
        Array(text.utf8).withUnsafeBufferPointer { JSONParser.shortDecimal($0) }
    }

    @Test func shortDecimalsReadAsStrtodReadsThem() {
        // A fixed sequence (a linear congruential generator): the same cases on every run.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        for _ in 0..<100_000 {
            let integer = (0..<(1 + next(8))).map { _ in String(next(10)) }.joined()
            let fraction = (0..<next(8)).map { _ in String(next(10)) }.joined()
            let text = (next(4) == 0 ? "-" : "") + integer + (fraction.isEmpty ? "" : "." + fraction)
            let fast = Self.read(text)
            #expect(fast?.bitPattern == Double(text)?.bitPattern, "\(text)")
            if fast?.bitPattern != Double(text)?.bitPattern { return }
        }
        for text in ["0.1", "0.3", "123456.789012", "-0", "-0.0", "999999999999999", "0.000001", "86399.999999"] {
            #expect(Self.read(text)?.bitPattern == Double(text)?.bitPattern, "\(text)")
        }
    }

    @Test func anythingElseGoesTheLongWay() {
        for text in ["1234567890123456", "1e5", "1E-3", "1.", ".5", "-", "--1", "1.2.3", "+1", ""] {
            #expect(Self.read(text) == nil, "\(text)")
        }
    }
}
