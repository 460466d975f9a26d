import Foundation

/// How to run a workflow: where files go, how wide, which tasks.
public struct RunOptions: Sendable {
    /// Folder that holds one sub-folder per run.
    public var runsDirectory: String
    /// A fixed run id (otherwise a new one is made).
    public var runID: String?
    /// Overrides the workflow's parallelization_factor.
    public var parallelism: Int?
    /// Overrides the workflow's fail-fast setting.
    public var failFast: Bool?
    /// Run one task at a time whatever the workflow says.
    public var sequential: Bool
    /// Only these task ids, a group's name standing for its tasks (nil: all).
    public var taskFilter: [String]?
    /// The `tutti` binary that built-in agents run as (`tutti agent NAME`).
    public var agentExecutable: String
    /// Seconds between SIGTERM and SIGKILL when a task is stopped.
    public var killGrace: Double
    /// Where the seed's `.conductor/task-results/` and `test-results/` files go; nil: not written.
    public var compatibilityOutputDirectory: String?
    /// Keep a finished run open for retries until `RunEngine.close()` (the dashboard does).
    public var staysOpen = false
    /// Where the tasks run, overriding the workflow's `execution.executor`.
    public var executor: Executor?

    /// Where `workflow`'s tasks run: this option, else what the workflow says.
    public func executor(for workflow: Workflow) -> Executor { executor ?? workflow.execution.executor }

    /// Where runs are kept unless told otherwise: `.tutti/runs` in the current folder.
    public static let defaultRunsDirectory = ".tutti/runs"

    public init(runsDirectory: String = RunOptions.defaultRunsDirectory, runID: String? = nil, parallelism: Int? = nil,
                failFast: Bool? = nil, sequential: Bool = false, taskFilter: [String]? = nil,
                agentExecutable: String = RunOptions.currentExecutable, killGrace: Double = 5,
                compatibilityOutputDirectory: String? = nil) {
        self.runsDirectory = runsDirectory
        self.runID = runID
        self.parallelism = parallelism
        self.failFast = failFast
        self.sequential = sequential
        self.taskFilter = taskFilter
        self.agentExecutable = agentExecutable
        self.killGrace = killGrace
        self.compatibilityOutputDirectory = compatibilityOutputDirectory
    }

    /// The path of the running executable.
    public static var currentExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}
