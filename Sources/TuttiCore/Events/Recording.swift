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
        return try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws -> Recording in
            // Where each line is: a scan for newlines, without copying.
            var lines: [Range<Int>] = []
            lines.reserveCapacity(raw.count / 80)
            var start = 0
            while start < raw.count, let base = raw.baseAddress {
                let newline = memchr(base + start, 0x0A, raw.count - start)
                let end = newline.map { base.distance(to: UnsafeRawPointer($0)) } ?? raw.count
                lines.append(start..<end)
                start = end + 1
            }
            func bytes(_ range: Range<Int>) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: raw[range]) }
            guard let first = lines.first, let header = try? decoder.decode(RecordingHeader.self, from: Data(bytes(first))),
                  header.schema == RecordingHeader.schemaName else {
                throw RunFileError.notARecording(path, "its first line is not a recording header")
            }
            guard header.version <= RecordingHeader.currentVersion else { throw RunFileError.newerSchema(path, header.version) }
            // Lines decode independently: split them among the cores, then keep every event
            // before the first line that does not decode.
            let bodies = Array(lines.dropFirst())
            var decoded = [RunEvent?](repeating: nil, count: bodies.count)
            let chunks = min(bodies.count, ProcessInfo.processInfo.activeProcessorCount * 4)
            nonisolated(unsafe) let file = raw
            decoded.withUnsafeMutableBufferPointer { results in
                nonisolated(unsafe) let results = results
                DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                    let decoder = JSONDecoder.events
                    for index in stride(from: chunk, to: bodies.count, by: chunks) where !bodies[index].isEmpty {
                        let line = UnsafeRawBufferPointer(rebasing: file[bodies[index]])
                        results[index] = EventLineReader.event(line) ?? (try? decoder.decode(RunEvent.self, from: Data(line)))
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
}
