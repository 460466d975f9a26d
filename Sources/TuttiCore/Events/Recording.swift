import Foundation

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
        let decoder = JSONDecoder.events
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
