/// Writes JSON straight into bytes, compact or indented as JSONEncoder's `.prettyPrinted`
/// indents. Object keys go out in the order they are given: callers give them sorted, as
/// JSONEncoder's `.sortedKeys` writes them (JSONValue objects are sorted here).
struct JSONWriter {
    private(set) var bytes: [UInt8] = []
    private let indented: Bool
    private var depth = 0
    /// Whether the innermost open object or array has an item yet.
    private var hasItems = false
    /// Where the bytes written so far go once there are `spillSize` of them (a file written
    /// as it is encoded, not held whole); nil: they stay in `bytes`.
    private let spill: ((UnsafeRawBufferPointer) -> Void)?
    private let spillSize: Int

    init(indented: Bool = false, capacity: Int = 256) {
        self.indented = indented
        bytes.reserveCapacity(capacity)
        spill = nil
        spillSize = .max
    }

    /// A writer that hands its bytes to `spill` every `chunk` bytes or so, instead of holding
    /// them all; `finish()` hands over the rest.
    init(indented: Bool, spillingEvery chunk: Int, to spill: @escaping (UnsafeRawBufferPointer) -> Void) {
        self.indented = indented
        bytes.reserveCapacity(chunk + 4096)
        self.spill = spill
        spillSize = chunk
    }

    /// Hands the bytes not handed over yet to the spill.
    mutating func finish() {
        guard let spill, !bytes.isEmpty else { return }
        bytes.withUnsafeBytes(spill)
        bytes.removeAll(keepingCapacity: true)
    }

    /// Ends a line of NDJSON (after the top-level value).
    mutating func endLine() { bytes.append(0x0A) }

    // MARK: Containers

    mutating func object(_ body: (inout JSONWriter) -> Void) {
        container(open: UInt8(ascii: "{"), close: UInt8(ascii: "}"), body)
    }

    mutating func array(_ body: (inout JSONWriter) -> Void) {
        container(open: UInt8(ascii: "["), close: UInt8(ascii: "]"), body)
    }

    /// In an object: the next field's name (then write its value).
    mutating func key(_ name: String) {
        element()
        string(name)
        if indented { bytes.append(UInt8(ascii: " ")) }
        bytes.append(UInt8(ascii: ":"))
        if indented { bytes.append(UInt8(ascii: " ")) }
    }

    /// In an array: the place of the next item (then write it).
    mutating func element() {
        if bytes.count >= spillSize { finish() }
        if hasItems { bytes.append(UInt8(ascii: ",")) }
        hasItems = true
        newline()
    }

    private mutating func container(open: UInt8, close: UInt8, _ body: (inout JSONWriter) -> Void) {
        bytes.append(open)
        let outer = hasItems
        hasItems = false
        depth += 1
        body(&self)
        depth -= 1
        if hasItems { newline() }
        bytes.append(close)
        hasItems = outer
    }

