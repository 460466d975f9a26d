import Foundation

/// Writes JSON files (task results, reports).
enum JSONFile {
    /// Writes a task's result to every path, encoded once; a path that cannot be written is
    /// told to `problems`.
    static func write(_ report: TaskReport, to paths: [String], problems: RunFileProblems?) {
        let data = report.jsonBytes()
        for path in paths {
            let error = write(data, to: path)
            if error != 0 { problems?.failed(path, error: error, consequence: "task \(report.id)'s result file is missing") }
        }
    }

    /// Writes a file as `body` encodes it, a chunk at a time (a 10,000-task report is megabytes,
    /// not to be held whole), to every path: for each, 0 or the errno value of the failure.
    /// Each is written beside its place (`.partial`) and renamed over it once whole, so what is
    /// there is always a whole file: the last one, while a reopened run's new report is being
    /// written or if the process is killed meanwhile. A failed one leaves nothing.
    static func write(to paths: [String], indented: Bool, _ body: (inout JSONWriter) -> Void) -> [Int32] {
        let partials = paths.map { $0 + ".partial" }
        var files = partials.map { path -> (fd: Int32, error: Int32) in
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            return (fd, fd >= 0 ? 0 : errno)
        }
        var writer = JSONWriter(indented: indented, spillingEvery: 256 * 1024) { chunk in
            for index in files.indices where files[index].error == 0 && !FileIO.writeAll(files[index].fd, chunk) {
                files[index].error = errno == 0 ? EIO : errno
            }
        }
        body(&writer)
        writer.endLine()
        writer.finish()
        for index in files.indices where files[index].fd >= 0 {
            close(files[index].fd)
            if files[index].error == 0, rename(partials[index], paths[index]) != 0 { files[index].error = errno }
            if files[index].error != 0 { unlink(partials[index]) }
        }
        return files.map(\.error)
    }

    /// Writes the whole file: 0, or the errno value of the failure (a partial file is removed).
    @discardableResult
    static func write<Bytes: ContiguousBytes>(_ data: Bytes, to path: String) -> Int32 {
        // Plain POSIX calls: Foundation's file writing syncs to disk, and a rename doubles the
        // directory work; both cost more than a whole trivial task. Each file is written once,
        // into a folder the engine created when the run began.
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return errno }
        let written = FileIO.writeAll(fd, data)
        let error = errno
        close(fd)
        guard written else {
            unlink(path)
            return error == 0 ? EIO : error
        }
        return 0
    }
}
