import Foundation
import TuttiCore

/// TestingAgent: runs the project's tests — the `command` parameter, or the runner its files
/// call for — streaming the output as log, counting passes and failures from the runner's
/// own summary (or JUnit XML), and reading line coverage where the run produces it. Metrics:
/// `test_pass_rate`, `test_coverage` (left out, with a log line saying why, when there is
/// none) and `performance_acceptable` (the run took at most `budget_seconds`, default 600).
public struct TestingAgent {
    let context: AgentContext

    public init(context: AgentContext) { self.context = context }

    /// A way to run a project's tests.
    public struct Plan: Sendable, Equatable {
        public var runner: String
        public var command: [String]
        /// Where the run will leave coverage, when it will.
        public var coverageFile: String?
        /// Where the run will leave JUnit XML, when it will.
        public var junitFile: String?
        /// Why there will be no coverage, when there will not.
        public var noCoverage: String?
    }

    /// What the run found.
    public struct Result: Sendable {
        public var plan: Plan
        public var tally: TestTally
        public var coverage: Double?
        public var seconds: Double
        public var exitStatus: Int32
    }

    /// Runs the tests, reports the metrics and writes the findings.
    public func run() throws(AgentError) -> Result {
        let out = context.output
        guard let plan = plan() else {
            throw .badParameter("no test runner found in \(context.target): give the task a 'command' parameter "
                                + "(Package.swift, pyproject.toml/pytest.ini, go.mod, Cargo.toml and package.json are recognised)")
        }
        out.message("Running \(plan.runner) tests: \(plan.command.joined(separator: " "))")
        // What an earlier run left must not pass for this run's results.
        for leftover in [plan.coverageFile, plan.junitFile].compactMap({ $0 }) { try? FileManager.default.removeItem(atPath: leftover) }
        let runStarted = Date()
        var reader = TestOutputReader()
        let clock = ContinuousClock()
        let started = clock.now
        var lastPercent = -1.0
        let status = StreamingCommand.run(plan.command, in: context.target, environment: environment()) { line in
            out.log(line)
            reader.read(line)
            // Reported when it has moved by half a percent (every test, when the total is known).
            let percent = reader.tally.percent
            guard percent - lastPercent >= 0.5 else { return }
            lastPercent = percent
            if let known = reader.tally.known, known > 0 {
                out.progress(done: reader.tally.done, of: known)
            } else {
                out.progress(percent: percent)
            }
        }
        let seconds = EventBus.seconds(clock.now - started)
        var tally = reader.tally
        if let junit = plan.junitFile, let fromXML = TestOutputReader.junit(junit) {
            tally.passed = fromXML.passed
            tally.failed = fromXML.failed
            tally.skipped = fromXML.skipped
        }
        if status != 0, tally.failed == 0 {
            // The runner failed though no test did (a build error, a crash, a file that did not
            // load): that counts as a failure, as do tests that started and never ended.
            let unfinished = max(0, tally.started - tally.done)
            tally.failed = max(1, unfinished)
            tally.failures.append("the test command exited with status \(status) after \(tally.done) test(s)"
                                  + (unfinished > 0 ? ", \(unfinished) left unfinished" : ""))
        }
        out.progress(done: 1, of: 1)
        out.log("tests: \(tally.passed) passed, \(tally.failed) failed, \(tally.skipped) skipped in \(DurationText.format(seconds))"
                + (tally.fromSummary ? " (from the runner's summary)" : ""))
        if let rate = tally.passRate { out.metric("test_pass_rate", (rate * 100).rounded() / 100) } else {
            out.log("test_pass_rate not reported: no test ran")
        }
        var coverage: Double?
        if let file = context.string("coverage_file").map({ $0.hasPrefix("/") ? $0 : "\(context.target)/\($0)" }) ?? plan.coverageFile
            ?? discoveredCoverageFile(since: runStarted) {
            if let read = CoverageReader.percent(at: file) {
                coverage = (read.percent * 100).rounded() / 100
                out.log("coverage \(NumberFormat.compact(coverage!))% of lines, from \(context.relative(file)) (\(read.format))")
            } else if !FileManager.default.fileExists(atPath: file) {
                out.log("test_coverage not reported: the run did not write \(context.relative(file))"
                        + (plan.runner == "swift" ? " (swift test exports coverage only when every test passes)" : ""))
            } else {
                out.log("test_coverage not reported: \(context.relative(file)) is not a coverage format tutti reads")
            }
        } else {
            out.log("test_coverage not reported: \(plan.noCoverage ?? "the run produced no coverage file")")
        }
        if let coverage { out.metric("test_coverage", coverage) }
        let budget = context.number("budget_seconds") ?? 600
        out.metric("performance_acceptable", seconds <= budget)
        out.message("\(tally.passed) passed, \(tally.failed) failed" + (coverage.map { ", coverage \(NumberFormat.compact($0))%" } ?? ""))
        let summary: [String: JSONValue] = [
            "runner": .string(plan.runner), "command": .array(plan.command.map(JSONValue.string)),
            "passed": .number(Double(tally.passed)), "failed": .number(Double(tally.failed)), "skipped": .number(Double(tally.skipped)),
            "failures": .array(tally.failures.map(JSONValue.string)), "coverage": coverage.map(JSONValue.number) ?? .null,
            "seconds": .number(seconds), "budget_seconds": .number(budget), "exit_status": .number(Double(status)),
        ]
        context.writeFinding("testing.json", String(decoding: (try? JSONEncoder.sortedPretty.encode(JSONValue.object(summary))) ?? Data(),
                                                    as: UTF8.self))
        return Result(plan: plan, tally: tally, coverage: coverage, seconds: seconds, exitStatus: status)
    }

