import Foundation
import Yams

/// Collects diagnostics while a workflow file is read, with positions from the YAML nodes.
final class DiagnosticCollector {
    let file: String
    private(set) var diagnostics: [Diagnostic] = []

    init(file: String) { self.file = file }

    func location(_ node: Node?) -> SourceLocation {
        guard let mark = node?.mark else { return SourceLocation(file: file, line: 1, column: 1) }
        return SourceLocation(file: file, line: mark.line, column: mark.column)
    }

    func error(_ message: String, at node: Node?, hint: String? = nil) {
        diagnostics.append(Diagnostic(message, at: location(node), hint: hint))
    }

    func error(_ message: String, at location: SourceLocation, hint: String? = nil) {
        diagnostics.append(Diagnostic(message, at: location, hint: hint))
    }

    /// The problems in the order of the file.
    var sorted: [Diagnostic] {
        diagnostics.sorted { ($0.location.line, $0.location.column) < ($1.location.line, $1.location.column) }
    }
}

/// Reads one YAML mapping: checks its keys against the allowed ones and converts values,
/// reporting every problem to the collector instead of stopping at the first.
struct MappingReader {
    let node: Node
    /// The keys in the file's order, with their nodes and values at the same positions (kept
    /// apart: a search through the keys then copies no node).
    let keys: [String]
    let keyNodes: [Node]
    let values: [Node]
    let section: String
    let diagnostics: DiagnosticCollector

    /// What a key that is not allowed means.
    enum UnknownKeys {
        /// A mistake: reported, with the closest allowed key.
        case refused
        /// Another program's field (Conductor's JSON carries many): passed over, unless it is
        /// a near miss of an allowed key, which is reported as a likely typo.
        case ignoredUnlessNearMiss
    }

    /// Nil (after reporting an error) when `node` is not a mapping. With `namedBy`, a key
    /// whose value names the section (`task_id` makes "task 7"; `section` when it is missing).
    init?(_ node: Node, section: String, allowed: [String], diagnostics: DiagnosticCollector, unknownKeys: UnknownKeys = .refused,
          namedBy naming: (key: String, prefix: String)? = nil) {
        guard case .mapping(let mapping) = node else {
            diagnostics.error("\(section) must be a mapping of keys to values", at: node)
            return nil
        }
        var keys: [String] = []
        var keyNodes: [Node] = []
        var values: [Node] = []
        keys.reserveCapacity(mapping.count)
        keyNodes.reserveCapacity(mapping.count)
        values.reserveCapacity(mapping.count)
        for (keyNode, value) in mapping {
            keys.append(keyNode.string ?? "\(keyNode.any)")
            keyNodes.append(keyNode)
            values.append(value)
        }
        var section = section
        if let naming, let index = keys.firstIndex(of: naming.key), let name = values[index].identifier {
            section = "\(naming.prefix) \(name)"
        }
        self.node = node
        self.keys = keys
        self.keyNodes = keyNodes
        self.values = values
        self.section = section
        self.diagnostics = diagnostics
        for (position, key) in keys.enumerated() {
            // Composing already refuses keys written twice; what is left is the same text
            // under two tags (`!!int 1` and `1`), which reads as one key here.
            if keys[..<position].contains(key) { diagnostics.error("duplicate key '\(key)' in \(section)", at: keyNodes[position]) }
            guard !allowed.contains(key) else { continue }
            if unknownKeys == .ignoredUnlessNearMiss {
                if let near = Suggestion.closest(to: key, in: allowed) {
                    diagnostics.error("unknown key '\(key)' in \(section)", at: keyNodes[position], hint: "did you mean '\(near)'?")
                }
                continue
            }
            let hint = Suggestion.closest(to: key, in: allowed).map { "did you mean '\($0)'?" }
                ?? "allowed keys: \(allowed.joined(separator: ", "))"
            diagnostics.error("unknown key '\(key)' in \(section)", at: keyNodes[position], hint: hint)
        }
    }

    subscript(_ key: String) -> Node? { keys.firstIndex(of: key).map { values[$0] } }

    func keyNode(_ key: String) -> Node? { keys.firstIndex(of: key).map { keyNodes[$0] } }

    /// The value of a key that must be present.
    func required(_ key: String) -> Node? {
        if let value = self[key], value.null == nil { return value }
        diagnostics.error("missing required key '\(key)' in \(section)", at: node,
                          hint: "add '\(key):' to \(section)")
        return nil
    }

