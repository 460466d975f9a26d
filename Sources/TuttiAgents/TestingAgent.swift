import Foundation
import TuttiCore

/// TestingAgent: runs the project's tests — the `command` parameter, or the runner its files
/// call for — streaming the output as log, counting passes and failures from the runner's
/// own summary (or JUnit XML), and measuring line coverage of the project's shipped code as
/// the project itself measures it. Metrics: `test_pass_rate`, `test_coverage` (left out,
/// with a log line saying why, when there is none), `branch_coverage` (when the project
/// measures branches) and `performance_acceptable` (the run took at most `budget_seconds`,
/// default 600). Failing tests are reported as findings; a runner that ran no test fails
/// the task with the runner's own error.
public struct TestingAgent {
    let context: AgentContext

    public init(context: AgentContext) { self.context = context }

    /// What the run found.
    public struct Result: Sendable {
        public var plan: TestPlan
        public var tally: TestTally
        public var coverage: CoverageFigure?
        public var seconds: Double
        public var exitStatus: Int32
    }

    /// Runs the tests, reports the metrics and findings, and writes `testing.json`. Throws when
    /// the runner ran no test, or failed though no test did: the task fails with why.
    public func run() throws(AgentError) -> Result {
        let out = context.output
        let measure = try coverageMeasure()
        guard let plan = plan() else {
            throw .badParameter("no test runner found in \(context.target): give the task a 'command' parameter "
                                + "(Package.swift, pyproject.toml/pytest.ini, go.mod, Cargo.toml and package.json are recognised)")
        }
        out.message("Running \(plan.runner) tests: \(plan.command.joined(separator: " "))")
        out.detail(.command, plan.command.joined(separator: " "))
        if let coverage = plan.coverage {
            out.log("coverage: measured by \(coverage.tool); sources: \(coverage.sources); configuration: \(coverage.configuration)")
            if let note = coverage.note { out.log("coverage: \(note)") }
        }
        clearLeftovers(plan)
        var reader = TestOutputReader(goModule: plan.goModule, root: context.target)
        if let count = plan.countCommand {
            var printed: [String] = []
            let status = StreamingCommand.run(count, in: context.target, environment: environment(plan)) { printed.append($0) }
            if status == 0, let total = printed.last.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) {
                reader.expect(total)
                out.log("\(plan.runner): \(total) test(s) to run")
            }
        }
        var tail = OutputTail()
        let clock = ContinuousClock()
        let started = clock.now
        let startedAt = Date()
        var lastPercent = -1.0
        let status = StreamingCommand.run(plan.command, in: context.target, environment: environment(plan)) { line in
            out.log(line)
            reader.read(line)
            tail.append(line)
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
        reader.finish()
        let seconds = EventBus.seconds(clock.now - started)
        var tally = reader.tally
        // The runner's own summary is the count to trust; its JUnit XML when it printed none.
        if let junit = plan.junitFile, !tally.fromSummary, let fromXML = TestOutputReader.junit(junit), !tally.interrupted {
            tally.passed = fromXML.passed
            tally.failed = fromXML.failed
            tally.skipped = fromXML.skipped
            tally.fromSummary = true
        }
        out.progress(done: 1, of: 1)
        let budget = context.number("budget_seconds") ?? 600

        if !tally.ran, status == 0 {
            // A command whose output names no test it ran (a runner tutti does not read) succeeded:
            // its pass rate is unknown, not failed.
            out.log("the \(plan.runner) command succeeded, but its output named no test it ran")
        } else if !tally.ran {
            // Crashed, a module missing, nothing collected: the runner's own words say why.
            let why = RunnerError.describe(tail.lines, status: status)
            let failure = "\(plan.runner) ran no test (exit status \(status)): \(why)"
            out.finding(Finding(kind: "runner_error", severity: .high, title: "\(plan.runner) ran no test", detail: why))
            writeFindings(plan: plan, tally: tally, coverage: nil, seconds: seconds, budget: budget, status: status, runnerError: failure)
            throw .toolFailed(failure)
        }
        var runnerError: String?
        if status != 0, tally.failed == 0 {
            // Tests ran and none failed, yet the runner failed (a crash part way, a step after
            // the tests): tests it started and never ended count as failed, and the task fails.
            let unfinished = max(0, tally.started - tally.done)
            tally.failed += unfinished
            if unfinished > 0 {
                tally.failures.append(TestFailure(test: "\(unfinished) test(s) left unfinished", message: "the runner exited with status \(status)"))
            }
            runnerError = "\(plan.runner) exited with status \(status) after \(tally.done) test(s), none failed: "
                + RunnerError.describe(tail.lines, status: status)
        }
        let skipped = tally.expectedFailures > 0
            ? "\(tally.skipped - tally.expectedFailures) skipped, \(tally.expectedFailures) expected to fail" : "\(tally.skipped) skipped"
        out.log("tests: \(tally.passed) passed, \(tally.failed) failed, \(skipped) in \(DurationText.format(seconds))"
                + (tally.fromSummary ? " (from the runner's summary)" : ""))
        if let rate = tally.passRate {
            out.metric("test_pass_rate", (rate * 100).rounded() / 100, label: "tests passed")
        } else {
            out.log("test_pass_rate not reported: " + (tally.done > 0 ? "every test was skipped" : "no test was seen to run"))
        }
        let coverage = measureCoverage(plan, since: startedAt)
        if let coverage {
            switch measure {
            case .lines:
                out.metric("test_coverage", (coverage.percent * 100).rounded() / 100,
                           label: "\(plan.coverageUnit) coverage")
            case .branches:
                if let branches = coverage.branchPercent {
                    out.metric("test_coverage", (branches * 100).rounded() / 100, label: "branch coverage")
                } else {
                    out.log("test_coverage not reported: the run measured no branches (coverage.py: branch = true)")
                }
            case .combined:
                out.metric("test_coverage", ((coverage.combinedPercent ?? coverage.percent) * 100).rounded() / 100,
                           label: coverage.combinedPercent == nil ? "line coverage" : "line and branch coverage")
            }
            if let branches = coverage.branchPercent {
                out.metric("branch_coverage", (branches * 100).rounded() / 100, label: "branch coverage")
            }
        }
        out.metric("performance_acceptable", seconds <= budget, label: "tests ran within \(NumberFormat.compact(budget)) s")
        for failure in tally.failures { out.finding(failure.finding) }
        if let runnerError { out.finding(Finding(kind: "runner_error", severity: .high, title: "the test command failed", detail: runnerError)) }
        out.headline("\(tally.passed) passed, \(tally.failed) failed"
                    + (coverage.map { ", \(NumberFormat.compact(($0.percent * 100).rounded() / 100))% of \(plan.coverageUnit)s covered" } ?? ""))
        writeFindings(plan: plan, tally: tally, coverage: coverage, seconds: seconds, budget: budget, status: status, runnerError: runnerError)
        if let runnerError { throw .toolFailed(runnerError) }
        return Result(plan: plan, tally: tally, coverage: coverage, seconds: seconds, exitStatus: status)
    }