    /// The command to run: the parameter, or the runner the project's files call for.
    public func plan() -> Plan? {
        let findings = context.findingsDirectory
        if let custom = context.parameters["command"] {
            let argv: [String]
            switch custom {
            case .string(let text): argv = ["/bin/sh", "-c", text]
            case .array(let items): argv = items.compactMap(\.string)
            default: return nil
            }
            return Plan(runner: "custom", command: argv, noCoverage: "give 'coverage_file' to read the coverage the command writes")
        }
        func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: "\(context.target)/\(name)") }
        if exists("Package.swift") {
            let codecov = "\(context.target)/.build/debug/codecov"
            let package = (try? String(contentsOfFile: "\(context.target)/Package.swift", encoding: .utf8))
                .flatMap { TestOutputReader.groups(TestOutputReader.regex(#"name:\s*"([^"]+)""#), $0)?.first } ?? "package"
            return Plan(runner: "swift", command: ["swift", "test", "--enable-code-coverage"], coverageFile: "\(codecov)/\(package).json")
        }
        if exists("pyproject.toml") || exists("pytest.ini") || exists("setup.cfg") || exists("conftest.py") || exists("tests") && pythonFiles() {
            let junit = "\(findings)/pytest-junit.xml"
            if Self.pythonHas("pytest_cov") {
                let coverage = "\(findings)/coverage.json"
                return Plan(runner: "pytest", command: ["python3", "-m", "pytest", "-v", "--junitxml=\(junit)", "--cov=.",
                                                        "--cov-report=json:\(coverage)"], coverageFile: coverage, junitFile: junit)
            }
            return Plan(runner: "pytest", command: ["python3", "-m", "pytest", "-v", "--junitxml=\(junit)"], junitFile: junit,
                        noCoverage: "pytest-cov is not installed (pip install pytest-cov)")
        }
        if exists("go.mod") {
            let profile = "\(findings)/go.coverprofile"
            return Plan(runner: "go", command: ["go", "test", "-v", "-coverprofile=\(profile)", "./..."], coverageFile: profile)
        }
        if exists("Cargo.toml") {
            return Plan(runner: "cargo", command: ["cargo", "test"], noCoverage: "cargo test writes no coverage (cargo llvm-cov does)")
        }
        if exists("package.json") {
            return Plan(runner: "npm", command: ["npm", "test", "--silent"])
        }
        return nil
    }

    func pythonFiles() -> Bool {
        ((try? FileManager.default.subpathsOfDirectory(atPath: "\(context.target)/tests")) ?? []).contains { $0.hasSuffix(".py") }
    }

    /// Coverage a project's own test command left in the usual places during this run.
    func discoveredCoverageFile(since start: Date) -> String? {
        ["coverage.json", "coverage.xml", "coverage/coverage-summary.json", "coverage/lcov.info", "lcov.info",
         "coverage/cobertura-coverage.xml", "cover.out", "coverage.out"]
            .map { "\(context.target)/\($0)" }
            .first { path in
                let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
                return modified.map { $0 >= start.addingTimeInterval(-1) } ?? false
            }
    }

    func environment() -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["CI"] = environment["CI"] ?? "true"  // runners print plain, non-interactive output
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
        return environment
    }

    static func pythonHas(_ module: String) -> Bool {
        ChildProcess.run(["python3", "-c", "import \(module)"]).status == 0
    }
}
