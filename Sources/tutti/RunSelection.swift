import ArgumentParser
import TuttiCore
import TuttiDashboard
import TuttiTerminal

/// The run a command is about: a reference and the folder of runs, with lookups that say
/// what went wrong and exit 2.
struct RunSelection: ParsableArguments {
    @Argument(help: ArgumentHelp("The run: an id, a run directory, an events file, or 'latest'.", valueName: "run"))
    var runReference: String = "latest"

    @Option(help: "Folder for run directories.")
    var runsDir = RunOptions.defaultRunsDirectory

    var locator: RunLocator { RunLocator(runsDirectory: runsDir) }

    /// The run's directory, or exit 2 naming the problem.
    func directory(for command: String) throws -> RunDirectory {
        do { return try locator.locate(runReference) } catch {
            Console.err("tutti \(command): \(error)")
            throw ExitCode(ExitStatus.invalidInput)
        }
    }

    /// The run's events file, or exit 2 naming the problem.
    func eventsFile(for command: String) throws -> String {
        do { return try locator.eventsFile(runReference) } catch {
            Console.err("tutti \(command): \(error)")
            throw ExitCode(ExitStatus.invalidInput)
        }
    }
}

extension RunCommand {
    /// `theme(named:)`, or exit 2 naming the problem.
    static func themeOrExit(named name: String?) throws -> Theme {
        do { return try theme(named: name) } catch {
            Console.err(error.description)
            throw ExitCode(ExitStatus.invalidInput)
        }
    }
}
