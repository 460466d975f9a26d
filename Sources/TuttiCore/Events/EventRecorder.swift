import Foundation

/// The first line of an events file: what the recording is.
public struct RecordingHeader: Sendable, Hashable, Codable {
    /// The schema version this build writes; readers refuse newer ones.
    public static let currentVersion = 1
    public static let schemaName = "tutti-events"

    public var schema: String
    public var version: Int
    public var runID: String
    public var workflow: String
    public var workflowFile: String?
    public var host: String
    public var startedAt: Date

    enum CodingKeys: String, CodingKey {
        case schema, version, runID = "run_id", workflow, workflowFile = "workflow_file", host, startedAt = "started_at"
    }

    public init(runID: String, workflow: String, workflowFile: String?, host: String, startedAt: Date) {
        schema = Self.schemaName
        version = Self.currentVersion
        self.runID = runID
        self.workflow = workflow
        self.workflowFile = workflowFile
        self.host = host
        self.startedAt = startedAt
    }
}

/// Appends events to an NDJSON file, one write per event, so a crash loses at most the
/// event being written.
public final class EventRecorder {
    private var fd: Int32
    private let encoder: JSONEncoder

    /// Creates (or truncates) the file and writes the header line.
    public init(path: String, header: RecordingHeader) throws {
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw RunFileError.cannotWrite(path, String(cString: strerror(errno))) }
        encoder = JSONEncoder.sortedCompact
        encoder.dateEncodingStrategy = .iso8601
        if let data = try? encoder.encode(header) { Self.writeLine(fd, data) }
    }

    func append(_ event: RunEvent) {
        guard fd >= 0, let data = try? encoder.encode(event) else { return }
        Self.writeLine(fd, data)
    }

    func close() {
        if fd >= 0 { _ = Glibc.close(fd) }
        fd = -1
    }

    deinit { close() }

    private static func writeLine(_ fd: Int32, _ data: Data) {
        var line = data
        line.append(0x0A)
        line.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }
}

/// A problem with one of a run's files.
public enum RunFileError: Error, Sendable, CustomStringConvertible {
    case cannotWrite(String, String)
    case notARecording(String, String)
    case newerSchema(String, Int)

    public var description: String {
        switch self {
        case .cannotWrite(let path, let why): return "cannot write \(path): \(why)"
        case .notARecording(let path, let why): return "\(path) is not a Tutti recording: \(why)"
        case .newerSchema(let path, let version):
            return "\(path) was recorded with schema version \(version), newer than this build reads "
                + "(\(RecordingHeader.currentVersion)); upgrade tutti to read it"
        }
    }
}

/// A recording read back: header, events, and whether its last line was cut off.
public struct Recording: Sendable {
    public var header: RecordingHeader
    public var events: [RunEvent]
    /// True when the file ended in an incomplete line (the recorder was cut off mid-write).
    public var truncated: Bool

    /// Reads an events file, keeping every complete event before any damage.
    public static func read(path: String) throws -> Recording {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw RunFileError.notARecording(path, "cannot read it (\(error.localizedDescription))")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let lines = data.split(separator: 0x0A, omittingEmptySubsequences: false)
        guard let first = lines.first, let header = try? decoder.decode(RecordingHeader.self, from: Data(first)),
              header.schema == RecordingHeader.schemaName else {
            throw RunFileError.notARecording(path, "its first line is not a recording header")
        }
        guard header.version <= RecordingHeader.currentVersion else { throw RunFileError.newerSchema(path, header.version) }
        var events: [RunEvent] = []
        var truncated = false
        for line in lines.dropFirst() where !line.isEmpty {
            guard let event = try? decoder.decode(RunEvent.self, from: Data(line)) else {
                truncated = true
                break
            }
            events.append(event)
        }
        return Recording(header: header, events: events, truncated: truncated)
    }
}
