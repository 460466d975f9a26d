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
    /// When event time 0 was, in seconds since 1970 (to the microsecond), so a watcher in
    /// another process can tell the run's clock.
    public var clockOrigin: Double?
    /// Where its tasks ran (`tutti run --executor` or the workflow's choice), for a resume to
    /// go on there.
    public var executor: Executor?

    enum CodingKeys: String, CodingKey {
        case schema, version, runID = "run_id", workflow, workflowFile = "workflow_file", host, startedAt = "started_at",
             clockOrigin = "clock_origin", executor
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
/// event being written. It holds a lock on the file while it records (`isBeingRecorded`).
/// A write that fails (a full disk) is taken back whole — no half line is left to spoil the
/// next — and told to `problems`; later events are written again as soon as they fit.
public final class EventRecorder {
    private var fd: Int32
    private let path: String
    private let problems: RunFileProblems?
    /// The file's length after the last complete write.
    private var written: off_t = 0
    /// Events that could not be written.
    private(set) var lost = 0

    /// Creates (or truncates) the file and writes the header line; throws when either fails.
    public convenience init(path: String, header: RecordingHeader) throws {
        try self.init(path: path, header: header, problems: nil)
    }

    init(path: String, header: RecordingHeader, problems: RunFileProblems?) throws {
        self.path = path
        self.problems = problems
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw RunFileError.cannotWrite(path, String(cString: strerror(errno))) }
        // Held while the run records (and so while its process lives): how other processes
        // tell a live run from one whose process is gone.
        _ = flock(fd, LOCK_EX | LOCK_NB)
        let encoder = JSONEncoder.sortedCompact
        encoder.dateEncodingStrategy = .iso8601
        var line = (try? encoder.encode(header)).map { Array($0) } ?? []
        line.append(0x0A)
        guard FileIO.writeAll(fd, line) else {
            let error = String(cString: strerror(errno))
            Glibc.close(fd)
            unlink(path)
            throw RunFileError.cannotWrite(path, error)
        }
        written = off_t(line.count)
    }

    /// Appends one event as a line.
    public func append(_ event: RunEvent) { append([event]) }

    /// Appends events that happen at the same moment (a run announcing its tasks) in one write.
    public func append(_ events: [RunEvent]) {
        append(events.map { EventJSON.line($0) })
    }

    /// Appends events already encoded, each line ending in a newline, in one write.
    func append(_ lines: [[UInt8]]) {
        guard fd >= 0, !lines.isEmpty else { return }
        let bytes = lines.count == 1 ? lines[0] : Self.joined(lines)
        if FileIO.writeAll(fd, bytes) {
            written += off_t(bytes.count)
        } else {
            let error = errno
            _ = ftruncate(fd, written)
            lost += lines.count
            problems?.failed(path, error: error, consequence: "events are missing from the recording")
        }
    }

    /// The lines one after the other, each copied whole (`joined()` goes element by element,
    /// the slowest part of writing the 20,000 lines that announce 10,000 tasks).
    private static func joined(_ lines: [[UInt8]]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(lines.reduce(0) { $0 + $1.count })
        for line in lines { bytes.append(contentsOf: line) }
        return bytes
    }

    /// Closes the file; later appends do nothing.
    public func close() {
        if fd >= 0 { _ = Glibc.close(fd) }
        fd = -1
    }

    deinit { close() }

    /// Opens an existing recording to append to it (a resumed run): an incomplete last line,
    /// cut off by the end of the process that wrote it, is taken away first. Throws when
    /// the file cannot be written, or another process records it now.
    init(appendingTo path: String, problems: RunFileProblems?) throws {
        self.path = path
        self.problems = problems
        fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC)
        guard fd >= 0 else { throw RunFileError.cannotWrite(path, String(cString: strerror(errno))) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            _ = Glibc.close(fd)
            throw RunFileError.cannotWrite(path, "another process is recording it")
        }
        var size = lseek(fd, 0, SEEK_END)
        var byte: UInt8 = 0
        // Back to just after the last newline.
        while size > 0, pread(fd, &byte, 1, size - 1) == 1, byte != 0x0A { size -= 1 }
        if ftruncate(fd, size) != 0 {
            let error = String(cString: strerror(errno))
            _ = Glibc.close(fd)
            throw RunFileError.cannotWrite(path, error)
        }
        written = size
    }

    /// Whether a process is recording the events file at `path` now.
    public static func isBeingRecorded(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { _ = Glibc.close(fd) }
        return flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK
    }
}
