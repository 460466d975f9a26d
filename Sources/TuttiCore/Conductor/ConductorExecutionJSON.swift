import Foundation

/// A run in Conductor's JSON: a Workflow with its tasks, their statuses in Conductor's
/// vocabulary and times in epoch milliseconds, as Conductor's clients read them (an unknown
/// or lower-case status, or an ISO time, makes the official client drop the whole answer).
public enum ConductorExecutionJSON {
    /// The run as Conductor's Workflow; `origin` is the run's time 0 in seconds since 1970,
    /// `names` each task's reference and definition name (the task id when absent).
    public static func workflow(_ state: RunState, id: String, origin: Double, names: [String: (reference: String, definition: String)] = [:],
                                input: JSONValue = .object([:]), correlationId: String? = nil, version: Int = 1,
                                includeTasks: Bool = true) -> JSONValue {
        func millis(_ time: Double?) -> JSONValue { .number(time.map { ((origin + $0) * 1000).rounded() } ?? 0) }
        var fields: [String: JSONValue] = [
            "workflowId": .string(id), "workflowName": .string(state.workflow), "workflowVersion": .number(Double(version)),
            "status": .string(status(of: state)), "startTime": millis(0), "updateTime": millis(state.now), "input": input,
            "output": .object(state.report.map { report in
                ["outcome": .string(report.outcome.rawValue), "exitCode": .number(Double(report.exitCode)),
                 "gatesPassed": .number(Double(report.gates.passed)), "gatesTotal": .number(Double(report.gates.total))]
            } ?? [:]),
        ]
        if let correlationId { fields["correlationId"] = .string(correlationId) }
        if let report = state.report {
            fields["endTime"] = millis(report.wallSeconds)
            if report.outcome != .passed { fields["reasonForIncompletion"] = .string(report.outcomeReason ?? report.outcome.rawValue) }
        }
        if includeTasks {
            fields["tasks"] = .array(state.tasks.enumerated().map { index, task in
                Self.task(task, seq: index + 1, run: id, name: names[task.id] ?? (reference: task.id, definition: task.id), millis: millis)
            })
        }
        return .object(fields)
    }

    /// One task as Conductor's Task JSON.
    static func task(_ task: TaskState, seq: Int, run id: String, name: (reference: String, definition: String),
                     millis: (Double?) -> JSONValue) -> JSONValue {
        let gates: [JSONValue] = task.gateResults.map { gate in
            .object(["metric": .string(gate.metric), "threshold": .string(gate.threshold), "actual": .string(gate.actualText),
                     "passed": .bool(gate.passed)])
        }
        let start: Double? = task.segments.first?.start
        let end: Double? = task.segments.last?.end
        var entry: [String: JSONValue] = [:]
        entry["taskType"] = .string("SIMPLE")
        entry["referenceTaskName"] = .string(name.reference)
        entry["taskDefName"] = .string(name.definition)
        entry["taskId"] = .string("\(id)-\(task.id)-\(max(1, task.attempt))")
        entry["status"] = .string(status(of: task))
        entry["retryCount"] = .number(Double(max(0, task.attempt - 1)))
        entry["seq"] = .number(Double(seq))
        entry["startTime"] = start == nil ? .number(0) : millis(start)
        entry["endTime"] = end == nil ? .number(0) : millis(end)
        entry["updateTime"] = millis(end ?? start ?? 0)
        entry["outputData"] = .object(["metrics": .object(task.metrics), "gates": .array(gates)])
        if let reason = task.reason {
            entry["reasonForIncompletion"] = .string(reason)
        } else if task.failedGates {
            let failed = task.gateResults.filter(\.blocks).map { "\($0.metric) \($0.actualText), needs \($0.threshold)" }
            entry["reasonForIncompletion"] = .string("quality gates failed: " + failed.joined(separator: "; "))
        }
        return .object(entry)
    }

    /// RUNNING, PAUSED, COMPLETED, FAILED, TIMED_OUT or TERMINATED.
    public static func status(of state: RunState) -> String {
        switch state.outcome {
        case nil: return state.dispatch == .running ? "RUNNING" : "PAUSED"
        case .passed?: return "COMPLETED"
        case .failed?, .unrecorded?: return "FAILED"
        case .timedOut?: return "TIMED_OUT"
        case .interrupted?: return "TERMINATED"
        }
    }

    /// SCHEDULED, IN_PROGRESS, COMPLETED, FAILED, TIMED_OUT, CANCELED or SKIPPED.
    public static func status(of task: TaskState) -> String {
        switch task.status {
        case .pending: return "SCHEDULED"
        case .running, .paused: return "IN_PROGRESS"
        case .succeeded: return task.failedGates ? "FAILED" : "COMPLETED"
        case .failed: return "FAILED"
        case .timedOut: return "TIMED_OUT"
        case .cancelled: return "CANCELED"
        case .skipped: return "SKIPPED"
        }
    }
}
