import Foundation
import Testing
@testable import TuttiCore

/// Parses `yaml`, which must be rejected, and returns every diagnostic it produced.
private func diagnostics(_ yaml: String) -> [Diagnostic] {
    let error = #expect(throws: WorkflowLoadError.self) {
        try WorkflowLoader.parse(yaml: yaml, file: "test.yaml", baseDirectory: "/tmp")
    }
    return error?.diagnostics ?? []
}

/// Parses `yaml`, which must be rejected with exactly one diagnostic, and returns it.
private func onlyDiagnostic(_ yaml: String) throws -> Diagnostic {
    let all = diagnostics(yaml)
    #expect(all.count == 1, "expected one diagnostic, got: \(all)")
    return try #require(all.first)
}

/// Loader errors: exact positions, messages and hints, and every error reported at once.
@Suite struct WorkflowDiagnosticsTests {
    @Test func unknownTopLevelKeySuggestsTheClosestKey() throws {
        let diagnostic = try onlyDiagnostic("""
        name: demo
        nmae: typo
        tasks:
          - task_id: 1
            command: ["true"]
        """)
        #expect(diagnostic.location.file == "test.yaml")
        #expect(diagnostic.location.line == 2)
        #expect(diagnostic.location.column == 1)
        #expect(diagnostic.message == "unknown key 'nmae' in the workflow")
        #expect(diagnostic.hint == "did you mean 'name'?")
        #expect(diagnostic.hint?.contains("name") == true)
    }

    @Test func unknownTaskKeySuggestsTheClosestKey() throws {
        let diagnostic = try onlyDiagnostic("""
        name: demo
        tasks:
          - task_id: 1
            command: ["true"]
            timeout_secnds: 5
        """)
        #expect(diagnostic.location.line == 5)
        #expect(diagnostic.location.column == 5)
        #expect(diagnostic.message == "unknown key 'timeout_secnds' in task 1")
        #expect(diagnostic.hint == "did you mean 'timeout_seconds'?")
    }

    @Test func missingNameIsReportedAtTheTopMapping() throws {
        let diagnostic = try onlyDiagnostic("""
        tasks:
          - task_id: 1
            command: ["true"]
        """)
        #expect(diagnostic.location.line == 1)
        #expect(diagnostic.location.column == 1)
        #expect(diagnostic.message == "missing required key 'name' in the workflow")
        #expect(diagnostic.hint == "add 'name:' to the workflow")
    }

    @Test func missingTaskIDIsReportedAtItsTask() throws {
        let diagnostic = try onlyDiagnostic("""
        name: demo
        tasks:
          - task_id: 1
            command: ["true"]
          - name: second
            command: ["true"]
        """)
        #expect(diagnostic.location.line == 5)
        #expect(diagnostic.location.column == 5)
        #expect(diagnostic.message == "missing required key 'task_id' in a task")
    }

    @Test func missingTasksIsReported() throws {
        let diagnostic = try onlyDiagnostic("""
        name: demo
        description: nothing to run
        """)
        #expect(diagnostic.location.line == 1)
        #expect(diagnostic.location.column == 1)
        #expect(diagnostic.message == "missing required key 'tasks' in the workflow")
    }

    @Test func emptyTaskListIsReportedAtTheList() throws {
        let diagnostic = try onlyDiagnostic("""
        name: demo
        tasks: []
        """)
        #expect(diagnostic.location.line == 2)
        #expect(diagnostic.location.column == 8)
        #expect(diagnostic.message == "'tasks' is empty: a workflow needs at least one task")
    }

    @Test func duplicateTaskIDPointsAtTheSecondTaskAndNamesTheFirst() throws {
        let diagnostic = try onlyDiagnostic("""
        name: demo
        tasks:
          - task_id: 1
            command: ["true"]
          - task_id: 1
            command: ["true"]
        """)
        #expect(diagnostic.location.line == 5)
        #expect(diagnostic.location.column == 5)
        #expect(diagnostic.message == "duplicate task_id 1")
        #expect(diagnostic.hint?.contains("line 3") == true)
    }

