import CTuttiSystem
import Foundation
import Synchronization

/// What to execute for one attempt: argv, environment and working directory.
public struct LaunchSpec: Sendable, Hashable {
    public var argv: [String]
    public var environment: [String: String]
    public var workingDirectory: String?

    public init(argv: [String], environment: [String: String], workingDirectory: String? = nil) {
        self.argv = argv
        self.environment = environment
        self.workingDirectory = workingDirectory
    }
}

/// How one attempt ended, with what the agent reported along the way.
public struct AttemptOutcome: Sendable {
    public var status: TaskStatus
    public var exitCode: Int32?
    public var signal: Int32?
    public var reason: String?
    public var metrics: [String: JSONValue]
    public var startTime: Double
    public var endTime: Double
}

/// One attempt of a task as a real child process in its own process group. A dedicated
/// thread waits on the process (pidfd) and its output pipes with poll(2), writes every line
/// to the attempt's log file, turns protocol lines into events, and enforces the timeout:
/// SIGTERM to the group, SIGKILL after the grace period. When the process exits, whatever is
/// left of its group is killed, so no grandchild outlives the task.
public final class TaskProcess: Sendable {
    public let taskID: String
    public let attempt: Int
    let launch: LaunchSpec
    let logPath: String
    let bus: EventBus
    let timeout: Double?
    let killGrace: Double
    let startDelay: Double

    /// The stop asked for by `terminate`, if any.
    private let requested = Mutex<(status: TaskStatus, reason: String)?>(nil)
    private let wakePipe = WakePipe()

    public init(taskID: String, attempt: Int, launch: LaunchSpec, logPath: String, bus: EventBus,
                timeout: Double?, killGrace: Double, startDelay: Double = 0) {
        self.taskID = taskID
        self.attempt = attempt
        self.launch = launch
        self.logPath = logPath
        self.bus = bus
        self.timeout = timeout
        self.killGrace = killGrace
        self.startDelay = startDelay
    }

    /// Every task's stdin: /dev/null, opened once.
    private static let devNull = open("/dev/null", O_RDONLY | O_CLOEXEC)

    /// Runs the attempt to its end on the calling thread, which it blocks in poll(2): call it
    /// from a thread of its own, never from Swift's cooperative pool.
    func runToEnd() -> AttemptOutcome { execute() }

    /// Asks the attempt to stop: SIGTERM to its group now, SIGKILL after the grace period.
    /// The attempt ends with `status` (cancelled, timed_out...) and `reason`.
    public func terminate(as status: TaskStatus, reason: String) {
        let first = requested.withLock { requested -> Bool in
            guard requested == nil else { return false }
            requested = (status, reason)
            return true
        }
        if first { wakePipe.wake() }
    }

    // MARK: - The attempt's thread

    private func execute() -> AttemptOutcome {
        if startDelay > 0 { waitForWake(upTo: startDelay) }
        let startTime = bus.elapsed
        if let request = requested.withLock({ $0 }) {
            return AttemptOutcome(status: request.status, exitCode: nil, signal: nil, reason: request.reason, metrics: [:],
                                  startTime: startTime, endTime: startTime)
        }
        var outcome = AttemptOutcome(status: .failed, exitCode: nil, signal: nil, reason: nil, metrics: [:],
                                     startTime: startTime, endTime: startTime)
        var log = LogFile(path: logPath)
        defer { log.close() }

        var outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        guard tutti_pipe_cloexec(&outPipe) == 0, tutti_pipe_cloexec(&errPipe) == 0 else {
            outcome.reason = "cannot create pipes: \(String(cString: strerror(errno)))"
            for fd in outPipe + errPipe where fd >= 0 { close(fd) }
            outcome.endTime = bus.elapsed
            return outcome
        }
        let spawnResult = spawn(stdout: outPipe[1], stderr: errPipe[1])
        close(outPipe[1])
        close(errPipe[1])
        guard case .success(let pid) = spawnResult else {
            close(outPipe[0])
            close(errPipe[0])
            if case .failure(let message) = spawnResult { outcome.reason = message }
            outcome.endTime = bus.elapsed
            log.append(Array("tutti: \(outcome.reason ?? "cannot start")\n".utf8))
            return outcome
        }
        bus.emit(.taskStarted(TaskStarted(task: taskID, attempt: attempt, pid: pid, command: launch.argv,
                                          workingDirectory: launch.workingDirectory)))

        var reader = OutputReader(taskID: taskID, bus: bus, log: log, now: bus.elapsed)
        defer { reader.log.close() }
        let pidFD = tutti_pidfd_open(pid)
        var openPipes: [Int32: OutputStream] = [outPipe[0]: .stdout, errPipe[0]: .stderr]
        var exited = false
        var waitStatus: Int32 = 0
        var termination: (status: TaskStatus, reason: String)?
        var killAt: Double?
        var killed = false
        var drainUntil: Double?
        let deadline = timeout.map { startTime + $0 }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)

        func signalGroup(_ signal: Int32) { _ = kill(-pid, signal) }
        func beginTermination(_ status: TaskStatus, _ reason: String) {
            guard termination == nil, !exited else { return }
            termination = (status, reason)
            signalGroup(SIGTERM)
            signalGroup(SIGCONT)
            killAt = bus.elapsed + killGrace
        }

