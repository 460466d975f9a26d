/// Control actions: pause, resume, hold, retry and cancel, each checked first, then recorded
/// as an `action` event (refusals too), then done.
extension Scheduler {
    /// Checks and performs one action asked for by `actor`.
    mutating func perform(_ action: ControlAction, actor: String) -> ControlResult {
        let result = check(action)
        emit(.action(ActionTaken(action: action.verb, task: action.task, actor: actor, accepted: result.accepted,
                                 message: result.message)))
        guard result.accepted else { return result }
        switch (action.verb, action.task) {
        case (.pause, let id?): pauseTask(id, cause: .task)
        case (.pause, nil): setDispatch(.paused)
        case (.resume, let id?): resumeTask(id)
        case (.resume, nil), (.hold, _): setDispatch(action.verb == .hold ? .held : .running)
        case (.retry, let id?): retry([id], actor: actor)
        case (.retry, nil): retry(retryableAsAWhole, actor: actor)
        case (.cancel, let id?): cancelTask(id, actor: actor)
        case (.cancel, nil): stop(outcome: .interrupted, status: .cancelled, reason: "cancelled by \(actor)")
        }
        return result
    }

    /// The state the run is in, as `tutti runs` and watchers show it.
    var stateName: String {
        if finished { return "finished" }
        if stopping != nil { return "stopping" }
        return dispatchState == .running ? "running" : dispatchState.rawValue
    }

    // MARK: - Checks

    private func check(_ action: ControlAction) -> ControlResult {
        if let id = action.task, records[id] == nil {
            return .refused("there is no task '\(id)' in this run; its tasks are \(order.joined(separator: ", "))")
        }
        if action.verb == .hold, action.task != nil { return .refused("hold acts on the whole run; leave out the task") }
        if finished, action.verb != .retry { return .refused("the run has finished; only a retry can start it again") }
        if let stopping, !finished { return .refused("the run is stopping (\(stopping.reason))") }
        switch (action.verb, action.task) {
        case (.pause, let id?):
            let status = records[id]!.status
            if pausedBy[id] != nil { return .refused("task \(id) is already paused") }
            guard status == .running, running[id] != nil else { return .refused("task \(id) is \(describe(status)); only a running task can be paused") }
            return .done("task \(id) paused")
        case (.resume, let id?):
            guard pausedBy[id] != nil else { return .refused("task \(id) is not paused") }
            return .done("task \(id) resumed")
        case (.pause, nil):
            if dispatchState == .paused { return .refused("the run is already paused") }
            return .done("run paused: nothing new starts and running tasks are stopped")
        case (.resume, nil):
            if dispatchState == .running {
                let paused = order.filter { pausedBy[$0] != nil }
                return .refused(paused.isEmpty ? "the run is not paused or held"
                                : "the run is not paused; to resume a paused task, name it (\(paused.joined(separator: ", ")))")
            }
            return .done(dispatchState == .paused ? "run resumed" : "dispatch released: ready tasks start again")
        case (.hold, _):
            if dispatchState == .held { return .refused("dispatch is already held") }
            return .done("dispatch held: running tasks go on, nothing new starts")
        case (.retry, let id?):
            let record = records[id]!
            switch record.status {
            case .failed, .timedOut, .cancelled, .succeeded:
                let blocking = workflow.tasks[record.position].dependsOn.flatMap(tasks(of:)).filter { records[$0].map { $0.status.isFinal && $0.status != .succeeded } ?? false }
                if let first = blocking.first {
                    return .refused("task \(id) needs task \(first), which \(describe(records[first]!.status, past: true)); "
                                    + "retry \(first) first, or every failed task at once")
                }
                let after = record.status == .succeeded ? endedDependents(of: id) : []
                return .done("task \(id) will run again (attempt \(record.attempts.count + 1))"
                             + (after.isEmpty ? "" : ", then the tasks after it: \(after.joined(separator: ", "))"))
            case .skipped: return .refused("task \(id) was skipped (\(record.reason ?? "")); retry the task it waits for")
            default: return .refused("task \(id) is \(describe(record.status)); only a task that has ended can run again")
            }
        case (.retry, nil):
            let failed = retryableAsAWhole
            guard !failed.isEmpty else { return .refused("no task failed, timed out, was cancelled or failed its gates; nothing to retry") }
            return .done("retrying \(failed.count == 1 ? "task" : "tasks") \(failed.joined(separator: ", "))")
        case (.cancel, let id?):
            let status = records[id]!.status
            guard !status.isFinal else { return .refused("task \(id) has already \(describe(status)); there is nothing to cancel") }
            return .done(status == .pending ? "task \(id) cancelled before it started" : "task \(id) cancelled")
        case (.cancel, nil):
            return .done("run cancelled: every running task is stopped")
        }
    }

    /// What a retry of the whole run runs again: tasks that failed, timed out or were
    /// cancelled, and tasks that succeeded but failed a gate.
    private var retryableAsAWhole: [String] {
        order.filter { id in
            guard let record = records[id] else { return false }
            return record.status.isRetryable || (record.status == .succeeded && record.gates.contains(where: \.blocks))
        }
    }

