import Foundation
import TuttiCore

/// Runs a built-in agent by its name (`BuiltInAgents`): what `tutti agent NAME` does when the
/// engine starts it as a task's process.
public enum AgentRunner {
    /// Runs the agent `name` on `parameters`, its protocol lines on stdout; an error goes to
    /// `report`. Returns the exit status: 0, 1 when the agent could not do its work, 2 for
    /// bad parameters or an unknown name.
    public static func run(_ name: String, parameters: [String: JSONValue], report: (String) -> Void) -> Int32 {
        guard BuiltInAgents.named(name) != nil else {
            report("tutti agent: '\(name)' is not a built-in agent (available: \(BuiltInAgents.names.joined(separator: ", "))); "
                   + "give the task a 'command' or 'agent: sim'")
            return ExitStatus.invalidInput
        }
        if name == "sim" {
            let settings: SimAgentSettings
            do { settings = try SimAgentSettings(parameters: parameters) } catch {
                report("tutti agent sim: \(error.description)")
                return ExitStatus.invalidInput
            }
            let attempt = Int(ProcessInfo.processInfo.environment["TUTTI_ATTEMPT"] ?? "") ?? 1
            return SimAgent(settings: settings, attempt: attempt).run(
                emit: { FileIO.writeAll(STDOUT_FILENO, Array(($0 + "\n").utf8)) },
                sleep: { seconds in if seconds > 0 { Thread.sleep(forTimeInterval: seconds) } })
        }
        let context: AgentContext
        do { context = try AgentContext(parameters: parameters, agent: name) } catch {
            report("tutti agent \(name): \(error.description)")
            return ExitStatus.invalidInput
        }
        do {
            switch name {
            case "testing": _ = try TestingAgent(context: context).run()
            case "security": SecurityAgent(context: context).run()
            case "architecture": ArchitectureAgent(context: context).run()
            default: CodeGenAgent(context: context).run()
            }
        } catch {
            report("tutti agent \(name): \(error.description)")
            return ExitStatus.failure
        }
        return ExitStatus.success
    }
}
