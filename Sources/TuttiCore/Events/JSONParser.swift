import Foundation

/// A strict JSON parser over bytes, into `JSONValue`: the whole input must be one value,
/// nested at most `maximumDepth` deep (deeper input is refused, not a stack overflow).
struct JSONParser {
    /// The deepest nesting of arrays and objects read; Foundation's decoder stops at 512 too.
    static let maximumDepth = 512

    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    private var depth = 0
    /// Whether reading stopped because the input nests deeper than `maximumDepth`.
    private(set) var exceededDepth = false

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    mutating func parseDocument() -> JSONValue? {
        guard let value = parseValue() else { return nil }
        skipSpace()
        return index == bytes.count ? value : nil
    }

    mutating func skipSpace() {
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D else { return }
            index += 1
        }
    }

    mutating func parseValue() -> JSONValue? {
        skipSpace()
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "{"): return parseObject()
        case UInt8(ascii: "["): return parseArray()
        case UInt8(ascii: "\""): return parseString().map(JSONValue.string)
        case UInt8(ascii: "t"): return literal("true", .bool(true))
        case UInt8(ascii: "f"): return literal("false", .bool(false))
        case UInt8(ascii: "n"): return literal("null", .null)
        default: return parseNumber().map(JSONValue.number)
        }
    }

    mutating func literal(_ word: StaticString, _ value: JSONValue) -> JSONValue? {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { return nil }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return nil }
        index += count
        return value
    }

    /// The document as one object's fields in the order written, without a dictionary: an
    /// event line has a handful of keys, and hashing them cost more than finding them.
    mutating func parseFieldsDocument() -> JSONFields? {
        skipSpace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return nil }
        var fields = JSONFields()
        guard parseMembers({ fields.pairs.append(($0, $1)) }) else { return nil }
        skipSpace()
        return index == bytes.count ? fields : nil
    }

    mutating func parseObject() -> JSONValue? {
        var fields: [String: JSONValue] = [:]
        return parseMembers { fields[$0] = $1 } ? .object(fields) : nil
    }

    /// An object's members, from its `{` to its `}`, each handed to `add` in order; false
    /// when it is not one (or nests too deep).
    private mutating func parseMembers(_ add: (String, JSONValue) -> Void) -> Bool {
        guard depth < Self.maximumDepth else {
            exceededDepth = true
            return false
        }
        depth += 1
        defer { depth -= 1 }
        index += 1
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return true
        }
        while true {
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\""), let key = parseString() else { return false }
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return false }
            index += 1
            guard let value = parseValue() else { return false }
            add(key, value)
            skipSpace()
            guard index < bytes.count else { return false }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return true
            } else {
                return false
            }
        }
    }

    mutating func parseArray() -> JSONValue? {
        guard depth < Self.maximumDepth else {
            exceededDepth = true
            return nil
        }
        depth += 1
        defer { depth -= 1 }
        index += 1
        var items: [JSONValue] = []
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(items)
        }
        while true {
            guard let value = parseValue() else { return nil }
            items.append(value)
            skipSpace()
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(items)
            } else {
                return nil
            }
        }
    }

    mutating func parseString() -> String? {
        index += 1
        let start = index
        // The common case: no escapes, so the bytes are the string.
        while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\") {
            if bytes[index] < 0x20 { return nil }
            index += 1
        }
        guard index < bytes.count else { return nil }
        if bytes[index] == UInt8(ascii: "\"") {
            defer { index += 1 }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        }
        var out = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: out, as: UTF8.self)
            }
            if byte < 0x20 { return nil }
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                index += 1
                continue
            }
            guard index + 1 < bytes.count else { return nil }
            let escaped = bytes[index + 1]
            index += 2
            switch escaped {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escaped)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard var scalar = hex4() else { return nil }
                if (0xD800..<0xDC00).contains(scalar) {
                    // A surrogate pair: the low half must follow.
                    guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else { return nil }
                    index += 2
                    guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let unicode = Unicode.Scalar(scalar) else { return nil }
                out.append(contentsOf: Array(String(Character(unicode)).utf8))
            default: return nil
            }
        }
        return nil
    }

    mutating func hex4() -> UInt32? {
        guard index + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: return nil
            }
            value = value * 16 + digit
            index += 1
        }
        return value
    }

    /// `-?digits(.digits)?` with at most 15 digits and no exponent (every time and most
    /// numbers in a recording), read without a string: the digits as an integer and a power of
    /// ten are both exact as Doubles, so the one division rounds as strtod does (Clinger's fast
    /// path). Nil for anything else, which goes the long way.
    static func shortDecimal(_ text: UnsafeBufferPointer<UInt8>) -> Double? {
        var position = 0
        let negative = text.first == UInt8(ascii: "-")
        if negative { position = 1 }
        var mantissa: UInt64 = 0
        var digits = 0, fractionDigits = 0, integerDigits = 0
        var inFraction = false
        while position < text.count {
            let byte = text[position]
            if byte == UInt8(ascii: ".") {
                guard !inFraction, integerDigits > 0 else { return nil }
                inFraction = true
            } else if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                mantissa = mantissa * 10 + UInt64(byte - UInt8(ascii: "0"))
                digits += 1
                if inFraction { fractionDigits += 1 } else { integerDigits += 1 }
                guard digits <= 15 else { return nil }
            } else {
                return nil
            }
            position += 1
        }
        guard integerDigits > 0, !inFraction || fractionDigits > 0 else { return nil }
        let value = Double(mantissa) / Self.powersOfTen[fractionDigits]
        return negative ? -value : value
    }

    /// 10⁰ through 10¹⁵, each exact as a Double.
    private static let powersOfTen: [Double] = (0...15).map { exponent in (0..<exponent).reduce(1.0) { value, _ in value * 10 } }

    mutating func parseNumber() -> Double? {
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+")
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") else { break }
            index += 1
        }
        guard index > start else { return nil }
        if let exact = Self.shortDecimal(UnsafeBufferPointer(rebasing: bytes[start..<index])) { return exact }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let first = text.first, first == "-" || first.isNumber, let value = Double(text), value.isFinite else { return nil }
        return value
    }
}

extension JSONValue {
    /// Reads one JSON document from `bytes`; nil when it is not one (or nests deeper than
    /// `JSONParser.maximumDepth`).
    public init?(json bytes: some ContiguousBytes) {
        let value: JSONValue? = bytes.withUnsafeBytes { raw in
            var parser = JSONParser(bytes: raw.bindMemory(to: UInt8.self))
            return parser.parseDocument()
        }
        guard let value else { return nil }
        self = value
    }
}

extension JSONDecoder {
    /// Decodes as `decode` does, after checking with Tutti's own parser that `data` is JSON
    /// nested at most `JSONParser.maximumDepth` deep. Foundation's decoder traps — the process
    /// dies — instead of throwing on some input nested past its own limit (513 `[` and
    /// nothing after), and what Tutti decodes comes from other processes: agents, control
    /// clients, recordings.
    public func decodeChecked<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        guard JSONValue(json: data) != nil else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription:
                "not JSON, or nested more than \(JSONParser.maximumDepth) levels deep"))
        }
        return try decode(type, from: data)
    }
}

/// An object's fields in the order written; a key given twice means its last value, as in a
/// dictionary.
struct JSONFields {
    var pairs: [(key: String, value: JSONValue)] = []

    subscript(_ key: String) -> JSONValue? {
        for pair in pairs.reversed() where pair.key == key { return pair.value }
        return nil
    }
}
