import Foundation

/// The files a run leaves: `<runs>/<id>/events.ndjson`, `logs/`, `results/`, `report.json`,
/// and `workflow.yaml`, a copy of its workflow file.
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
    /// A copy of the workflow file the run was started with, for `tutti resume`: `workflow.yaml`,
    /// or `workflow.json` for a Conductor definition.
    public var workflowCopyPath: String {
        let json = path + "/workflow.json"
        return FileManager.default.fileExists(atPath: json) ? json : path + "/workflow.yaml"
    }

    /// Where the copy of a workflow read from `source` goes.
    public func workflowCopyPath(for source: String) -> String {
        path + (source.lowercased().hasSuffix(".json") ? "/workflow.json" : "/workflow.yaml")
    }
    /// The live run's control socket (gone when the run's process has ended).
    public var socketPath: String { path + "/control.sock" }

    /// The log file of one attempt: `logs/task-<id>.log`, then `task-<id>.attempt-<n>.log`.
    public func logPath(task: String, attempt: Int) -> String {
        attempt == 1 ? "\(logsPath)/task-\(task).log" : "\(logsPath)/task-\(task).attempt-\(attempt).log"
    }

    /// `logPath` relative to the run's folder, as reports name it.
    public func relativeLogPath(task: String, attempt: Int) -> String {
        String(logPath(task: task, attempt: attempt).dropFirst(path.count + 1))
    }

    /// A task's result JSON.
    public func resultPath(task: String) -> String { "\(resultsPath)/task-\(task).json" }

    /// `text` with every character but letters, digits, '-', '_' and '.' replaced by '-',
    /// so a name from a workflow file can never reach outside the folder it is put in.
    public static func safeFileName(_ text: String) -> String {
        let safe = String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) ? $0 : "-" })
        return safe.isEmpty || safe.allSatisfy({ $0 == "." }) ? "unnamed" : safe
    }

    /// A new run id: `<workflow>-<yyyyMMdd-HHmmss>-<4 hex>`.
    public static func newRunID(workflow: String, date: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return "\(safeFileName(workflow).prefix(48))-\(formatter.string(from: date))-\(String(format: "%04x", UInt16.random(in: 0...UInt16.max)))"
    }
}
