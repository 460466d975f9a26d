import Foundation
import MCP
import TuttiCore

/// Checks each JSON-RPC message before the MCP library sees it, and answers the ones that are
/// not valid requests with the error code JSON-RPC 2.0 names: -32700 for text that is not
/// JSON, -32600 for a message that is not a request (an empty object, an id that is neither a
/// string, an integer nor null), -32602 for a known method whose params do not fit it. The
/// reply carries the request's id when it has a valid one, null otherwise.
enum RequestScreen {
    /// What to do with one message.
    enum Verdict: Equatable {
        /// Hand it to the MCP library.
        case pass
        /// Answer it with this error instead.
        case reject(RPCError)
    }

    /// A JSON-RPC error reply.
    struct RPCError: Equatable {
        var id: JSONValue
        var code: Int
        var message: String

        /// The reply as one line of JSON, without its newline.
        var json: Data {
            let reply: JSONValue = .object([
                "jsonrpc": .string("2.0"), "id": id,
                "error": .object(["code": .number(Double(code)), "message": .string(message)]),
            ])
            return (try? JSONEncoder.sortedCompact.encode(reply)) ?? Data()
        }
    }

    /// The methods whose params are checked here: every request Tutti's server answers.
    private static let knownMethods: [String: @Sendable (Data) throws -> Void] = [
        Initialize.name: { _ = try JSONDecoder().decode(Request<Initialize>.self, from: $0) },
        ListTools.name: { _ = try JSONDecoder().decode(Request<ListTools>.self, from: $0) },
        CallTool.name: { _ = try JSONDecoder().decode(Request<CallTool>.self, from: $0) },
    ]

    static func verdict(on line: Data) -> Verdict {
        guard let message = JSONValue(json: line) else {
            return .reject(RPCError(id: .null, code: -32700, message: "Parse error: the message is not JSON"))
        }
        switch message {
        case .array(let items):
            // A batch: the library answers each item; only an empty one is refused here.
            return items.isEmpty ? .reject(RPCError(id: .null, code: -32600, message: "Invalid Request: an empty batch")) : .pass
        case .object(let fields):
            return verdict(on: fields, line: line)
        default:
            return .reject(RPCError(id: .null, code: -32600, message: "Invalid Request: a message is a JSON object"))
        }
    }

    private static func verdict(on fields: [String: JSONValue], line: Data) -> Verdict {
        let id = fields["id"]
        let validID: Bool = switch id {
        case nil, .null?, .string?: true
        case .number(let number)?: number == number.rounded() && abs(number) < 9e15
        default: false
        }
        func invalid(_ why: String) -> Verdict {
            .reject(RPCError(id: validID ? (id ?? .null) : .null, code: -32600, message: "Invalid Request: \(why)"))
        }
        guard fields["jsonrpc"] == .string("2.0") else { return invalid("\"jsonrpc\" must be \"2.0\"") }
        guard validID else { return invalid("\"id\" must be a string, an integer or null") }
        guard let method = fields["method"] else {
            // A response to something the server asked, which needs an id and a result or error.
            return id != nil && (fields["result"] != nil || fields["error"] != nil) ? .pass : invalid("it has no \"method\"")
        }
        guard case .string(let name) = method else { return invalid("\"method\" must be a string") }
        switch fields["params"] {
        case nil, .object?, .array?: break
        default: return .reject(RPCError(id: id ?? .null, code: -32602, message: "Invalid params: \"params\" must be an object"))
        }
        if id != nil, let check = knownMethods[name] {
            do {
                try check(line)
            } catch {
                return .reject(RPCError(id: id ?? .null, code: -32602, message: "Invalid params for \(name): \(describe(error))"))
            }
        }
        return .pass
    }

    /// A decoding error in words: which field, and what was wrong with it.
    private static func describe(_ error: Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, let context)?:
            return "\"\((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))\" is missing"
        case .typeMismatch(let type, let context)?, .valueNotFound(let type, let context)?:
            return "\"\(context.codingPath.map(\.stringValue).joined(separator: "."))\" must be \(type)"
        case .dataCorrupted(let context)?:
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription.lowercased() : "\"\(path)\": \(context.debugDescription)"
        default:
            return "\(error)"
        }
    }
}
