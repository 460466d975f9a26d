import Foundation

/// Finds recorded runs: by id, by run directory, by events file, or the latest.
public struct RunLocator: Sendable {
    /// The folder that holds one directory per run.
    public let runsDirectory: String

    public init(runsDirectory: String) { self.runsDirectory = runsDirectory }

    /// The run `reference` names: "latest", a run id in the runs folder, a run directory,
    /// or an events file.
    public func locate(_ reference: String) throws(RunLookupError) -> RunDirectory {
        if reference == "latest" {
            guard let newest = runs().first else { throw .noRuns(runsDirectory) }
            return newest.directory
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: reference, isDirectory: &isDirectory), !isDirectory.boolValue {
            return RunDirectory(path: (reference as NSString).deletingLastPathComponent)
        }
        for candidate in [reference, (runsDirectory as NSString).appendingPathComponent(reference)] {
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), isDirectory.boolValue,
               FileManager.default.fileExists(atPath: RunDirectory(path: candidate).eventsPath) {
                return RunDirectory(path: candidate)
            }
        }
        throw .unknown(reference, runsDirectory, runs().prefix(5).map(\.header.runID))
    }

    /// The events file `reference` names: the file itself when it is one (whatever its
    /// name), else the events file of the run it names.
    public func eventsFile(_ reference: String) throws(RunLookupError) -> String {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: reference, isDirectory: &isDirectory), !isDirectory.boolValue { return reference }
        return try locate(reference).eventsPath
    }

    /// Every run in the runs folder, newest first.
    public func runs() -> [RecordedRun] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: runsDirectory)) ?? []
        return names.compactMap { name in
            let directory = RunDirectory(path: (runsDirectory as NSString).appendingPathComponent(name))
            guard let header = RecordingHeader.read(path: directory.eventsPath) else { return nil }
            return RecordedRun(directory: directory, header: header)
        }
        .sorted { ($0.startTime, $0.header.runID) > ($1.startTime, $1.header.runID) }
    }
}

/// A run found on disk: its directory and recording header.
public struct RecordedRun: Sendable {
    public let directory: RunDirectory
    public let header: RecordingHeader

    /// When it started, in seconds since 1970, to the microsecond when the header says.
    public var startTime: Double { header.clockOrigin ?? header.startedAt.timeIntervalSince1970 }

    /// The final report, once the run has written one.
    public var report: RunReport? {
        guard let data = FileManager.default.contents(atPath: directory.reportPath) else { return nil }
        return try? JSONDecoder.events.decodeChecked(RunReport.self, from: data)
    }

    /// The live run's state from its control socket, or nil when no process serves it.
    public var liveStatus: RunStatus? { try? ControlClient(socketPath: directory.socketPath).status() }

    /// Whether its process is still recording it (even if its control socket does not answer).
    public var isLive: Bool { EventRecorder.isBeingRecorded(directory.eventsPath) }

    /// How a listing shows it: its state, whether a process still runs it, and its report.
    public var standing: RunStanding {
        let report = self.report
        let status = liveStatus
        let recording = isLive
        let state = status.map { $0.state == "finished" ? "finished, open" : $0.state }
            ?? (recording ? "running (no control socket)" : report?.outcomeText ?? "never finished")
        return RunStanding(state: state, live: status != nil || recording, report: report)
    }
}

/// A run as a listing shows it.
public struct RunStanding: Sendable {
    /// running, paused, held, stopping, "finished, open" (live); passed, failed, interrupted,
    /// timed_out (ended); or "never finished" (its process ended before the run did).
    public let state: String
    public let live: Bool
    public let report: RunReport?
}

extension RecordingHeader {
    /// The header of an events file, reading only its first line; nil when it is not one.
    public static func read(path: String) -> RecordingHeader? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        var bytes: [UInt8] = []
        while bytes.count < 1 << 20, let chunk = try? handle.read(upToCount: 4096), !chunk.isEmpty {
            if let newline = chunk.firstIndex(of: 0x0A) {
                bytes += chunk[..<newline]
                break
            }
            bytes += chunk
        }
        guard let header = try? JSONDecoder.events.decodeChecked(RecordingHeader.self, from: Data(bytes)),
              header.schema == RecordingHeader.schemaName else { return nil }
        return header
    }
}

/// A run reference that names no run.
public enum RunLookupError: Error, Sendable, CustomStringConvertible {
    case unknown(String, String, [String])
    case noRuns(String)

    public var description: String {
        switch self {
        case .unknown(let reference, let folder, let recent):
            return "no run '\(reference)': give a run id from \(folder), a run directory or an events file"
                + (recent.isEmpty ? "" : "; recent runs: \(recent.joined(separator: ", "))")
        case .noRuns(let folder):
            return "there are no runs in \(folder) yet (start one with `tutti run FILE`, or give --runs-dir)"
        }
    }
}
