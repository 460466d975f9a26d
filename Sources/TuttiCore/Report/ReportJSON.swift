/// Writes result files and reports by hand (see `EventJSON`): a task's result file is on the
/// hot path of a run with many short tasks, and a report of a thousand tasks took
/// `JSONEncoder` tens of milliseconds at the end of every run. Both read back with Codable,
/// and hold what their Codable conformance writes.
extension TaskReport {
    /// The result as indented JSON with sorted keys.
    func jsonBytes() -> [UInt8] {
        var out: [UInt8] = []
        json.write(to: &out, indent: 0)
        out.append(0x0A)
        return out
    }

    var json: JSONBytes {
        let attempts = attempts.map { attempt in
            JSONBytes.object([("attempt", .int(attempt.attempt)), ("end", .number(attempt.end)), ("log", .string(attempt.log)),
                              ("start", .number(attempt.start)), ("status", .string(attempt.status.rawValue))]
                             + EventJSON.optional("exit_code", attempt.exitCode.map { .int(Int($0)) })
                             + EventJSON.optional("paused", attempt.paused.map(JSONBytes.number))
                             + EventJSON.optional("reason", attempt.reason.map(JSONBytes.string))
                             + EventJSON.optional("signal", attempt.signal.map { .int(Int($0)) }))
        }
        let gates = gates.map { gate in
            JSONBytes.object(EventJSON.optional("actual", gate.actual.map(JSONBytes.value)) + [
                ("actualText", .string(gate.actualText)), ("metric", .string(gate.metric)), ("passed", .bool(gate.passed)),
                ("threshold", .string(gate.threshold)),
            ] + EventJSON.optional("reason", gate.reason.map(JSONBytes.string)))
        }
        var fields: [(String, JSONBytes)] = [
            ("agent", .string(agent)), ("attempts", .array(attempts)), ("depends_on", .array(dependsOn.map(JSONBytes.string))),
            ("duration", .number(duration)), ("gates", .array(gates)), ("id", .string(id)), ("metrics", .value(.object(metrics))),
            ("name", .string(name)), ("status", .string(status.rawValue)),
        ]
        fields += EventJSON.optional("end", end.map(JSONBytes.number)) + EventJSON.optional("ready_at", readyAt.map(JSONBytes.number))
            + EventJSON.optional("reason", reason.map(JSONBytes.string)) + EventJSON.optional("start", start.map(JSONBytes.number))
        return .object(fields)
    }
}

extension RunReport {
    /// The report as indented JSON with sorted keys, as report.json holds it.
    public func jsonBytes() -> [UInt8] {
        var out: [UInt8] = []
        json.write(to: &out, indent: 0)
        out.append(0x0A)
        return out
    }

    var json: JSONBytes {
        let criteria = successCriteria.map { result in
            JSONBytes.object([("criterion", .string(result.criterion)), ("detail", .string(result.detail)),
                              ("passed", .bool(result.passed))])
        }
        let gates = JSONBytes.object([("passed", .int(gates.passed)), ("rate", .number((gates.rate * 10).rounded() / 10)),
                                      ("total", .int(gates.total))])
        return .object([
            ("critical_path", .array(criticalPath.map(JSONBytes.string))), ("critical_path_seconds", .number(criticalPathSeconds)),
            ("exit_code", .int(Int(exitCode))), ("gates", gates), ("maximum_efficiency", .number(maximumEfficiency)),
            ("mode", .string(mode)), ("outcome", .string(outcome.rawValue)), ("parallel_efficiency", .number(parallelEfficiency)),
            ("parallelism", .int(parallelism)), ("run_id", .string(runID)), ("schema_version", .int(schemaVersion)),
            ("started_at", .string(startedAt.formatted(.iso8601))), ("success_criteria", .array(criteria)),
            ("sum_of_durations", .number(sumOfDurations)), ("tasks", .array(tasks.map(\.json))),
            ("time_saved_seconds", .number(timeSavedSeconds)), ("wall_seconds", .number(wallSeconds)), ("workflow", .string(workflow)),
        ] + EventJSON.optional("outcome_reason", outcomeReason.map(JSONBytes.string))
          + EventJSON.optional("slowest_task", slowestTask.map(JSONBytes.string))
          + EventJSON.optional("workflow_file", workflowFile.map(JSONBytes.string)))
    }
}
