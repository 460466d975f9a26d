import Foundation

/// Counts of a test run as its runner reported them, read line by line as they come.
public struct TestTally: Sendable, Equatable {
    public var passed = 0
    public var failed = 0
    public var skipped = 0
    /// Tests known to exist (pytest's "collected N items"), for progress.
    public var known: Int?
    /// Whether a runner's own final summary set the counts (it overrides line counting).
    public var fromSummary = false
    /// Names of failed tests, as printed.
    public var failures: [String] = []
    /// Tests seen starting (Swift Testing, XCTest, go test -v), when the total is not told.
    public var started = 0
    /// The build before the tests: steps done of steps known (`[12/40] Compiling ...`).
    public var buildDone = 0
    public var buildTotal = 0

    /// How far the run is, 0...100: the share of known tests done; without a known total,
    /// half for the build and half for the tests started so far that have finished.
    public var percent: Double {
        if let known, known > 0 { return min(100, Double(done) / Double(known) * 100) }
        let build = buildTotal > 0 ? Double(buildDone) / Double(buildTotal) : (started > 0 ? 1 : 0)
        let tests = started > 0 ? min(1, Double(done) / Double(started)) : 0
        return 50 * build + 50 * tests
    }

    public var done: Int { passed + failed + skipped }

    /// Pass rate in percent of the tests that ran (skipped ones left out).
    public var passRate: Double? { passed + failed == 0 ? nil : Double(passed) / Double(passed + failed) * 100 }
}

/// Reads the output of pytest, swift test (XCTest and Swift Testing), go test -v, cargo test,
/// jest and mocha: per-test lines for live progress, then the runner's summary for the counts.
public struct TestOutputReader: Sendable {
    public private(set) var tally = TestTally()
    private var perTest = TestTally()
    private var seenFailures: Set<String> = []
    /// Failures Swift Testing printed: its summary counts tests and issues, not failed tests.
    private var swiftTestingFailures = 0

    public init() {}

