import CTuttiSystem
import Foundation
import Synchronization

/// What to execute for one attempt: argv, environment and working directory.
public struct LaunchSpec: Sendable, Hashable {
    public var argv: [String]
    public var environment: [String: String]
    public var workingDirectory: String?
    /// Set when `argv` is `srun …`: the attempt is a Slurm job, paused, resumed and
    /// cancelled through Slurm.
    public var slurm: SlurmSubmission?

    public init(argv: [String], environment: [String: String], workingDirectory: String? = nil, slurm: SlurmSubmission? = nil) {
        self.argv = argv
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.slurm = slurm
    }
}

/// How one attempt ended, with what the agent reported along the way.
public struct AttemptOutcome: Sendable {
    public var status: TaskStatus
    public var exitCode: Int32?
    public var signal: Int32?
    public var reason: String?
    public var metrics: [String: JSONValue]
    /// What the metrics measure, as the agent said.
    public var labels: [String: String] = [:]
    /// The findings the agent reported (at most `OutputReader.maximumFindings`).
    public var findings: [Finding] = []
    /// How many findings it reported in all.
    public var findingsReported = 0
    public var startTime: Double
    public var endTime: Double
    /// Seconds the attempt spent paused.
    public var pausedSeconds: Double = 0
    /// On a Slurm cluster: the job, its node, and the seconds it waited in the queue before
    /// `startTime` (when it began to run).
    public var job: String?
    public var node: String?
    public var queuedSeconds: Double = 0
}

/// One attempt of a task as a real child process in its own process group. A dedicated
/// thread waits on the process (pidfd) and its output pipes with poll(2), writes every line
/// to the attempt's log file, turns protocol lines into events, and enforces the timeout:
/// SIGTERM to the group, SIGKILL after the grace period. When the process exits, whatever is
/// left of its group is killed, so no grandchild outlives the task. A paused attempt's group
/// is stopped with SIGSTOP; the time it stays paused does not count against its timeout.
public final class TaskProcess: Sendable {
    public let taskID: String
    public let attempt: Int
    let launch: LaunchSpec
    let logPath: String
    let watchdog: Watchdog?
    /// The run's listing of its Slurm jobs, for an attempt that runs as one.
    let slurmQueue: SlurmQueue?
    let problems: RunFileProblems?
    let bus: EventBus
    let timeout: Double?
    let killGrace: Double
    let startDelay: Double

    /// What other threads ask of the attempt: a stop (`terminate`) and whether it is paused;
    /// and how to wake the thread running it, while one is.
    private struct Requests {
        var stop: (status: TaskStatus, reason: String)?
        var paused = false
        var wakeup: Wakeup?
    }
    private let requests = Mutex(Requests())

    /// `watchdog`, when given, learns of the attempt's process group while it runs, to kill it
    /// if this process dies first.
    /// `slurmQueue`, when given, is the run's listing of its jobs, shared by its attempts (an
    /// attempt on Slurm without one lists the run's jobs on its own).
    /// `problems`, when given, is told of a log that cannot be written.
    init(taskID: String, attempt: Int, launch: LaunchSpec, logPath: String, bus: EventBus,
         timeout: Double?, killGrace: Double, startDelay: Double = 0, watchdog: Watchdog? = nil, slurmQueue: SlurmQueue? = nil,
         problems: RunFileProblems? = nil) {
        self.taskID = taskID
        self.attempt = attempt
        self.launch = launch
        self.logPath = logPath
        self.bus = bus
        self.timeout = timeout
        self.killGrace = killGrace
        self.startDelay = startDelay
        self.watchdog = watchdog
        self.slurmQueue = slurmQueue
        self.problems = problems
    }

    /// Every task's stdin: /dev/null, opened once.
    private static let devNull = open("/dev/null", O_RDONLY | O_CLOEXEC)

    /// Runs the attempt to its end on the calling thread, which it blocks in poll(2): call it
    /// from a thread of its own, never from Swift's cooperative pool. Requests reach the thread
    /// through `wakeup`, which the thread keeps for the attempts it runs one after the other.
    /// `onceStarted` runs on that thread as soon as the process has started (or could not),
    /// or before a start delay.
    func runToEnd(wakeup: Wakeup, onceStarted: (() -> Void)? = nil) -> AttemptOutcome {
        // A wake left over from the thread's previous attempt costs one more turn of the loop.
        requests.withLock { $0.wakeup = wakeup }
        defer { requests.withLock { $0.wakeup = nil } }
        var pending = onceStarted
        return execute(wakeup) {
            pending?()
            pending = nil
        }
    }

