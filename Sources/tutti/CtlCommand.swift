import ArgumentParser
import Foundation
import TuttiCore

/// `tutti ctl RUN VERB [TASK]`: acts on a live run from another terminal or a script.
struct CtlCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ctl",
        abstract: "Pause, resume, hold, retry or cancel a live run or one of its tasks.",
        discussion: """
            pause [TASK]   stop the task (SIGSTOP); without TASK, the run:
                           nothing new starts and running tasks stop
            resume [TASK]  resume the task, or the run (after pause or hold)
            hold           running tasks go on, nothing new starts
            retry [TASK]   run a failed, timed-out or cancelled task again;
                           without TASK, every such task
            cancel [TASK]  SIGTERM, then SIGKILL, to the task or the run

            Exit codes: 0 done; 1 refused (the answer says why);
            2 invalid input; 3 the run's process has ended;
            4 permission denied (the run belongs to another user).
            """
    )

    @Argument(help: ArgumentHelp("The run: an id, a run directory, or 'latest'.", valueName: "run"))
    var runReference: String

    @Argument(help: "pause, resume, hold, retry or cancel.")
    var verb: String

    @Argument(help: "The task to act on (leave out to act on the run).")
    var task: String?

    @OptionGroup var runs: RunsFolderOption

    @Flag(help: "Print the answer as JSON.")
    var json = false

    func run() throws {
        guard let controlVerb = ControlVerb(rawValue: verb) else {
            Console.err("tutti ctl: unknown action '\(verb)'; use one of \(ControlVerb.allCases.map(\.rawValue).joined(separator: ", "))")
            throw ExitCode(ExitStatus.invalidInput)
        }
        let directory: RunDirectory
        do { directory = try runs.locator.locate(runReference) } catch {
            Console.err("tutti ctl: \(error)")
            throw ExitCode(ExitStatus.invalidInput)
        }
        let client = ControlClient(socketPath: directory.socketPath)
        let actor = "ctl (pid \(getpid()), \(ProcessInfo.processInfo.userName))"
        let result: ControlResult
        do { result = try client.perform(ControlAction(controlVerb, task: task), actor: actor) } catch {
            Console.err("tutti ctl: \(error)")
            if case .permissionDenied = error { throw ExitCode(ExitStatus.permissionDenied) }
            throw ExitCode(ExitStatus.runNotLive)
        }
        if json {
            Console.out(String(decoding: (try? JSONEncoder.sortedCompact.encode(result)) ?? Data(), as: UTF8.self))
        } else {
            Console.out(result.accepted ? result.message : "refused: \(result.message)")
        }
        if !result.accepted { throw ExitCode(ExitStatus.failure) }
    }
}