    func string(_ key: String) -> String? {
        guard let value = self[key] else { return nil }
        guard value.scalar != nil, value.null == nil else {
            diagnostics.error("'\(key)' in \(section) must be a single value", at: value)
            return nil
        }
        return value.string
    }

    func bool(_ key: String) -> Bool? {
        guard let value = self[key] else { return nil }
        guard let flag = value.bool else {
            diagnostics.error("'\(key)' in \(section) must be true or false", at: value)
            return nil
        }
        return flag
    }

    func number(_ key: String) -> Double? {
        guard let value = self[key] else { return nil }
        guard value.scalar != nil, let number = value.float ?? value.int.map(Double.init), number.isFinite else {
            diagnostics.error("'\(key)' in \(section) must be a number", at: value)
            return nil
        }
        return number
    }

    func positiveNumber(_ key: String) -> Double? {
        guard let number = number(key) else { return nil }
        guard number > 0 else {
            diagnostics.error("'\(key)' in \(section) must be greater than 0, got \(NumberFormat.compact(number))",
                              at: self[key])
            return nil
        }
        return number
    }

    /// A number of seconds: greater than 0 and at most a year.
    func seconds(_ key: String) -> Double? {
        guard let number = positiveNumber(key) else { return nil }
        guard number <= WorkflowLoader.maximumSeconds else {
            diagnostics.error("'\(key)' in \(section) is too large: at most \(Int(WorkflowLoader.maximumSeconds)) (a year)",
                              at: self[key])
            return nil
        }
        return number
    }

    func integer(_ key: String) -> Int? {
        guard let value = self[key] else { return nil }
        guard let number = value.int else {
            diagnostics.error("'\(key)' in \(section) must be a whole number", at: value)
            return nil
        }
        return number
    }

    /// An enum-valued key, with "did you mean" for a near miss.
    func choice<T: RawRepresentable & CaseIterable>(_ key: String, _ type: T.Type) -> T? where T.RawValue == String {
        guard let text = string(key) else { return nil }
        if let value = T(rawValue: text) { return value }
        let names = T.allCases.map(\.rawValue)
        let hint = Suggestion.closest(to: text, in: names).map { "did you mean '\($0)'?" }
            ?? "expected one of: \(names.joined(separator: ", "))"
        diagnostics.error("'\(text)' is not a valid \(key) in \(section)", at: self[key], hint: hint)
        return nil
    }

    func sequence(_ key: String) -> [Node]? {
        guard let value = self[key] else { return nil }
        if value.null != nil { return [] }
        guard let items = value.sequence else {
            diagnostics.error("'\(key)' in \(section) must be a list", at: value)
            return nil
        }
        return Array(items)
    }
}

extension Node {
    /// Converts a YAML node to a JSON-shaped value (for parameters and metrics): a scalar is
    /// null, a boolean, an integer or a float when YAML 1.1's rules (Yams's own resolver) read
    /// it so, else a string; a quoted one is a string; an explicit tag says. (Composing does
    /// not resolve types, for speed; only these values need them.)
    var jsonValue: JSONValue {
        switch self {
        case .scalar(let scalar):
            if scalar.style != .plain, scalar.tag.rawValue == Tag.Name.implicit.rawValue { return .string(scalar.string) }
            switch Self.valueTypes.resolveTag(of: self) {
            case .null: return .null
            case .bool: if let flag = bool { return .bool(flag) }
            case .int, .float:
                if let number = int.map(Double.init) ?? float, number.isFinite { return .number(number) }
            default: break
            }
            return .string(scalar.string)
        case .sequence(let items): return .array(items.map(\.jsonValue))
        case .mapping(let mapping):
            var object: [String: JSONValue] = [:]
            for (key, value) in mapping { object[key.string ?? "\(key.any)"] = value.jsonValue }
            return .object(object)
        case .alias: return .null
        }
    }

    /// YAML 1.1's value types as a workflow knows them: null, booleans, integers and floats.
    static let valueTypes = Resolver.default.removing(.timestamp).removing(.merge).removing(.value)

    /// A scalar as an identifier string (task ids may be numbers or names).
    var identifier: String? {
        guard case .scalar(let scalar) = self, !scalar.string.isEmpty, NSNull.construct(from: scalar) == nil else { return nil }
        return scalar.string
    }
}
