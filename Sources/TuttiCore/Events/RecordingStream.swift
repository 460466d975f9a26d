import Foundation

/// An events file read in parts, for a replay: each part's lines are decoded as it is read,
/// and only where each line is stays known, so that a line can be read again (`pread`) and
/// decoded when a seek needs it. Nothing of the file is kept in memory, and nothing is mapped.
public final class RecordingStream: @unchecked Sendable {
    // Unchecked: `fd` and `header` are set once; `read(upTo:)` is called by one thread at a
    // time (the replay's indexer reads each part on a new thread, started once the last one's
    // part was handed over) and `events(at:)` only reads the file with pread.
    public let header: RecordingHeader
    public let path: String
    private let fd: Int32
    /// Where the next part starts.
    private var offset: Int
    /// How many lines after the header have been read.
    private var lineNumber = 0

    /// A part of the file: its lines' events (nil where a line is not one, or is empty), where
    /// each line is, and what is wrong with those that are not events.
    public struct Part: Sendable {
        public var events: [RunEvent?] = []
        /// Per line: where it starts in the file, and its length.
        public var offsets: [Int] = []
        public var lengths: [Int] = []
        /// The number (after the header) of its first line.
        public var firstNumber = 0
        public var damage: [RecordingDamage] = []
        public var isEmpty: Bool { events.isEmpty }
    }

    /// Opens the file at `path` and reads its header.
    public init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw RunFileError.notARecording(path, "cannot read it (\(String(cString: strerror(errno))))") }
        self.fd = fd
        self.path = path
        // The header is the first line; a few kilobytes hold it.
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        let count = pread(fd, &buffer, buffer.count, 0)
        do {
            guard count > 0, let end = buffer[0..<count].firstIndex(of: 0x0A) else {
                throw RunFileError.notARecording(path, "its first line is not a recording header")
            }
            header = try buffer.withUnsafeBytes { try RecordingLines.header(UnsafeRawBufferPointer(rebasing: $0[0..<end]), path: path) }
            offset = end + 1
        } catch {
            close(fd)
            throw error
        }
    }

    deinit { close(fd) }

    /// The next lines, about `bytes` of them, decoded on every core; empty at the end of the
    /// file. A last line without its newline is read as the file's end (cut off, if it is not
    /// an event).
    public func read(upTo bytes: Int = 4 << 20) -> Part {
        // As asked, however small (tests read a few lines a part): a longer line grows the buffer.
        let size = max(1, bytes)
        var buffer = [UInt8](unsafeUninitializedCapacity: size) { _, count in count = size }
        var filled = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { raw in
                pread(fd, raw.baseAddress! + filled, raw.count - filled, off_t(offset + filled))
            }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            filled += count
            // Whole lines only: a line longer than the buffer makes the buffer larger.
            if filled < buffer.count || buffer.withUnsafeBytes({ memchr($0.baseAddress!, 0x0A, filled) != nil }) { break }
            let more = buffer.count
            buffer += [UInt8](unsafeUninitializedCapacity: more) { _, count in count = more }
        }
        guard filled > 0 else { return Part() }
        let atEnd = filled < buffer.count
        // Whole lines only: up to the last newline (a backward look over the last line), or
        // to the end of the file.
        var last = filled
        while last > 0, buffer[last - 1] != 0x0A { last -= 1 }
        let usable = last > 0 ? last : (atEnd ? filled : 0)
        let found = buffer.withUnsafeBytes { RecordingLines.ranges(in: UnsafeRawBufferPointer(rebasing: $0[0..<usable])) }
        var part = Part()
        part.firstNumber = lineNumber
        part.offsets = found.map { offset + $0.lowerBound }
        part.lengths = found.map(\.count)
        let cutOff = atEnd && usable == filled && buffer[filled - 1] != 0x0A
        buffer.withUnsafeBytes { raw in
            part.events = RecordingLines.events(raw, found)
            // The lines that are not events (few): why, in order.
            for index in found.indices where part.events[index] == nil && !found[index].isEmpty {
                let isLast = index == found.count - 1 && cutOff
                part.damage.append(RecordingDamage(afterHeader: part.firstNumber + index,
                                                   problem: isLast ? .cutOff : RecordingDamage.problem(of: UnsafeRawBufferPointer(rebasing: raw[found[index]]))))
            }
        }
        offset += usable
        lineNumber += found.count
        return part
    }

    /// The events of the lines at these places (in the file's order), read again in one read
    /// of the span they cover; up to the first that cannot be read or decoded.
    public func events(at lines: [(offset: Int, length: Int)]) -> [RunEvent] {
        guard let first = lines.first, let last = lines.last else { return [] }
        let span = last.offset + last.length - first.offset
        let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: max(span, 1), alignment: 1)
        defer { bytes.deallocate() }
        guard span > 0, pread(fd, bytes.baseAddress, span, off_t(first.offset)) == span else { return [] }
        let decoder = JSONDecoder.events
        var events: [RunEvent] = []
        events.reserveCapacity(lines.count)
        for line in lines {
            let slice = UnsafeRawBufferPointer(rebasing: bytes[(line.offset - first.offset)..<(line.offset - first.offset + line.length)])
            guard let event = EventLineReader.decode(slice, decoder: decoder) else { break }
            events.append(event)
        }
        return events
    }
}
