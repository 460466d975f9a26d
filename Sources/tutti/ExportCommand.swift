import ArgumentParser
import Foundation
import TuttiCore

/// `tutti export FILE --conductor`: a workflow as Conductor's WorkflowDef (and TaskDefs), for
/// a Conductor server or for `tutti run def.json`.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a workflow as a Conductor workflow definition (JSON).",
        discussion: "Independent tasks go in FORK_JOIN branches with a JOIN; each task's retries and timeout go in its task definition "
            + "(inline, and with --task-defs as the array POST /api/metadata/taskdefs takes); Tutti's own settings travel in "
            + "inputParameters and inputTemplate.tutti, so `tutti run` of the export runs the same workflow. What Conductor "
            + "cannot express is said on stderr."
    )

    @Argument(help: "The workflow file to export.")
    var file: String

    @Flag(help: "Write Conductor's JSON (the one format export writes).")
    var conductor = false

    @Option(name: [.short, .long], help: "Where to write the workflow definition (default: standard output).")
    var output: String?

    @Option(help: "Also write the task definitions (a JSON array) to this file.")
    var taskDefs: String?

    @Option(help: "The ownerEmail Conductor servers require on definitions.")
    var ownerEmail = "tutti@example.com"

    func run() throws {
        guard conductor else {
            Console.err("tutti export: say which format to write: --conductor (Conductor's WorkflowDef JSON)")
            throw ExitCode(ExitStatus.invalidInput)
        }
        let workflow: Workflow
        do { workflow = try WorkflowLoader.load(path: file) } catch {
            Console.err(error.description)
            throw ExitCode(ExitStatus.invalidInput)
        }
        let export = ConductorExport(workflow, ownerEmail: ownerEmail)
        try write(export.workflowDefinition, to: output)
        if let taskDefs { try write(.array(export.taskDefinitions), to: taskDefs) }
        for note in export.notes { Console.err("note: \(note)") }
    }

    private func write(_ value: JSONValue, to path: String?) throws {
        var data = try JSONEncoder.sortedPretty.encode(value)
        data.append(0x0A)
        guard let path else {
            FileHandle.standardOutput.write(data)
            return
        }
        do { try data.write(to: URL(fileURLWithPath: path)) } catch {
            Console.err("tutti export: cannot write \(path): \(error.localizedDescription)")
            throw ExitCode(ExitStatus.invalidInput)
        }
    }
}
