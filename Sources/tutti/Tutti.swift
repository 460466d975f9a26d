import ArgumentParser
import Foundation
import TuttiCore

/// The `tutti` command: run workflows in parallel and watch them.
@main
struct Tutti: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tutti",
        abstract: "Run a workflow's tasks in parallel and watch them live.",
        version: "0.1.0",
        subcommands: [RunCommand.self, ResumeCommand.self, ServeCommand.self, WatchCommand.self, ReplayCommand.self, CtlCommand.self, RunsCommand.self, ReportCommand.self, MCPCommand.self, ValidateCommand.self, ExportCommand.self,
                      AgentCommand.self],
        defaultSubcommand: RunCommand.self
    )

    /// Parses and runs the command; a bad option or argument exits 2 (invalid input), like
    /// a bad workflow file, instead of the parser's usual 64.
    static func main() async {
        LargeBuffers.returnedToTheSystemWhenFreed()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                Console.err(fullMessage(for: error))
                Foundation.exit(ExitStatus.invalidInput)
            }
            exit(withError: error)
        }
    }
}
