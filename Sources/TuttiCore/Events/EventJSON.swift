import Foundation

/// Writes events as NDJSON lines by hand: the same bytes JSONEncoder writes with sorted keys,
/// several times faster. The recorder writes every event under the bus lock, so this is on
/// the hot path of every task. (Reading back uses Codable, or `EventLineReader`.) Each case
/// lists its keys in sorted order, `seq`, `t` and `type` among them.
enum EventJSON {
    /// One event as a JSON object with sorted keys, no newline.
    static func encode(_ event: RunEvent) -> [UInt8] {
        var bytes = line(event)
        bytes.removeLast()
        return bytes
    }

    /// One event as a recording's line, newline included (written in place: a run's last
    /// event carries its whole report, megabytes at 10,000 tasks, not to be copied).
    static func line(_ event: RunEvent) -> [UInt8] {
        // The run's last event carries its report: room for it at once, as growing would copy
        // it (room never written costs no memory).
        var capacity = 160
        if case .runFinished(let finished) = event.kind { capacity += RunReport.jsonRoomPerTask * (finished.report?.tasks.count ?? 0) }
        var writer = JSONWriter(capacity: capacity)
        writer.object { w in write(event, to: &w) }
        writer.endLine()
        return writer.bytes
    }

    private static func write(_ event: RunEvent, to w: inout JSONWriter) {
        let (seq, time, type) = (event.seq, event.time, event.kind.type)
        /// The fields most events end with.
        func seqTimeTaskType(_ task: String, _ w: inout JSONWriter) {
            w.field("seq", seq)
            w.field("t", time)
            w.field("task", task)
            w.field("type", type)
        }
        switch event.kind {
        case .runStarted(let e):
            w.field("mode", e.mode)
            w.field("parallelism", e.parallelism)
            w.field("polling_interval", e.pollingInterval)
            w.field("run_id", e.runID)
            w.field("seq", seq)
            w.field("t", time)
            w.field("tasks", each: e.tasks) { w, task in
                w.object { w in
                    w.field("agent", task.agent)
                    w.field("depends_on", task.dependsOn)
                    w.field("gates", task.gates)
                    w.field("group", task.group)
                    w.field("id", task.id)
                    w.field("max_attempts", task.maxAttempts)
                    w.field("name", task.name)
                }
            }
            w.field("type", type)
            w.field("workflow", e.workflow)
        case .runFinished(let e):
            w.field("outcome", e.outcome.rawValue)
            w.field("reason", e.reason)
            if let report = e.report {
                w.key("report")
                report.write(to: &w)
            }
            w.field("seq", seq)
            w.field("t", time)
            w.field("type", type)
        case .taskQueued(let e), .taskPaused(let e), .taskResumed(let e):
            seqTimeTaskType(e.task, &w)
        case .taskStarted(let e):
            w.field("attempt", e.attempt)
            w.field("command", e.command)
            w.field("pid", Int(e.pid))
            seqTimeTaskType(e.task, &w)
            w.field("working_directory", e.workingDirectory)
        case .taskOnCluster(let e):
            w.field("attempt", e.attempt)
            w.field("job_id", e.jobID)
            w.field("node", e.node)
            w.field("reason", e.reason)
            w.field("seq", seq)
            w.field("started", e.started)
            w.field("state", e.state)
            w.field("t", time)
            w.field("task", e.task)
            w.field("type", type)
        case .taskProgress(let e):
            w.field("percent", e.percent)
            seqTimeTaskType(e.task, &w)
        case .taskLog(let e):
            w.field("line", e.line)
            w.field("seq", seq)
            w.field("stream", e.stream.rawValue)
            w.field("t", time)
            w.field("task", e.task)
            w.field("type", type)
        case .taskLogDropped(let e):
            w.field("count", e.count)
            seqTimeTaskType(e.task, &w)
        case .taskMetric(let e):
            w.field("label", e.label)
            w.field("name", e.name)
            seqTimeTaskType(e.task, &w)
            w.field("value", e.value)
        case .taskDetail(let e):
            w.field("name", e.name.rawValue)
            w.field("seq", seq)
            w.field("t", time)
            w.field("task", e.task)
            w.field("text", e.text)
            w.field("type", type)
        case .taskMessage(let e):
            w.field("seq", seq)
            w.field("t", time)
            w.field("task", e.task)
            w.field("text", e.text)
            w.field("type", type)
        case .taskFinding(let e):
            w.key("finding")
            e.finding.write(to: &w)
            seqTimeTaskType(e.task, &w)
        case .taskGate(let e):
            w.key("result")
            e.result.write(to: &w)
            seqTimeTaskType(e.task, &w)
        case .taskFinished(let e):
            w.field("attempt", e.attempt)
            w.field("duration", e.duration)
            w.field("exit_code", e.exitCode.map(Int.init))
            w.field("paused", e.paused)
            w.field("reason", e.reason)
            w.field("seq", seq)
            w.field("signal", e.signal.map(Int.init))
            w.field("status", e.status.rawValue)
            w.field("t", time)
            w.field("task", e.task)
            w.field("type", type)
        case .taskRetrying(let e):
            w.field("delay", e.delay)
            w.field("next_attempt", e.nextAttempt)
            seqTimeTaskType(e.task, &w)
        case .taskSkipped(let e):
            w.field("reason", e.reason)
            seqTimeTaskType(e.task, &w)
        case .action(let e):
            w.field("accepted", e.accepted)
            w.field("action", e.action.rawValue)
            w.field("actor", e.actor)
            w.field("message", e.message)
            w.field("seq", seq)
            w.field("t", time)
            w.field("task", e.task)
            w.field("type", type)
        case .dispatchChanged(let e):
            w.field("seq", seq)
            w.field("state", e.state.rawValue)
            w.field("t", time)
            w.field("type", type)
        case .runReopened(let e):
            w.field("reason", e.reason)
            w.field("seq", seq)
            w.field("t", time)
            w.field("type", type)
        case .runResumed(let e):
            w.field("interrupted", each: e.interrupted) { w, attempt in
                w.object { w in
                    w.field("attempt", attempt.attempt)
                    w.field("task", attempt.task)
                }
            }
            w.field("kept", e.kept)
            w.field("last_recorded", e.lastRecorded)
            w.field("rerun", e.rerun)
            w.field("seq", seq)
            w.field("t", time)
            w.field("type", type)
        case .runFileFailed(let e):
            w.field("consequence", e.consequence)
            w.field("path", e.path)
            w.field("reason", e.reason)
            w.field("seq", seq)
            w.field("t", time)
            w.field("type", type)
        }
    }
}

extension GateResult {
    /// The gate's result as an object with sorted keys.
    func write(to w: inout JSONWriter) {
        w.object { w in
            w.field("actual", actual)
            w.field("actualText", actualText)
            w.field("advisory", advisory)
            w.field("label", label)
            w.field("metric", metric)
            w.field("passed", passed)
            w.field("reason", reason)
            w.field("threshold", threshold)
        }
    }
}
