import ArgumentParser
import TuttiCore

/// `--runs-dir`: the folder of run directories, declared once for every command that needs it.
struct RunsFolderOption: ParsableArguments {
    @Option(help: "Folder for run directories.")
    var runsDir = RunOptions.defaultRunsDirectory

    /// Finds runs in the folder.
    var locator: RunLocator { RunLocator(runsDirectory: runsDir) }
}
