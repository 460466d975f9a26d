import Foundation

/// What the scheduler decided the engine must do, in order: the scheduler decides, the
/// engine acts (`RunEngine`), and tests read the decisions with no process at all.
enum SchedulerEffect: Sendable, Equatable {
    /// Publish these events, in this order.
    case emit([EventKind])
    /// Start an attempt of a task, after `delay` seconds (a retry's backoff).
    case start(task: String, attempt: Int, delay: Double)
    /// Ask a running attempt to stop (SIGTERM, then SIGKILL after the grace period); it ends
    /// with `status` and `reason`.
    case terminate(task: String, status: TaskStatus, reason: String)
    /// Stop (SIGSTOP) or continue (SIGCONT) a running attempt's process group.
    case setPaused(task: String, paused: Bool)
    /// Write the task's result file.
    case writeResult(TaskReport)
    /// A retry reopened the finished run: it goes on, and will end again.
    case reopened
}

extension Array where Element == SchedulerEffect {
    /// The events among the effects, in order.
    var events: [EventKind] {
        flatMap { effect -> [EventKind] in
            if case .emit(let events) = effect { return events }
            return []
        }
    }
}
