import Testing
@testable import TuttiCore

/// The single progress value a protocol line reports, if it reports exactly that.
private func progress(_ line: String) -> Double? {
    guard case .reports(let reports) = AgentProtocol.parse(line), reports.count == 1,
          case .progress(let percent) = reports[0] else { return nil }
    return percent
}

/// Feeds `text` as one chunk of bytes.
private func feed(_ splitter: inout LineSplitter, _ text: String) -> [String] {
    feed(&splitter, Array(text.utf8))
}

/// Feeds raw bytes as one chunk.
private func feed(_ splitter: inout LineSplitter, _ bytes: [UInt8]) -> [String] {
    bytes.withUnsafeBytes { splitter.feed($0) }
}

/// Reading `@tutti` protocol lines from an agent's stdout.
@Suite struct AgentProtocolTests {
    @Test func detailsSayWhatRanItsResultAndItsFindingsFile() {
        #expect(AgentProtocol.parse("@tutti detail command python3 -m pytest -q") == .reports([.detail(.command, "python3 -m pytest -q")]))
        #expect(AgentProtocol.parse("@tutti detail headline 3 passed, 1 failed") == .reports([.detail(.headline, "3 passed, 1 failed")]))
        #expect(AgentProtocol.parse(#"@tutti {"details": {"findings": "/r/testing.json", "command": "go test ./..."}}"#)
                == .reports([.detail(.command, "go test ./..."), .detail(.findings, "/r/testing.json")]))
        guard case .malformed(let why) = AgentProtocol.parse("@tutti detail colour blue") else { Issue.record("expected malformed"); return }
        #expect(why == "detail needs one of command, headline, findings and text")
        let long = String(repeating: "x", count: 5000)
        #expect(AgentProtocol.parse("@tutti detail headline \(long)") == .reports([.detail(.headline, String(long.prefix(TaskDetail.maximumLength)))]))
    }

    @Test func progressAsPlainNumber() {
        #expect(AgentProtocol.parse("@tutti progress 35") == AgentProtocol.Line.reports([.progress(35)]))
    }

    @Test func progressAsPercentAndAsFraction() throws {
        #expect(AgentProtocol.parse("@tutti progress 35%") == AgentProtocol.Line.reports([.progress(35)]))
        let fraction = try #require(progress("@tutti progress 12/40"))
        #expect(abs(fraction - 30) < 1e-9)
    }

    @Test func progressIsClampedToZeroThroughHundred() {
        #expect(progress("@tutti progress 150") == 100)
        #expect(progress("@tutti progress -20") == 0)
        #expect(progress("@tutti progress 50/40") == 100)
        #expect(progress(#"@tutti {"progress": 200}"#) == 100)
        #expect(progress(#"@tutti {"progress": -1}"#) == 0)
    }

    @Test func numericMetric() {
        #expect(AgentProtocol.parse("@tutti metric test_coverage 96.4")
            == AgentProtocol.Line.reports([.metric("test_coverage", .number(96.4))]))
        #expect(AgentProtocol.parse("@tutti metric coverage 96%")
            == AgentProtocol.Line.reports([.metric("coverage", .number(96))]))
    }

    @Test func booleanMetric() {
        #expect(AgentProtocol.parse("@tutti metric documentation true")
            == AgentProtocol.Line.reports([.metric("documentation", .bool(true))]))
        #expect(AgentProtocol.parse("@tutti metric flaky FALSE")
            == AgentProtocol.Line.reports([.metric("flaky", .bool(false))]))
    }

    @Test func stringMetricQuotedAndBare() {
        #expect(AgentProtocol.parse(#"@tutti metric compliance "SOC2""#)
            == AgentProtocol.Line.reports([.metric("compliance", .string("SOC2"))]))
        #expect(AgentProtocol.parse("@tutti metric release v1.0.0 final")
            == AgentProtocol.Line.reports([.metric("release", .string("v1.0.0 final"))]))
    }

    @Test func message() {
        #expect(AgentProtocol.parse("@tutti message hello world")
            == AgentProtocol.Line.reports([.message("hello world")]))
    }

    @Test func jsonFormReportsEveryFieldInKeyOrder() {
        #expect(AgentProtocol.parse(#"@tutti {"progress": 50, "metrics": {"a": 1}}"#)
            == AgentProtocol.Line.reports([.metric("a", .number(1)), .progress(50)]))
        #expect(AgentProtocol.parse(#"@tutti {"message": "Scanning", "progress": "45%"}"#)
            == AgentProtocol.Line.reports([.message("Scanning"), .progress(45)]))
        #expect(AgentProtocol.parse(#"@tutti {"metrics": {"ok": true, "grade": "A", "n": 2.5}}"#)
            == AgentProtocol.Line.reports([.metric("grade", .string("A")), .metric("n", .number(2.5)), .metric("ok", .bool(true))]))
    }

    @Test(arguments: ["compiling TuttiCore", "", "@tutti", "@tuttiprogress 5", " @tutti progress 5", "@TUTTI progress 5"])
    func ordinaryLinesAreLog(_ line: String) {
        #expect(AgentProtocol.parse(line) == AgentProtocol.Line.log)
    }

    @Test(arguments: [
        "@tutti progress abc", "@tutti frobnicate 1", "@tutti {not json", "@tutti metric onlyname",
        "@tutti progress", "@tutti message", "@tutti progress 5/0", #"@tutti {"bogus": 1}"#, "@tutti [1, 2]",
    ])
    func malformedProtocolLines(_ line: String) {
        guard case .malformed(let why) = AgentProtocol.parse(line) else {
            Issue.record("expected \(line) to be malformed, got \(AgentProtocol.parse(line))")
            return
        }
        #expect(!why.isEmpty)
    }

    @Test func malformedLinesSayWhatIsWrong() {
        #expect(AgentProtocol.parse("@tutti progress abc")
            == AgentProtocol.Line.malformed("progress needs a number, 'N%' or 'done/total'"))
        #expect(AgentProtocol.parse("@tutti metric onlyname") == AgentProtocol.Line.malformed("metric needs a name and a value"))
        #expect(AgentProtocol.parse("@tutti {not json") == AgentProtocol.Line.malformed("not a JSON object"))
        #expect(AgentProtocol.parse("@tutti frobnicate 1")
            == AgentProtocol.Line.malformed("unknown protocol word 'frobnicate' (expected progress, metric, label, message, finding or detail)"))
    }
}

