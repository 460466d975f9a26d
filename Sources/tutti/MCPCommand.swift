import ArgumentParser
import Foundation
import TuttiCore
import TuttiMCP

/// `tutti mcp`: an MCP server on stdio, for AI assistants to start and follow runs.
struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve MCP over stdio: assistants start runs, poll their status, pause, retry or cancel them."
    )

    @Option(help: "Folder of workflow files the tools can start by name.")
    var workflowsDir = "workflows"

    @OptionGroup var runs: RunsFolderOption

    func run() async throws {
        try await ConductorServer.run(workflowsDirectory: workflowsDir, runsDirectory: runs.runsDir, log: Console.err)
    }
}
