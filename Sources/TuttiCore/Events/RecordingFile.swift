import Foundation

/// An events file opened for reading without decoding it: its bytes, its header, and where
/// each line is, so that any line can be decoded when it is needed. (Read, not mapped: a
/// mapped file that shrinks under its reader — a resume trimming a cut-off line — would kill
/// the reader with SIGBUS.)
/// `Recording.read` and `Recording.parse` read a recording whole through it; a replay reads
/// one in parts (`RecordingStream`), with the same header check, line split and decoding
/// (`RecordingLines`).
public final class RecordingFile: @unchecked Sendable {
    // Unchecked: every stored property is set once in `init` and never changed.
    public let header: RecordingHeader
    public let path: String
    private let data: Data
    /// Each line after the header: its byte range.
    private let lines: [Range<Int>]
    /// Whether the file ends with a newline (otherwise its last line was cut off).
    public let endsInNewline: Bool

    /// The lines after the header.
    public var lineCount: Int { lines.count }

    /// Reads and splits the file at `path`.
    public convenience init(path: String) throws {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw RunFileError.notARecording(path, "cannot read it (\(error.localizedDescription))")
        }
        try self.init(data: data, path: path)
    }

    /// Splits `data`, an events file's bytes (`path` names it in errors).
    public init(data: Data, path: String) throws {
        // Offsets below count from 0: a slice of a larger Data is copied to its own.
        let data = data.startIndex == 0 ? data : Data(data)
        self.data = data
        self.path = path
        let ranges = data.withUnsafeBytes { RecordingLines.ranges(in: $0) }
        endsInNewline = data.last == 0x0A
        guard let first = ranges.first else { throw RunFileError.notARecording(path, "its first line is not a recording header") }
        header = try data.withUnsafeBytes { try RecordingLines.header(UnsafeRawBufferPointer(rebasing: $0[first]), path: path) }
        lines = Array(ranges.dropFirst())
    }

    /// Whether line `index` (after the header) is empty.
    public func isEmpty(line index: Int) -> Bool { lines[index].isEmpty }

    /// The event on line `index` (after the header), or nil when that line is not one.
    /// `decoder` serves the lines the fast reader leaves; one is made for them when none is given.
    public func event(line index: Int, decoder: JSONDecoder? = nil) -> RunEvent? {
        guard !lines[index].isEmpty else { return nil }
        return data.withUnsafeBytes { raw in
            let line = UnsafeRawBufferPointer(rebasing: raw[lines[index]])
            return EventLineReader.decode(line, decoder: decoder)
        }
    }

    /// What is wrong with line `index`, which is not an event.
    public func damage(line index: Int) -> RecordingDamage {
        let isLast = index == lines.count - 1
        if isLast && !endsInNewline { return RecordingDamage(afterHeader: index, problem: .cutOff) }
        return data.withUnsafeBytes { raw in
            RecordingDamage(afterHeader: index, problem: RecordingDamage.problem(of: UnsafeRawBufferPointer(rebasing: raw[lines[index]])))
        }
    }

    /// The events of lines `range`, decoded on every core; nil where a line is not one.
    public func events(lines range: Range<Int>) -> [RunEvent?] {
        data.withUnsafeBytes { RecordingLines.events($0, lines[range]) }
    }
}
