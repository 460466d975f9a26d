/// The agents built into the `tutti` binary: the one list that workflows (`agent:` and the
/// original template's `agent_type:`), `tutti agent` and its help read.
public enum BuiltInAgents {
    /// A built-in agent: the name a workflow gives, the seed's agent type, and what it does.
    public struct Agent: Sendable, Hashable {
        public let name: String
        /// The original template's name for it ("TestingAgent"), when it has one.
        public let agentType: String?
        public let summary: String
    }

    public static let all: [Agent] = [
        Agent(name: "testing", agentType: "TestingAgent", summary: "runs the project's tests and measures their coverage"),
        Agent(name: "security", agentType: "SecurityAgent", summary: "scans for secrets and dangerous code"),
        Agent(name: "architecture", agentType: "ArchitectureAgent", summary: "reviews imports, cycles, large files and documented API"),
        Agent(name: "codegen", agentType: "CodeGenAgent", summary: "writes the pattern library of reusable building blocks"),
        Agent(name: "sim", agentType: nil, summary: "simulates work, for demos and tests"),
    ]

    /// Every built-in agent's name.
    public static var names: [String] { all.map(\.name) }

    /// The agent with this name.
    public static func named(_ name: String) -> Agent? { all.first { $0.name == name } }

    /// The agent a template's `agent_type` names: "TestingAgent" → testing, "CodeGenAgent" →
    /// codegen (an unknown type gives the name a workflow would, for its error).
    public static func name(forAgentType agentType: String) -> String {
        if let known = all.first(where: { $0.agentType == agentType }) { return known.name }
        var name = agentType
        if name.hasSuffix("Agent") { name.removeLast("Agent".count) }
        return name.lowercased()
    }
}
