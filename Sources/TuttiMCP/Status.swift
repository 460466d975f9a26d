import Foundation
import TuttiCore

/// A quality gate's verdict, as a tool returns it.
struct GateInfo: Codable, Sendable {
    var metric: String
    var threshold: String
    var actual: String
    var passed: Bool
    var reason: String?
    /// What the metric measures, when its agent said.
    var label: String?
    /// A failure is a warning, not a failure of the run.
    var advisory: Bool

    init(_ result: GateResult) {
        metric = result.metric
        threshold = result.threshold
        actual = result.actualText
        passed = result.passed
        reason = result.reason
        label = result.label
        advisory = result.isAdvisory
    }
}

/// One task of a run, as `get_conductor_workflow_status` returns it.
struct TaskStatusReply: Codable, Sendable {
    var taskId: String
    var name: String
    var agent: String
    var status: String
    var percent: Double
    var elapsedSeconds: Double
    var attempt: Int
    var maxAttempts: Int
    var gates: [GateInfo]
    var reason: String?
}

/// The seed's end-of-run summary.
struct RunSummary: Codable, Sendable {
    var outcome: String
    var exitCode: Int
    var slowestTask: String?
    var slowestTaskName: String?
    var slowestSeconds: Double?
    var parallelEfficiency: Double
    var maximumEfficiency: Double
    var sequentialSeconds: Double
    var wallSeconds: Double
    var timeSavedSeconds: Double
    var timeSavedPercent: Double
    var criticalPath: [String]
    var gatesPassed: Int
    var gatesTotal: Int
    var successCriteria: [CriterionInfo]

    struct CriterionInfo: Codable, Sendable {
        var criterion: String
        var passed: Bool
        var detail: String
        var advisory: Bool
    }

    init(_ report: RunReport) {
        outcome = report.outcome.rawValue
        exitCode = Int(report.exitCode)
        slowestTask = report.slowestTask
        slowestTaskName = report.slowestTask.flatMap { report.task($0)?.name }
        slowestSeconds = report.slowestTask.flatMap { report.task($0)?.duration }
        parallelEfficiency = Self.round(report.parallelEfficiency)
        maximumEfficiency = Self.round(report.maximumEfficiency)
        sequentialSeconds = Self.round(report.sumOfDurations)
        wallSeconds = Self.round(report.wallSeconds)
        timeSavedSeconds = Self.round(report.timeSavedSeconds)
        timeSavedPercent = report.sumOfDurations > 0 ? Self.round(report.timeSavedSeconds / report.sumOfDurations * 100) : 0
        criticalPath = report.criticalPath
        gatesPassed = report.gates.passed
        gatesTotal = report.gates.total
        successCriteria = report.successCriteria.map {
            CriterionInfo(criterion: $0.criterion, passed: $0.passed, detail: $0.detail, advisory: $0.isAdvisory)
        }
    }

    static func round(_ value: Double) -> Double { value.isFinite ? (value * 1000).rounded() / 1000 : 0 }
}

/// A run's state, as `get_conductor_workflow_status` returns it.
struct WorkflowStatus: Codable, Sendable {
    var workflowExecutionId: String
    var workflow: String
    /// running, paused, held, stopping, finished, or ended (its process died unfinished).
    var state: String
    /// The same in Conductor's words: RUNNING, PAUSED, COMPLETED, FAILED, TIMED_OUT, TERMINATED.
    var status: String
    var live: Bool
    var elapsedSeconds: Double
    var parallelEfficiencySoFar: Double
    var tasksDone: Int
    var tasksTotal: Int
    var tasks: [TaskStatusReply]
    var summary: RunSummary?
    var runDirectory: String

    init(id: String, model: RunState, state: String, live: Bool, runDirectory: String) {
        workflowExecutionId = id
        workflow = model.workflow
        self.state = state
        status = ConductorExecutionJSON.status(of: model)
        self.live = live
        elapsedSeconds = RunSummary.round(model.report?.wallSeconds ?? model.now)
        parallelEfficiencySoFar = RunSummary.round(model.report?.parallelEfficiency ?? model.liveEfficiency)
        tasksDone = model.doneCount
        tasksTotal = model.tasks.count
        tasks = model.tasks.map { row in
            TaskStatusReply(taskId: row.id, name: row.name, agent: row.agent, status: row.status.rawValue,
                           percent: RunSummary.round(row.percent), elapsedSeconds: RunSummary.round(row.elapsed(now: model.now)),
                           attempt: row.attempt, maxAttempts: row.maxAttempts, gates: row.gateResults.map(GateInfo.init),
                           reason: row.reason)
        }
        summary = model.report.map(RunSummary.init)
        self.runDirectory = runDirectory
    }

    /// The status for a person: a line per task (the seed's "Task 4: 35%"), then, once the
    /// run has finished, its summary.
    func text(report: RunReport?) -> String {
        var lines = ["Workflow \(workflow) (execution \(workflowExecutionId)): \(state), \(DurationText.format(elapsedSeconds)), "
                     + "\(tasksDone)/\(tasksTotal) tasks done, efficiency so far \(String(format: "%.2f", parallelEfficiencySoFar))x"]
        for task in tasks {
            let gates = task.gates.isEmpty ? "" : ", gates \(task.gates.filter(\.passed).count)/\(task.gates.count)"
            lines.append("Task \(task.taskId) (\(task.name)): \(Int(task.percent))% \(task.status), \(DurationText.format(task.elapsedSeconds))"
                         + (task.attempt > 1 ? ", attempt \(task.attempt) of \(task.maxAttempts)" : "") + gates
                         + (task.reason.map { " — \($0)" } ?? ""))
        }
        if let report { lines += SummaryFormatter.lines(for: report, glyphs: .unicode) }
        lines.append("Run directory: \(runDirectory)")
        return lines.joined(separator: "\n")
    }
}

/// A workflow file the server can start.
struct WorkflowEntry: Codable, Sendable {
    var name: String
    var path: String
    var description: String?
    var tasks: Int
}

/// A recorded run, as `list_conductor_runs` returns it.
struct RunEntry: Codable, Sendable {
    var workflowExecutionId: String
    var workflow: String
    var startedAt: String
    var state: String
    var wallSeconds: Double?
    var gatesPassed: Int?
    var gatesTotal: Int?
}

/// What an action tool returns.
struct ActionAnswer: Codable, Sendable {
    var workflowExecutionId: String
    var accepted: Bool
    var message: String
}

/// What `execute_conductor_workflow` returns at once.
struct ExecutionStarted: Codable, Sendable {
    var workflowExecutionId: String
    var workflow: String
    var taskIds: [String]
    var parallel: Bool
    var status: String
    var runDirectory: String
    /// Why fewer tasks run at once than asked (the open-file limit), when that is so.
    var note: String?
}

/// A task's latest output lines.
struct TaskLogs: Codable, Sendable {
    var workflowExecutionId: String
    var taskId: String
    var attempt: Int
    var lines: [String]
    var logFile: String?
}