    @Test func dependencyOnAMissingTaskPointsAtTheDependsOnEntry() throws {
        let diagnostic = try onlyDiagnostic("""
        name: demo
        tasks:
          - task_id: 1
            command: ["true"]
          - task_id: 2
            command: ["true"]
            depends_on: [1, 9]
        """)
        #expect(diagnostic.location.line == 7)
        #expect(diagnostic.location.column == 21)
        #expect(diagnostic.message == "task 2 depends on task 9, which does not exist")
        #expect(diagnostic.hint == "known tasks: 1")
    }

    @Test func dependencyOnAMisspeltTaskNameSuggestsTheTask() throws {
        let diagnostic = try onlyDiagnostic("""
        name: demo
        tasks:
          - task_id: build
            command: ["true"]
          - task_id: test
            command: ["true"]
            depends_on:
              - biuld
        """)
        #expect(diagnostic.location.line == 8)
        #expect(diagnostic.location.column == 9)
        #expect(diagnostic.message == "task test depends on task biuld, which does not exist")
        #expect(diagnostic.hint == "did you mean task build?")
    }

    @Test func dependencyCycleIsReportedWithItsPath() throws {
        let diagnostic = try onlyDiagnostic("""
        name: demo
        tasks:
          - task_id: 1
            command: ["true"]
            depends_on: [2]
          - task_id: 2
            command: ["true"]
            depends_on: [1]
        """)
        #expect(diagnostic.location.line == 5)
        #expect(diagnostic.location.column == 18)
        #expect(diagnostic.message.contains("dependency cycle"))
        #expect(diagnostic.message.contains("1 -> 2 -> 1"))
        #expect(diagnostic.message == "dependency cycle: 1 -> 2 -> 1 (each task depends on the next)")
    }

    @Test func invalidGateExpressionPointsAtTheThreshold() throws {
        let diagnostic = try onlyDiagnostic("""
        name: demo
        tasks:
          - task_id: 1
            command: ["true"]
            quality_gates:
              - test_coverage: "=> 95%"
        """)
        #expect(diagnostic.location.line == 6)
        #expect(diagnostic.location.column == 24)
        #expect(diagnostic.message == "invalid gate expression '=> 95%' for test_coverage in task 1")
        #expect(diagnostic.hint?.contains(">= 95%") == true)
    }

