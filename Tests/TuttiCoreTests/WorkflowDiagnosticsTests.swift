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
    /// How a case checks the diagnostic's hint: not at all, the whole text, or a part of it.
    enum HintCheck: Sendable {
        case unchecked
        case equals(String)
        case contains(String)
    }

    /// A workflow that must be rejected with exactly one diagnostic, and what that diagnostic must say.
    struct DiagnosticCase: Sendable, CustomTestStringConvertible {
        /// What the case shows; it names the case in the test list and in every failed expectation.
        let name: String
        let yaml: String
        let line: Int
        let column: Int
        /// The whole message, compared with `==`.
        let message: String
        var hint: HintCheck = .unchecked
        /// Whether the diagnostic must also name the file given to the loader, "test.yaml".
        var checksFile = false

        var testDescription: String { name }
    }

    /// Workflows each rejected with one diagnostic, with its line, column, message and (where checked) hint.
    static let singleDiagnosticCases: [DiagnosticCase] = [
        DiagnosticCase(
            name: "unknown top-level key suggests the closest key",
            yaml: """
            name: demo
            nmae: typo
            tasks:
              - task_id: 1
                command: ["true"]
            """,
            line: 2, column: 1,
            message: "unknown key 'nmae' in the workflow",
            hint: .equals("did you mean 'name'?"),
            checksFile: true),
        DiagnosticCase(
            name: "unknown task key suggests the closest key",
            yaml: """
            name: demo
            tasks:
              - task_id: 1
                command: ["true"]
                timeout_secnds: 5
            """,
            line: 5, column: 5,
            message: "unknown key 'timeout_secnds' in task 1",
            hint: .equals("did you mean 'timeout_seconds'?")),
        DiagnosticCase(
            name: "missing name is reported at the top mapping",
            yaml: """
            tasks:
              - task_id: 1
                command: ["true"]
            """,
            line: 1, column: 1,
            message: "missing required key 'name' in the workflow",
            hint: .equals("add 'name:' to the workflow")),
        DiagnosticCase(
            name: "missing task_id is reported at its task",
            yaml: """
            name: demo
            tasks:
              - task_id: 1
                command: ["true"]
              - name: second
                command: ["true"]
            """,
            line: 5, column: 5,
            message: "missing required key 'task_id' in a task"),
        DiagnosticCase(
            name: "missing tasks is reported",
            yaml: """
            name: demo
            description: nothing to run
            """,
            line: 1, column: 1,
            message: "missing required key 'tasks' in the workflow"),
        DiagnosticCase(
            name: "empty task list is reported at the list",
            yaml: """
            name: demo
            tasks: []
            """,
            line: 2, column: 8,
            message: "'tasks' is empty: a workflow needs at least one task"),
        DiagnosticCase(
            name: "duplicate task_id points at the second task and names the first",
            yaml: """
            name: demo
            tasks:
              - task_id: 1
                command: ["true"]
              - task_id: 1
                command: ["true"]
            """,
            line: 5, column: 5,
            message: "duplicate task_id 1",
            hint: .contains("line 3")),
        DiagnosticCase(
            name: "dependency on a missing task points at the depends_on entry",
            yaml: """
            name: demo
            tasks:
              - task_id: 1
                command: ["true"]
              - task_id: 2
                command: ["true"]
                depends_on: [1, 9]
            """,
            line: 7, column: 21,
            message: "task 2 depends on task 9, which does not exist",
            hint: .equals("known tasks: 1")),
        DiagnosticCase(
            name: "dependency on a misspelt task name suggests the task",
            yaml: """
            name: demo
            tasks:
              - task_id: build
                command: ["true"]
              - task_id: test
                command: ["true"]
                depends_on:
                  - biuld
            """,
            line: 8, column: 9,
            message: "task test depends on task biuld, which does not exist",
            hint: .equals("did you mean task build?")),
        DiagnosticCase(
            name: "dependency cycle is reported with its path",
            yaml: """
            name: demo
            tasks:
              - task_id: 1
                command: ["true"]
                depends_on: [2]
              - task_id: 2
                command: ["true"]
                depends_on: [1]
            """,
            line: 5, column: 18,
            message: "dependency cycle: 1 -> 2 -> 1 (each task depends on the next)"),
        DiagnosticCase(
            name: "a task waiting for its own group is told so",
            yaml: """
            name: demo
            tasks:
              - {task_id: a, command: ["true"], group: build}
              - {task_id: b, command: ["true"], group: build, depends_on: [build]}
            """,
            line: 4, column: 64,
            message: "task b depends on its own group build",
            hint: .contains("take it out of group build")),
        DiagnosticCase(
            name: "a group named as a task is ambiguous in depends_on",
            yaml: """
            name: demo
            tasks:
              - {task_id: a, command: ["true"], group: b}
              - {task_id: b, command: ["true"]}
            """,
            line: 3, column: 44,
            message: "group b has the name of task b",
            hint: .equals("depends_on: [b] must name one or the other; rename the group or the task")),
        DiagnosticCase(
            name: "a misspelt group name suggests the group",
            yaml: """
            name: demo
            tasks:
              - {task_id: a, command: ["true"], group: compile}
              - {task_id: b, command: ["true"], depends_on: [compil]}
            """,
            line: 4, column: 50,
            message: "task b depends on compil, which is neither a task nor a group",
            hint: .equals("did you mean group compile?")),
        DiagnosticCase(
            name: "a group name that is not a name",
            yaml: """
            name: demo
            tasks:
              - {task_id: a, command: ["true"], group: "a b"}
            """,
            line: 3, column: 44,
            message: "group 'a b' may hold only letters, digits, '.', '_' and '-'"),
        DiagnosticCase(
            name: "a cycle through a group names the group",
            yaml: """
            name: demo
            tasks:
              - {task_id: a, command: ["true"], depends_on: [late]}
              - {task_id: b, command: ["true"], group: late, depends_on: [a]}
            """,
            line: 3, column: 50,
            message: "dependency cycle: a -> group late -> b -> a (each waits for the next)"),
        DiagnosticCase(
            name: "invalid gate expression points at the threshold",
            yaml: """
            name: demo
            tasks:
              - task_id: 1
                command: ["true"]
                quality_gates:
                  - test_coverage: "=> 95%"
            """,
            line: 6, column: 24,
            message: "invalid gate expression '=> 95%' for test_coverage in task 1",
            hint: .contains(">= 95%")),
        DiagnosticCase(
            name: "zero parallelization factor is reported",
            yaml: """
            name: demo
            tasks:
              - task_id: 1
                command: ["true"]
            execution:
              parallelization_factor: 0
            """,
            line: 6, column: 27,
            message: "parallelization_factor must be at least 1, got 0",
            hint: .equals("use 1 to run one task at a time")),
        DiagnosticCase(
            name: "an unknown on_timeout says what it can be",
            yaml: """
            name: demo
            tasks:
              - task_id: 1
                command: ["true"]
                on_timeout: stop
            """,
            line: 5, column: 17,
            message: "'stop' is not a valid on_timeout in task 1",
            hint: .equals("expected one of: retry, end_run")),
        DiagnosticCase(
            name: "unknown mode suggests the closest mode",
            yaml: """
            name: demo
            tasks:
              - task_id: 1
                command: ["true"]
            execution:
              mode: paralel
            """,
            line: 6, column: 9,
            message: "'paralel' is not a valid mode in execution",
            hint: .equals("did you mean 'parallel'?")),
        DiagnosticCase(
            name: "unknown success criterion suggests the closest name",
            yaml: """
            name: demo
            tasks:
              - task_id: 1
                command: ["true"]
            success_criteria:
              - all_tasks_complete
            """,
            line: 6, column: 5,
            message: "unknown success criterion 'all_tasks_complete'",
            hint: .equals("did you mean 'all_tasks_completed'?")),
        DiagnosticCase(
            name: "string command without shell is rejected",
            yaml: """
            name: demo
            tasks:
              - task_id: 1
                command: "make test"
            """,
            line: 4, column: 14,
            message: "'command' in task 1 is a string, but no shell was asked for",
            hint: .contains("shell: true")),
        DiagnosticCase(
            name: "task with nothing to run is rejected",
            yaml: """
            name: demo
            tasks:
              - task_id: 1
                name: idle
            """,
            line: 3, column: 5,
            message: "task 1 has nothing to run"),
        DiagnosticCase(
            name: "empty file is reported",
            yaml: "",
            line: 1, column: 1,
            message: "the file is empty",
            hint: .contains("name")),
        DiagnosticCase(
            name: "top-level list is not a workflow",
            yaml: """
            - one
            - two
            """,
            line: 1, column: 1,
            message: "the workflow must be a mapping of keys to values"),
    ]

    /// Each workflow in the table is rejected with exactly one diagnostic, at its place, saying what the case expects.
    @Test(arguments: singleDiagnosticCases)
    func reportsOneDiagnostic(_ expected: DiagnosticCase) throws {
        let diagnostic = try onlyDiagnostic(expected.yaml)
        if expected.checksFile {
            #expect(diagnostic.location.file == "test.yaml", "\(expected.name): file")
        }
        #expect(diagnostic.location.line == expected.line, "\(expected.name): line")
        #expect(diagnostic.location.column == expected.column, "\(expected.name): column")
        #expect(diagnostic.message == expected.message, "\(expected.name): message")
        switch expected.hint {
        case .unchecked:
            break
        case .equals(let hint):
            #expect(diagnostic.hint == hint, "\(expected.name): hint")
        case .contains(let part):
            #expect(diagnostic.hint?.contains(part) == true, "\(expected.name): hint")
        }
    }

    /// A YAML syntax error is one diagnostic, in the parser's words, past the end of the text, with a hint.
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

    /// A zero and a negative timeout, in two tasks, are both reported.
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

    /// Every problem in a file is reported at once, sorted by line.
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

    /// A diagnostic reads `file:line:column: error: message`, its hint on the next line; an error, one line per diagnostic.
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

    /// A file that cannot be read is one diagnostic at its path.
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
    /// Edit distance counts insertions, deletions and substitutions.
    @Test func editDistanceCountsInsertionsDeletionsAndSubstitutions() {
        #expect(Suggestion.editDistance("kitten", "sitting") == 3)
        #expect(Suggestion.editDistance("", "abc") == 3)
        #expect(Suggestion.editDistance("same", "same") == 0)
        #expect(Suggestion.editDistance("nmae", "name") == 2)
    }

    /// The closest name is suggested for a near miss, whatever its case, and nothing for a far one or an empty list.
    @Test func closestReturnsANearMissAndNothingForAFarOne() {
        #expect(Suggestion.closest(to: "nmae", in: ["name", "tasks"]) == "name")
        #expect(Suggestion.closest(to: "TASKS", in: ["name", "tasks"]) == "tasks")
        #expect(Suggestion.closest(to: "zzzzzz", in: ["name", "tasks"]) == nil)
        #expect(Suggestion.closest(to: "anything", in: []) == nil)
    }
}

