import Foundation
import Testing
import TuttiTestSupport
@testable import TuttiAgents
import TuttiCore

/// The testing agent: runners' output, coverage formats, and real pytest, go and mocha
/// projects measured as the projects themselves measure them.
@Suite struct TestingAgentTests {
    /// calc has 10 statements; the tests run 8 of them (`sign`'s negative branch and `unused`
    /// are never run): 80% of lines, 1 of `sign`'s 2 branches.
    static let calc = """
    def add(a, b):
        return a + b


    def sub(a, b):
        return a - b


    def sign(x):
        if x < 0:
            return -1
        return 1


    def unused(a):
        return a * 2
    """

    static let calcTests = """
    from calc import add, sign, sub


    def test_add():
        assert add(2, 3) == 5


    def test_sub():
        assert sub(5, 3) == 2


    def test_sign():
        assert sign(5) == 1


    def test_wrong():
        assert add(1, 1) == 3
    """

    /// A src layout whose coverage configuration names its tests as a source beside the
    /// package, and measures branches: only src/calc counts, and lines are the figure.
    static let pythonProject: [String: String] = [
        "pyproject.toml": """
        [project]
        name = "calc"
        version = "0.1"

        [tool.coverage.run]
        branch = true
        source = ["calc", "tests"]

        [tool.coverage.report]
        fail_under = 99

        [tool.pytest.ini_options]
        testpaths = ["tests"]
        """,
        "src/calc/__init__.py": calc,
        "tests/test_calc.py": calcTests,
    ]

    static var pytestWithCoverage: Bool { TestingAgent.pythonHas("pytest") && TestingAgent.pythonHas("coverage") }
    static var pytestCov: Bool { pytestWithCoverage && TestingAgent.pythonHas("pytest_cov") }

