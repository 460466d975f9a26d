import ArgumentParser
import Foundation
import TuttiCore
import TuttiDashboard

/// `--theme`: the dashboard's theme, declared once for `run`, `watch` and `replay`.
struct ThemeOption: ParsableArguments {
    @Option(help: "Dashboard theme: a name (dark, light, monochrome) or a path to a .theme file. Also TUTTI_THEME.")
    var theme: String?

    /// The theme asked for, or exit 2 naming the problem.
    func resolved() throws -> Theme {
        do { return try Self.theme(named: theme) } catch {
            Console.err(error.description)
            throw ExitCode(ExitStatus.invalidInput)
        }
    }

    /// The theme asked for with --theme or TUTTI_THEME (the dark default otherwise); NO_COLOR
    /// turns colours off whatever the theme.
    static func theme(named name: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(WorkflowLoadError) -> Theme {
        let noColor = environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        guard let name = name ?? environment["TUTTI_THEME"], !name.isEmpty else { return noColor ? .noColor : .dark }
        let executable = URL(fileURLWithPath: RunOptions.currentExecutable).deletingLastPathComponent()
        let installed: [String] = [executable.appendingPathComponent("themes").path,
                                   executable.deletingLastPathComponent().appendingPathComponent("share/tutti/themes").path]
        let directories = (environment["TUTTI_THEMES_DIR"].map { [$0] } ?? [])
            + [FileManager.default.currentDirectoryPath + "/themes"] + installed
        var theme = try Theme.load(name, searchDirectories: directories)
        if noColor { theme.monochrome = true }
        return theme
    }
}