    /// The tasks after `id` (its dependents, and theirs) that have ended: they run again
    /// when a task that had succeeded runs again, so their results follow from its new one.
    func endedDependents(of id: String) -> [String] {
        var after = Set<String>()
        var queue = [id]
        while let current = queue.popLast() {
            for dependent in dependents[current] ?? [] where !after.contains(dependent) {
                after.insert(dependent)
                queue.append(dependent)
            }
        }
        return topologicalOrder.filter { after.contains($0) && records[$0]?.status.isFinal == true }
    }

    private func describe(_ status: TaskStatus, past: Bool = false) -> String {
        switch status {
        case .pending: return "waiting to start"
        case .timedOut: return "timed out"
        case .skipped, .cancelled, .failed, .succeeded: return past ? "was \(status.rawValue)" : status.rawValue
        default: return status.rawValue
        }
    }

    // MARK: - Doing

    mutating func pauseTask(_ id: String, cause: PauseCause) {
        guard pausedBy[id] == nil, running[id] != nil else { return }
        pausedBy[id] = cause
        decide(.setPaused(task: id, paused: true))
        emit(.taskPaused(TaskRef(task: id)))
    }

    private mutating func resumeTask(_ id: String) {
        guard pausedBy.removeValue(forKey: id) != nil else { return }
        if running[id] != nil { decide(.setPaused(task: id, paused: false)) }
        emit(.taskResumed(TaskRef(task: id)))
    }

    /// Paused: every running task is paused with the run. Running or held: the tasks the run
    /// paused go on (tasks paused on their own stay paused); running also starts ready tasks.
    private mutating func setDispatch(_ state: DispatchState) {
        dispatchState = state
        emit(.dispatchChanged(DispatchChanged(state: state)))
        if state == .paused {
            for id in order where running[id] != nil { pauseTask(id, cause: .run) }
        } else {
            for id in order where pausedBy[id] == .run { resumeTask(id) }
        }
        dispatch()
    }

    /// Makes the tasks runnable again, with the dependents they had caused to be skipped, and
    /// reopens the run if it had finished.
    private mutating func retry(_ ids: [String], actor: String) {
        if finished {
            finished = false
            stopping = nil
            emit(.runReopened(RunReopened(reason: "retry asked by \(actor)")))
            if dispatchState != .running {
                dispatchState = .running
                emit(.dispatchChanged(DispatchChanged(state: .running)))
            }
            decide(.reopened)
        }
        for id in ids {
            guard let attempts = records[id]?.attempts.count else { continue }
            // A task that had succeeded runs again with the tasks after it that have ended.
            let after = records[id]?.status == .succeeded ? endedDependents(of: id) : []
            records[id]?.maxAttempts = attempts + 1
            queueAgain(id)
            for dependent in after {
                let attempts = records[dependent]?.attempts.count ?? 0
                records[dependent]?.maxAttempts = attempts + 1
                queueAgain(dependent)
            }
        }
        // Skipped dependents whose dependencies succeeded or will run again wait again. In
        // this order a group's tasks are settled before anything waiting for the group, so
        // whether a group will be done is worked out once.
        var groupWillBeDone: [String: Bool] = [:]
        for id in topologicalOrder where records[id]?.status == .skipped {
            var waitsAgain = true
            for dependency in spec(id)?.dependsOn ?? [] {
                let done: Bool
                if let known = groupWillBeDone[dependency] {
                    done = known
                } else {
                    done = tasks(of: dependency).allSatisfy { records[$0].map { $0.status == .succeeded || !$0.status.isFinal } ?? true }
                    if groups[dependency] != nil { groupWillBeDone[dependency] = done }
                }
                if !done {
                    waitsAgain = false
                    break
                }
            }
            if waitsAgain { queueAgain(id) }
        }
        // A task waits for every dependency that has not succeeded (again); those whose
        // dependencies have all succeeded start now, the others when they do.
        recountUnmetDependencies()
        let queued = Set(readyQueue[readyHead...])
        for id in topologicalOrder where records[id]?.status == .pending && unmetDependencies[id] == 0 && !queued.contains(id) {
            enqueueReady(id)
        }
        dispatch()
    }

    /// A task that had ended waits to run again, its verdicts cleared.
    private mutating func queueAgain(_ id: String) {
        records[id]?.status = .pending
        records[id]?.reason = nil
        records[id]?.gates = []
        emit(.taskQueued(TaskRef(task: id)))
    }

    private mutating func cancelTask(_ id: String, actor: String) {
        let reason = "cancelled by \(actor)"
        if running[id] != nil {
            cancelRequested[id] = reason
            decide(.terminate(task: id, status: .cancelled, reason: reason))
            return
        }
        guard settleUnrun(id, as: .cancelled, reason: reason), let record = records[id] else { return }
        emit(.taskFinished(TaskFinished(task: id, attempt: record.attempts.count, status: .cancelled, exitCode: nil,
                                        signal: nil, reason: reason, duration: 0)))
        writeResult(id)
        skipDependents(of: id)
    }
}
