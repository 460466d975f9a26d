import Foundation
import TuttiCore

/// A test that failed: its id as the runner names it, where it failed when the runner says,
/// and the first line of why.
public struct TestFailure: Sendable, Equatable, Codable {
    public var test: String
    public var file: String?
    public var line: Int?
    public var message: String?

    public init(test: String, file: String? = nil, line: Int? = nil, message: String? = nil) {
        self.test = test
        self.file = file
        self.line = line
        self.message = message
    }

    /// The failure as a finding for the reports.
    var finding: Finding {
        Finding(kind: "test_failure", severity: .high, title: test, file: file, line: line, detail: message)
    }
}

/// Counts of a test run as its runner reported them, read line by line as they come.
public struct TestTally: Sendable, Equatable {
    public var passed = 0
    public var failed = 0
    public var skipped = 0
    /// Tests known to exist (pytest's "collected N items"), for progress.
    public var known: Int?
    /// Whether a runner's own final summary set the counts (it overrides line counting).
    public var fromSummary = false
    /// The tests that failed, in the order they failed.
    public var failures: [TestFailure] = []
    /// Tests seen starting (Swift Testing, XCTest, go test -v), when the total is not told.
    public var started = 0
    /// The build before the tests: steps done of steps known (`[12/40] Compiling ...`).
    public var buildDone = 0
    public var buildTotal = 0
    /// The runner stopped before running the tests (pytest: errors during collection).
    public var interrupted = false
    /// Of the skipped, the tests expected to fail that did (pytest's xfailed).
    public var expectedFailures = 0

    /// How far the run is, 0...100: the share of known tests done; without a known total,
    /// half for the build and half for the tests started so far that have finished.
    public var percent: Double {
        if let known, known > 0 { return min(100, Double(done) / Double(known) * 100) }
        let build = buildTotal > 0 ? Double(buildDone) / Double(buildTotal) : (started > 0 ? 1 : 0)
        let tests = started > 0 ? min(1, Double(done) / Double(started)) : 0
        return 50 * build + 50 * tests
    }

    public var done: Int { passed + failed + skipped }

    /// Whether any test ran to an end: the runner did its work.
    public var ran: Bool { !interrupted && done > 0 }

    /// Pass rate in percent of the tests that ran (skipped ones left out).
    public var passRate: Double? { passed + failed == 0 ? nil : Double(passed) / Double(passed + failed) * 100 }
}

/// Reads the output of pytest, unittest (-v), swift test (XCTest and Swift Testing), go test -v,
/// cargo test, jest and mocha: per-test lines for live progress, then the runner's summary for the
/// counts, and where and why each failed test failed.
public struct TestOutputReader: Sendable {
    public private(set) var tally = TestTally()
    private var perTest = TestTally()
    private var seenFailures: Set<String> = []
    /// Failures Swift Testing printed: its summary counts tests and issues, not failed tests.
    private var swiftTestingFailures = 0
    /// Tests Swift Testing skipped: its summary counts them among its tests.
    private var swiftTestingSkipped = 0
    /// Where and why a test failed, by the name its runner gives it, as the details come.
    private var details: [String: TestFailure] = [:]
    /// The test whose output is being read (go test's `=== RUN`, a pytest failure section).
    private var current: String?
    /// A mocha or jest failure block being read: its title, and whether its message was seen.
    private var block: (title: String, message: String?, location: (String, Int)?)?
    /// Go: the module path, so a failure's file can be told from the repository's root.
    private let goModule: String?
    /// Go: failures of the package whose `ok`/`FAIL` line has not come yet.
    private var goPending: [Int] = []
    /// pytest: the places each failure section's traceback passes through, in order.
    private var pytestLocations: [String: [(String, Int)]] = [:]
    /// cargo: the test whose panic message is on the next line.
    private var awaitingMessage: String?
    /// mocha: its list of failures has begun ("N failing").
    private var failuresListed = false
    /// unittest: the tests its "Ran N tests" line counted, until its OK or FAILED line.
    private var unittestRan: Int?
    /// unittest: the failure block being read: its test, whether its `-----` line has passed
    /// (a test's docstring may come before it), the places its traceback passed through, and
    /// its error's line.
    private var unittestFailure: (test: String, begun: Bool, places: [(String, Int)], message: String?)?
    /// unittest: the tests its failure blocks name, each once, in order (a test with failing
    /// subtests has one block per subtest).
    private var unittestFailed: [String] = []
    /// unittest -v: a test whose docstring's first line comes next, before its result.
    private var unittestDescribed: String?
    /// The folder the tests ran in: unittest names files by their whole path.
    private let root: String?

