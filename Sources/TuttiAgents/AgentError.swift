import Foundation

/// Why a built-in agent cannot do its work.
public enum AgentError: Error, Sendable, CustomStringConvertible {
    case badParameter(String)
    case cannotWrite(String, String)
    /// The tool the agent runs did not do its work (a test runner that ran no test).
    case toolFailed(String)

    public var description: String {
        switch self {
        case .badParameter(let why): return why
        case .cannotWrite(let path, let why): return "cannot write \(path): \(why)"
        case .toolFailed(let why): return why
        }
    }
}