    @Test func zeroAndNegativeTimeoutsAreBothReported() {
        let all = diagnostics("""
        name: demo
        tasks:
          - task_id: 1
            command: ["true"]
            timeout_seconds: 0
          - task_id: 2
            command: ["true"]
            timeout_seconds: -5
        """)
        #expect(all.count == 2)
        #expect(all.map(\.location.line) == [5, 8])
        #expect(all.map(\.location.column) == [22, 22])
        #expect(all.map(\.message) == [
            "'timeout_seconds' in task 1 must be greater than 0, got 0",
            "'timeout_seconds' in task 2 must be greater than 0, got -5",
        ])
    }

    @Test func zeroParallelizationFactorIsReported() throws {
        let diagnostic = try onlyDiagnostic("""
        name: demo
        tasks:
          - task_id: 1
            command: ["true"]
        execution:
          parallelization_factor: 0
        """)
        #expect(diagnostic.location.line == 6)
        #expect(diagnostic.location.column == 27)
        #expect(diagnostic.message == "parallelization_factor must be at least 1, got 0")
        #expect(diagnostic.hint == "use 1 to run one task at a time")
    }

    @Test func unknownModeSuggestsTheClosestMode() throws {
        let diagnostic = try onlyDiagnostic("""
        name: demo
        tasks:
          - task_id: 1
            command: ["true"]
        execution:
          mode: paralel
        """)
        #expect(diagnostic.location.line == 6)
        #expect(diagnostic.location.column == 9)
        #expect(diagnostic.message == "'paralel' is not a valid mode in execution")
        #expect(diagnostic.hint == "did you mean 'parallel'?")
    }

    @Test func unknownSuccessCriterionSuggestsTheClosestName() throws {
        let diagnostic = try onlyDiagnostic("""
        name: demo
        tasks:
          - task_id: 1
            command: ["true"]
        success_criteria:
          - all_tasks_complete
        """)
        #expect(diagnostic.location.line == 6)
        #expect(diagnostic.location.column == 5)
        #expect(diagnostic.message == "unknown success criterion 'all_tasks_complete'")
        #expect(diagnostic.hint == "did you mean 'all_tasks_completed'?")
    }

    @Test func stringCommandWithoutShellIsRejected() throws {
        let diagnostic = try onlyDiagnostic("""
        name: demo
        tasks:
          - task_id: 1
            command: "make test"
        """)
        #expect(diagnostic.location.line == 4)
        #expect(diagnostic.location.column == 14)
        #expect(diagnostic.message == "'command' in task 1 is a string, but no shell was asked for")
        #expect(diagnostic.hint?.contains("shell: true") == true)
    }

    @Test func taskWithNothingToRunIsRejected() throws {
        let diagnostic = try onlyDiagnostic("""
        name: demo
        tasks:
          - task_id: 1
            name: idle
        """)
        #expect(diagnostic.location.line == 3)
        #expect(diagnostic.location.column == 5)
        #expect(diagnostic.message == "task 1 has nothing to run")
    }

    @Test func yamlSyntaxErrorIsReportedAsOneDiagnostic() throws {
        let diagnostic = try onlyDiagnostic("""
        name: demo
        tasks: [1, 2
        """)
        #expect(diagnostic.message.hasPrefix("YAML syntax error"))
        #expect(diagnostic.message.contains("flow sequence"))
        #expect(diagnostic.location.line == 3)
        #expect(diagnostic.location.column == 1)
        #expect(diagnostic.hint != nil)
    }

    @Test func emptyFileIsReported() throws {
        let diagnostic = try onlyDiagnostic("")
        #expect(diagnostic.message == "the file is empty")
        #expect(diagnostic.location.line == 1)
        #expect(diagnostic.location.column == 1)
        #expect(diagnostic.hint?.contains("name") == true)
    }

    @Test func topLevelListIsNotAWorkflow() throws {
        let diagnostic = try onlyDiagnostic("""
        - one
        - two
        """)
        #expect(diagnostic.message == "the workflow must be a mapping of keys to values")
        #expect(diagnostic.location.line == 1)
        #expect(diagnostic.location.column == 1)
    }

    @Test func everyProblemInAFileIsReportedSortedByLine() {
        let all = diagnostics("""
        name: demo
        success_criteria:
          - total_tme < 5
        execution:
          mode: paralel
        tasks:
          - task_id: 1
            command: ["true"]
            depends_on: [7]
            quality_gates:
              - coverage: "=> 95%"
        """)
        #expect(all.count == 4)
        #expect(all.map(\.location.line) == [3, 5, 9, 11])
        #expect(all.map(\.location.column) == [5, 9, 18, 19])
        #expect(all.map(\.message) == [
            "unknown success criterion 'total_tme < 5'",
            "'paralel' is not a valid mode in execution",
            "task 1 depends on task 7, which does not exist",
            "invalid gate expression '=> 95%' for coverage in task 1",
        ])
        #expect(all.first?.hint == "did you mean 'total_time'?")
    }

    @Test func descriptionReadsFileLineColumnErrorMessage() throws {
        let diagnostic = try onlyDiagnostic("""
        name: demo
        nmae: typo
        tasks:
          - task_id: 1
            command: ["true"]
        """)
        let lines = diagnostic.description.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) }
        #expect(lines == [
            "test.yaml:2:1: error: unknown key 'nmae' in the workflow",
            "  hint: did you mean 'name'?",
        ])

        let bare = Diagnostic("boom", at: .init(file: "a.yaml", line: 3, column: 7))
        #expect(bare.description == "a.yaml:3:7: error: boom")
        let hinted = Diagnostic("boom", at: .init(file: "a.yaml", line: 3, column: 7), hint: "fix it")
        #expect(hinted.description == "a.yaml:3:7: error: boom\n  hint: fix it")
        #expect(WorkflowLoadError([bare, bare]).description == "a.yaml:3:7: error: boom\na.yaml:3:7: error: boom")
    }

    @Test func unreadableFileIsReportedAtItsPath() {
        let path = "/nonexistent-\(UUID().uuidString)/workflow.yaml"
        let error = #expect(throws: WorkflowLoadError.self) {
            try WorkflowLoader.load(path: path)
        }
        #expect(error?.diagnostics.count == 1)
        #expect(error?.diagnostics.first?.location.file == path)
        #expect(error?.diagnostics.first?.message.hasPrefix("cannot read the file") == true)
    }
}

