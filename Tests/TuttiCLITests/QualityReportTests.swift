import Foundation
import Testing
import TuttiCore

/// `tutti` in a repository: the seed's template 3 runs the four real agents on it at once.
@Suite struct QualityReportTests {
    static var pytestWithCoverage: Bool {
        ChildProcess.run(["python3", "-c", "import pytest, pytest_cov"]).status == 0
    }

    static let readme = "# Calc\n\nA tiny calculator used to show what tutti reports. " + String(repeating: "It adds and subtracts numbers. ", count: 35)
        + "\n\n## Security\n\nReport problems to the maintainers privately.\n"

    @Test(.enabled(if: pytestWithCoverage)) func theFourAgentsRunAtOnceOnARepositoryAndTheGatesComeOutAsExpected() async throws {
        try await Self.checkTheQualityReport()
    }

    /// Template 3 on a small repository, its four agents run as local processes or, with
    /// `executor`, elsewhere: the same gates come out.
    static func checkTheQualityReport(executor: [String] = []) async throws {
        let scratch = Scratch()
        let files: [String: String] = [
            "pyproject.toml": "[project]\nname = \"calc\"\nversion = \"0.1\"\n\n[tool.coverage.run]\nomit = [\"tests/*\"]\n",
            "calc.py": "def add(a, b):\n    \"\"\"Adds.\"\"\"\n    return a + b\n\n\ndef sub(a, b):\n    \"\"\"Subtracts.\"\"\"\n    return a - b\n\n\n"
                + "def unused(a):\n    \"\"\"Doubles.\"\"\"\n    return a * 2\n",
            "tests/test_calc.py": "from calc import add, sub\n\n\ndef test_add():\n    assert add(2, 3) == 5\n\n\ndef test_sub():\n"
                + "    assert sub(5, 3) == 2\n\n\ndef test_negative():\n    assert add(-1, -1) == -2\n\n\ndef test_wrong():\n    assert add(1, 1) == 3\n",
            "README.md": Self.readme,
            "LICENSE": "MIT License\n",
        ]
        for (path, text) in files { scratch.write(path, text) }
        let result = try await tutti(["run", "--headless", "--json"] + executor, in: scratch.path)
        #expect(result.status == 1, "some gates fail: \(result.stderr.suffix(2000))")
        let report = try JSONDecoder.events.decode(RunReport.self, from: Data(result.stdout.utf8))
        #expect(report.workflow == "template-03-parallel-execution")
        #expect(report.tasks.map(\.status) == [.succeeded, .succeeded, .succeeded, .succeeded], "\(report.tasks.map(\.reason))")
        let starts = report.tasks.compactMap(\.start), ends = report.tasks.compactMap(\.end)
        #expect(starts.max()! < ends.min()!, "all four agents ran at the same time")

        var table: [String: (Bool, String)] = [:]
        for task in report.tasks { for gate in task.gates { table["\(task.id) \(gate.metric)"] = (gate.passed, gate.actualText) } }
        let expected: [String: (Bool, String)] = [
            "4 test_coverage": (false, "83.33%"), "4 test_pass_rate": (false, "75%"), "4 performance_acceptable": (true, "true"),
            "5 security_score": (true, "100/100"), "5 vulnerabilities": (true, "0"), "5 compliance": (true, "true"),
            "6 coverage_threshold": (true, "100%"), "6 security_score": (true, "100/100"), "6 documentation": (true, "true"),
            "7 patterns_generated": (false, "0"), "7 documentation": (true, "true"), "7 test_coverage": (true, "100%"),
        ]
        #expect(table.count == expected.count)
        for (gate, value) in expected {
            #expect(table[gate]?.0 == value.0 && table[gate]?.1 == value.1, "\(gate): \(String(describing: table[gate]))")
        }
        #expect(report.gates.passed == 9 && report.gates.total == 12)
        #expect(report.tasks.flatMap(\.gates).filter(\.isAdvisory).map(\.metric) == ["patterns_generated"])
        #expect(report.successCriteria.filter(\.isAdvisory).map(\.criterion) == ["parallel_efficiency >= 2.5"])
        #expect(report.outcomeReason == "2 quality gates failed", "the advisory gate's failure is a warning")
        let testing = try #require(report.task("4"))
        #expect(testing.findings.map(\.summaryLine) == ["tests/test_calc.py:17 tests/test_calc.py::test_wrong — assert 2 == 3"])
        let findings = scratch.file(".tutti/runs/\(report.runID)/findings")
        for file in ["task-4/testing.json", "task-5/security.sarif", "task-6/architecture.md", "task-7/pattern-library.md"] {
            #expect(FileManager.default.fileExists(atPath: "\(findings)/\(file)"), "\(file)")
        }
    }

    @Test func theBuiltInCopyIsTheTemplateFile() async throws {
        let file = try String(contentsOfFile: "\(repositoryRoot)/workflows/\(BuiltInWorkflows.qualityReportName)", encoding: .utf8)
        #expect(BuiltInWorkflows.qualityReport + "\n" == file)
    }
}
