import ArgumentParser
import Foundation
import TuttiCore
import TuttiDashboard

/// `tutti resume RUN`: goes on with a run whose process ended before the run did (killed,
/// out of memory, the machine rebooted), or that ended failed, cancelled or interrupted.
struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Go on with an interrupted run, in the same recording.",
        discussion: "Tasks that succeeded stay done, with their results and gates; every other task runs again, after the "
            + "tasks it depends on, and keeps its earlier attempts in the run's history. Attempts the old process left running "
            + "end as cancelled at its last recorded moment: the timeline shows the gap. The report covers the whole run. "
            + "Run it from the folder the run was started in. Exit codes as for run; 2 when the run cannot be resumed "
            + "(it is still running, it passed, or its workflow is gone)."
    )

    @OptionGroup var selection: RunSelection

    @Flag(help: "Print plain progress lines instead of the dashboard (the default when stdout is not a terminal).")
    var headless = false

    @Flag(help: "Print the final report as JSON on stdout (progress lines go to stderr).")
    var json = false

    @Option(name: .customLong("parallel"), help: "Run at most N tasks at once (default: as the run did).")
    var parallelism: Int?

    @Option(help: "Seconds between SIGTERM and SIGKILL when a task is stopped.")
    var killGrace: Double = 5

    @OptionGroup var theme: ThemeOption

    func run() async throws {
        if let parallelism, parallelism < 1 {
            Console.err("tutti resume: --parallel must be at least 1")
            throw ExitCode(ExitStatus.invalidInput)
        }
        try await Self.resume(try selection.directory(for: "resume"), headless: headless, json: json, parallelism: parallelism,
                              killGrace: killGrace, theme: try theme.resolved())
    }

    /// Goes on with the run in `directory` in this process, shown as `tutti run` shows a run;
    /// exits with its code (2 when it cannot be resumed).
    static func resume(_ directory: RunDirectory, headless: Bool, json: Bool = false, parallelism: Int? = nil,
                       killGrace: Double = 5, theme: Theme) async throws {
        let withDashboard = !headless && !json && RunCommand.terminalCanShowDashboard()
        var options = RunOptions(parallelism: parallelism, killGrace: killGrace)
        options.staysOpen = withDashboard
        let resumed: ResumedRun
        do { resumed = try ResumedRun(directory, options: options) } catch {
            Console.err("tutti resume: \(error)")
            if case RunFileError.cannotWrite = error { throw ExitCode(ExitStatus.notRecorded) }
            throw ExitCode(ExitStatus.invalidInput)
        }
        let (engine, point, ended) = (resumed.engine, resumed.point, resumed.endedGroups)
        if !ended.isEmpty {
            Console.err("tutti resume: ended \(ended.count) process group\(ended.count == 1 ? "" : "s") the interrupted run left running")
        }
        if !json {
            Console.err("tutti resume: \(point.kept.count) task\(point.kept.count == 1 ? "" : "s") kept, "
                        + "\(point.rerun.count) to run again: \(point.rerun.joined(separator: ", ").escapingControls)")
        }
        try await RunCommand.drive(engine, command: "resume", headless: headless, json: json, withDashboard: withDashboard, theme: theme)
    }
}
