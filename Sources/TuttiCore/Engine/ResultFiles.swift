import Foundation
import Synchronization

/// Writes tasks' result files, one writer at a time: a thread with results to write while
/// another is writing hands them over and goes back to its task instead of waiting on the
/// folder's lock. (Creating files in one folder from several threads at once costs each of
/// them more than creating them one after the other.)
final class ResultFiles: Sendable {
    typealias Result = (report: TaskReport, paths: [String])

    private struct Queue {
        var pending: [Result] = []
        var writing = false
    }
    private let queue = Mutex(Queue())
    /// Entered for each result when it is decided, left when it is on disk (or could not be).
    let unwritten = DispatchGroup()
    /// Where a result that cannot be written is told.
    let problems: RunFileProblems?

    init(problems: RunFileProblems? = nil) { self.problems = problems }

    /// Writes `results` now, or has the thread already writing write them too.
    func write(_ results: [Result]) {
        guard !results.isEmpty else { return }
        let isWriter = queue.withLock { queue -> Bool in
            guard !queue.writing else {
                queue.pending += results
                return false
            }
            queue.writing = true
            return true
        }
        guard isWriter else { return }
        var batch = results
        while !batch.isEmpty {
            for (report, paths) in batch {
                JSONFile.write(report, to: paths, problems: problems)
                unwritten.leave()
            }
            batch = queue.withLock { queue in
                defer { queue.pending.removeAll() }
                if queue.pending.isEmpty { queue.writing = false }
                return queue.pending
            }
        }
    }
}