/// Duplicate keys, which the YAML parser itself refuses.
@Suite struct DuplicateKeyTests {
    /// A key given twice is reported at its second occurrence, naming the line of the first.
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

    /// A misspelt sim parameter is caught when the file is loaded, at its line.
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

    /// A task_id that could not be part of a file name is refused, and a safe one suggested.
    @Test func taskIDsMustBeSafeInFileNames() throws {
        let found = messages("name: w\ntasks:\n  - {task_id: a/b, command: [\"true\"]}\n")
        let diagnostic = try #require(found.first)
        #expect(diagnostic.message == "task_id 'a/b' may hold only letters, digits, '.', '_' and '-'")
        #expect(diagnostic.hint?.contains("'a-b'") == true)
    }

    /// With 'shell: true', a command given as a list is refused.
    @Test func aShellScriptMustBeOneString() throws {
        let found = messages("name: w\ntasks:\n  - {task_id: 1, shell: true, command: [echo, hi]}\n")
        #expect(found.first?.message == "with 'shell: true', 'command' in task 1 must be one string")
    }

    /// A timeout or a retry delay longer than a year, and too many retries, are each refused.
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

    /// A shell script and the all_tasks_failed action are read, and an action not valid there is refused.
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

/// The Slurm options of a workflow: read, merged, and checked with their positions.
@Suite struct SlurmOptionsTests {
    @Test func optionsAreReadAndATasksOwnWinOverTheWorkflows() throws {
        let workflow = try WorkflowLoader.parse(yaml: """
        name: w
        execution:
          executor: slurm
          slurm: {partition: debug, account: lab, srun_args: [--exclusive]}
        tasks:
          - {task_id: a, command: ['true'], slurm: {partition: gpu, cpus: 4, gpus: 1, mem: 8G, time: "1:30:00", qos: high, constraint: avx2, srun_args: [--hint=nomultithread]}}
        """, file: "w.yaml")
        #expect(workflow.execution.executor == .slurm)
        let options = try #require(workflow.task("a")).slurm.over(workflow.execution.slurm)
        #expect(options.arguments == ["--partition=gpu", "--account=lab", "--qos=high", "--constraint=avx2", "--cpus-per-task=4",
                                      "--gpus=1", "--mem=8G", "--time=1:30:00", "--exclusive", "--hint=nomultithread"])
    }

    @Test func badOptionsAreNamedWhereTheyAre() {
        do {
            _ = try WorkflowLoader.parse(yaml: """
            name: w
            execution: {executor: slurn}
            tasks:
              - {task_id: a, command: ['true'], slurm: {cpus: 0, mem: 4 GB, time: "1:2:3:4", partiton: x}}
            """, file: "w.yaml")
            Issue.record("accepted")
        } catch {
            let text = error.description
            #expect(text.contains("w.yaml:2:23: error: 'slurn' is not a valid executor") && text.contains("did you mean 'slurm'?"), "\(text)")
            #expect(text.contains("'cpus' in slurm of task a must be at least 1"), "\(text)")
            #expect(text.contains("'4 GB' is not a memory size Slurm takes"), "\(text)")
            #expect(text.contains("'1:2:3:4' is not a Slurm time limit"), "\(text)")
            #expect(text.contains("unknown key 'partiton'") && text.contains("did you mean 'partition'?"), "\(text)")
        }
        // Digits of another script are not Slurm's.
        let arabic = #expect(throws: WorkflowLoadError.self) {
            try WorkflowLoader.parse(yaml: "name: w\ntasks:\n  - {task_id: a, command: ['true'], slurm: {mem: ٤G}}\n", file: "w.yaml")
        }
        #expect(arabic?.description.contains("'٤G' is not a memory size Slurm takes") == true)
    }

    @Test func slurmTimeLimitsReadAsSlurmReadsThem() {
        #expect(SlurmOptions.seconds(inTimeLimit: "30") == 1800)
        #expect(SlurmOptions.seconds(inTimeLimit: "30:15") == 1815)
        #expect(SlurmOptions.seconds(inTimeLimit: "1:30:00") == 5400)
        #expect(SlurmOptions.seconds(inTimeLimit: "2-0") == 172_800)
        #expect(SlurmOptions.seconds(inTimeLimit: "1-2:30") == 95_400)
        #expect(SlurmOptions.seconds(inTimeLimit: "1-0:0:5") == 86_405)
        #expect(SlurmOptions.seconds(inTimeLimit: "soon") == nil)
        #expect(SlurmOptions.seconds(inTimeLimit: "1-2-3") == nil)
    }
}

