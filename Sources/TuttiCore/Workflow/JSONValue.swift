import Foundation

/// A JSON-shaped value: task parameters, agent metrics and report fields.
public enum JSONValue: Sendable, Hashable, Codable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Writes the value as the JSON it stands for.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            if value.isFinite, value == value.rounded(), abs(value) < 1e15 {
                try container.encode(Int64(value))
            } else {
                try container.encode(value)
            }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The value as a number, when it is one.
    public var number: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// The value as a string, when it is one.
    public var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The value as a boolean, when it is one.
    public var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// Short human text: numbers without needless decimals, strings bare.
    public var description: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .number(let value): return NumberFormat.compact(value)
        case .string(let value): return value
        case .array, .object:
            let data = (try? JSONEncoder.sortedCompact.encode(self)) ?? Data()
            return String(decoding: data, as: UTF8.self)
        }
    }
}

/// Formats numbers for people: integers without decimals, others with up to two.
public enum NumberFormat {
    /// "95" for 95.0, "96.4" for 96.4, "3.33" for 3.3333.
    public static func compact(_ value: Double) -> String {
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        var text = String(format: "%.2f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// `value` with `digits` decimals (trailing zeros dropped unless `keepZeros`), and more
    /// when fewer would make `value op threshold` read otherwise than it is: 2.4996 against
    /// `>= 2.5` is "2.4996", never "2.50".
    public static func distinguishing(_ value: Double, from threshold: Double, _ op: ComparisonOperator, digits: Int = 2,
                                      keepZeros: Bool = false) -> String {
        let holds = op.holds(value, threshold)
        for places in min(max(0, digits), 9)...9 {
            let text = fixed(value, places: places)
            if let shown = Double(text), op.holds(shown, threshold) == holds { return keepZeros ? text : trimmed(text) }
        }
        return "\(value)"
    }

    /// `value` with `places` decimals.
    public static func fixed(_ value: Double, places: Int) -> String { String(format: "%.\(places)f", value) }

    private static func trimmed(_ text: String) -> String {
        guard text.contains(".") else { return text }
        var text = text
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}

extension JSONEncoder {
    /// Compact output with sorted keys: stable, one line.
    public static var sortedCompact: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// Compact output with sorted keys and ISO-8601 dates: events files and the control socket.
    public static var events: JSONEncoder {
        let encoder = sortedCompact
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    /// Pretty output with sorted keys, for report files.
    public static var sortedPretty: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return encoder
    }

    /// Pretty output with sorted keys and ISO-8601 dates: reports and result files.
    public static var report: JSONEncoder {
        let encoder = sortedPretty
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}

extension JSONDecoder {
    /// Reads what `JSONEncoder.events` writes (ISO-8601 dates).
    public static var events: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
