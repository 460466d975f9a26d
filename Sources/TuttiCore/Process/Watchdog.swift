import CTuttiSystem
import Foundation
import Synchronization

/// A run's watchdog: a small process of its own that knows the process group of every task
/// running and, if the run's process dies without ending them (SIGKILL, the OOM killer, a
/// crash), kills them all. Tasks are registered as they start and unregistered once their
/// group is gone; a run that ends normally leaves nothing for it to kill.
///
/// Tasks that run as Slurm jobs are ended by the command it is given (`scancel` of the run's
/// jobs) before their `srun` groups are killed.
///
/// What it cannot reach: a process that leaves its task's group (`setsid`, a daemon that
/// double-forks into a session of its own) is no longer in a group the watchdog knows.
final class Watchdog: Sendable {
    /// The socket to the watchdog, until it is stopped: its closing (or this process's death)
    /// is what the watchdog waits for.
    private let socket: Mutex<Int32>
    private let pid: pid_t
    /// A count for each process group id, in memory shared with the watchdog: registering a
    /// task is an atomic add, with no system call and no wake of the watchdog (a message per
    /// start and end cost more than a trivial task's share of the engine).
    private nonisolated(unsafe) let groups: UnsafeMutablePointer<UInt8>

    /// Starts the watchdog, or returns nil when it cannot be forked (the run goes on
    /// without it). `onDeath`, when given, is the command it runs before killing the groups
    /// left: what ends the run's tasks that run elsewhere (its Slurm jobs).
    init?(onDeath: [String]? = nil) {
        var child: pid_t = 0
        var groups: UnsafeMutablePointer<UInt8>?
        // The command's strings, C copies made before the fork, for the watchdog's life.
        var command: [UnsafeMutablePointer<CChar>?] = (onDeath ?? []).map { strdup($0) }
        command.append(nil)
        let fd = onDeath == nil ? tutti_watchdog_start(&child, nil, &groups)
            : command.withUnsafeBufferPointer { tutti_watchdog_start(&child, $0.baseAddress, &groups) }
        for pointer in command { free(pointer) }
        guard fd >= 0, let groups else { return nil }
        socket = Mutex(fd)
        pid = child
        self.groups = groups
    }

    /// A task's process group has started.
    func register(group: pid_t) { tutti_watchdog_count(groups, group, 1) }

    /// A task's process group is gone (the engine has killed what was left of it).
    func unregister(group: pid_t) { tutti_watchdog_count(groups, group, -1) }

    /// Ends the watchdog: it kills what is still registered (nothing, once every task has
    /// ended) and exits. Called again, it does nothing.
    func stop() {
        let fd = socket.withLock { fd in
            defer { fd = -1 }
            return fd
        }
        guard fd >= 0 else { return }
        close(fd)
        var status: Int32 = 0
        _ = tutti_wait(pid, &status, 1)
    }

    deinit {
        stop()
        tutti_watchdog_unmap(groups)
    }
}