/// What `srun` is given: never the variables of an allocation Tutti runs in.
@Suite struct SlurmEnvironmentTests {
    @Test func anAllocationsVariablesAreNotPassedOnButTheConfigurationIs() {
        let passed = SlurmSubmission.environment(["SLURM_JOB_ID": "12", "SLURM_JOBID": "12", "SLURM_NODELIST": "n1",
                                                  "SLURM_CONF": "/etc/slurm/slurm.conf", "PATH": "/usr/bin"])
        #expect(passed == ["SLURM_CONF": "/etc/slurm/slurm.conf", "PATH": "/usr/bin"])
    }

    @Test func aTimeLimitTooLargeToBeOneIsNot() {
        #expect(SlurmOptions.seconds(inTimeLimit: "999999999999999999") == nil)
        #expect(SlurmOptions.seconds(inTimeLimit: "99999999999999-1") == nil)
    }
}

/// A task's parameters keep the types YAML 1.1 gives their values, resolved as they are read.
@Suite struct YAMLValueTypesTests {
    @Test func plainScalarsAreTypedAndQuotedOnesAreText() throws {
        let workflow = try WorkflowLoader.parse(yaml: """
        name: w
        tasks:
          - task_id: a
            command: ['true']
            parameters:
              flag: yes
              quoted_flag: "yes"
              off_word: Off
              count: 12
              hex: 0x1F
              ratio: 1.5e3
              nothing: ~
              tagged: !!str 12
              version: 1.2.3
              word: 12abc
              sexagesimal: 1:30
              ports: 8080:80
              underscored: _1
              half: .5
              list: [1, "2", true]
        """, file: "w.yaml")
        let parameters = try #require(workflow.task("a")).parameters
        #expect(parameters["flag"] == .bool(true) && parameters["quoted_flag"] == .string("yes") && parameters["off_word"] == .bool(false))
        #expect(parameters["count"] == .number(12) && parameters["hex"] == .number(31) && parameters["ratio"] == .number(1500))
        #expect(parameters["nothing"] == .null && parameters["tagged"] == .string("12"))
        #expect(parameters["version"] == .string("1.2.3") && parameters["word"] == .string("12abc"))
        #expect(parameters["sexagesimal"] == .number(90))
        // As YAML 1.1 reads them, not as a lenient number parser would.
        #expect(parameters["ports"] == .string("8080:80") && parameters["underscored"] == .string("_1") && parameters["half"] == .number(0.5))
        #expect(parameters["list"] == .array([.number(1), .string("2"), .bool(true)]))
    }
}
