import Foundation

/// A loaded, validated workflow: its tasks and how to run them.
public struct Workflow: Sendable {
    public var name: String
    public var description: String?
    public var version: String?
    public var tasks: [TaskSpec]
    public var execution: ExecutionSettings
    public var polling: PollingSettings
    public var successCriteria: [WorkflowCriterion]
    public var errorHandling: ErrorHandling
    /// The file it was loaded from, if any.
    public var sourcePath: String?
    /// Relative working directories are resolved against this directory.
    public var baseDirectory: String

    public init(
        name: String, description: String? = nil, version: String? = nil, tasks: [TaskSpec],
        execution: ExecutionSettings = .init(), polling: PollingSettings = .init(),
        successCriteria: [WorkflowCriterion] = [], errorHandling: ErrorHandling = .init(),
        sourcePath: String? = nil, baseDirectory: String = FileManager.default.currentDirectoryPath
    ) {
        self.name = name
        self.description = description
        self.version = version
        self.tasks = tasks
        self.execution = execution
        self.polling = polling
        self.successCriteria = successCriteria
        self.errorHandling = errorHandling
        self.sourcePath = sourcePath
        self.baseDirectory = baseDirectory
    }

    /// The task with this id.
    public func task(_ id: String) -> TaskSpec? { tasks.first { $0.id == id } }

    /// Each group's tasks, in the file's order. A `depends_on` entry that names a group waits
    /// for all of them: one entry, however many tasks the group holds.
    public var groups: [String: [String]] { Self.groups(of: tasks) }

    /// Each group of `tasks` with its tasks, in their order.
    static func groups(of tasks: [TaskSpec]) -> [String: [String]] {
        var groups: [String: [String]] = [:]
        for index in tasks.indices { if let group = tasks[index].group { groups[group, default: []].append(tasks[index].id) } }
        return groups
    }

    /// The workflow with every dependency on a group replaced by its tasks (for formats that
    /// name tasks only, as Conductor's does).
    public func expandingGroups() -> Workflow {
        let groups = self.groups
        guard !groups.isEmpty else { return self }
        var expanded = self
        for index in expanded.tasks.indices {
            var seen = Set<String>()
            expanded.tasks[index].dependsOn = tasks[index].dependsOn.flatMap { groups[$0] ?? [$0] }.filter { seen.insert($0).inserted }
        }
        return expanded
    }
}

/// What a task's timeout does (`on_timeout`): `retry`, as a failure would be retried (the
/// default, Conductor's RETRY), or `end_run`: the run ends, timed out, with no retry
/// (Conductor's TIME_OUT_WF, its default for a task definition).
public enum TimeoutAction: String, Sendable, Hashable, CaseIterable {
    case retry
    case endRun = "end_run"
}

/// What one task runs and under which rules.
public struct TaskSpec: Sendable {
    public var id: String
    public var name: String
    public var description: String?
    public var type: String?
    public var agentType: String?
    public var launch: TaskLaunch
    public var parameters: [String: JSONValue]
    public var environment: [String: String]
    public var workingDirectory: String?
    public var timeoutSeconds: Double?
    /// What its timeout does: the task is retried as a failure would be, or the run ends.
    public var onTimeout: TimeoutAction = .retry
    /// The tasks and groups it waits for: a group's name stands for all of its tasks.
    public var dependsOn: [String]
    /// The group it belongs to, if any: other tasks can wait for the whole group by its name.
    public var group: String?
    public var retry: RetryPolicy
    public var gates: [QualityGate]
    public var location: SourceLocation?
    /// What its jobs ask of a Slurm cluster (with the workflow's `execution.slurm` under them).
    public var slurm = SlurmOptions()
    /// Where each dependency is named in the file, for error messages.
    public var dependencyLocations: [String: SourceLocation] = [:]
    /// Where its group is named in the file, for error messages.
    public var groupLocation: SourceLocation?

    public init(
        id: String, name: String? = nil, description: String? = nil, type: String? = nil,
        agentType: String? = nil, launch: TaskLaunch, parameters: [String: JSONValue] = [:],
        environment: [String: String] = [:], workingDirectory: String? = nil,
        timeoutSeconds: Double? = nil, dependsOn: [String] = [], retry: RetryPolicy = .none,
        gates: [QualityGate] = [], location: SourceLocation? = nil
    ) {
        self.id = id
        self.name = name ?? "Task \(id)"
        self.description = description
        self.type = type
        self.agentType = agentType
        self.launch = launch
        self.parameters = parameters
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.timeoutSeconds = timeoutSeconds
        self.dependsOn = dependsOn
        self.retry = retry
        self.gates = gates
        self.location = location
    }

