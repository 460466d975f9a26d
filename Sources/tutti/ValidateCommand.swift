import ArgumentParser
import TuttiCore

/// `tutti validate FILE...`: checks workflow files and reports every problem with its position.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check workflow files; exit 0 when all are valid, 2 otherwise."
    )

    @Argument(help: "Workflow files to check.")
    var files: [String]

    func run() throws {
        var invalid = 0
        for file in files {
            do {
                let workflow = try WorkflowLoader.load(path: file)
                let gates = workflow.tasks.reduce(0) { $0 + $1.gates.count }
                Console.out("\(file): valid (\(workflow.tasks.count) tasks, \(gates) quality gates)")
            } catch {
                invalid += 1
                Console.err(error.description)
                Console.err("\(file): \(error.diagnostics.count) error\(error.diagnostics.count == 1 ? "" : "s")")
            }
        }
        if invalid > 0 { throw ExitCode(ExitStatus.invalidInput) }
    }
}
