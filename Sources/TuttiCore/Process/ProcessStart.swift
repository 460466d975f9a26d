import Foundation

/// When a process started, read from /proc: to tell the process a recording names from a
/// later one that was given the same id.
enum ProcessStart {
    /// Seconds since 1970 when process `pid` started; nil when it is gone or /proc cannot say.
    static func epochSeconds(of pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let boot = bootTime(),
              // The command name (field 2) may hold spaces and parentheses: count from after its last ')'.
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // Fields from 3 on; the start time is field 22, in clock ticks since boot.
        guard fields.count > 19, let ticks = Double(fields[19]) else { return nil }
        return boot + ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Seconds since 1970 when the machine booted (`btime` in /proc/stat).
    private static func bootTime() -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = stat.split(separator: "\n").first(where: { $0.hasPrefix("btime ") }) else { return nil }
        return Double(line.dropFirst(6).trimmingCharacters(in: .whitespaces))
    }
}