    /// What `test_coverage` is: line coverage, unless the task's `coverage_measure` parameter
    /// asks for `branches` or `combined` (lines and branches together, as coverage.py totals them).
    enum CoverageMeasure: String, CaseIterable { case lines, branches, combined }

    func coverageMeasure() throws(AgentError) -> CoverageMeasure {
        guard let written = context.string("coverage_measure") else { return .lines }
        guard let measure = CoverageMeasure(rawValue: written) else {
            throw .badParameter("coverage_measure must be one of \(CoverageMeasure.allCases.map(\.rawValue).joined(separator: ", ")), got '\(written)'")
        }
        return measure
    }

    /// What an earlier run left in the findings folder must not pass for this run's results (a
    /// file of the project's own, such as a `coverage_file`, is judged by its time instead).
    func clearLeftovers(_ plan: TestPlan) {
        let fileManager = FileManager.default
        for leftover in [plan.coverage?.file, plan.junitFile, plan.coverage?.dataFolder].compactMap({ $0 })
            where leftover.hasPrefix(context.findingsDirectory + "/") {
            try? fileManager.removeItem(atPath: leftover)
        }
        if let folder = plan.coverage?.dataFolder { try? fileManager.createDirectory(atPath: folder, withIntermediateDirectories: true) }
    }