/// The "did you mean" helper behind the loader's hints.
@Suite struct SuggestionTests {
    @Test func editDistanceCountsInsertionsDeletionsAndSubstitutions() {
        #expect(Suggestion.editDistance("kitten", "sitting") == 3)
        #expect(Suggestion.editDistance("", "abc") == 3)
        #expect(Suggestion.editDistance("same", "same") == 0)
        #expect(Suggestion.editDistance("nmae", "name") == 2)
    }

    @Test func closestReturnsANearMissAndNothingForAFarOne() {
        #expect(Suggestion.closest(to: "nmae", in: ["name", "tasks"]) == "name")
        #expect(Suggestion.closest(to: "TASKS", in: ["name", "tasks"]) == "tasks")
        #expect(Suggestion.closest(to: "zzzzzz", in: ["name", "tasks"]) == nil)
        #expect(Suggestion.closest(to: "anything", in: []) == nil)
    }
}

/// Duplicate keys, which the YAML parser itself refuses.
@Suite struct DuplicateKeyTests {
    @Test func aDuplicateKeyPointsAtItsSecondOccurrence() throws {
        let yaml = "name: a\ntasks:\n  - task_id: 1\n    command: [x]\n    command: [y]\n"
        do {
            _ = try WorkflowLoader.parse(yaml: yaml, file: "dup.yaml")
            Issue.record("a duplicate key was accepted")
        } catch {
            let diagnostic = try #require(error.diagnostics.first)
            #expect(diagnostic.message == "duplicate key 'command' (first given at line 4)")
            #expect(diagnostic.location.line == 5)
            #expect(diagnostic.location.column == 5)
        }
    }
}

/// Checks added for inputs that would otherwise fail only at run time, or misbehave.
@Suite struct RunTimeInputChecksTests {
    private func messages(_ yaml: String) -> [Diagnostic] {
        do {
            _ = try WorkflowLoader.parse(yaml: yaml, file: "w.yaml")
            return []
        } catch {
            return error.diagnostics
        }
    }

    @Test func simParametersAreCheckedWhenTheFileIsLoaded() throws {
        let found = messages("""
        name: w
        tasks:
          - task_id: 1
            agent: sim
            parameters: {duraton_seconds: 3}
        """)
        let diagnostic = try #require(found.first)
        #expect(diagnostic.message.contains("unknown sim parameter 'duraton_seconds'"))
        #expect(diagnostic.message.contains("did you mean 'duration_seconds'?"))
        #expect(diagnostic.location.line == 5)
    }

    @Test func taskIDsMustBeSafeInFileNames() throws {
        let found = messages("name: w\ntasks:\n  - {task_id: a/b, command: [\"true\"]}\n")
        let diagnostic = try #require(found.first)
        #expect(diagnostic.message == "task_id 'a/b' may hold only letters, digits, '.', '_' and '-'")
        #expect(diagnostic.hint?.contains("'a-b'") == true)
    }

    @Test func aShellScriptMustBeOneString() throws {
        let found = messages("name: w\ntasks:\n  - {task_id: 1, shell: true, command: [echo, hi]}\n")
        #expect(found.first?.message == "with 'shell: true', 'command' in task 1 must be one string")
    }

    @Test func timesLongerThanAYearAreRefused() throws {
        let found = messages("""
        name: w
        tasks:
          - task_id: 1
            command: ["true"]
            timeout_seconds: 1e300
            retries: {count: 5000, delay_seconds: 1e30}
        """)
        #expect(found.count == 3)
        #expect(found.map(\.location.line) == [5, 6, 6])
    }

    @Test func shellScriptsAndAllFailedActionAreRead() throws {
        let workflow = try WorkflowLoader.parse(yaml: """
        name: w
        error_handling: {all_tasks_failed: {action: fail, message: none worked}}
        tasks:
          - {task_id: 1, shell: true, command: "echo a && echo b"}
        """)
        #expect(workflow.tasks[0].launch == .shell("echo a && echo b"))
        #expect(workflow.errorHandling.allTasksFailedMessage == "none worked")
        let found = messages("name: w\nerror_handling: {all_tasks_failed: {action: continue}}\ntasks:\n  - {task_id: 1, command: [x]}\n")
        #expect(found.first?.message == "'continue' is not a valid action in all_tasks_failed")
    }
}
