import ArgumentParser

/// The `tutti` command: run workflows in parallel and watch them.
@main
struct Tutti: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tutti",
        abstract: "Run a workflow's tasks in parallel and watch them live.",
        version: "0.1.0",
        subcommands: [RunCommand.self, ValidateCommand.self, AgentCommand.self],
        defaultSubcommand: RunCommand.self
    )
}
