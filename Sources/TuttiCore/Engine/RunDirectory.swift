import Foundation

/// The files a run leaves: `<runs>/<id>/events.ndjson`, `logs/`, `results/`, `report.json`.
public struct RunDirectory: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// Creates `<runsDirectory>/<runID>` with its sub-folders.
    public static func create(in runsDirectory: String, runID: String) throws -> RunDirectory {
        let directory = RunDirectory(path: (runsDirectory as NSString).appendingPathComponent(runID))
        for sub in [directory.path, directory.logsPath, directory.resultsPath] {
            do {
                try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: true)
            } catch {
                throw RunFileError.cannotWrite(sub, error.localizedDescription)
            }
        }
        return directory
    }

    public var eventsPath: String { path + "/events.ndjson" }
    public var logsPath: String { path + "/logs" }
    public var resultsPath: String { path + "/results" }
    public var reportPath: String { path + "/report.json" }

    /// The log file of one attempt: `logs/task-<id>.log`, then `task-<id>.attempt-<n>.log`.
    public func logPath(task: String, attempt: Int) -> String {
        attempt == 1 ? "\(logsPath)/task-\(task).log" : "\(logsPath)/task-\(task).attempt-\(attempt).log"
    }

    /// A task's result JSON.
    public func resultPath(task: String) -> String { "\(resultsPath)/task-\(task).json" }

    /// A new run id: `<workflow>-<yyyyMMdd-HHmmss>-<4 hex>`.
    public static func newRunID(workflow: String, date: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        let safe = workflow.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" }
        return "\(String(safe).prefix(48))-\(formatter.string(from: date))-\(String(format: "%04x", UInt16.random(in: 0...UInt16.max)))"
    }
}

/// Writes JSON files (task results, reports).
enum JSONFile {
    /// Encodes once and writes to every path on a serial queue of its own, so the scheduler
    /// never waits for the disk.
    static func writeInBackground<T: Encodable & Sendable>(_ value: T, to paths: [String], on queue: DispatchQueue) {
        queue.async {
            guard let data = try? JSONEncoder.sortedPretty.withISODates.encode(value) else { return }
            for path in paths { write(data, to: path) }
        }
    }

    static func write<T: Encodable>(_ value: T, to path: String) {
        guard let data = try? JSONEncoder.sortedPretty.withISODates.encode(value) else { return }
        write(data, to: path)
    }

    static func write(_ data: Data, to path: String) {
        let directory = (path as NSString).deletingLastPathComponent
        if access(directory, F_OK) != 0 {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        // Plain POSIX calls: Foundation's file writing syncs to disk, and a rename doubles the
        // directory work; both cost more than a whole trivial task. Each file is written once.
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
        close(fd)
    }
}

extension JSONEncoder {
    /// The same encoder with ISO-8601 dates.
    public var withISODates: JSONEncoder {
        dateEncodingStrategy = .iso8601
        return self
    }
}
