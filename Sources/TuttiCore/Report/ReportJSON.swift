/// Writes result files and reports by hand (see `EventJSON`): a task's result file is on the
/// hot path of a run with many short tasks, and a report of a thousand tasks took
/// `JSONEncoder` tens of milliseconds at the end of every run. Both read back with Codable,
/// and hold what their Codable conformance writes, keys sorted.
extension TaskReport {
    /// The result as indented JSON with sorted keys.
    func jsonBytes() -> [UInt8] {
        var writer = JSONWriter(indented: true, capacity: 1024)
        write(to: &writer)
        writer.endLine()
        return writer.bytes
    }

    func write(to w: inout JSONWriter) {
        w.object { w in
            w.field("agent", agent)
            w.field("attempts", each: attempts) { w, attempt in
                w.object { w in
                    w.field("attempt", attempt.attempt)
                    w.field("end", attempt.end)
                    w.field("exit_code", attempt.exitCode.map(Int.init))
                    w.field("job", attempt.job)
                    w.field("log", attempt.log)
                    w.field("node", attempt.node)
                    w.field("paused", attempt.paused)
                    w.field("queued", attempt.queued)
                    w.field("reason", attempt.reason)
                    w.field("signal", attempt.signal.map(Int.init))
                    w.field("start", attempt.start)
                    w.field("status", attempt.status.rawValue)
                }
            }
            w.field("depends_on", dependsOn)
            w.field("duration", duration)
            w.field("end", end)
            if findingCount > 0 {
                w.field("finding_count", findingCount)
                w.field("findings", each: findings) { w, finding in finding.write(to: &w) }
            }
            w.field("gates", each: gates) { w, gate in gate.write(to: &w) }
            w.field("group", group)
            w.field("id", id)
            w.field("metrics", JSONValue.object(metrics))
            w.field("name", name)
            w.field("ready_at", readyAt)
            w.field("reason", reason)
            w.field("start", start)
            w.field("status", status.rawValue)
        }
    }
}

extension RunReport {
    /// Room set aside per task when a report is written: more than a task's JSON usually
    /// takes, so the bytes never grow (and copy) on the way; room not written to costs no memory.
    static let jsonRoomPerTask = 1024

    /// The report as indented JSON with sorted keys, as report.json holds it.
    public func jsonBytes() -> [UInt8] {
        var writer = JSONWriter(indented: true, capacity: 4096 + tasks.count * RunReport.jsonRoomPerTask)
        write(to: &writer)
        writer.endLine()
        return writer.bytes
    }

    func write(to w: inout JSONWriter) {
        w.object { w in
            w.field("critical_path", criticalPath)
            w.field("critical_path_seconds", criticalPathSeconds)
            w.field("exit_code", Int(exitCode))
            w.key("gates")
            w.object { w in
                w.field("passed", gates.passed)
                w.field("rate", (gates.rate * 10).rounded() / 10)
                w.field("total", gates.total)
            }
            w.field("maximum_efficiency", maximumEfficiency)
            w.field("mode", mode)
            w.field("outcome", outcome.rawValue)
            w.field("outcome_reason", outcomeReason)
            w.field("parallel_efficiency", parallelEfficiency)
            w.field("parallelism", parallelism)
            w.field("queue_wait_seconds", queueWaitSeconds)
            w.field("run_id", runID)
            w.field("schema_version", schemaVersion)
            w.field("slowest_task", slowestTask)
            w.field("started_at", startedAt.formatted(.iso8601))
            w.field("success_criteria", each: successCriteria) { w, result in
                w.object { w in
                    w.field("advisory", result.advisory)
                    w.field("criterion", result.criterion)
                    w.field("detail", result.detail)
                    w.field("passed", result.passed)
                }
            }
            w.field("sum_of_durations", sumOfDurations)
            w.field("tasks", each: tasks) { w, task in task.write(to: &w) }
            w.field("time_saved_seconds", timeSavedSeconds)
            w.field("wall_seconds", wallSeconds)
            w.field("workflow", workflow)
            w.field("workflow_file", workflowFile)
        }
    }
}