/// Splitting a byte stream into lines with bounded memory.
@Suite struct LineSplitterTests {
    @Test func linesSplitAcrossChunksComeOutWhole() {
        var splitter = LineSplitter(maxLineLength: 1024)
        let first = feed(&splitter, "hel")
        let second = feed(&splitter, "lo\nwor")
        let third = feed(&splitter, "ld\nagain\n")
        let rest = splitter.finish()
        #expect(first == [])
        #expect(second == ["hello"])
        #expect(third == ["world", "again"])
        #expect(rest == nil)
    }

    @Test func emptyLinesAreKept() {
        var splitter = LineSplitter()
        let lines = feed(&splitter, "a\n\nb\n")
        #expect(lines == ["a", "", "b"])
    }

    @Test func carriageReturnBeforeNewlineIsStripped() {
        var splitter = LineSplitter()
        let crlf = feed(&splitter, "one\r\ntwo\r\n")
        let pending = feed(&splitter, "three\r")
        let split = feed(&splitter, "\nfour")
        let tail = splitter.finish()
        #expect(crlf == ["one", "two"])
        #expect(pending == [])
        #expect(split == ["three"])
        #expect(tail == "four")
    }

    @Test func multiByteCharacterSplitAcrossChunksDecodes() {
        var splitter = LineSplitter()
        let bytes = Array("café ✓\n".utf8)
        let first = feed(&splitter, Array(bytes[..<4]))
        let second = feed(&splitter, Array(bytes[4...]))
        #expect(first == [])
        #expect(second == ["café ✓"])
    }

    @Test func lineLongerThanTheLimitIsCutIntoPieces() {
        var splitter = LineSplitter(maxLineLength: 4)
        let long = feed(&splitter, "abcdefghij\n")
        let short = feed(&splitter, "xyz")
        let overflow = feed(&splitter, "uvw")
        let tail = splitter.finish()
        #expect(long == ["abcd", "efgh", "ij"])
        #expect(short == [])
        #expect(overflow == ["xyzu"])
        #expect(tail == "vw")
    }

    @Test func finishReturnsTheUnterminatedTailOnce() {
        var splitter = LineSplitter()
        let lines = feed(&splitter, "done\ntail")
        let tail = splitter.finish()
        let again = splitter.finish()
        #expect(lines == ["done"])
        #expect(tail == "tail")
        #expect(again == nil)
    }
}

/// Rate-limiting log events with a token bucket driven by explicit times.
@Suite struct LogThrottleTests {
    @Test func allowsCapacityAtOnceThenDrops() {
        var throttle = LogThrottle(capacity: 3, refillPerSecond: 1, now: 0)
        let verdicts = (0..<5).map { _ in throttle.allow(now: 0) }
        let dropped = throttle.takeDropped()
        let droppedAgain = throttle.takeDropped()
        #expect(verdicts == [true, true, true, false, false])
        #expect(dropped == 2)
        #expect(droppedAgain == 0)
    }

    @Test func refillsOverTime() {
        var throttle = LogThrottle(capacity: 3, refillPerSecond: 2, now: 10)
        let verdicts = [10, 10, 10, 10, 10.5, 10.5, 11.5, 11.5, 11.5].map { throttle.allow(now: $0) }
        let dropped = throttle.takeDropped()
        #expect(verdicts == [true, true, true, false, true, false, true, true, false])
        #expect(dropped == 3)
    }

    @Test func refillStopsAtCapacity() {
        var throttle = LogThrottle(capacity: 2, refillPerSecond: 100, now: 0)
        let verdicts = (0..<3).map { _ in throttle.allow(now: 1000) }
        let dropped = throttle.takeDropped()
        #expect(verdicts == [true, true, false])
        #expect(dropped == 1)
    }

    @Test func partialTokensAccumulate() {
        var throttle = LogThrottle(capacity: 1, refillPerSecond: 1, now: 0)
        let verdicts = [0, 0.5, 1.0].map { throttle.allow(now: $0) }
        let dropped = throttle.takeDropped()
        #expect(verdicts == [true, false, true])
        #expect(dropped == 1)
    }
}

/// Edge cases of cutting long lines.
@Suite struct LineSplitterCutTests {
    private func feed(_ splitter: inout LineSplitter, _ bytes: [UInt8]) -> [String] {
        bytes.withUnsafeBytes { splitter.feed($0) }
    }

    @Test func aLineOfExactlyTheLimitFollowedByNewlineGivesOneLine() {
        var splitter = LineSplitter(maxLineLength: 4)
        #expect(feed(&splitter, Array("abcd\nef\n".utf8)) == ["abcd", "ef"])
    }

    @Test func aCutNeverSplitsAUTF8Character() {
        var splitter = LineSplitter(maxLineLength: 4)
        // "abc" then "é" (2 bytes): the 4-byte limit falls inside "é".
        let lines = feed(&splitter, Array("abcéz\n".utf8))
        #expect(lines == ["abc", "éz"])
        #expect(!lines.joined().contains("\u{FFFD}"))
    }
}
