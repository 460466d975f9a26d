import Foundation
import Testing

/// `tutti validate`: exit codes and positioned errors.
@Suite struct ValidateCommandTests {
    @Test func everyShippedWorkflowIsValid() async throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: repositoryRoot + "/workflows")
            .filter { $0.hasSuffix(".yaml") }.sorted().map { "workflows/" + $0 }
        #expect(files.contains("workflows/template-03-parallel-execution.yaml"))
        #expect(files.contains("workflows/demo.yaml"))
        let result = try await tutti(["validate"] + files)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("workflows/template-04-full-orchestration.yaml: valid (22 tasks"))
    }

    @Test func invalidFilesExitTwoAndReportEveryErrorWithItsPosition() async throws {
        let scratch = Scratch()
        scratch.write("good.yaml", "name: good\ntasks:\n  - {task_id: 1, command: [\"true\"]}\n")
        scratch.write("bad.yaml", """
        name: bad
        tasks:
          - task_id: 1
            nmae: Typo
            command: [echo, hi]
          - task_id: 2
            depends_on: [1, 9]
            command: [echo]
            timeout_seconds: -1
        """)
        let result = try await tutti(["validate", "good.yaml", "bad.yaml"], in: scratch.path)
        #expect(result.status == 2)
        #expect(result.stdout.contains("good.yaml: valid"))
        #expect(result.stderr.contains("bad.yaml:4:5: error: unknown key 'nmae' in task 1"))
        #expect(result.stderr.contains("hint: did you mean 'name'?"))
        #expect(result.stderr.contains("bad.yaml:7:21: error: task 2 depends on task 9, which does not exist"))
        #expect(result.stderr.contains("bad.yaml:9:22: error: 'timeout_seconds' in task 2 must be greater than 0"))
        #expect(result.stderr.contains("bad.yaml: 3 errors"))
    }

    @Test func aMissingFileIsInvalidInput() async throws {
        let result = try await tutti(["validate", "no/such/file.yaml"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("no/such/file.yaml:1:1: error: cannot read the file"))
    }
}