    /// Asks the attempt to stop: SIGTERM to its group now, SIGKILL after the grace period.
    /// The attempt ends with `status` (cancelled, timed_out...) and `reason`.
    public func terminate(as status: TaskStatus, reason: String) {
        let running = requests.withLock { requests -> Wakeup? in
            guard requests.stop == nil else { return nil }
            requests.stop = (status, reason)
            return requests.wakeup
        }
        running?.wake()
    }

    /// Pauses (SIGSTOP to the group) or resumes (SIGCONT) the attempt. A pause asked for
    /// before the process starts holds it back until it is resumed.
    public func setPaused(_ paused: Bool) {
        requests.withLock { requests in
            requests.paused = paused
            return requests.wakeup
        }?.wake()
    }

    private var requestedStop: (status: TaskStatus, reason: String)? { requests.withLock { $0.stop } }

    // MARK: - The attempt's thread

    private func execute(_ wakeup: Wakeup, started: () -> Void) -> AttemptOutcome {
        defer { started() }
        if startDelay > 0 { started() }
        waitForWake(upTo: startDelay, wakeup)
        let launched = start(wakeup)
        let startTime = bus.elapsed
        if let request = requestedStop, case .failure = launched {
            return AttemptOutcome(status: request.status, exitCode: nil, signal: nil, reason: request.reason, metrics: [:],
                                  startTime: startTime, endTime: startTime)
        }
        var outcome = AttemptOutcome(status: .failed, exitCode: nil, signal: nil, reason: nil, metrics: [:],
                                     startTime: startTime, endTime: startTime)
        var log = LogFile(path: logPath, task: taskID, problems: problems)
        defer { log.close() }
        let child: SpawnedChild, outPipe: Int32, errPipe: Int32
        switch launched {
        case .success(let process):
            (child, outPipe, errPipe) = process
        case .failure(let failure):
            outcome.reason = failure.reason
            log.append(Array("tutti: \(failure.reason)\n".utf8))
            return outcome
        }
        let pid = child.pid
        watchdog?.register(group: pid)
        // Unregistered at the end, after reap has killed what was left of the group.
        defer { watchdog?.unregister(group: pid) }
        bus.emit(.taskStarted(TaskStarted(task: taskID, attempt: attempt, pid: pid, command: launch.argv,
                                          workingDirectory: launch.workingDirectory)))
        started()

        var reader = OutputReader(taskID: taskID, bus: bus, log: log, now: bus.elapsed)
        defer { reader.log.close() }
        // On a Slurm cluster the attempt runs once its job leaves the queue: its time (and
        // timeout) count from then. The queue is watched until the job runs.
        let cluster = launch.slurm.map { SlurmJob($0, queue: slurmQueue ?? SlurmQueue(jobName: $0.jobName)) }
        var runningSince: Double? = cluster == nil ? startTime : nil
        /// When to ask Slurm again for a pause or resume it refused (or could not do yet).
        var controlRetryAt: Double?
        var controlRefusalTold = false
        var nextLook: Double? = cluster == nil ? nil : startTime
        let pidFD = child.pidFD
        var openPipes: [Int32: OutputStream] = [outPipe: .stdout, errPipe: .stderr]
        var exited = false
        var waitStatus: Int32 = 0
        var termination: (status: TaskStatus, reason: String)?
        var killAt: Double?
        var killed = false
        var drainUntil: Double?
        var timer = AttemptTimer(start: startTime, timeout: cluster == nil ? timeout : nil)
        // Not zero-filled: only what read(2) wrote is looked at.
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        defer { buffer.deallocate() }

        func signalGroup(_ signal: Int32) { _ = kill(-pid, signal) }
        /// Tells what the cluster says of the job, when it changed; the attempt runs from the
        /// first time it is seen running (or writes output). From the run's listing of its
        /// jobs when it is at most `maxAge` seconds old: the once-a-second look of a waiting
        /// job shares one squeue with every other attempt's.
        func lookAtCluster(now: Double, wroteOutput: Bool = false, maxAge: Double = 0) {
            guard let cluster else { return }
            let (seen, changed) = cluster.look(now: now, maxAge: maxAge)
            if wroteOutput { cluster.markRunning() }
            var started: Double?
            if runningSince == nil, cluster.hasRun {
                let from = cluster.runStart(srunStarted: startTime, now: now, offset: bus.clockOrigin)
                runningSince = from
                started = from
                timer = AttemptTimer(start: from, timeout: timeout)
                if cluster.pause != nil { timer.pause(at: now) }
            }
            if let seen, changed || started != nil {
                bus.emit(.taskOnCluster(TaskOnCluster(task: taskID, attempt: attempt, jobID: seen.id,
                                                      state: started != nil && seen.isQueued ? "RUNNING" : seen.state,
                                                      reason: seen.reason, node: seen.node, started: started)))
            }
            nextLook = runningSince == nil ? now + 1 : nil
        }
        func beginTermination(_ status: TaskStatus, _ reason: String) {
            guard termination == nil, !exited else { return }
            termination = (status, reason)
            controlRetryAt = nil
            if let cluster {
                // Slurm ends the job (SIGTERM, then SIGKILL after its KillWait) and srun with
                // it; a job never seen is withdrawn by stopping srun.
                if !cluster.cancel() { signalGroup(SIGTERM) }
                timer.resume(at: bus.elapsed)
                killAt = bus.elapsed + killGrace + SlurmJob.defaultKillWait
                return
            }
            signalGroup(SIGTERM)
            signalGroup(SIGCONT)
            timer.resume(at: bus.elapsed)
            killAt = bus.elapsed + killGrace
        }
        /// Stops or continues the group (or the Slurm job) to match what was asked. A Slurm job
        /// that cannot be paused or resumed yet is asked again a second later; its timeout
        /// stops only once it is paused.
        func applyRequests() {
            let wanted = requests.withLock { $0 }
            if let stop = wanted.stop { beginTermination(stop.status, stop.reason) }
            guard termination == nil, !exited else { return }
            let now = bus.elapsed
            guard let cluster else {
                if wanted.paused, !timer.isPaused {
                    signalGroup(SIGSTOP)
                    timer.pause(at: now)
                } else if !wanted.paused, timer.isPaused {
                    signalGroup(SIGCONT)
                    timer.resume(at: now)
                }
                return
            }
            let done = wanted.paused ? cluster.suspend() : cluster.resume()
            if done {
                if wanted.paused { timer.pause(at: now) } else { timer.resume(at: now) }
                controlRetryAt = nil
                lookAtCluster(now: now)
            } else {
                controlRetryAt = now + 1
                if !controlRefusalTold, cluster.sighting != nil {
                    controlRefusalTold = true
                    reader.message("Slurm did not \(wanted.paused ? "suspend or hold" : "resume") job \(cluster.sighting?.id ?? "?") yet; "
                                   + "asking again every second", now: now)
                }
            }
        }

        applyRequests()

        while !(exited && openPipes.isEmpty) {
            let now = bus.elapsed
            var wakeAt: [Double] = []
            if !exited, termination == nil, let deadline = timer.deadline { wakeAt.append(deadline) }
            if !killed, let killAt { wakeAt.append(killAt) }
            if let drainUntil { wakeAt.append(drainUntil) }
            if let nextLook, !exited, termination == nil { wakeAt.append(nextLook) }
            if let controlRetryAt, !exited, termination == nil { wakeAt.append(controlRetryAt) }
            if pidFD < 0, !exited { wakeAt.append(now + 0.02) }
            let timeoutMS: Int32 = wakeAt.min().map { Int32(max(0, min(60_000, ($0 - now) * 1000)).rounded(.up)) } ?? -1

            var pollFDs: [pollfd] = openPipes.keys.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if pidFD >= 0, !exited { pollFDs.append(pollfd(fd: pidFD, events: Int16(POLLIN), revents: 0)) }
            pollFDs.append(pollfd(fd: wakeup.fd, events: Int16(POLLIN), revents: 0))
            let ready = poll(&pollFDs, nfds_t(pollFDs.count), timeoutMS)
            if ready < 0, errno != EINTR { break }

            let after = bus.elapsed
            if let due = nextLook, after >= due, !exited, termination == nil { lookAtCluster(now: after, maxAge: 1) }
            if let due = controlRetryAt, after >= due, !exited, termination == nil { applyRequests() }
            if !exited, termination == nil, timer.expired(at: after) {
                beginTermination(.timedOut, "timed out after \(NumberFormat.compact(timeout ?? 0))s")
            }
            if let killAt, !killed, after >= killAt {
                // A job Slurm has not ended by now is killed outright, before its srun.
                if let cluster { _ = cluster.cancel(kill: true) }
                signalGroup(SIGKILL)
                killed = true
            }
            for entry in pollFDs where entry.revents != 0 {
                if entry.fd == wakeup.fd {
                    wakeup.drain()
                    applyRequests()
                } else if entry.fd == pidFD {
                    reap(child, blocking: true, &waitStatus, &exited, &drainUntil)
                } else if let stream = openPipes[entry.fd] {
                    let count = read(entry.fd, buffer.baseAddress, buffer.count)
                    if count > 0 {
                        if runningSince == nil, cluster != nil { lookAtCluster(now: after, wroteOutput: true, maxAge: 1) }
                        reader.consume(UnsafeRawBufferPointer(rebasing: buffer[0..<count]), from: stream, now: after)
                    } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                        reader.finish(stream, now: after)
                        close(entry.fd)
                        openPipes[entry.fd] = nil
                    }
                }
            }
            if pidFD < 0, !exited { reap(child, blocking: false, &waitStatus, &exited, &drainUntil) }
            if let drainUntil, bus.elapsed >= drainUntil {
                for (fd, stream) in openPipes {
                    reader.finish(stream, now: bus.elapsed)
                    close(fd)
                }
                openPipes.removeAll()
            }
        }
        if pidFD >= 0 { close(pidFD) }
        if !exited {
            // Only reached if poll(2) itself failed: stop the group rather than wait forever.
            signalGroup(SIGKILL)
            waitStatus = child.reap() ?? waitStatus
            for (fd, _) in openPipes { close(fd) }
        }
        reader.flushDropped(now: bus.elapsed)

