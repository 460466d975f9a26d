import Foundation

/// What `squeue` lists of one run's jobs, shared by the run's attempts: each asks for a
/// listing no older than it needs, and one `squeue` serves every attempt that asks meanwhile.
/// A queued attempt looks once a second; each with its own `squeue`, a run with hundreds of
/// jobs waiting would put hundreds of requests a second on the cluster's controller.
final class SlurmQueue: @unchecked Sendable {
    // Unchecked: `last` is read and written under `lock` only. A lock that sleeps, not spins:
    // attempts wait on it while squeue runs.
    private let lock = NSLock()
    private var last: (lines: [String], at: ContinuousClock.Instant)?
    private let command: [String]

    /// The listing of the jobs named `jobName` (this user's), by `squeue` (or, in tests, a
    /// command that answers as it does).
    init(jobName: String, squeue: [String] = ["squeue"]) {
        command = squeue + ["--me", "--noheader", "--states=all", "--name=\(jobName)", "--format=%i|%T|%r|%N|%S|%k"]
    }

    /// The listing's lines (`id|state|reason|nodes|start|comment`, times in seconds since
    /// 1970), asked again unless the last one is at most `maxAge` seconds old, and its age;
    /// nil when squeue failed.
    func listing(maxAge: Double) -> (lines: [String], age: Double)? {
        // Young enough for when it was asked for: waiting for the lock while another attempt's
        // squeue runs (a busy controller may take seconds) does not make its answer too old.
        let called = ContinuousClock.now
        lock.lock()
        defer { lock.unlock() }
        if let last, EventBus.seconds(last.at.duration(to: called)) <= maxAge {
            return (last.lines, max(0, EventBus.seconds(last.at.duration(to: .now))))
        }
        // As of when it was asked: the state it lists is at least that recent.
        let asked = ContinuousClock.now
        // Every state: a job that ended before it was looked at is still listed for a while.
        // Times as seconds since 1970: no time zone to guess.
        let result = ChildProcess.run(command, captureOutput: true, environment: ["SLURM_TIME_FORMAT": "%s"])
        guard result.status == 0 else { return nil }
        let lines = result.output.split(separator: "\n").map(String.init)
        last = (lines, asked)
        return (lines, EventBus.seconds(asked.duration(to: .now)))
    }
}
