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

    /// The environment `srun` gets: this process's without the variables of a Slurm
    /// allocation Tutti itself may run in (inside `sbatch` or `salloc`, they would make each
    /// task a step of that job instead of a job of its own); the cluster's configuration stays.
    public static func environment(_ environment: [String: String]) -> [String: String] {
        environment.filter { !$0.key.hasPrefix("SLURM_") || $0.key == "SLURM_CONF" }
    }
}

/// One attempt's Slurm job, seen and acted on from the attempt's thread: where it is in the
/// queue (`squeue`, this user's jobs only), and pause, resume and cancel mapped to Slurm's
/// own controls.
final class SlurmJob {
    /// Slurm's default KillWait: how long it waits after SIGTERM before SIGKILL when it ends a
    /// job (a cluster may set less; Tutti waits this long, beyond its own grace, before killing srun).
    static let defaultKillWait = 30.0

    /// What `squeue` says of the job.
    struct Sighting: Equatable {
        var id: String
        /// PENDING, RUNNING, SUSPENDED, COMPLETING, COMPLETED, TIMEOUT...
        var state: String
        /// Why it waits (Resources, Priority...); nil when it does not.
        var reason: String?
        var node: String?
        /// When Slurm started it, in seconds since 1970, once it has.
        var startedAt: Double?

        /// Whether it waits in the queue (allocated nodes still booting count as waiting).
        var isQueued: Bool { TaskOnCluster.isQueued(state) }
        /// Whether it has run (or runs): every state but waiting, and cancelled before it ran.
        var hasRun: Bool { !isQueued && !(state == "CANCELLED" && startedAt == nil) }
    }

    /// How a pause was done, so the resume undoes it.
    enum Pause {
        /// `scontrol suspend`: Slurm stops the job's processes and its clock.
        case suspended
        /// `scancel --signal=STOP`: for a user who may not suspend (an operator's right);
        /// Slurm's own time limit goes on counting.
        case signalled
        /// `scontrol hold`: the job had not started; it stays in the queue.
        case held
    }

    let submission: SlurmSubmission
    /// The run's listing of its jobs, shared with its other attempts.
    let queue: SlurmQueue
    private(set) var sighting: Sighting?
    private(set) var pause: Pause?
    /// Whether the job has been seen running (or has written output).
    private(set) var hasRun = false
    /// When (run time) it was last seen waiting in the queue.
    private(set) var lastSeenQueued: Double?

    init(_ submission: SlurmSubmission, queue: SlurmQueue) {
        self.submission = submission
        self.queue = queue
    }

    /// `refresh`, at run time `now`, from a listing at most `maxAge` seconds old.
    func look(now: Double, maxAge: Double) -> (sighting: Sighting?, changed: Bool) {
        let seen = refresh(maxAge: maxAge)
        if seen.sighting?.isQueued == true, let age = seen.age { lastSeenQueued = now - age }
        return (seen.sighting, seen.changed)
    }

    /// When (run time) the job began to run: when `srun` started, for a job never seen
    /// waiting; else after it was last seen waiting, as Slurm's start says (whole seconds).
    /// `offset` turns seconds since 1970 into run time.
    func runStart(srunStarted: Double, now: Double, offset: Double) -> Double {
        guard let waited = lastSeenQueued else { return srunStarted }
        return min(now, max(waited, sighting?.startedAt.map { $0 - offset } ?? waited))
    }

    /// Where the job is, from the run's listing at most `maxAge` seconds old (0: asked now):
    /// what it says, whether that changed, and how old the listing is (nil when squeue failed).
    func refresh(maxAge: Double = 0) -> (sighting: Sighting?, changed: Bool, age: Double?) {
        guard let listing = queue.listing(maxAge: maxAge) else { return (sighting, false, nil) }
        for line in listing.lines {
            let fields = line.split(separator: "|", maxSplits: 5, omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 6, fields[5] == submission.comment else { continue }
            func given(_ text: String) -> String? { ["None", "", "(null)", "N/A", "0"].contains(text) ? nil : text }
            var seen = Sighting(id: fields[0], state: fields[1], reason: given(fields[2]), node: given(fields[3]),
                                startedAt: given(fields[4]).flatMap(Double.init))
            // A waiting job's start is Slurm's estimate, which moves: not a fact to report.
            if seen.isQueued { seen.startedAt = nil }
            if seen.hasRun { hasRun = true }
            let changed = seen != sighting
            sighting = seen
            return (seen, changed, listing.age)
        }
        return (sighting, false, listing.age)
    }

    /// The job has written output: it runs, whatever the queue said last.
    func markRunning() { hasRun = true }

    /// Stops the job: suspended when it runs (stopped with SIGSTOP when this user may not
    /// suspend), held while it waits in the queue. False when nothing could be done yet (the
    /// job is not listed yet, or Slurm refused): the caller tries again.
    func suspend() -> Bool {
        if pause != nil { return true }
        _ = refresh()
        guard let seen = sighting else { return false }
        if seen.isQueued, scontrol(["hold", seen.id]) {
            pause = .held
        } else if scontrol(["suspend", seen.id]) {
            pause = .suspended
        } else if ChildProcess.run(["scancel", "--signal=STOP", seen.id]).status == 0 {
            pause = .signalled
        }
        return pause != nil
    }

    /// Undoes the pause; false when Slurm refused (the caller tries again).
    func resume() -> Bool {
        guard let pause, let id = sighting?.id else { return true }
        let done: Bool
        switch pause {
        case .suspended: done = scontrol(["resume", id])
        case .signalled: done = ChildProcess.run(["scancel", "--signal=CONT", id]).status == 0
        case .held: done = scontrol(["release", id])
        }
        if done { self.pause = nil }
        return done
    }

    /// Cancels the job: Slurm sends SIGTERM, then SIGKILL after its KillWait (or SIGKILL at
    /// once with `kill`). False when the job was never seen (the caller then stops `srun`
    /// itself, which withdraws its request).
    func cancel(kill: Bool = false) -> Bool {
        if sighting == nil { _ = refresh() }
        guard let id = sighting?.id else { return false }
        return ChildProcess.run(["scancel"] + (kill ? ["--signal=KILL", "--full"] : []) + [id]).status == 0
    }

    /// How Slurm itself ended the job, when it did: its time limit, a cancel from elsewhere,
    /// memory, its node, preemption.
    var endedBySlurm: (status: TaskStatus, reason: String)? {
        guard let seen = sighting else { return nil }
        let node = seen.node.map { " on \($0)" } ?? ""
        switch seen.state {
        case "TIMEOUT": return (.timedOut, "Slurm's time limit ended job \(seen.id)")
        case "CANCELLED": return (.cancelled, "job \(seen.id) was cancelled on the cluster")
        case "OUT_OF_MEMORY": return (.failed, "job \(seen.id) ran out of memory\(node)")
        case "NODE_FAIL": return (.failed, "the node of job \(seen.id) failed\(node)")
        case "PREEMPTED": return (.failed, "job \(seen.id) was preempted")
        case "BOOT_FAIL": return (.failed, "the node of job \(seen.id) failed to boot")
        case "DEADLINE": return (.failed, "job \(seen.id) reached its deadline")
        default: return nil
        }
    }

    private func scontrol(_ arguments: [String]) -> Bool { ChildProcess.run(["scontrol"] + arguments).status == 0 }

    /// The command that cancels every job of a run still queued or running (this user's).
    static func cancelAllCommand(runID: String) -> [String] {
        ["scancel", "--me", "--name=\(SlurmSubmission.jobName(runID: runID))"]
    }
}