        outcome.metrics = reader.metrics
        outcome.labels = reader.labels
        outcome.findings = reader.findings
        outcome.findingsReported = reader.findingsReported
        outcome.endTime = bus.elapsed
        timer.resume(at: outcome.endTime)
        outcome.pausedSeconds = EventBus.microseconds(timer.pausedTotal)
        if let cluster {
            // What Slurm says of the job now: it may have ended before it was seen running. A
            // job that failed is asked after until Slurm says how it ended (a cancel from
            // elsewhere, its time limit, memory), for at most two seconds.
            lookAtCluster(now: outcome.endTime)
            if termination == nil, waitStatus != 0 {
                for _ in 0..<20 where ["RUNNING", "COMPLETING", "SUSPENDED"].contains(cluster.sighting?.state ?? "") {
                    usleep(100_000)
                    lookAtCluster(now: bus.elapsed, maxAge: 0.1)
                }
            }
            // The time in the queue is not run time: the attempt ran from when its job did.
            let ranFrom = min(outcome.endTime, runningSince ?? cluster.runStart(srunStarted: startTime, now: outcome.endTime,
                                                                               offset: bus.clockOrigin))
            outcome.queuedSeconds = max(0, ranFrom - startTime)
            outcome.startTime = ranFrom
            outcome.job = cluster.sighting?.id
            outcome.node = cluster.sighting?.node
        }
        var decoded = tutti_decode_wait_status(waitStatus)
        // srun reports a task killed by signal N as the status 128 + N.
        if cluster != nil, decoded > 128, decoded < 128 + 65 { decoded = -(decoded - 128) }
        if decoded >= 0 { outcome.exitCode = decoded } else { outcome.signal = -decoded }
        if termination == nil, let ended = cluster?.endedBySlurm { termination = ended }
        if let termination {
            outcome.status = termination.status
            outcome.reason = termination.reason
        } else if decoded == 0 {
            outcome.status = .succeeded
        } else if decoded > 0 {
            outcome.status = .failed
            outcome.reason = "exited with status \(decoded)" + (reader.lastErrorLine.map { ": " + Self.reasonText($0) } ?? "")
        } else {
            outcome.status = .failed
            outcome.reason = "killed by signal \(-decoded) (\(String(cString: strsignal(-decoded))))"
        }
        return outcome
    }

    /// A line of output fit for a reason: without escape sequences, trimmed, at most 200 characters.
    static func reasonText(_ line: String) -> String {
        var visible = String.UnicodeScalarView()
        var scalars = line.unicodeScalars.makeIterator()
        while let scalar = scalars.next() {
            if scalar == "\u{1B}" {
                // ESC [ ... final byte (colours), or ESC and one more character.
                if scalars.next() == "[" { while let byte = scalars.next(), !(0x40...0x7E).contains(byte.value) {} }
            } else if scalar.value >= 0x20, scalar.value != 0x7F {
                visible.append(scalar)
            }
        }
        let text = String(visible).trimmingCharacters(in: .whitespaces)
        return text.count > 200 ? String(text.prefix(199)) + "…" : text
    }

    /// Sleeps until `seconds` have passed (not counting time paused) or `terminate` wakes
    /// the attempt; while it is paused, it does not start.
    private func waitForWake(upTo seconds: Double, _ wakeup: Wakeup) {
        var end = bus.elapsed + seconds
        var pausedSince: Double?
        while true {
            let now = bus.elapsed
            let wanted = requests.withLock { $0 }
            if wanted.stop != nil { return }
            if wanted.paused, pausedSince == nil { pausedSince = now }
            if !wanted.paused, let since = pausedSince {
                end += now - since
                pausedSince = nil
            }
            let left = end - now
            if left <= 0, pausedSince == nil { return }
            var wake = pollfd(fd: wakeup.fd, events: Int16(POLLIN), revents: 0)
            let timeout = pausedSince != nil ? Int32(60_000) : Int32(min(60_000, (left * 1000).rounded(.up)))
            if poll(&wake, 1, timeout) > 0 { wakeup.drain() }
        }
    }

    /// Collects the exited leader, kills what it left in its group, and gives the pipes a
    /// second to drain. Non-blocking when pidfd is not available and the loop polls instead.
    private func reap(_ child: SpawnedChild, blocking: Bool, _ status: inout Int32, _ exited: inout Bool, _ drainUntil: inout Double?) {
        guard let ended = child.reap(blocking: blocking) else { return }
        status = ended
        exited = true
        _ = kill(-child.pid, SIGKILL)
        drainUntil = bus.elapsed + 1.0
    }

    /// The most an attempt waits for a file descriptor to come free before it fails.
    static let descriptorWait = 120.0

    /// Starts the process with its output on two pipes (their reading ends returned). When
    /// this process is out of file descriptors, waits for other tasks to give some back —
    /// a stop request ends the wait — instead of failing the task.
    private func start(_ wakeup: Wakeup) -> Result<(SpawnedChild, Int32, Int32), StartFailure> {
        guard let program = launch.argv.first, !program.isEmpty else { return .failure(StartFailure("the command is empty")) }
        var waited = 0.0, pause = 0.02
        while true {
            var code: Int32 = 0
            var outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
            if tutti_pipe_cloexec(&outPipe) == 0, tutti_pipe_cloexec(&errPipe) == 0 {
                switch Spawn.start(launch.argv, environment: launch.environment, in: launch.workingDirectory, stdin: Self.devNull,
                                   stdout: outPipe[1], stderr: errPipe[1]) {
                case .success(let child):
                    close(outPipe[1])
                    close(errPipe[1])
                    return .success((child, outPipe[0], errPipe[0]))
                case .failure(let error): code = error.code
                }
            } else {
                code = errno
            }
            for fd in outPipe + errPipe where fd >= 0 { close(fd) }
            guard code == EMFILE || code == ENFILE, waited < Self.descriptorWait, requestedStop == nil else {
                var why = String(cString: strerror(code))
                if code == EMFILE || code == ENFILE {
                    why += " (no file descriptor came free in \(Int(waited))s; the limit is \(FileLimit.current))"
                } else if let directory = launch.workingDirectory, !FileManager.default.fileExists(atPath: directory) {
                    why = "working directory \(directory) does not exist"
                }
                return .failure(StartFailure("cannot start '\(program)': \(why)"))
            }
            if waited == 0 {
                bus.emit(.taskMessage(TaskMessage(task: taskID, text: "waiting for a file descriptor to come free "
                                                  + "(the open-file limit, \(FileLimit.current), is reached)")))
            }
            waitForWake(upTo: pause, wakeup)
            waited += pause
            pause = min(pause * 2, 1)
        }
    }

    /// Why an attempt's process could not start.
    private struct StartFailure: Error {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }

}
