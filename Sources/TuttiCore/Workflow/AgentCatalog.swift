/// Maps the seed's agent types (TestingAgent, SecurityAgent...) to built-in agent names.
public enum AgentCatalog {
    /// "TestingAgent" → "testing", "CodeGenAgent" → "codegen".
    public static func builtInName(forAgentType agentType: String) -> String {
        var name = agentType
        if name.hasSuffix("Agent") { name.removeLast("Agent".count) }
        return name.lowercased()
    }
}