        if let request = requested.withLock({ $0 }) { beginTermination(request.status, request.reason) }

        while !(exited && openPipes.isEmpty) {
            let now = bus.elapsed
            var wakeAt: [Double] = []
            if !exited, termination == nil, let deadline { wakeAt.append(deadline) }
            if !killed, let killAt { wakeAt.append(killAt) }
            if let drainUntil { wakeAt.append(drainUntil) }
            if pidFD < 0, !exited { wakeAt.append(now + 0.02) }
            let timeoutMS: Int32 = wakeAt.min().map { Int32(max(0, min(60_000, ($0 - now) * 1000)).rounded(.up)) } ?? -1

            var pollFDs: [pollfd] = openPipes.keys.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if pidFD >= 0, !exited { pollFDs.append(pollfd(fd: pidFD, events: Int16(POLLIN), revents: 0)) }
            pollFDs.append(pollfd(fd: wakePipe.readFD, events: Int16(POLLIN), revents: 0))
            let ready = poll(&pollFDs, nfds_t(pollFDs.count), timeoutMS)
            if ready < 0, errno != EINTR { break }

            let after = bus.elapsed
            if let deadline, !exited, termination == nil, after >= deadline {
                beginTermination(.timedOut, "timed out after \(NumberFormat.compact(timeout ?? 0))s")
            }
            if let killAt, !killed, after >= killAt {
                signalGroup(SIGKILL)
                killed = true
            }
            for entry in pollFDs where entry.revents != 0 {
                if entry.fd == wakePipe.readFD {
                    wakePipe.drain()
                    if let request = requested.withLock({ $0 }) { beginTermination(request.status, request.reason) }
                } else if entry.fd == pidFD {
                    reap(pid, blocking: true, &waitStatus, &exited, &drainUntil)
                } else if let stream = openPipes[entry.fd] {
                    let count = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                    if count > 0 {
                        buffer.withUnsafeBytes { reader.consume(UnsafeRawBufferPointer(rebasing: $0[0..<count]), from: stream, now: after) }
                    } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                        reader.finish(stream, now: after)
                        close(entry.fd)
                        openPipes[entry.fd] = nil
                    }
                }
            }
            if pidFD < 0, !exited { reap(pid, blocking: false, &waitStatus, &exited, &drainUntil) }
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
            waitpid(pid, &waitStatus, 0)
            for (fd, _) in openPipes { close(fd) }
        }
        reader.flushDropped(now: bus.elapsed)

        outcome.metrics = reader.metrics
        outcome.endTime = bus.elapsed
        let decoded = tutti_decode_wait_status(waitStatus)
        if decoded >= 0 { outcome.exitCode = decoded } else { outcome.signal = -decoded }
        if let termination {
            outcome.status = termination.status
            outcome.reason = termination.reason
        } else if decoded == 0 {
            outcome.status = .succeeded
        } else if decoded > 0 {
            outcome.status = .failed
            outcome.reason = "exited with status \(decoded)"
        } else {
            outcome.status = .failed
            outcome.reason = "killed by signal \(-decoded) (\(String(cString: strsignal(-decoded))))"
        }
        return outcome
    }

    /// Sleeps until `seconds` have passed or `terminate` wakes the attempt.
    private func waitForWake(upTo seconds: Double) {
        let end = bus.elapsed + seconds
        while true {
            let left = end - bus.elapsed
            if left <= 0 || requested.withLock({ $0 != nil }) { return }
            var wake = pollfd(fd: wakePipe.readFD, events: Int16(POLLIN), revents: 0)
            _ = poll(&wake, 1, Int32(min(60_000, (left * 1000).rounded(.up))))
        }
    }

    /// Collects the exited leader, kills what it left in its group, and gives the pipes a
    /// second to drain. Non-blocking when pidfd is not available and the loop polls instead.
    private func reap(_ pid: Int32, blocking: Bool, _ status: inout Int32, _ exited: inout Bool, _ drainUntil: inout Double?) {
        guard waitpid(pid, &status, blocking ? 0 : WNOHANG) == pid else { return }
        exited = true
        _ = kill(-pid, SIGKILL)
        drainUntil = bus.elapsed + 1.0
    }

    private enum SpawnResult { case success(Int32), failure(String) }

    private func spawn(stdout: Int32, stderr: Int32) -> SpawnResult {
        guard let program = launch.argv.first, !program.isEmpty else { return .failure("the command is empty") }
        var cArgs: [UnsafeMutablePointer<CChar>?] = launch.argv.map { strdup($0) } + [nil]
        var cEnv: [UnsafeMutablePointer<CChar>?] = launch.environment
            .map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            cArgs.forEach { free($0) }
            cEnv.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = tutti_spawn(program, &cArgs, &cEnv, launch.workingDirectory, Self.devNull, stdout, stderr, &pid)
        guard rc == 0 else {
            var why = String(cString: strerror(rc))
            if let directory = launch.workingDirectory, !FileManager.default.fileExists(atPath: directory) {
                why = "working directory \(directory) does not exist"
            }
            return .failure("cannot start '\(program)': \(why)")
        }
        return .success(pid)
    }

}