    /// A short label for the agent: "TestingAgent", "sim", or the program name.
    public var agentLabel: String {
        if let agentType { return agentType }
        switch launch {
        case .agent(let name): return name
        // The program's file name, read in Swift: bridging to NSString for it cost more than
        // a trivial task's whole scheduling (it is asked for each task's events and report).
        case .command(let argv): return argv.first.map { $0.split(separator: "/").last.map(String.init) ?? $0 } ?? "command"
        case .shell: return "shell"
        }
    }
}

/// How a task's process is started.
public enum TaskLaunch: Sendable, Hashable {
    /// An argv array, executed directly with no shell.
    case command([String])
    /// A script run by `/bin/sh -c`, only when the workflow asks for a shell.
    case shell(String)
    /// A built-in agent, run as `tutti agent NAME` with the task's parameters.
    case agent(String)
}

/// When and how often a failed task is tried again.
public struct RetryPolicy: Sendable, Hashable {
    /// How the delay grows between attempts.
    public enum Backoff: String, Sendable, Hashable, CaseIterable {
        case fixed, linear, exponential
    }

    public var count: Int
    public var backoff: Backoff
    public var delaySeconds: Double
    public var maxDelaySeconds: Double?

    public init(count: Int, backoff: Backoff = .fixed, delaySeconds: Double = 1, maxDelaySeconds: Double? = nil) {
        self.count = count
        self.backoff = backoff
        self.delaySeconds = delaySeconds
        self.maxDelaySeconds = maxDelaySeconds
    }

    /// No retries.
    public static let none = RetryPolicy(count: 0)

    /// The delay before attempt `attempt` (2 for the first retry).
    public func delay(beforeAttempt attempt: Int) -> Double {
        let retryIndex = Double(max(1, attempt - 1))
        let raw: Double
        switch backoff {
        case .fixed: raw = delaySeconds
        case .linear: raw = delaySeconds * retryIndex
        case .exponential: raw = delaySeconds * pow(2, retryIndex - 1)
        }
        return min(raw, maxDelaySeconds ?? .infinity, WorkflowLoader.maximumSeconds)
    }
}

/// The `execution` section: how many tasks run at once and the run's limits.
public struct ExecutionSettings: Sendable {
    /// Parallel or one task at a time.
    public enum Mode: String, Sendable, CaseIterable { case parallel, sequential }

    public var mode: Mode
    public var parallelizationFactor: Int?
    public var waitForAll: Bool
    public var timeoutSeconds: Double?
    public var failFast: Bool
    /// Whether the run also writes the original template's files in the current folder:
    /// `.conductor/task-results/task-<id>.json` and `test-results/<workflow>-results.json`.
    public var conductorFiles: Bool
    /// Where the tasks run: local processes (the default) or Slurm jobs.
    public var executor: Executor = .local
    /// What every task's jobs ask of a Slurm cluster, unless the task says otherwise.
    public var slurm = SlurmOptions()

    public init(mode: Mode = .parallel, parallelizationFactor: Int? = nil, waitForAll: Bool = true,
                timeoutSeconds: Double? = nil, failFast: Bool = false, conductorFiles: Bool = false) {
        self.mode = mode
        self.parallelizationFactor = parallelizationFactor
        self.waitForAll = waitForAll
        self.timeoutSeconds = timeoutSeconds
        self.failFast = failFast
        self.conductorFiles = conductorFiles
    }
}

/// The `polling` section: how often progress is reported.
public struct PollingSettings: Sendable {
    public var intervalSeconds: Double
    public var timeoutSeconds: Double?

    public init(intervalSeconds: Double = 5, timeoutSeconds: Double? = nil) {
        self.intervalSeconds = intervalSeconds
        self.timeoutSeconds = timeoutSeconds
    }
}

/// The `error_handling` section.
public struct ErrorHandling: Sendable {
    /// What happens to the rest of the run when one task fails.
    public enum OnFailure: String, Sendable, CaseIterable { case `continue`, failFast = "fail_fast" }

    public var oneTaskFailure: OnFailure
    public var retryAllowed: Bool
    public var oneTaskFailureMessage: String?
    public var allTasksFailedMessage: String?

    public init(oneTaskFailure: OnFailure = .continue, retryAllowed: Bool = true,
                oneTaskFailureMessage: String? = nil, allTasksFailedMessage: String? = nil) {
        self.oneTaskFailure = oneTaskFailure
        self.retryAllowed = retryAllowed
        self.oneTaskFailureMessage = oneTaskFailureMessage
        self.allTasksFailedMessage = allTasksFailedMessage
    }
}
