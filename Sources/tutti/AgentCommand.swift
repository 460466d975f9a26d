import ArgumentParser
import Foundation
import TuttiAgents
import TuttiCore

/// `tutti agent NAME`: runs a built-in agent; the engine starts these as child processes.
struct AgentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Run a built-in agent (the engine starts these as task processes).",
        discussion: "Built-in agents: " + BuiltInAgents.all.map { "\($0.name) (\($0.summary))" }.joined(separator: "; ")
            + ". They speak the agent protocol on stdout (see README)."
    )

    @Argument(help: "The agent's name.")
    var name: String

    @Option(help: "The task's parameters as a JSON object.")
    var parameters: String = "{}"

    func run() throws {
        guard let value = JSONValue(json: Data(parameters.utf8)),
              case .object(let object) = value else {
            Console.err("tutti agent \(name): --parameters must be a JSON object")
            throw ExitCode(ExitStatus.invalidInput)
        }
        let code = AgentRunner.run(name, parameters: object, report: Console.err)
        if code != 0 { throw ExitCode(code) }
    }
}