    public init(goModule: String? = nil, root: String? = nil) {
        self.goModule = goModule
        self.root = root
    }

    static func regex(_ pattern: String) -> NSRegularExpression { .known(pattern) }
    static let pytestCollected = regex(#"collected (\d+) items?"#)
    static let cargoRunning = regex(#"^running (\d+) tests?"#)
    static let buildStep = regex(#"^\[(\d+)/(\d+)\] "#)
    static let testStarted = regex(#"^(?:◇ Test \S+ started|Test Case '.+' started|=== RUN\s)"#)
    static let pytestLine = regex(#"^(\S+::\S+)\s+(PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS)"#)
    static let pytestSummary = regex(#"^=+ (.*\d+ (?:passed|failed|error|errors|skipped).*) in [\d.]+s"#)
    static let pytestInterrupted = regex(#"^!+ Interrupted: (.*?) !+$"#)
    static let pytestSection = regex(#"^_{3,} (\S.*?) _{3,}$"#)
    static let pytestLocation = regex(#"^(\S+\.py):(\d+): \w+"#)
    static let pytestShortFailure = regex(#"^(?:FAILED|ERROR) (\S+::\S+?)(?: - (.*))?$"#)
    static let swiftTestingLine = regex(#"^[✔✘] Test (\S+?(?:\([^)]*\))?) (passed|failed)"#)
    static let swiftTestingIssue = regex(#"^✘ Test (\S+?(?:\([^)]*\))?) recorded an issue at ([^:]+):(\d+):\d+: (.*)$"#)
    static let swiftTestingSkipped = regex(#"^➜ Test (\S+?(?:\([^)]*\))?) skipped"#)
    static let swiftTestingSummary = regex(#"^[✔✘] Test run with (\d+) tests?(?: in \d+ suites?)? (passed|failed)"#)
    static let xctestLine = regex(#"^Test Case '(.+)' (passed|failed)"#)
    static let xctestIssue = regex(#"^(.+?):(\d+): error: (?:-\[)?(\S+?)(?: (\S+?)\])? : (.*)$"#)
    static let xctestSummary = regex(#"Executed (\d+) tests?, with (?:(\d+) tests? skipped and )?(\d+) failures?"#)
    // Only top-level tests: an indented line is a subtest, already counted in its parent.
    static let goLine = regex(#"^--- (PASS|FAIL|SKIP): (\S+)"#)
    static let goRun = regex(#"^=== (?:RUN|NAME|CONT|PAUSE)\s+(\S+)"#)
    static let goIssue = regex(#"^\s+(\S+\.go):(\d+): (.*)$"#)
    static let goPackage = regex(#"^(?:ok|FAIL|---)\s+(\S+)\s"#)
    static let cargoLine = regex(#"^test (\S+) \.\.\. (ok|FAILED|ignored)"#)
    static let cargoSummary = regex(#"^test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored"#)
    static let cargoPanic = regex(#"^thread '([^']+)' panicked at (?:'(.*)', )?([^:\s]+):(\d+):\d+:?$"#)
    static let jestSummary = regex(#"^Tests:\s+(.*\d+ total)"#)
    static let mochaPassing = regex(#"^\s*(\d+) passing"#)
    static let mochaFailing = regex(#"^\s*(\d+) failing"#)
    static let mochaPending = regex(#"^\s*(\d+) pending"#)
    // unittest -v: "test_x (pkg.tests.Class.test_x) ... ok", "Doctest: pkg.mod.f ... ok".
    static let unittestLine = regex(#"^(\S.*?) \.\.\. (ok|FAIL|ERROR|skipped\b.*|expected failure|unexpected success)$"#)
    static let unittestRanLine = regex(#"^Ran (\d+) tests? in [\d.]+s$"#)
    static let unittestStatus = regex(#"^(OK|FAILED)(?: \((.*)\))?$"#)
    static let unittestFailureHeader = regex(#"^(?:FAIL|ERROR): (.+)$"#)
    static let unittestPlace = regex(#"^  ?File "([^"]+)", line (\d+), in "#)
    static let unittestName = regex(#"^(\S+ \([\w.]+\))$"#)
    static let scriptFailureTitle = regex(#"^\s*(?:\d+\) |● )(.+?):?$"#)
    static let scriptStackLocation = regex(#"\bat (?:.*\()?((?:\.{0,2}/)?[^()\s:]+\.[cm]?[jt]sx?):(\d+):\d+\)?$"#)

    static func groups(_ pattern: NSRegularExpression, _ text: String) -> [String]? { pattern.groups(in: text) }

    static let countItem = regex(#"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed|todo|pending)"#)
    static let junitSuite = regex(#"<testsuite\b[^>]*>"#)
    static let junitAttributes = ["tests", "failures", "errors", "skipped"].reduce(into: [String: NSRegularExpression]()) {
        $0[$1] = regex(#"\b\#($1)="(\d+)""#)
    }

    /// Counts "3 passed, 1 failed, 2 skipped" (any order, any of the words). An expected
    /// failure (pytest's xfailed) is skipped by the pass rate, and counted on its own too.
    static func counts(in text: String) -> (passed: Int, failed: Int, skipped: Int, expectedFailures: Int) {
        var result = (passed: 0, failed: 0, skipped: 0, expectedFailures: 0)
        for match in countItem.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            guard let number = Range(match.range(at: 1), in: text).flatMap({ Int(text[$0]) }),
                  let word = Range(match.range(at: 2), in: text).map({ text[$0] }) else { continue }
            switch word {
            case "passed", "xpassed": result.passed += number
            case "failed", "error", "errors": result.failed += number
            case "xfailed":
                result.skipped += number
                result.expectedFailures += number
            default: result.skipped += number
            }
        }
        return result
    }

    /// How many tests the run will run, when the runner does not say (unittest).
    public mutating func expect(_ tests: Int) { tally.known = tests }

    /// Reads one line of output.
    public mutating func read(_ rawLine: String) {
        let line = rawLine.trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
        // A unittest name line names the result on the very next line only.
        let described = unittestDescribed
        unittestDescribed = nil
        if let g = Self.groups(Self.pytestCollected, line) { tally.known = Int(g[0]) }
        if let g = Self.groups(Self.cargoRunning, line) { tally.known = (tally.known ?? 0) + (Int(g[0]) ?? 0) }
        if let g = Self.groups(Self.buildStep, line), let done = Int(g[0]), let total = Int(g[1]) {
            tally.buildDone = done
            tally.buildTotal = total
        }
        if Self.testStarted.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) != nil { tally.started += 1 }
        readFailureDetail(line)
        if let g = Self.groups(Self.pytestLine, line) {
            record(g[0], passed: ["PASSED", "XFAIL", "XPASS"].contains(g[1]) ? true : g[1] == "SKIPPED" ? nil : false)
        } else if let g = Self.groups(Self.swiftTestingLine, line) {
            record(g[0], passed: g[1] == "passed")
            if g[1] == "failed" { swiftTestingFailures += 1 }
        } else if Self.groups(Self.swiftTestingSkipped, line) != nil {
            swiftTestingSkipped += 1
            record(line, passed: nil)
        } else if let g = Self.groups(Self.xctestLine, line) {
            record(g[0], passed: g[1] == "passed")
        } else if let g = Self.groups(Self.goLine, line) {
            record(g[1], passed: g[0] == "PASS" ? true : g[0] == "SKIP" ? nil : false)
        } else if let g = Self.groups(Self.cargoLine, line) {
            record(g[0], passed: g[1] == "ok" ? true : g[1] == "ignored" ? nil : false)
        } else if let g = Self.groups(Self.unittestLine, line) {
            let outcome = g[1]
            // A test with a docstring: its name came on the line before, this one is the docstring's.
            let name = described ?? Self.unittestID(g[0])
            record(name, passed: outcome == "ok" ? true : outcome.hasPrefix("skipped") || outcome == "expected failure" ? nil : false)
        } else if let g = Self.groups(Self.unittestName, line) {
            unittestDescribed = Self.unittestID(g[0])
        }
        // Runners' own summaries: the counts to trust.
        if let g = Self.groups(Self.pytestSummary, line) {
            let found = Self.counts(in: g[0])
            setSummary(passed: found.passed, failed: found.failed, skipped: found.skipped)
            tally.expectedFailures = found.expectedFailures
        } else if let g = Self.groups(Self.swiftTestingSummary, line), let total = Int(g[0]) {
            // swift test runs XCTest first, then Swift Testing: both summaries add up.
            let failed = min(total, swiftTestingFailures)
            let skipped = min(total - failed, swiftTestingSkipped)
            setSummary(passed: total - failed - skipped, failed: failed, skipped: skipped, adding: tally.fromSummary)
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
        } else if let g = Self.groups(Self.unittestRanLine, line) {
            unittestRan = Int(g[0])
        } else if let total = unittestRan, let g = Self.groups(Self.unittestStatus, line) {
            // "FAILED (failures=1, errors=2, skipped=3, expected failures=1, unexpected successes=1)"
            var counts: [String: Int] = [:]
            for item in g[1].split(separator: ",") {
                let pair = item.split(separator: "=").map { $0.trimmingCharacters(in: .whitespaces) }
                if pair.count == 2, let number = Int(pair[1]) { counts[pair[0]] = number }
            }
            // Failed tests, not failed subtests: each test its failure blocks name, once.
            let failedTests = unittestFailed.isEmpty ? counts["failures", default: 0] + counts["errors", default: 0] : unittestFailed.count
            let failed = min(total, failedTests + counts["unexpected successes", default: 0])
            let skipped = min(total - failed, counts["skipped", default: 0] + counts["expected failures", default: 0])
            setSummary(passed: total - failed - skipped, failed: failed, skipped: skipped)
            tally.expectedFailures = counts["expected failures", default: 0]
            unittestRan = nil
        }
        if Self.groups(Self.pytestInterrupted, line) != nil { tally.interrupted = true }
    }

    /// Where and why tests failed, from the lines runners print around a failure.
    private mutating func readFailureDetail(_ line: String) {
        if let test = awaitingMessage {
            // cargo prints a panic's message on the line after its place.
            if !line.trimmingCharacters(in: .whitespaces).isEmpty {
                if details[test]?.message == nil { details[test]?.message = String(line.prefix(300)) }
                awaitingMessage = nil
            }
            return
        }
        if let g = Self.groups(Self.goRun, line) {
            current = String(g[0].prefix { $0 != "/" })
        } else if let g = Self.groups(Self.goIssue, line), let current, let number = Int(g[1]) {
            note(current, file: g[0], line: number, message: g[2])
        } else if let g = Self.groups(Self.goPackage, line), line.hasPrefix("ok") || line.hasPrefix("FAIL") {
            placeGoFailures(package: g[0])
        } else if let g = Self.groups(Self.pytestSection, line) {
            current = g[0]
        } else if let g = Self.groups(Self.pytestLocation, line), let current, let number = Int(g[1]) {
            pytestLocations[current, default: []].append((g[0], number))
        } else if let g = Self.groups(Self.pytestShortFailure, line), !g[1].isEmpty {
            details[g[0], default: TestFailure(test: g[0])].message = String(g[1].prefix(300))
        } else if let g = Self.groups(Self.swiftTestingIssue, line), let number = Int(g[2]) {
            note(g[0], file: g[1], line: number, message: g[3])
        } else if let g = Self.groups(Self.xctestIssue, line), let number = Int(g[1]) {
            note(g[3].isEmpty ? g[2] : "\(g[2]).\(g[3])", file: g[0], line: number, message: g[4])
        } else if let g = Self.groups(Self.cargoPanic, line), let number = Int(g[3]) {
            note(g[0], file: g[2], line: number, message: g[1].isEmpty ? nil : g[1])
            if g[1].isEmpty { awaitingMessage = g[0] }
        }
        readUnittestFailure(line)
        readScriptFailure(line)
    }

    /// unittest's failure blocks: "FAIL: test_x (pkg.Class.test_x)" (a subtest's parameters
    /// after it), the test's docstring perhaps, a `-----` line, the traceback, then the error's
    /// line (a doctest's: "Failed doctest test for pkg.mod.f", then its place). The place is
    /// the last frame in a test file of the project, else its last frame in the project.
    private mutating func readUnittestFailure(_ line: String) {
        if let g = Self.groups(Self.unittestFailureHeader, line) {
            finishUnittestFailure()
            var described = g[0]
            if described.hasSuffix(")"), let open = described.range(of: " (", options: .backwards),
               described[open.upperBound...].contains("="), described[..<open.lowerBound].hasSuffix(")") {
                described = String(described[..<open.lowerBound])
            }
            let test = Self.unittestID(described)
            unittestFailure = (test, false, [], nil)
            if !unittestFailed.contains(test) { unittestFailed.append(test) }
            return
        }
        guard var failure = unittestFailure else { return }
        if line.hasPrefix("=====") || Self.groups(Self.unittestRanLine, line) != nil {
            finishUnittestFailure()
            return
        }
        if line.hasPrefix("-----") {
            // The block's own separator; a later one (a doctest's report) ends nothing it needs.
            failure.begun = true
        } else if let g = Self.groups(Self.unittestPlace, line), let number = Int(g[1]), failure.begun {
            let file = root.map { g[0].hasPrefix($0 + "/") ? String(g[0].dropFirst($0.count + 1)) : g[0] } ?? g[0]
            if !file.hasPrefix("/") { failure.places.append((file, number)) }
        } else if failure.begun, failure.message == nil, let first = line.first, !first.isWhitespace, !line.hasPrefix("Traceback") {
            failure.message = String(line.prefix(300))
        }
        unittestFailure = failure
    }

    /// Keeps what a unittest failure block said of its test.
    private mutating func finishUnittestFailure() {
        guard let failure = unittestFailure else { return }
        unittestFailure = nil
        let place = failure.places.last { SourceFile.isTestPath($0.0) } ?? failure.places.last
        var known = details[failure.test] ?? TestFailure(test: failure.test)
        known.file = known.file ?? place?.0
        known.line = known.line ?? place?.1
        known.message = known.message ?? failure.message
        details[failure.test] = known
    }

    /// A test's id from how unittest describes it: "test_x (pkg.Class.test_x)" (or, before
    /// Python 3.11, "test_x (pkg.Class)") is pkg.Class.test_x; a doctest, "Doctest: pkg.mod.f"
    /// or "f (pkg.mod)", is pkg.mod.f.
    static func unittestID(_ described: String) -> String {
        if described.hasPrefix("Doctest: ") { return String(described.dropFirst("Doctest: ".count)) }
        guard described.hasSuffix(")"), let open = described.range(of: " (", options: .backwards) else { return described }
        let name = described[..<open.lowerBound]
        let inside = described[open.upperBound..<described.index(before: described.endIndex)]
        return inside == name || inside.hasSuffix("." + name) ? String(inside) : "\(inside).\(name)"
    }

    /// mocha's and jest's failure blocks: "1) title:" (after mocha's "N failing") or
    /// "● title", then a message and a stack.
    private mutating func readScriptFailure(_ line: String) {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if Self.groups(Self.mochaFailing, line) != nil { failuresListed = true }
        if let g = Self.groups(Self.scriptFailureTitle, line), failuresListed && trimmed.first?.isNumber == true || trimmed.hasPrefix("● ") {
            finishScriptBlock()
            // jest's "● Console" block is what the tests logged, not a failure.
            block = g[0] == "Console" ? nil : (g[0], nil, nil)
            return
        }
        guard var current = block else { return }
        if let g = Self.groups(Self.scriptStackLocation, line), current.location == nil,
           !g[0].contains("node_modules"), !g[0].hasPrefix("node:"), let number = Int(g[1]) {
            var file = g[0]
            if file.hasPrefix("./") { file.removeFirst(2) }
            current.location = (file, number)
        } else if current.message == nil, !trimmed.isEmpty, !trimmed.hasPrefix("at ") {
            if trimmed.hasSuffix(":"), !trimmed.contains("Error") {
                current.title += " " + String(trimmed.dropLast())
            } else {
                current.message = trimmed
            }
        }
        block = current
    }

    private mutating func finishScriptBlock() {
        guard let done = block else { return }
        block = nil
        guard done.message != nil else { return }
        let failure = TestFailure(test: done.title, file: done.location?.0, line: done.location?.1, message: done.message)
        if !tally.failures.contains(where: { $0.test == failure.test }) { tally.failures.append(failure) }
    }

    /// The end of the output: a failure block still open is complete.
    public mutating func finish() {
        finishScriptBlock()
        finishUnittestFailure()
        // A test whose subtests failed has no result line of its own: its failure blocks name it.
        for test in unittestFailed where !tally.failures.contains(where: { $0.test == test }) {
            tally.failures.append(TestFailure(test: test))
        }
        for index in tally.failures.indices {
            let test = tally.failures[index].test
            if test.contains("::"), let places = pytestLocations[test.split(separator: "::").dropFirst().joined(separator: ".")]
                ?? pytestLocations[String(test.split(separator: "::").last ?? "")] {
                // The last place in the test's own file is where it failed; later frames go deeper.
                let own = places.last { $0.0 == tally.failures[index].file } ?? places.last
                tally.failures[index].file = own?.0 ?? tally.failures[index].file
                tally.failures[index].line = own?.1
            }
            guard let detail = detail(for: test) else { continue }
            tally.failures[index].file = tally.failures[index].file ?? detail.file
            tally.failures[index].line = tally.failures[index].line ?? detail.line
            tally.failures[index].message = tally.failures[index].message ?? detail.message
        }
    }

    /// What is known of a failed test, by any of the names its runner gives it.
    private func detail(for test: String) -> TestFailure? {
        if let known = details[test] { return known }
        // pytest's sections name "Class.test" for "file.py::Class::test".
        if test.contains("::") {
            let dotted = test.split(separator: "::").dropFirst().joined(separator: ".")
            if let known = details[dotted] { return known }
        }
        // Go subtests and XCTest's module prefix.
        let base = String(test.prefix { $0 != "/" })
        return details[base] ?? details.first { test.hasSuffix("." + $0.key) || $0.key.hasSuffix("." + test) }?.value
    }

    private mutating func note(_ test: String, file: String, line: Int, message: String?) {
        var known = details[test] ?? TestFailure(test: test)
        guard known.file == nil else { return }
        known.file = file
        known.line = line
        known.message = message.map { String($0.prefix(300)) }
        details[test] = known
    }

    private mutating func placeGoFailures(package: String) {
        defer { goPending.removeAll() }
        guard let goModule, package.hasPrefix(goModule) else { return }
        let folder = String(package.dropFirst(goModule.count)).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        guard !folder.isEmpty else { return }
        for index in goPending where tally.failures.indices.contains(index) {
            if let file = tally.failures[index].file ?? details[tally.failures[index].test]?.file, !file.contains("/") {
                tally.failures[index].file = "\(folder)/\(file)"
                tally.failures[index].line = tally.failures[index].line ?? details[tally.failures[index].test]?.line
                tally.failures[index].message = tally.failures[index].message ?? details[tally.failures[index].test]?.message
            }
        }
    }

    private mutating func record(_ name: String, passed: Bool?) {
        switch passed {
        case true?: perTest.passed += 1
        case false?:
            perTest.failed += 1
            if seenFailures.insert(name).inserted {
                var failure = TestFailure(test: name)
                if name.contains("::"), let file = name.split(separator: "::").first, file.hasSuffix(".py") { failure.file = String(file) }
                tally.failures.append(failure)
                if goModule != nil { goPending.append(tally.failures.count - 1) }
            }
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
