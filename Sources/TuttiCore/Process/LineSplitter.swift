/// Splits a byte stream into lines, holding at most `maxLineLength` bytes of an unfinished
/// line: a longer line is cut into pieces, so memory stays bounded whatever a task prints.
struct LineSplitter {
    let maxLineLength: Int
    private var pending: [UInt8] = []
    /// True right after a long line was cut: a newline then ends the cut line, not a new one.
    private var justCut = false

    init(maxLineLength: Int = 16 * 1024) { self.maxLineLength = maxLineLength }

    /// Feeds bytes and returns the complete lines they finish (without the newline).
    mutating func feed(_ bytes: UnsafeRawBufferPointer) -> [String] {
        var lines: [String] = []
        for byte in bytes {
            if byte == 0x0A {
                if justCut && pending.isEmpty {
                    justCut = false
                    continue
                }
                if pending.last == 0x0D { pending.removeLast() }
                lines.append(take(pending.count))
                justCut = false
            } else {
                pending.append(byte)
                if pending.count >= maxLineLength {
                    lines.append(take(cutPoint()))
                    justCut = true
                }
            }
        }
        return lines
    }

    /// The unfinished last line, if any, at end of stream.
    mutating func finish() -> String? {
        pending.isEmpty ? nil : take(pending.count)
    }

    /// Where to cut a full buffer: before the lead byte of a UTF-8 character that is not
    /// complete yet, so no character is split between two pieces.
    private func cutPoint() -> Int {
        let count = pending.count
        var index = count - 1
        var continuation = 0
        while index >= 0, pending[index] & 0xC0 == 0x80, continuation < 3 {
            index -= 1
            continuation += 1
        }
        guard index > 0 else { return count }
        let lead = pending[index]
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
        return length > 1 && continuation + 1 < length ? index : count
    }

    private mutating func take(_ count: Int) -> String {
        let line = String(decoding: pending[..<count], as: UTF8.self)
        pending.removeFirst(count)
        return line
    }
}
