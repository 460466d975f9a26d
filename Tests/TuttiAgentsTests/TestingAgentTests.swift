import Foundation
import Testing
import TuttiTestSupport
@testable import TuttiAgents
import TuttiCore

/// The testing agent: runners' output, coverage formats, and a real pytest project.
@Suite struct TestingAgentTests {
    /// calc.py has 6 statements; the tests run 5 of them (`unused` is never called): 83.33%.
    static let pythonProject: [String: String] = [
        "pyproject.toml": "[project]\nname = \"calc\"\nversion = \"0.1\"\n\n[tool.coverage.run]\nomit = [\"tests/*\"]\n",
        "calc.py": "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n\n\ndef unused(a):\n    return a * 2\n",
        "tests/test_calc.py": """
        from calc import add, sub


        def test_add():
            assert add(2, 3) == 5


        def test_sub():
            assert sub(5, 3) == 2


        def test_add_negative():
            assert add(-1, -1) == -2


        def test_wrong():
            assert add(1, 1) == 3
        """,
    ]

    static var pytestWithCoverage: Bool { TestingAgent.pythonHas("pytest") && TestingAgent.pythonHas("pytest_cov") }

    @Test(.enabled(if: pytestWithCoverage)) func aPytestProjectReportsItsPassRateAndCoverageExactly() async throws {
        let repository = FixtureRepository(Self.pythonProject)
        let output = CollectedOutput()
        let context = try repository.context("testing", output: output)
        let result = try await offThePool { try TestingAgent(context: context).run() }
        #expect(result.plan.runner == "pytest")
        #expect(result.tally.passed == 3 && result.tally.failed == 1)
        #expect(output.metrics["test_pass_rate"] == .number(75))
        #expect(output.metrics["test_coverage"] == .number(83.33))
        #expect(output.metrics["performance_acceptable"] == .bool(true))
        #expect(result.tally.failures == ["tests/test_calc.py::test_wrong"])
        #expect(output.all.contains { $0.contains("test_add PASSED") }, "the runner's output is streamed as log")
        #expect(output.all.contains("@tutti progress 4/4"), "progress counts tests done of those collected")
    }

    @Test(.enabled(if: pytestWithCoverage)) func aRunOverItsBudgetIsNotAcceptable() async throws {
        let repository = FixtureRepository(Self.pythonProject)
        let output = CollectedOutput()
        let context = try repository.context("testing", ["budget_seconds": .number(0)], output: output)
        _ = try await offThePool { try TestingAgent(context: context).run() }
        #expect(output.metrics["performance_acceptable"] == .bool(false))
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

    @Test func aRunnerThatFailsWithoutAFailedTestStillFails() async throws {
        let repository = FixtureRepository([:])
        let output = CollectedOutput()
        let context = try repository.context("testing", ["command": .string("echo 'test a ... ok'; echo 'build of b failed'; exit 3")],
                                             output: output)
        let result = try await offThePool { try TestingAgent(context: context).run() }
        #expect(result.tally.failed == 1)
        #expect(output.metrics["test_pass_rate"] == .number(50))
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
    }

    @Test func coverageIsReadFromEachFormat() throws {
        let repository = FixtureRepository([
            "llvm.json": #"{"data":[{"totals":{"lines":{"count":200,"covered":150,"percent":75}}}],"type":"llvm.coverage.json.export"}"#,
            "coverage.json": #"{"meta":{},"totals":{"covered_lines":9,"num_statements":10,"percent_covered":90.0}}"#,
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
    }
}
