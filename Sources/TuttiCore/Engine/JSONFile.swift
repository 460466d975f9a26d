import Foundation

/// Writes JSON files (task results, reports).
enum JSONFile {
    /// Writes a task's result to every path, encoded once.
    static func write(_ report: TaskReport, to paths: [String]) {
        let data = Data(report.jsonBytes())
        for path in paths { write(data, to: path) }
    }

    static func write<T: Encodable>(_ value: T, to path: String) {
        guard let data = try? JSONEncoder.report.encode(value) else { return }
        write(data, to: path)
    }

    static func write(_ data: Data, to path: String) {
        // Plain POSIX calls: Foundation's file writing syncs to disk, and a rename doubles the
        // directory work; both cost more than a whole trivial task. Each file is written once,
        // into a folder the engine created when the run began.
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        FileIO.writeAll(fd, data)
        close(fd)
    }
}
