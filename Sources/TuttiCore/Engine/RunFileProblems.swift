import Foundation
import Synchronization

/// The run's files that could not be written — the recording, a log, a result file, the
/// report — gathered from whichever thread found out. Each file is reported once; the engine
/// publishes the new ones as `run_file_failed` events, and a run with any ends `unrecorded`.
final class RunFileProblems: Sendable {
    private struct State {
        var reported: Set<String> = []
        var all: [RunFileFailed] = []
        var unpublished: [RunFileFailed] = []
        var whenNew: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())

    /// Called (once per new problem, from the thread that found it, holding no lock of the
    /// caller's) so the problem is published at once.
    func whenNew(_ call: @escaping @Sendable () -> Void) { state.withLock { $0.whenNew = call } }

    /// A write to `path` failed with `error` (an errno value); `consequence` says what the run
    /// lacks because of it. Reported once per path.
    func failed(_ path: String, error: Int32, consequence: String) {
        let call = state.withLock { state -> (@Sendable () -> Void)? in
            guard state.reported.insert(path).inserted else { return nil }
            let problem = RunFileFailed(path: path, reason: String(cString: strerror(error)), consequence: consequence)
            state.all.append(problem)
            state.unpublished.append(problem)
            return state.whenNew
        }
        call?()
    }

    /// The problems not published yet.
    func takeUnpublished() -> [RunFileFailed] {
        state.withLock { state in
            defer { state.unpublished.removeAll() }
            return state.unpublished
        }
    }

    /// Why the run is unrecorded, or nil when every file was written.
    var summary: String? {
        state.withLock { state in
            guard let first = state.all.first else { return nil }
            let more = state.all.count > 1 ? " (and \(state.all.count - 1) more file\(state.all.count == 2 ? "" : "s"))" : ""
            return "its files could not all be written: \(first.path): \(first.reason)\(more)"
        }
    }
}