    private mutating func newline() {
        guard indented else { return }
        bytes.append(0x0A)
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: depth * 2))
    }

    // MARK: Values

    mutating func string(_ text: String) { Self.writeString(text, to: &bytes) }
    mutating func number(_ value: Double) { Self.writeNumber(value, to: &bytes) }
    mutating func int(_ value: Int) { Self.writeInteger(Int64(value), to: &bytes) }
    mutating func bool(_ flag: Bool) { bytes.append(contentsOf: (flag ? "true" : "false").utf8) }
    /// Bytes that already are JSON.
    mutating func raw(_ json: [UInt8]) { bytes.append(contentsOf: json) }

    mutating func value(_ value: JSONValue) {
        switch value {
        case .null: bytes.append(contentsOf: "null".utf8)
        case .bool(let flag): bool(flag)
        case .number(let number): self.number(number)
        case .string(let text): string(text)
        case .array(let items):
            array { writer in
                for item in items {
                    writer.element()
                    writer.value(item)
                }
            }
        case .object(let fields):
            object { writer in
                for (name, item) in fields.sorted(by: { $0.key < $1.key }) {
                    writer.key(name)
                    writer.value(item)
                }
            }
        }
    }

    // MARK: Fields (nil leaves the field out, as JSONEncoder leaves out a nil optional)

    mutating func field(_ name: String, _ text: String?) {
        guard let text else { return }
        key(name)
        string(text)
    }

    mutating func field(_ name: String, _ number: Int?) {
        guard let number else { return }
        key(name)
        int(number)
    }

    mutating func field(_ name: String, _ number: Double?) {
        guard let number else { return }
        key(name)
        self.number(number)
    }

    mutating func field(_ name: String, _ flag: Bool) {
        key(name)
        bool(flag)
    }

    mutating func field(_ name: String, _ flag: Bool?) {
        guard let flag else { return }
        field(name, flag)
    }

    mutating func field(_ name: String, _ item: JSONValue?) {
        guard let item else { return }
        key(name)
        value(item)
    }

    mutating func field(_ name: String, _ texts: [String]) {
        field(name, each: texts) { $0.string($1) }
    }

    /// A field whose value is an array: `write` writes each of `items` in it.
    mutating func field<Items: Sequence>(_ name: String, each items: Items, _ write: (inout JSONWriter, Items.Element) -> Void) {
        key(name)
        array { writer in
            for item in items {
                writer.element()
                write(&writer, item)
            }
        }
    }

    // MARK: Scalars

    /// Shortest form that reads back as the same Double; whole numbers as JSONEncoder
    /// writes them ("15", not "15.0").
    static func writeNumber(_ number: Double, to out: inout [UInt8]) {
        guard number.isFinite else {
            out.append(contentsOf: "0".utf8)
            return
        }
        if number == number.rounded(), abs(number) < 1e15 {
            writeInteger(Int64(number), to: &out)
        } else if !writeMicros(number, to: &out) {
            out.append(contentsOf: number.description.utf8)
        }
    }

    /// Event times and durations are whole microseconds: such a number is written from its
    /// digits, which is what `description` gives for it (the shortest form that reads back
    /// as the same Double; between 1e-4 and 1e9, where it needs no exponent), without
    /// formatting a Double. False for any other number.
    private static func writeMicros(_ number: Double, to out: inout [UInt8]) -> Bool {
        let magnitude = abs(number)
        guard magnitude >= 1e-4, magnitude < 1e9 else { return false }
        let micros = (magnitude * 1e6).rounded()
        guard micros / 1e6 == magnitude else { return false }
        let whole = Int64(micros) / 1_000_000
        var fraction = Int64(micros) % 1_000_000
        if number < 0 { out.append(UInt8(ascii: "-")) }
        writeInteger(whole, to: &out)
        out.append(UInt8(ascii: "."))
        var digits = 6
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        writeInteger(fraction, to: &out, digits: digits)
        return true
    }

    /// A whole number's decimal digits, with leading zeros up to `digits` of them (what
    /// `String(value)` gives, without making a string: two a line of every recording).
    static func writeInteger(_ value: Int64, to out: inout [UInt8], digits: Int = 1) {
        precondition(digits <= 20, "an Int64 has at most 19 digits")
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        // At most 20 digits: filled from the end of a buffer on the stack.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in
            var start = 20
            repeat {
                start -= 1
                buffer[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0 || 20 - start < digits
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start...]))
        }
    }

    static func writeString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            // Most strings (ids, paths, statuses) need no escape: copied in one go.
            if !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
                out.append(contentsOf: utf8)
                return
            }
            for byte in utf8 {
                let escaped: UInt8
                switch byte {
                case UInt8(ascii: "\""): escaped = UInt8(ascii: "\"")
                case UInt8(ascii: "\\"): escaped = UInt8(ascii: "\\")
                case 0x0A: escaped = UInt8(ascii: "n")
                case 0x0D: escaped = UInt8(ascii: "r")
                case 0x09: escaped = UInt8(ascii: "t")
                case 0x08: escaped = UInt8(ascii: "b")
                case 0x0C: escaped = UInt8(ascii: "f")
                case 0..<0x20:
                    let hex: StaticString = "0123456789abcdef"
                    out.append(contentsOf: [92, UInt8(ascii: "u"), 48, 48, hex.utf8Start[Int(byte >> 4)], hex.utf8Start[Int(byte & 0xF)]])
                    continue
                default:
                    out.append(byte)
                    continue
                }
                out.append(92)
                out.append(escaped)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