    @Test(.enabled(if: pytestWithCoverage)) func aPytestProjectIsMeasuredOnItsShippedCodeNotItsTests() async throws {
        let repository = FixtureRepository(Self.pythonProject)
        let before = try FileManager.default.subpathsOfDirectory(atPath: repository.root).sorted()
        let output = CollectedOutput()
        let context = try repository.context("testing", output: output)
        let result = try await offThePool { try TestingAgent(context: context).run() }
        #expect(result.plan.runner == "pytest")
        #expect(result.tally.passed == 3 && result.tally.failed == 1)
        #expect(output.metrics["test_pass_rate"] == .number(75))
        #expect(output.metrics["test_coverage"] == .number(80), "8 of src/calc's 10 lines; the tests are not counted")
        #expect(output.metrics["branch_coverage"] == .number(50), "the project measures branches: reported beside the lines")
        #expect(output.metrics["performance_acceptable"] == .bool(true))
        // The details tell what really ran, its result in a line, and where the findings are.
        #expect(output.details[.command]?.contains("-m pytest") == true, "\(output.details)")
        #expect(output.details[.headline] == "3 passed, 1 failed, 80% of lines covered")
        #expect(output.details[.findings] == context.findingsDirectory + "/testing.json")
        #expect(output.all.contains { $0.hasPrefix("coverage: 80% of lines (8 of 10), coverage.py JSON from ")
            && $0.hasSuffix("measured by coverage.py (coverage run -m pytest) over calc") })
        #expect(output.all.contains("coverage: pyproject.toml also names tests (tests): measured calc only"))
        #expect(output.all.contains { $0.hasPrefix("coverage: 50% of branches; 75% of lines and branches together") })
        #expect(!output.all.contains { $0.contains("refused the project's configuration") },
                "the project's fail_under makes coverage.py exit 2, having written the report: the gate judges the figure")
        let failure = try #require(result.tally.failures.first)
        #expect(result.tally.failures.count == 1)
        #expect(failure == TestFailure(test: "tests/test_calc.py::test_wrong", file: "tests/test_calc.py", line: 17,
                                       message: "assert 2 == 3"))
        #expect(output.all.contains(#"@tutti finding {"detail":"assert 2 == 3","file":"tests/test_calc.py","kind":"test_failure","line":17,"severity":"high","title":"tests/test_calc.py::test_wrong"}"#))
        #expect(output.all.contains("@tutti label test_coverage line coverage"))
        #expect(output.all.contains { $0.contains("test_add PASSED") }, "the runner's output is streamed as log")
        #expect(output.all.contains("@tutti progress 4/4"), "progress counts tests done of those collected")
        let after = try FileManager.default.subpathsOfDirectory(atPath: repository.root).sorted().filter { !$0.hasPrefix(".run") }
        #expect(after == before, "checking a repository leaves nothing in its tree")
        let findings = try String(contentsOfFile: "\(context.findingsDirectory)/testing.json", encoding: .utf8)
        #expect(findings.contains(#""configuration" : "pyproject.toml [tool.coverage.run], branch = true""#))
        #expect(findings.contains(#""line" : 17"#))
    }

    /// A project whose tox.ini runs `python -m unittest`, with a `load_tests` that adds its
    /// doctests (which pytest would not run): run with unittest, counted as unittest counts.
    static let unittestProject: [String: String] = [
        "tox.ini": "[tox]\nenvlist = py3\n\n[testenv]\ncommands = python -m unittest -v {posargs}\n",
        "calc/__init__.py": calc.replacingOccurrences(of: "def add(a, b):\n", with: "def add(a, b):\n    \"\"\"Adds.\n\n    >>> add(2, 3)\n    5\n    \"\"\"\n"),
        "tests/__init__.py": "",
        "tests/test_calc.py": """
        import doctest
        import unittest

        import calc


        def load_tests(loader, tests, ignore):
            tests.addTests(doctest.DocTestSuite(calc))
            return tests


        class CalcTests(unittest.TestCase):
            def test_add(self):
                self.assertEqual(calc.add(2, 3), 5)

            def test_wrong(self):
                self.assertEqual(calc.add(1, 1), 3)

            def test_sub(self):
                self.assertEqual(calc.sub(5, 3), 2)

            @unittest.skip("not today")
            def test_skipped(self):
                pass

            @unittest.expectedFailure
            def test_known_bug(self):
                self.assertEqual(calc.sign(-1), 1)
        """,
    ]

    @Test(.enabled(if: TestingAgent.pythonHas("coverage"))) func aUnittestProjectRunsWithUnittestAndItsDoctestsCount() async throws {
        let repository = FixtureRepository(Self.unittestProject)
        let output = CollectedOutput()
        let context = try repository.context("testing", output: output)
        let result = try await offThePool { try TestingAgent(context: context).run() }
        #expect(result.plan.runner == "unittest")
        #expect(output.details[.command]?.hasSuffix("-m coverage run --source=calc -m unittest -v") == true, "\(output.details)")
        // Ran 6 tests: add, sub and the doctest pass, test_wrong fails, one skipped, one expected to fail.
        #expect((result.tally.passed, result.tally.failed, result.tally.skipped, result.tally.expectedFailures) == (3, 1, 2, 1))
        #expect(output.metrics["test_pass_rate"] == .number(75))
        #expect(output.metrics["test_coverage"] == .number(80), "8 of calc's 10 lines: sign's last line and unused never run")
        #expect(result.tally.failures == [TestFailure(test: "tests.test_calc.CalcTests.test_wrong", file: "tests/test_calc.py", line: 17,
                                                      message: "AssertionError: 2 != 3")])
        #expect(output.details[.headline] == "3 passed, 1 failed, 80% of lines covered")
        // unittest does not say how many tests it will run: counted first, progress is tests done of those.
        #expect(output.all.contains("unittest: 6 test(s) to run"))
        #expect(output.all.contains("@tutti progress 3/6") && output.all.contains("@tutti progress 6/6"), "\(output.all.filter { $0.contains("progress") })")
    }

    @Test(.enabled(if: pytestCov)) func measurementStartsBeforeAPluginImportsThePackage() async throws {
        // pytest-cov, as the project configures it, starts after tests/helpers.py imported calc
        // and sees 4 of 10 lines; coverage run -m pytest sees the 8 the tests run.
        let repository = FixtureRepository([
            "pyproject.toml": "[project]\nname = \"calc\"\nversion = \"0.1\"\n\n[tool.pytest.ini_options]\n"
                + "addopts = \"-p tests.helpers --cov=calc --cov-report=term\"\n",
            "calc/__init__.py": Self.calc,
            "tests/__init__.py": "",
            "tests/helpers.py": "import calc  # a plugin that imports the package before pytest-cov starts\n",
            "tests/test_calc.py": Self.calcTests.replacingOccurrences(of: "\n\ndef test_wrong():\n    assert add(1, 1) == 3", with: ""),
        ])
        let output = CollectedOutput()
        let context = try repository.context("testing", output: output)
        let result = try await offThePool { try TestingAgent(context: context).run() }
        #expect(result.tally.passed == 3 && result.tally.failed == 0)
        #expect(output.metrics["test_coverage"] == .number(80))
        #expect(output.metrics["branch_coverage"] == nil, "the project does not measure branches")
        #expect(result.plan.command.contains("--no-cov"), "the project's own late plugin is turned off")
    }

    @Test(.enabled(if: pytestWithCoverage)) func aWorkflowCanAskForBranchesOrTheCombinedFigure() async throws {
        let repository = FixtureRepository(Self.pythonProject)
        for (measure, expected, label) in [("branches", 50.0, "branch coverage"), ("combined", 75.0, "line and branch coverage")] {
            let output = CollectedOutput()
            let context = try repository.context("testing", ["coverage_measure": .string(measure)], output: output)
            _ = try await offThePool { try TestingAgent(context: context).run() }
            #expect(output.metrics["test_coverage"] == .number(expected), "\(measure)")
            #expect(output.all.contains("@tutti label test_coverage \(label)"))
        }
        let wrong = try repository.context("testing", ["coverage_measure": .string("statements")], output: CollectedOutput())
        let error = #expect(throws: AgentError.self) { try TestingAgent(context: wrong).run() }
        #expect(error?.description == "coverage_measure must be one of lines, branches, combined, got 'statements'")
    }

    @Test(.enabled(if: pytestWithCoverage)) func aRunOverItsBudgetIsNotAcceptable() async throws {
        let repository = FixtureRepository(Self.pythonProject)
        let output = CollectedOutput()
        let context = try repository.context("testing", ["budget_seconds": .number(0)], output: output)
        _ = try await offThePool { try TestingAgent(context: context).run() }
        #expect(output.metrics["performance_acceptable"] == .bool(false))
    }

    @Test(.enabled(if: pytestWithCoverage)) func aRunnerThatCrashesBeforeCollectingFailsWithItsOwnError() async throws {
        let repository = FixtureRepository([
            "pyproject.toml": "[project]\nname = \"calc\"\nversion = \"0.1\"\n",
            "calc/__init__.py": Self.calc,
            "tests/test_calc.py": "import calc_helpers_that_do_not_exist\n\n" + Self.calcTests,
        ])
        let output = CollectedOutput()
        let context = try repository.context("testing", output: output)
        let error = await #expect(throws: AgentError.self) { try await offThePool { try TestingAgent(context: context).run() } }
        #expect(error?.description == "pytest ran no test (exit status 2): ModuleNotFoundError: No module named 'calc_helpers_that_do_not_exist'")
        #expect(output.metrics["test_pass_rate"] == nil, "never '0 passed, 1 failed'")
        #expect(output.all.contains { $0.hasPrefix("@tutti finding") && $0.contains(#""kind":"runner_error""#) })

        let empty = FixtureRepository(["pyproject.toml": "[project]\nname = \"none\"\n", "tests/test_nothing.py": "VALUE = 1\n"])
        let emptyContext = try empty.context("testing", output: CollectedOutput())
        let noTests = await #expect(throws: AgentError.self) { try await offThePool { try TestingAgent(context: emptyContext).run() } }
        #expect(noTests?.description.hasPrefix("pytest ran no test (exit status 5): ") == true, "\(String(describing: noTests))")
    }

    @Test func aCommandParameterIsRunAndWithoutCoverageTheAgentSaysWhy() throws {
        let repository = FixtureRepository([:])
        let output = CollectedOutput()
        let script = "echo 'test a ... ok'; echo 'test b ... FAILED'; echo 'test result: FAILED. 1 passed; 1 failed; 0 ignored'"
        let result = try TestingAgent(context: try repository.context("testing", ["command": .string(script)], output: output)).run()
        #expect(result.tally.passed == 1 && result.tally.failed == 1)
        #expect(output.metrics["test_pass_rate"] == .number(50))
        #expect(output.metrics["test_coverage"] == nil)
        #expect(output.all.contains { $0.hasPrefix("test_coverage not reported:") })
    }

    @Test func aCommandWhoseOutputNamesNoTestSucceedsWithoutAPassRate() async throws {
        let repository = FixtureRepository(["coverage.json": #"{"meta":{},"totals":{"covered_lines":1,"num_statements":2,"percent_covered":50}}"#])
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -3600)],
                                              ofItemAtPath: repository.scratch.file("coverage.json"))
        let output = CollectedOutput()
        let context = try repository.context("testing", ["command": .string("echo all good"), "coverage_file": .string("coverage.json")],
                                             output: output)
        let result = try await offThePool { try TestingAgent(context: context).run() }
        #expect(result.exitStatus == 0)
        #expect(output.metrics["test_pass_rate"] == nil)
        #expect(output.metrics["test_coverage"] == nil, "a coverage file from before the run is not this run's")
        #expect(output.all.contains { $0.contains("is from before this run") })
        #expect(FileManager.default.fileExists(atPath: repository.scratch.file("coverage.json")), "the project's own file is left alone")
    }

    @Test func aRunnerThatFailsWithoutAFailedTestFailsTheTask() async throws {
        let repository = FixtureRepository([:])
        let output = CollectedOutput()
        let context = try repository.context("testing", ["command": .string("echo 'test a ... ok'; echo 'error: build of b failed'; exit 3")],
                                             output: output)
        let error = await #expect(throws: AgentError.self) { try await offThePool { try TestingAgent(context: context).run() } }
        #expect(error?.description == "custom exited with status 3 after 1 test(s), none failed: error: build of b failed")
        #expect(output.metrics["test_pass_rate"] == .number(100), "the counts are the runner's own")

        let nothing = try repository.context("testing", ["command": .string("echo 'sh: 1: mocha: not found' >&2; exit 127")],
                                             output: CollectedOutput())
        let notRun = await #expect(throws: AgentError.self) { try await offThePool { try TestingAgent(context: nothing).run() } }
        #expect(notRun?.description == "custom ran no test (exit status 127): sh: 1: mocha: not found")
    }

    static let goModule: [String: String] = [
        "go.mod": "module example.com/calc\n\ngo 1.19\n",
        "calc.go": "package calc\n\nfunc Add(a, b int) int { return a + b }\n\nfunc Unused() int {\n\treturn 1\n}\n",
        "calc_test.go": "package calc\n\nimport \"testing\"\n\nfunc TestAdd(t *testing.T) {\n\tif Add(1, 2) != 3 {\n\t\tt.Fatal(\"no\")\n\t}\n}\n",
        "inner/inner.go": "package inner\n\nfunc Twice(a int) int { return 2 * a }\n",
        "inner/inner_test.go": """
        package inner

        import "testing"

        func TestTwice(t *testing.T) {
        \tt.Run("small", func(t *testing.T) {
        \t\tif Twice(2) != 5 {
        \t\t\tt.Errorf("Twice(2) = %d, want 5", Twice(2))
        \t\t}
        \t})
        }
        """,
    ]

    static var goInstalled: Bool { ExecutableLookup.path(of: "go") != nil }

    @Test(.enabled(if: goInstalled)) func aGoModuleIsMeasuredAsGoToolCoverTotalsIt() async throws {
        let repository = FixtureRepository(Self.goModule)
        let output = CollectedOutput()
        let context = try repository.context("testing", output: output)
        let result = try await offThePool { try TestingAgent(context: context).run() }
        #expect(result.tally.passed == 1 && result.tally.failed == 1)
        // calc.go: Add's 1 statement run, Unused's 1 not; inner.go: Twice's 1 run: 2 of 3.
        #expect(output.metrics["test_coverage"] == .number(66.67))
        #expect(result.tally.failures == [TestFailure(test: "TestTwice", file: "inner/inner_test.go", line: 8, message: "Twice(2) = 4, want 5")])
        #expect(output.all.contains("@tutti label test_coverage statement coverage"))
        #expect(output.details[.headline] == "1 passed, 1 failed, 66.67% of statements covered", "Go counts statements, not lines")
    }

    /// mocha and nyc installed and able to start (Debian's need their modules on NODE_PATH with another Node).
    static var mochaAndNyc: Bool {
        ChildProcess.run(["mocha", "--version"]).status == 0 && ChildProcess.run(["nyc", "--version"]).status == 0
    }

    @Test(.enabled(if: mochaAndNyc)) func aCommonJSPackageIsMeasuredWithNycAsItsScriptsSay() async throws {
        let repository = FixtureRepository([
            "package.json": #"{"name": "calc", "version": "1.0.0", "devDependencies": {"mocha": "10", "nyc": "15"}, "#
                + #""scripts": {"test": "mocha --reporter spec test/", "test-cov": "nyc --reporter=text npm test"}}"#,
            "index.js": "exports.add = function (a, b) {\n  return a + b\n}\n\nexports.unused = function () {\n  return 1\n}\n",
            "test/add.js": """
            var assert = require('assert')
            var calc = require('..')

            describe('add', function () {
              it('adds', function () {
                assert.strictEqual(calc.add(1, 2), 3)
              })
              it('adds wrong', function () {
                assert.strictEqual(calc.add(1, 1), 3)
              })
            })
            """,
        ])
        let before = try FileManager.default.subpathsOfDirectory(atPath: repository.root).sorted()
        let output = CollectedOutput()
        let context = try repository.context("testing", output: output)
        let result = try await offThePool { try TestingAgent(context: context).run() }
        #expect(result.tally.passed == 1 && result.tally.failed == 1)
        #expect(output.metrics["test_coverage"] == .number(75), "3 of index.js's 4 lines")
        #expect(result.tally.failures.first?.test == "add adds wrong")
        #expect(result.tally.failures.first?.file == "test/add.js" && result.tally.failures.first?.line == 9)
        #expect(result.tally.failures.first?.message?.hasPrefix("AssertionError") == true)
        let after = try FileManager.default.subpathsOfDirectory(atPath: repository.root).sorted().filter { !$0.hasPrefix(".run") }
        #expect(after == before, "nyc's cache and output go with the findings")

        // A test script that runs under nyc itself, with the project's own threshold: measured once, by tutti's call.
        let wrapped = FixtureRepository([
            "package.json": #"{"name": "calc", "version": "1.0.0", "devDependencies": {"mocha": "10", "nyc": "15"}, "#
                + #""scripts": {"test": "nyc --reporter=lcov --check-coverage --lines 100 --include index.js mocha --reporter spec test/"}}"#,
            "index.js": "exports.add = function (a, b) {\n  return a + b\n}\n\nexports.unused = function () {\n  return 1\n}\n",
            "test/add.js": "var assert = require('assert')\nvar calc = require('..')\n\nit('adds', function () {\n  assert.strictEqual(calc.add(1, 2), 3)\n})\n",
        ])
        let wrappedBefore = try FileManager.default.subpathsOfDirectory(atPath: wrapped.root).sorted()
        let wrappedOutput = CollectedOutput()
        let wrappedContext = try wrapped.context("testing", output: wrappedOutput)
        let wrappedResult = try await offThePool { try TestingAgent(context: wrappedContext).run() }
        #expect(wrappedResult.plan.command.contains("--include") && wrappedResult.plan.command.suffix(3) == ["/bin/sh", "-c", "mocha --reporter spec test/"])
        #expect(wrappedResult.tally.passed == 1 && wrappedOutput.metrics["test_coverage"] == .number(75))
        #expect(try FileManager.default.subpathsOfDirectory(atPath: wrapped.root).sorted().filter { !$0.hasPrefix(".run") } == wrappedBefore)
    }

    @Test func aTestScriptRunUnderACoverageToolIsUnwrapped() {
        let script = CoverageToolScript("nyc --reporter=lcov -r text --check-coverage --lines 90 --include src -x 'src/gen' mocha test/")
        #expect(script == CoverageToolScript(tool: "nyc", options: ["--include", "src", "-x", "'src/gen'"], command: "mocha test/"))
        #expect(CoverageToolScript("mocha test/") == nil)
        #expect(CoverageToolScript("c8 node --test")?.command == "node --test")
    }

    @Test func withoutARunnerTheAgentSaysWhatToDo() throws {
        let repository = FixtureRepository(["notes.txt": "nothing to test\n"])
        #expect(throws: AgentError.self) { try TestingAgent(context: try repository.context("testing", output: CollectedOutput())).run() }
    }

    @Test func runnersSummariesAreRead() {
        func tally(_ text: String) -> TestTally {
            var reader = TestOutputReader()
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) { reader.read(String(line)) }
            return reader.tally
        }
        let swiftTesting = tally("✔ Test a() passed after 0.1 seconds.\n✘ Test b() failed after 0.1 seconds with 1 issue.\n"
                                 + "✔ Test c() passed after 0.1 seconds.\n✘ Test run with 3 tests in 1 suite failed after 0.2 seconds with 1 issue.")
        #expect((swiftTesting.passed, swiftTesting.failed) == (2, 1))
        let skippedSwiftTesting = tally("✔ Test a() passed after 0.1 seconds.\n➜ Test b() skipped.\n"
                                        + "✔ Test run with 2 tests in 1 suite passed after 0.2 seconds.")
        #expect((skippedSwiftTesting.passed, skippedSwiftTesting.skipped) == (1, 1), "Swift Testing counts skipped tests among its tests")
        let xctest = tally("Test Case 'A.testX' passed (0.001 seconds).\nTest Case 'A.testY' failed (0.002 seconds).\n"
                           + "\t Executed 2 tests, with 1 failure (0 unexpected) in 0.003 (0.004) seconds")
        #expect((xctest.passed, xctest.failed) == (1, 1))
        let go = tally("=== RUN   TestA\n--- PASS: TestA (0.00s)\n=== RUN   TestB\n--- FAIL: TestB (0.00s)\n--- SKIP: TestC (0.00s)\nFAIL")
        #expect((go.passed, go.failed, go.skipped) == (1, 1, 1))
        let jest = tally("Tests:       1 failed, 1 skipped, 4 passed, 6 total")
        #expect((jest.passed, jest.failed, jest.skipped) == (4, 1, 1))
        let mocha = tally("  5 passing (12ms)\n  2 failing")
        #expect((mocha.passed, mocha.failed) == (5, 2))
        let building = tally("[10/40] Compiling Lib a.swift")
        #expect(building.percent == 12.5, "the build is the first half")
        let testing = tally("[40/40] Linking\n◇ Test a() started.\n◇ Test b() started.\n✔ Test a() passed after 0.1 seconds.")
        #expect(testing.percent == 75, "then the tests started so far")
        let cargo = tally("running 2 tests\ntest a ... ok")
        #expect(cargo.known == 2 && cargo.percent == 50)
        let mixed = tally("Test Case 'A.testX' passed (0.001 seconds).\nTest Case 'A.testY' failed (0.002 seconds).\n"
                          + "\t Executed 10 tests, with 2 failures (0 unexpected) in 0.003 (0.004) seconds\n"
                          + "✔ Test run with 0 tests passed after 0.001 seconds.")
        #expect((mixed.passed, mixed.failed) == (8, 2), "XCTest's summary, then Swift Testing's: they add up")
        let skippedXCTest = tally("\t Executed 3 tests, with 1 test skipped and 0 failures (0 unexpected) in 0.1 (0.1) seconds")
        #expect((skippedXCTest.passed, skippedXCTest.failed, skippedXCTest.skipped) == (2, 0, 1))
        let subtests = tally("--- FAIL: TestA (0.00s)\n    --- FAIL: TestA/sub (0.00s)\n--- PASS: TestB (0.00s)")
        #expect((subtests.passed, subtests.failed) == (1, 1), "a subtest is not counted again")
        let pytest = tally("collected 3 items\n\nt.py::a PASSED [ 33%]\n=========== 2 passed, 1 failed, 1 skipped in 0.05s ===========")
        #expect((pytest.passed, pytest.failed, pytest.skipped, pytest.known) == (2, 1, 1, 3))
        let attrsLike = tally("============ 1 failed, 1400 passed, 10 skipped, 1 xfailed in 28.51s ============")
        #expect((attrsLike.passed, attrsLike.failed, attrsLike.skipped, attrsLike.expectedFailures) == (1400, 1, 11, 1))
        let unittest = tally("test_a (pkg.tests.T.test_a) ... ok\nDoctest: pkg.mod.f ... ok\ntest_b (pkg.tests.T.test_b) ... FAIL\n"
                             + "----------------------------------------------------------------------\nRan 12 tests in 0.010s\n\n"
                             + "FAILED (failures=2, errors=1, skipped=3, expected failures=1, unexpected successes=1)")
        #expect((unittest.passed, unittest.failed, unittest.skipped, unittest.expectedFailures) == (4, 4, 4, 1),
                "unittest's summary: failures, errors and unexpected successes fail; skips and expected failures are skipped")
        let unittestOK = tally("Ran 901 tests in 19.309s\n\nOK")
        #expect((unittestOK.passed, unittestOK.failed, unittestOK.fromSummary) == (901, 0, true))
        #expect(tally("OK").done == 0, "an OK line without unittest's count before it is not a summary")
    }

    @Test func whereAndWhyTestsFailedIsReadFromEachRunner() {
        func failures(_ text: String, goModule: String? = nil) -> [TestFailure] {
            var reader = TestOutputReader(goModule: goModule)
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) { reader.read(String(line)) }
            reader.finish()
            return reader.tally.failures
        }
        #expect(failures("""
        ✘ Test parses() recorded an issue at ParserTests.swift:12:5: Expectation failed: 1 == 2
        ✘ Test parses() failed after 0.1 seconds with 1 issue.
        """) == [TestFailure(test: "parses()", file: "ParserTests.swift", line: 12, message: "Expectation failed: 1 == 2")])
        #expect(failures("""
        /src/Tests/ATests/A.swift:8: error: ATests.testB : XCTAssertEqual failed: ("1") is not equal to ("2") -
        Test Case 'ATests.testB' failed (0.001 seconds)
        """) == [TestFailure(test: "ATests.testB", file: "/src/Tests/ATests/A.swift", line: 8,
                             message: #"XCTAssertEqual failed: ("1") is not equal to ("2") -"#)])
        #expect(failures("""
        test tests::b ... FAILED
        ---- tests::b stdout ----
        thread 'tests::b' panicked at src/lib.rs:12:5:
        assertion `left == right` failed
        """) == [TestFailure(test: "tests::b", file: "src/lib.rs", line: 12, message: "assertion `left == right` failed")])
        #expect(failures("""
        === RUN   TestA
            a_test.go:3: Add(1,1) = 2, want 3
        --- FAIL: TestA (0.00s)
        FAIL
        FAIL	example.com/m/sub	0.003s
        """, goModule: "example.com/m") == [TestFailure(test: "TestA", file: "sub/a_test.go", line: 3, message: "Add(1,1) = 2, want 3")])
        #expect(failures("""
          1 passing (5ms)
          1 failing

          1) parse
               rejects bad input:
             TypeError: argument str must be a string
              at parse (node_modules/lib/index.js:4:11)
              at Context.<anonymous> (test/parse.js:20:5)
        """) == [TestFailure(test: "parse rejects bad input", file: "test/parse.js", line: 20, message: "TypeError: argument str must be a string")])
        #expect(failures("""
          ● Console

            console.log
              hello from a test

          ● math › adds

            expect(received).toBe(expected) // Object.is equality

              at Object.<anonymous> (src/math.test.js:5:17)

        Tests:       1 failed, 1 total
        """) == [TestFailure(test: "math › adds", file: "src/math.test.js", line: 5, message: "expect(received).toBe(expected) // Object.is equality")])
        var unittest = TestOutputReader(root: "/src/proj")
        for line in """
        test_wrong (tests.test_calc.CalcTests.test_wrong) ... FAIL
        test_each (tests.test_calc.CalcTests.test_each) ... 
          test_each (tests.test_calc.CalcTests.test_each) (n=2) ... ERROR
          test_each (tests.test_calc.CalcTests.test_each) (n=3) ... ERROR
        test_doc (tests.test_calc.CalcTests.test_doc)
        Adds two numbers. ... FAIL
        add (calc)
        Doctest: calc.add ... FAIL
        test_fine (tests.test_calc.CalcTests.test_fine) ... ok

        ======================================================================
        FAIL: test_wrong (tests.test_calc.CalcTests.test_wrong)
        ----------------------------------------------------------------------
        Traceback (most recent call last):
          File "/src/proj/tests/test_calc.py", line 18, in test_wrong
            self.assertEqual(calc.add(1, 1), 3)
        AssertionError: 2 != 3

        ======================================================================
        ERROR: test_each (tests.test_calc.CalcTests.test_each) (n=2)
        ----------------------------------------------------------------------
        Traceback (most recent call last):
          File "/src/proj/tests/test_calc.py", line 25, in test_each
            calc.sign(None)
          File "/src/proj/calc/__init__.py", line 9, in sign
            if x < 0:
        TypeError: '<' not supported between instances of 'NoneType' and 'int'

        ======================================================================
        ERROR: test_each (tests.test_calc.CalcTests.test_each) (n=3)
        ----------------------------------------------------------------------
        Traceback (most recent call last):
          File "/src/proj/tests/test_calc.py", line 25, in test_each
            calc.sign(None)
        TypeError: '<' not supported between instances of 'NoneType' and 'int'

        ======================================================================
        FAIL: test_doc (tests.test_calc.CalcTests.test_doc)
        Adds two numbers.
        ----------------------------------------------------------------------
        Traceback (most recent call last):
          File "/src/proj/tests/test_calc.py", line 30, in test_doc
            self.assertEqual(calc.add(2, 2), 5)
        AssertionError: 4 != 5

        ======================================================================
        FAIL: add (calc)
        Doctest: calc.add
        ----------------------------------------------------------------------
        Traceback (most recent call last):
          File "/usr/lib/python3.11/doctest.py", line 2221, in runTest
            raise self.failureException(self.format_failure(new.getvalue()))
        AssertionError: Failed doctest test for calc.add
          File "/src/proj/calc/__init__.py", line 1, in add

        ----------------------------------------------------------------------
        File "/src/proj/calc/__init__.py", line 4, in calc.add
        Failed example:
            add(2, 3)

        ----------------------------------------------------------------------
        Ran 5 tests in 0.001s

        FAILED (failures=3, errors=2)
        """.split(separator: "\n", omittingEmptySubsequences: false) { unittest.read(String(line)) }
        unittest.finish()
        #expect(unittest.tally.failures == [
            TestFailure(test: "tests.test_calc.CalcTests.test_wrong", file: "tests/test_calc.py", line: 18, message: "AssertionError: 2 != 3"),
            TestFailure(test: "tests.test_calc.CalcTests.test_doc", file: "tests/test_calc.py", line: 30, message: "AssertionError: 4 != 5"),
            TestFailure(test: "calc.add", file: "calc/__init__.py", line: 1, message: "AssertionError: Failed doctest test for calc.add"),
            TestFailure(test: "tests.test_calc.CalcTests.test_each", file: "tests/test_calc.py", line: 25,
                        message: "TypeError: '<' not supported between instances of 'NoneType' and 'int'"),
        ], "a test's line names it (a docstring's line after its name); its failure block says where and why")
        // Five tests: test_each failed twice as subtests, once as a test.
        #expect((unittest.tally.passed, unittest.tally.failed) == (1, 4))
        #expect(TestOutputReader.unittestID("test_each (tests.test_calc.CalcTests)") == "tests.test_calc.CalcTests.test_each",
                "before Python 3.11 unittest names the class only")
        #expect(TestOutputReader.unittestID("adjacent (more_itertools.more)") == "more_itertools.more.adjacent")
        #expect(TestOutputReader.unittestID("Doctest: more_itertools.more.adjacent") == "more_itertools.more.adjacent")
        var interrupted = TestOutputReader()
        for line in ["collected 0 items / 1 error", "!!!!!!!!!!!!!!!!!!!! Interrupted: 1 error during collection !!!!!!!!!!!!!!!!!!!!",
                     "=============================== 1 error in 0.05s ==============================="] { interrupted.read(line) }
        #expect(!interrupted.tally.ran, "errors during collection are not failed tests")
    }

    @Test func aGoProfileCountsABlockOnceCoveredIfAnyRunCoveredIt() throws {
        let repository = FixtureRepository(["cover.out": "mode: set\nm/a.go:3.1,4.2 3 0\nm/a.go:6.1,7.2 1 0\nm/a.go:3.1,4.2 3 1\n"])
        let figure = try #require(CoverageReader.read(at: repository.scratch.file("cover.out")))
        #expect(figure.covered == 3 && figure.total == 4 && figure.percent == 75)
    }

    @Test func coverageIsReadFromEachFormat() throws {
        let repository = FixtureRepository([
            "llvm.json": #"{"data":[{"totals":{"lines":{"count":200,"covered":150,"percent":75}}}],"type":"llvm.coverage.json.export"}"#,
            "coverage.json": #"{"meta":{},"totals":{"covered_lines":9,"num_statements":10,"percent_covered":90.0}}"#,
            "branches.json": #"{"meta":{},"totals":{"covered_lines":9,"num_statements":10,"covered_branches":1,"num_branches":4,"percent_covered":71.42857}}"#,
            "summary.json": #"{"total":{"lines":{"total":40,"covered":30,"pct":75.5}}}"#,
            "lcov.info": "SF:a.js\nLF:10\nLH:5\nend_of_record\nSF:b.js\nLF:30\nLH:25\nend_of_record\n",
            "cobertura.xml": "<?xml version=\"1.0\"?>\n<coverage line-rate=\"0.625\" branch-rate=\"0\" version=\"1\">\n</coverage>\n",
            "cover.out": "mode: set\nm/a.go:3.1,4.2 3 1\nm/a.go:6.1,7.2 1 0\n",
            "other.json": #"{"hello": 1}"#,
        ])
        let expected: [(String, Double, String)] = [("llvm.json", 75, "llvm-cov JSON"), ("coverage.json", 90, "coverage.py JSON"),
                                                    ("summary.json", 75.5, "Istanbul summary"), ("lcov.info", 75, "lcov"),
                                                    ("cobertura.xml", 62.5, "Cobertura XML"), ("cover.out", 75, "Go cover profile")]
        for (file, percent, format) in expected {
            let read = try #require(CoverageReader.percent(at: repository.scratch.file(file)), "\(file)")
            #expect(read.percent == percent && read.format == format, "\(file)")
        }
        #expect(CoverageReader.percent(at: repository.scratch.file("other.json")) == nil)
        let branches = try #require(CoverageReader.read(at: repository.scratch.file("branches.json")))
        #expect(branches.percent == 90 && branches.branchPercent == 25 && branches.combinedPercent == 71.42857,
                "lines are the figure; branches and the mixed total beside it")
    }
}
