import ArgumentParser
import Foundation
import TuttiAgents
import TuttiCore

/// `tutti agent NAME`: runs a built-in agent; the engine starts these as child processes.
struct AgentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Run a built-in agent (the engine starts these as task processes).",
        discussion: "Built-in agents: \(WorkflowLoader.builtInAgents.joined(separator: ", ")). "
            + "They speak the agent protocol on stdout (see README)."
    )

    @Argument(help: "The agent's name.")
    var name: String

    @Option(help: "The task's parameters as a JSON object.")
    var parameters: String = "{}"

    func run() throws {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(parameters.utf8)),
              case .object(let object) = value else {
            Console.err("tutti agent \(name): --parameters must be a JSON object")
            throw ExitCode(ExitStatus.invalidInput)
        }
        switch name {
        case "sim":
            let settings: SimAgentSettings
            do { settings = try SimAgentSettings(parameters: object) } catch {
                Console.err("tutti agent sim: \(error.description)")
                throw ExitCode(ExitStatus.invalidInput)
            }
            let attempt = Int(ProcessInfo.processInfo.environment["TUTTI_ATTEMPT"] ?? "") ?? 1
            let code = SimAgent(settings: settings, attempt: attempt).run(
                emit: Console.out, sleep: { seconds in if seconds > 0 { Thread.sleep(forTimeInterval: seconds) } })
            if code != 0 { throw ExitCode(code) }
        case "testing", "security", "architecture", "codegen":
            let context: AgentContext
            do { context = try AgentContext(parameters: object, agent: name) } catch {
                Console.err("tutti agent \(name): \(error.description)")
                throw ExitCode(ExitStatus.invalidInput)
            }
            switch name {
            case "testing":
                do { _ = try TestingAgent(context: context).run() } catch {
                    Console.err("tutti agent testing: \(error.description)")
                    throw ExitCode(ExitStatus.failure)
                }
            case "security": SecurityAgent(context: context).run()
            case "architecture": ArchitectureAgent(context: context).run()
            default: CodeGenAgent(context: context).run()
            }
        default:
            Console.err("tutti agent: '\(name)' is not a built-in agent in this version "
                        + "(available: \(WorkflowLoader.builtInAgents.joined(separator: ", "))); "
                        + "give the task a 'command' or 'agent: sim'")
            throw ExitCode(ExitStatus.invalidInput)
        }
    }
}
