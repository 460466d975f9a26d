import Foundation

/// How an attempt is submitted to Slurm: every job of a run carries the run's name (so one
/// `scancel --name` ends them all) and a comment naming the task and attempt (so each job is
/// found again).
public struct SlurmSubmission: Sendable, Hashable {
    public var jobName: String
    public var comment: String

    public init(runID: String, task: String, attempt: Int) {
        jobName = Self.jobName(runID: runID)
        comment = "tutti task=\(task) attempt=\(attempt)"
    }

    /// The name of every job of a run.
    public static func jobName(runID: String) -> String { "tutti-\(runID)" }
}

/// One attempt's Slurm job, seen and acted on from the attempt's thread: where it is in the
/// queue (`squeue`), and pause, resume and cancel mapped to Slurm's own controls.
final class SlurmJob {
    /// What `squeue` says of the job.
    struct Sighting: Equatable {
        var id: String
        /// PENDING, RUNNING, SUSPENDED, COMPLETING...
        var state: String
        /// Why it waits (Resources, Priority...); nil when it does not.
        var reason: String?
        var node: String?
        /// When Slurm started it, in seconds since 1970 (whole seconds), once it has.
        var startedAt: Double?
    }

    /// How a pause was done, so the resume undoes it.
    enum Pause {
        /// `scontrol suspend`: Slurm stops the job's processes and its clock.
        case suspended
        /// `scancel --signal=STOP`: for a user who may not suspend (an operator's right).
        case signalled
        /// `scontrol hold`: the job had not started; it stays in the queue.
        case held
    }

    let submission: SlurmSubmission
    private(set) var sighting: Sighting?
    private(set) var pause: Pause?
    /// Whether the job has been seen running (or has written output).
    private(set) var hasRun = false
    /// Whether it was seen waiting in the queue.
    private(set) var wasQueued = false

    init(_ submission: SlurmSubmission) { self.submission = submission }

    /// Asks `squeue` where the job is; returns what changed, or nil.
    func refresh() -> Sighting? {
        // Every state: a job that ended before it was looked at is still listed for a while.
        let result = ChildProcess.run(["squeue", "--noheader", "--states=all", "--name=\(submission.jobName)",
                                       "--format=%i|%T|%r|%N|%S|%k"], captureOutput: true)
        guard result.status == 0 else { return nil }
        for line in result.output.split(separator: "\n") {
            let fields = line.split(separator: "|", maxSplits: 5, omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 6, fields[5] == submission.comment else { continue }
            func given(_ text: String) -> String? { ["None", "", "(null)", "N/A"].contains(text) ? nil : text }
            let seen = Sighting(id: fields[0], state: fields[1], reason: given(fields[2]), node: given(fields[3]),
                                startedAt: given(fields[4]).flatMap(Self.epochSeconds))
            guard seen != sighting else { return nil }
            sighting = seen
            if seen.state == "RUNNING" { hasRun = true }
            if seen.state == "PENDING" { wasQueued = true }
            return seen
        }
        return nil
    }

    /// The job has written output: it runs, whatever the queue said last.
    func markRunning() { hasRun = true }

    /// Stops the job: suspended when it runs (or stopped with SIGSTOP when this user may not
    /// suspend), held when it still waits in the queue. False when neither could be done.
    func suspend() -> Bool {
        if sighting == nil { _ = refresh() }
        guard let id = sighting?.id, pause == nil else { return pause != nil }
        if sighting?.state == "PENDING" {
            if scontrol(["hold", id]) { pause = .held }
        } else if scontrol(["suspend", id]) {
            pause = .suspended
        } else if ChildProcess.run(["scancel", "--signal=STOP", id]).status == 0 {
            pause = .signalled
        }
        _ = refresh()
        return pause != nil
    }

    /// Undoes the pause.
    func resume() {
        guard let id = sighting?.id, let pause else { return }
        switch pause {
        case .suspended: _ = scontrol(["resume", id])
        case .signalled: ChildProcess.run(["scancel", "--signal=CONT", id])
        case .held: _ = scontrol(["release", id])
        }
        self.pause = nil
        _ = refresh()
    }

    /// Cancels the job: Slurm sends SIGTERM, then SIGKILL after its KillWait. False when the
    /// job was never seen (the caller then stops `srun` itself, which withdraws its request).
    func cancel() -> Bool {
        if sighting == nil { _ = refresh() }
        guard let id = sighting?.id else { return false }
        return ChildProcess.run(["scancel", id]).status == 0
    }

    /// Slurm's `2026-12-05T01:37:06` (the local time of the cluster's commands) in seconds since 1970.
    static func epochSeconds(_ text: String) -> Double? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = .current
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        return formatter.date(from: text)?.timeIntervalSince1970
    }

    private func scontrol(_ arguments: [String]) -> Bool { ChildProcess.run(["scontrol"] + arguments).status == 0 }

    /// Cancels every job of a run still in the queue or running.
    static func cancelAll(runID: String) {
        ChildProcess.run(["scancel", "--name=\(SlurmSubmission.jobName(runID: runID))"])
    }
}
