import Foundation

extension Scheduler {
    /// Goes on with a run whose process ended before the run did, instead of `start()`: the
    /// tasks that succeeded stay done with their attempts, results and gates; the attempts the
    /// old process left running end as cancelled at its last recorded moment; every other task
    /// is queued again, keeps its earlier attempts in its history and gets its retries afresh;
    /// dependencies are honoured as in a new run.
    mutating func resume(from point: ResumePoint) {
        let interrupted = point.interrupted
        for id in order {
            guard let history = point.tasks[id], var record = records[id] else { continue }
            record.attempts = history.attempts
            if let interrupted = history.openAttemptEnded(of: id, at: point.lastTime, status: .cancelled, reason: RunResumed.interruptedReason,
                                                          in: directory) {
                record.attempts.append(interrupted)
            }
            if history.status == .succeeded {
                record.status = .succeeded
                record.reason = history.reason
                record.metrics = history.metrics
                record.findings = history.findings
                record.findingCount = max(history.findingCount ?? 0, history.findings.count)
                record.gates = history.gates
                record.readyAt = history.readyAt
            } else {
                record.maxAttempts += record.attempts.count
            }
            records[id] = record
        }
        let kept = order.filter { records[$0]?.status == .succeeded }
        let rerun = order.filter { records[$0]?.status == .pending }
        recountUnmetDependencies()
        emit(.runResumed(RunResumed(kept: kept, rerun: rerun, interrupted: interrupted, lastRecorded: point.lastTime)))
        for id in rerun { emit(.taskQueued(TaskRef(task: id))) }
        for id in rerun where unmetDependencies[id] == 0 { enqueueReady(id) }
        dispatch()
    }
}
