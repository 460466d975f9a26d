import Foundation

/// The open-file limit (`ulimit -n`). Tutti raises its own soft limit to the hard one, since a
/// running task holds a few descriptors; the programs it starts get the limit Tutti was given.
public enum FileLimit {
    /// Descriptors one running task holds: its two pipes (both ends while it starts), its
    /// pidfd, its log, its thread's wakeup, and a result file being written.
    static let perTask = 8
    /// Descriptors kept for everything else: the recording, the control socket and its
    /// clients, the terminal, the agents' own files.
    static let reserve = 96

    /// The soft limit this process was started with, which tasks are started with too.
    /// Reading it the first time raises this process's soft limit to its hard limit.
    public static let forTasks: rlim_t = {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return rlim_t.max }
        let given = limit.rlim_cur
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        }
        return given
    }()

    /// This process's soft limit now.
    public static var current: rlim_t {
        var limit = rlimit()
        return getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 ? limit.rlim_cur : rlim_t.max
    }

    /// How many tasks can run at once with the descriptors left, or nil when there is no
    /// practical limit.
    public static func taskCapacity() -> Int? {
        _ = forTasks
        let limit = current
        guard limit != rlim_t.max, limit < rlim_t(Int.max) else { return nil }
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
        return max(1, (Int(limit) - open - reserve) / perTask)
    }
}