    /// The coverage figure once the tests have run: coverage.py's data combined and exported
    /// first; nil, with a log line saying why, when there is none.
    func measureCoverage(_ plan: TestPlan, since start: Date) -> CoverageFigure? {
        let out = context.output
        guard let setup = plan.coverage else {
            out.log("test_coverage not reported: \(plan.noCoverage ?? "the run produced no coverage file")")
            return nil
        }
        if let folder = setup.dataFolder, let why = combineCoverageData(in: folder) {
            out.log("test_coverage not reported: \(why)")
            return nil
        }
        for step in setup.finish {
            var output: [String] = []
            let status = StreamingCommand.run(step, in: context.target, environment: environment(plan)) { output.append($0) }
            // coverage.py exits 2 when the total is under the project's fail_under, having written the
            // report: the gate judges the figure, not the project's own threshold.
            let wrote = FileManager.default.fileExists(atPath: setup.file)
            guard !wrote, status != 0, ["pytest", "unittest"].contains(plan.runner), let settings = PythonProject(root: context.target).coverageSettingsWithoutPaths() else {
                output.forEach(out.log)
                continue
            }
            // coverage.py refused the project's configuration (a newer version is stricter about
            // [paths]): read the data again with its run and report settings alone.
            let rcfile = "\(context.findingsDirectory)/coveragerc"
            try? settings.write(toFile: rcfile, atomically: true, encoding: .utf8)
            out.log("coverage: coverage.py refused the project's configuration (\(output.last ?? "exit status \(status)")); "
                    + "reading the data with its [run] and [report] settings only")
            _ = StreamingCommand.run(step + ["--rcfile=\(rcfile)"], in: context.target, environment: environment(plan)) { out.log($0) }
        }
        let file = setup.file
        let modified = (try? FileManager.default.attributesOfItem(atPath: file))?[.modificationDate] as? Date
        if let modified, modified < start.addingTimeInterval(-1) {
            out.log("test_coverage not reported: \(context.relative(file)) is from before this run (the command did not write it)")
            return nil
        }
        guard let figure = CoverageReader.read(at: file) else {
            out.log("test_coverage not reported: " + (FileManager.default.fileExists(atPath: file)
                ? "\(context.relative(file)) is not a coverage format tutti reads"
                : "the run did not write \(context.relative(file))" + (plan.runner == "swift" ? " (swift test exports coverage only when every test passes)" : "")))
            return nil
        }
        let counts = figure.covered.flatMap { covered in figure.total.map { " (\(covered) of \($0))" } } ?? ""
        out.log("coverage: \(NumberFormat.compact((figure.percent * 100).rounded() / 100))% of \(plan.coverageUnit)s\(counts), \(figure.format) from "
                + "\(context.relative(file)), measured by \(setup.tool) over \(setup.sources)")
        if let branches = figure.branchPercent {
            out.log("coverage: \(NumberFormat.compact((branches * 100).rounded() / 100))% of branches"
                    + (figure.combinedPercent.map { "; \(NumberFormat.compact(($0 * 100).rounded() / 100))% of lines and branches together, as \(setup.tool) totals them" } ?? ""))
        }
        return figure
    }

    /// coverage.py's data: one file as it is, several combined (a parallel run). The reason
    /// there is no usable data, when there is none.
    func combineCoverageData(in folder: String) -> String? {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasPrefix(".coverage") }
        switch files.count {
        case 0: return "coverage.py recorded no data"
        case 1:
            if files[0] != ".coverage" { try? FileManager.default.moveItem(atPath: "\(folder)/\(files[0])", toPath: "\(folder)/.coverage") }
            return nil
        default:
            var output: [String] = []
            let status = StreamingCommand.run(["python3", "-m", "coverage", "combine"], in: context.target,
                                              environment: environment(nil).merging(["COVERAGE_FILE": "\(folder)/.coverage"]) { $1 }) { output.append($0) }
            return status == 0 ? nil : "coverage combine failed: \(output.last ?? "exit status \(status)")"
        }
    }

    func writeFindings(plan: TestPlan, tally: TestTally, coverage: CoverageFigure?, seconds: Double, budget: Double, status: Int32,
                       runnerError: String?) {
        var summary: [String: JSONValue] = [
            "runner": .string(plan.runner), "command": .array(plan.command.map(JSONValue.string)),
            "passed": .number(Double(tally.passed)), "failed": .number(Double(tally.failed)), "skipped": .number(Double(tally.skipped)),
            "expected_failures": .number(Double(tally.expectedFailures)),
            "failures": .array(tally.failures.map { failure in
                var fields: [String: JSONValue] = ["test": .string(failure.test)]
                if let file = failure.file { fields["file"] = .string(file) }
                if let line = failure.line { fields["line"] = .number(Double(line)) }
                if let message = failure.message { fields["message"] = .string(message) }
                return .object(fields)
            }),
            "seconds": .number(seconds), "budget_seconds": .number(budget), "exit_status": .number(Double(status)),
            "runner_error": runnerError.map(JSONValue.string) ?? .null,
        ]
        if let setup = plan.coverage, let coverage {
            summary["coverage"] = .object([
                "lines_percent": .number(coverage.percent), "covered": coverage.covered.map { .number(Double($0)) } ?? .null,
                "total": coverage.total.map { .number(Double($0)) } ?? .null,
                "branches_percent": coverage.branchPercent.map(JSONValue.number) ?? .null,
                "combined_percent": coverage.combinedPercent.map(JSONValue.number) ?? .null,
                "format": .string(coverage.format), "file": .string(setup.file), "tool": .string(setup.tool),
                "sources": .string(setup.sources), "configuration": .string(setup.configuration),
                "note": setup.note.map(JSONValue.string) ?? .null,
            ])
        } else {
            summary["coverage"] = .null
        }
        context.writeFinding("testing.json", String(decoding: (try? JSONEncoder.sortedPretty.encode(JSONValue.object(summary))) ?? Data(),
                                                    as: UTF8.self), main: true)
    }

    func environment(_ plan: TestPlan?) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["CI"] = environment["CI"] ?? "true"  // runners print plain, non-interactive output
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
        for (key, value) in plan?.environment ?? [:] { environment[key] = value }
        return environment
    }
}
