import ArgumentParser
import TuttiCore
import TuttiDashboard
import TuttiTerminal

/// The run a command is about: a reference and the folder of runs, with lookups that say
/// what went wrong and exit 2.
struct RunSelection: ParsableArguments {
    @Argument(help: ArgumentHelp("The run: an id, a run directory, an events file, or 'latest'.", valueName: "run"))
    var runReference: String = "latest"

    @OptionGroup var runs: RunsFolderOption

    var locator: RunLocator { runs.locator }

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