    static func regex(_ pattern: String) -> NSRegularExpression { try! NSRegularExpression(pattern: pattern) }
    static let pytestCollected = regex(#"collected (\d+) items?"#)
    static let cargoRunning = regex(#"^running (\d+) tests?"#)
    static let buildStep = regex(#"^\[(\d+)/(\d+)\] "#)
    static let testStarted = regex(#"^(?:◇ Test \S+ started|Test Case '.+' started|=== RUN\s)"#)
    static let pytestLine = regex(#"^(\S+::\S+)\s+(PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS)"#)
    static let pytestSummary = regex(#"^=+ (.*\d+ (?:passed|failed|error|errors|skipped).*) in [\d.]+s"#)
    static let swiftTestingLine = regex(#"^[✔✘] Test (\S+?(?:\([^)]*\))?) (passed|failed)"#)
    static let swiftTestingSummary = regex(#"^[✔✘] Test run with (\d+) tests?(?: in \d+ suites?)? (passed|failed)"#)
    static let xctestLine = regex(#"^Test Case '(.+)' (passed|failed)"#)
    static let xctestSummary = regex(#"Executed (\d+) tests?, with (?:(\d+) tests? skipped and )?(\d+) failures?"#)
    // Only top-level tests: an indented line is a subtest, already counted in its parent.
    static let goLine = regex(#"^--- (PASS|FAIL|SKIP): (\S+)"#)
    static let cargoLine = regex(#"^test (\S+) \.\.\. (ok|FAILED|ignored)"#)
    static let cargoSummary = regex(#"^test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored"#)
    static let jestSummary = regex(#"^Tests:\s+(.*\d+ total)"#)
    static let mochaPassing = regex(#"^\s*(\d+) passing"#)
    static let mochaFailing = regex(#"^\s*(\d+) failing"#)
    static let mochaPending = regex(#"^\s*(\d+) pending"#)

    static func groups(_ pattern: NSRegularExpression, _ text: String) -> [String]? {
        guard let match = pattern.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else { return nil }
        return (1..<match.numberOfRanges).map { Range(match.range(at: $0), in: text).map { String(text[$0]) } ?? "" }
    }

    static let countItem = regex(#"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed|todo|pending)"#)
    static let junitSuite = regex(#"<testsuite\b[^>]*>"#)
    static let junitAttributes = ["tests", "failures", "errors", "skipped"].reduce(into: [String: NSRegularExpression]()) {
        $0[$1] = regex(#"\b\#($1)="(\d+)""#)
    }

    /// Counts "3 passed, 1 failed, 2 skipped" (any order, any of the words).
    static func counts(in text: String) -> (passed: Int, failed: Int, skipped: Int) {
        var result = (passed: 0, failed: 0, skipped: 0)
        for match in countItem.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            guard let number = Range(match.range(at: 1), in: text).flatMap({ Int(text[$0]) }),
                  let word = Range(match.range(at: 2), in: text).map({ text[$0] }) else { continue }
            switch word {
            case "passed", "xpassed": result.passed += number
            case "failed", "error", "errors": result.failed += number
            default: result.skipped += number
            }
        }
        return result
    }

    /// Reads one line of output.
    public mutating func read(_ rawLine: String) {
        let line = rawLine.trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
        if let g = Self.groups(Self.pytestCollected, line) { tally.known = Int(g[0]) }
        if let g = Self.groups(Self.cargoRunning, line) { tally.known = (tally.known ?? 0) + (Int(g[0]) ?? 0) }
        if let g = Self.groups(Self.buildStep, line), let done = Int(g[0]), let total = Int(g[1]) {
            tally.buildDone = done
            tally.buildTotal = total
        }
        if Self.testStarted.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) != nil { tally.started += 1 }
        if let g = Self.groups(Self.pytestLine, line) {
            record(g[0], passed: ["PASSED", "XFAIL", "XPASS"].contains(g[1]) ? true : g[1] == "SKIPPED" ? nil : false)
        } else if let g = Self.groups(Self.swiftTestingLine, line) {
            record(g[0], passed: g[1] == "passed")
            if g[1] == "failed" { swiftTestingFailures += 1 }
        } else if let g = Self.groups(Self.xctestLine, line) {
            record(g[0], passed: g[1] == "passed")
        } else if let g = Self.groups(Self.goLine, line) {
            record(g[1], passed: g[0] == "PASS" ? true : g[0] == "SKIP" ? nil : false)
        } else if let g = Self.groups(Self.cargoLine, line) {
            record(g[0], passed: g[1] == "ok" ? true : g[1] == "ignored" ? nil : false)
        }
        // Runners' own summaries: the counts to trust.
        if let g = Self.groups(Self.pytestSummary, line) {
            let found = Self.counts(in: g[0])
            setSummary(passed: found.passed, failed: found.failed, skipped: found.skipped)
        } else if let g = Self.groups(Self.swiftTestingSummary, line), let total = Int(g[0]) {
            // swift test runs XCTest first, then Swift Testing: both summaries add up.
            let failed = min(total, swiftTestingFailures)
            setSummary(passed: total - failed, failed: failed, skipped: 0, adding: tally.fromSummary)
        } else if let g = Self.groups(Self.xctestSummary, line), let total = Int(g[0]), let failed = Int(g[2]) {
            // XCTest prints a summary per suite; the last, outermost one counts.
            let skipped = Int(g[1]) ?? 0
            setSummary(passed: max(0, total - failed - skipped), failed: failed, skipped: skipped)
        } else if let g = Self.groups(Self.cargoSummary, line) {
            setSummary(passed: Int(g[0]) ?? 0, failed: Int(g[1]) ?? 0, skipped: Int(g[2]) ?? 0, adding: tally.fromSummary)
        } else if let g = Self.groups(Self.jestSummary, line) {
            let found = Self.counts(in: g[0])
            setSummary(passed: found.passed, failed: found.failed, skipped: found.skipped)
        } else if let g = Self.groups(Self.mochaPassing, line) {
            setSummary(passed: Int(g[0]) ?? 0, failed: 0, skipped: 0)
        } else if let g = Self.groups(Self.mochaFailing, line), tally.fromSummary {
            tally.failed = Int(g[0]) ?? 0
        } else if let g = Self.groups(Self.mochaPending, line), tally.fromSummary {
            tally.skipped = Int(g[0]) ?? 0
        }
    }

    private mutating func record(_ name: String, passed: Bool?) {
        switch passed {
        case true?: perTest.passed += 1
        case false?:
            perTest.failed += 1
            if seenFailures.insert(name).inserted { tally.failures.append(name) }
        case nil: perTest.skipped += 1
        }
        if !tally.fromSummary {
            tally.passed = perTest.passed
            tally.failed = perTest.failed
            tally.skipped = perTest.skipped
        }
    }

    private mutating func setSummary(passed: Int, failed: Int, skipped: Int, adding: Bool = false) {
        if adding {
            tally.passed += passed
            tally.failed += failed
            tally.skipped += skipped
        } else {
            tally.passed = passed
            tally.failed = failed
            tally.skipped = skipped
        }
        tally.fromSummary = true
    }

    /// Counts from a JUnit XML file, when the runner wrote one.
    public static func junit(_ path: String) -> TestTally? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        var tally = TestTally()
        var found = false
        for match in junitSuite.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            guard let range = Range(match.range, in: text) else { continue }
            let tag = String(text[range])
            func attribute(_ name: String) -> Int {
                junitAttributes[name].flatMap { Self.groups($0, tag) }.flatMap { Int($0[0]) } ?? 0
            }
            let tests = attribute("tests"), failures = attribute("failures") + attribute("errors"), skipped = attribute("skipped")
            tally.passed += tests - failures - skipped
            tally.failed += failures
            tally.skipped += skipped
            found = true
        }
        tally.fromSummary = found
        return found ? tally : nil
    }
}

/// Line coverage from the files test tools write: llvm-cov's JSON export, coverage.py's JSON,
/// Istanbul's summary, lcov, Cobertura XML and Go's cover profile.
public enum CoverageReader {
    /// Percent of lines covered, and the format it was read as; nil when the file is none of them.
    public static func percent(at path: String) -> (percent: Double, format: String)? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            if let first = (object["data"] as? [[String: Any]])?.first {
                // The project's own sources: not its dependencies' (.build/checkouts) nor its tests.
                let files = (first["files"] as? [[String: Any]] ?? []).filter { file in
                    let name = file["filename"] as? String ?? ""
                    return !name.contains("/.build/") && !name.contains("/Tests/")
                }
                let counts = files.compactMap { (($0["summary"] as? [String: Any])?["lines"] as? [String: Any]) }
                let total = counts.reduce(0) { $0 + ((($1["count"] as? NSNumber)?.intValue) ?? 0) }
                let covered = counts.reduce(0) { $0 + ((($1["covered"] as? NSNumber)?.intValue) ?? 0) }
                if total > 0 { return (Double(covered) / Double(total) * 100, "llvm-cov JSON") }
                if let totals = first["totals"] as? [String: Any], let lines = totals["lines"] as? [String: Any],
                   let percent = (lines["percent"] as? NSNumber)?.doubleValue {
                    return (percent, "llvm-cov JSON")
                }
            }
            if let totals = object["totals"] as? [String: Any], let percent = (totals["percent_covered"] as? NSNumber)?.doubleValue {
                return (percent, "coverage.py JSON")
            }
            if let total = object["total"] as? [String: Any], let lines = total["lines"] as? [String: Any],
               let percent = (lines["pct"] as? NSNumber)?.doubleValue {
                return (percent, "Istanbul summary")
            }
            return nil
        }
        if text.contains("<coverage"), let rate = TestOutputReader.groups(TestOutputReader.regex(#"<coverage\b[^>]*\bline-rate="([\d.]+)""#), text)
            .flatMap({ Double($0[0]) }) {
            return (rate * 100, "Cobertura XML")
        }
        if text.hasPrefix("mode:") {
            var total = 0, covered = 0
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                guard fields.count == 3, let statements = Int(fields[1]), let count = Int(fields[2]) else { continue }
                total += statements
                if count > 0 { covered += statements }
            }
            return total > 0 ? (Double(covered) / Double(total) * 100, "Go cover profile") : nil
        }
        if text.contains("end_of_record") {
            var found = 0, hit = 0
            for line in text.split(separator: "\n") {
                if line.hasPrefix("LF:") { found += Int(line.dropFirst(3)) ?? 0 }
                if line.hasPrefix("LH:") { hit += Int(line.dropFirst(3)) ?? 0 }
            }
            return found > 0 ? (Double(hit) / Double(found) * 100, "lcov") : nil
        }
        return nil
    }
}
