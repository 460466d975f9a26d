import Foundation

/// What reading an events file whole (`RecordingFile`) and in parts (`RecordingStream`) share:
/// the header's check, where the lines are, and decoding them on every core.
enum RecordingLines {
    /// The recording header on `line`, checked: a Tutti recording of a version this build reads.
    static func header(_ line: UnsafeRawBufferPointer, path: String) throws -> RecordingHeader {
        guard let header = try? JSONDecoder.events.decodeChecked(RecordingHeader.self, from: Data(line)),
              header.schema == RecordingHeader.schemaName else {
            throw RunFileError.notARecording(path, "its first line is not a recording header")
        }
        guard header.version <= RecordingHeader.currentVersion else { throw RunFileError.newerSchema(path, header.version) }
        return header
    }

    /// Where each line of `raw` is (newlines found with memchr); a last line without its
    /// newline is one too.
    static func ranges(in raw: UnsafeRawBufferPointer) -> [Range<Int>] {
        guard let base = raw.baseAddress else { return [] }
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(raw.count / 64)
        var start = 0
        while start < raw.count {
            let end = memchr(base + start, 0x0A, raw.count - start).map { base.distance(to: UnsafeRawPointer($0)) } ?? raw.count
            ranges.append(start..<end)
            start = end + 1
        }
        return ranges
    }

    /// The events of the lines at `ranges` of `raw`, decoded on every core (a JSONDecoder per
    /// chunk for the lines the fast reader leaves); nil where a line is empty or not an event.
    static func events(_ raw: UnsafeRawBufferPointer, _ ranges: some RandomAccessCollection<Range<Int>> & Sendable) -> [RunEvent?] {
        let lines = Array(ranges)
        var decoded = [RunEvent?](repeating: nil, count: lines.count)
        let chunks = min(lines.count, ProcessInfo.processInfo.activeProcessorCount * 4)
        guard chunks > 0 else { return decoded }
        nonisolated(unsafe) let raw = raw
        decoded.withUnsafeMutableBufferPointer { results in
            nonisolated(unsafe) let results = results
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let decoder = JSONDecoder.events
                for index in stride(from: chunk, to: lines.count, by: chunks) where !lines[index].isEmpty {
                    results[index] = EventLineReader.decode(UnsafeRawBufferPointer(rebasing: raw[lines[index]]), decoder: decoder)
                }
            }
        }
        return decoded
    }
}
