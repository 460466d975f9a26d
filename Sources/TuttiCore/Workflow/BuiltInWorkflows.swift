import Foundation

/// Workflows built into the binary, so `tutti` works in any repository.
public enum BuiltInWorkflows {
    /// The quality report: the seed's template 3 (its four agents, in parallel), exactly as
    /// `workflows/template-03-parallel-execution.yaml` holds it.
    public static let qualityReportName = "template-03-parallel-execution.yaml"
    /// What a run of the built-in copy records as its workflow file.
    public static let qualityReportSource = "(built-in) \(qualityReportName)"

    /// The built-in quality report, read.
    public static func qualityReportWorkflow() throws(WorkflowLoadError) -> Workflow {
        try WorkflowLoader.parse(yaml: qualityReport, file: qualityReportSource)
    }

    /// The workflow called `name` in `directory` (`NAME.yaml` or `NAME.yml`), else the built-in
    /// quality report when that is the name; nil when there is none. Its path comes with it.
    public static func named(_ name: String, in directory: String) throws(WorkflowLoadError) -> (workflow: Workflow, path: String)? {
        let base = (name as NSString).deletingPathExtension
        guard !base.isEmpty, RunDirectory.safeFileName(base) == base else { return nil }
        for file in ["\(directory)/\(base).yaml", "\(directory)/\(base).yml"] where FileManager.default.fileExists(atPath: file) {
            return (try WorkflowLoader.load(path: file), file)
        }
        guard "\(base).yaml" == qualityReportName else { return nil }
        return (try qualityReportWorkflow(), qualityReportSource)
    }

    public static let qualityReport = """
    # Template 3: Parallel Execution (Tasks 4, 5, 6, 7) - the seed document's, with two verdicts made
    # advisory (reported as warnings, they do not fail a code-quality run): the pattern count, which
    # measures a codebase's size, and parallel efficiency, which measures the schedule's shape.
    # Demonstrates four independent tasks running concurrently with per-task quality gates.
    name: template-03-parallel-execution
    description: Execute 4 independent tasks concurrently
    version: 1.0
    metadata:
      type: parallel
      complexity: intermediate
      estimated_duration_minutes: 15
      agents: [TestingAgent, SecurityAgent, ArchitectureAgent, CodeGenAgent]
      task_sequence: [4, 5, 6, 7]
      parallelization: true

    tasks:
      - task_id: 4
        name: Testing Framework
        description: Test framework and quality assurance
        type: system_task
        agent_type: TestingAgent
        timeout_seconds: 900
        depends_on: []
        parameters:
          task_name: "Testing Framework"
          agent_type: "TestingAgent"
        quality_gates:
          - test_coverage: ">= 95%"
          - test_pass_rate: "100%"
          - performance_acceptable: true

      - task_id: 5
        name: Security Hardening
        description: Security vulnerability scanning and fixes
        type: system_task
        agent_type: SecurityAgent
        timeout_seconds: 900
        depends_on: []
        parameters:
          task_name: "Security Hardening"
          agent_type: "SecurityAgent"
        quality_gates:
          - security_score: ">= 90/100"
          - vulnerabilities: "== 0"
          - compliance: required

      - task_id: 6
        name: Architecture Review
        description: System architecture analysis and validation
        type: system_task
        agent_type: ArchitectureAgent
        timeout_seconds: 900
        depends_on: []
        parameters:
          task_name: "Architecture Review"
          agent_type: "ArchitectureAgent"
        quality_gates:
          - coverage_threshold: ">= 90%"
          - security_score: ">= 85/100"
          - documentation: required

      - task_id: 7
        name: Pattern Library
        description: Generate pattern library for reusable components
        type: system_task
        agent_type: CodeGenAgent
        timeout_seconds: 900
        depends_on: []
        parameters:
          task_name: "Pattern Library"
          agent_type: "CodeGenAgent"
        quality_gates:
          - patterns_generated: ">= 10"
            advisory: true
          - documentation: required
          - test_coverage: ">= 80%"

    # Execution mode: parallel (all tasks start immediately)
    execution:
      mode: parallel
      parallel_allowed: true
      parallelization_factor: 4
      wait_for_all: true
      timeout_seconds: 1200

    # No dependencies between tasks
    dependencies: []

    # Polling configuration
    polling:
      strategy: active
      interval_seconds: 5
      max_attempts: 240
      timeout_seconds: 1200

    # Workflow success criteria
    success_criteria:
      - all_tasks_completed
      - no_task_blocked_by_another
      - total_time < 1200
      - criterion: parallel_efficiency >= 2.5
        advisory: true

    # Error handling for parallel execution
    error_handling:
      one_task_failure:
        action: continue
        message: "One task failed, but others continue"
        retry_allowed: true
      all_tasks_failed:
        action: fail
        message: "All tasks failed"
    """
}
