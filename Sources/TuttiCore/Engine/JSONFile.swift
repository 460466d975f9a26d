import Foundation

/// Writes JSON files (task results, reports).
enum JSONFile {
    /// Writes a task's result to every path, encoded once.
    static func write(_ report: TaskReport, to paths: [String]) {
        let data = report.jsonBytes()
        for path in paths { write(data, to: path) }
    }

    static func write<Bytes: ContiguousBytes>(_ data: Bytes, to path: String) {
        // Plain POSIX calls: Foundation's file writing syncs to disk, and a rename doubles the
        // directory work; both cost more than a whole trivial task. Each file is written once,
        // into a folder the engine created when the run began.
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        FileIO.writeAll(fd, data)
        close(fd)
    }
}
