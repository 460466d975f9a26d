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
        // Lines decode independently: split them among the cores, then keep every event
        // before the first line that does not decode.
        let bodies = Array(lines.dropFirst())
        var decoded = [RunEvent?](repeating: nil, count: bodies.count)
        let chunks = min(bodies.count, ProcessInfo.processInfo.activeProcessorCount * 4)
        decoded.withUnsafeMutableBufferPointer { results in
            nonisolated(unsafe) let results = results
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let decoder = JSONDecoder.events
                for index in stride(from: chunk, to: bodies.count, by: chunks) where !bodies[index].isEmpty {
                    results[index] = try? decoder.decode(RunEvent.self, from: bodies[index])
                }
            }
        }
        var events: [RunEvent] = []
        events.reserveCapacity(decoded.count)
        var truncated = false
        for (index, event) in decoded.enumerated() where !bodies[index].isEmpty {
            guard let event else {
                truncated = true
                break
            }
            events.append(event)
        }
        return Recording(header: header, events: events, truncated: truncated)
    }
}
