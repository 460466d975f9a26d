import ArgumentParser
import Dispatch
import Foundation
import TuttiCore
import TuttiDashboard
import TuttiTerminal

/// `tutti run FILE`: runs a workflow and reports it.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a workflow's tasks in parallel.",
        discussion: "Exit codes: 0 everything passed; 1 a task, gate or success criterion failed; "
            + "2 invalid input; 5 the run's files could not all be written (a full disk: no verdict is claimed); 130 interrupted."
    )

    @Argument(help: "The workflow file: Tutti YAML, or a Conductor workflow definition (.json) (default: the quality report — workflows/template-03-parallel-execution.yaml, or its built-in copy — on the current folder).")
    var file: String?

    @Flag(help: "Print plain progress lines instead of the dashboard (the default when stdout is not a terminal).")
    var headless = false

    @Flag(help: "Print the final report as JSON on stdout (progress lines go to stderr).")
    var json = false

    @Option(name: .customLong("parallel"), help: "Run at most N tasks at once (overrides parallelization_factor).")
    var parallelism: Int?

    @Flag(help: "Run one task at a time.")
    var sequential = false

    @Flag(help: "Stop the run at the first task that fails.")
    var failFast = false

    @Option(help: "Where the tasks run: local (processes on this machine) or slurm (jobs on a Slurm cluster); overrides execution.executor.")
    var executor: Executor?

    @Option(help: "Run only these task ids or groups (comma-separated, or the option given again; a group stands for its tasks).")
    var tasks: [String] = []

    @OptionGroup var runs: RunsFolderOption

    @Option(help: "Seconds between SIGTERM and SIGKILL when a task is stopped.")
    var killGrace: Double = 5

    @OptionGroup var theme: ThemeOption

    @Flag(help: ArgumentHelp("Also write the original template's files in the current folder: .conductor/task-results/task-<id>.json "
                             + "and test-results/<workflow>-results.json (or set execution.conductor_files: true in the workflow)."))
    var conductorFiles = false

    func run() async throws {
        let workflow: Workflow
        do { workflow = try Self.workflow(file) } catch {
            Console.err(error.description)
            throw ExitCode(ExitStatus.invalidInput)
        }
        if let parallelism, parallelism < 1 {
            Console.err("tutti run: --parallel must be at least 1")
            throw ExitCode(ExitStatus.invalidInput)
        }
        guard killGrace.isFinite, killGrace >= 0, killGrace <= 3600 else {
            Console.err("tutti run: --kill-grace must be from 0 to 3600 seconds")
            throw ExitCode(ExitStatus.invalidInput)
        }
        let withDashboard = !headless && !json && Self.terminalCanShowDashboard()
        var options = RunOptions(
            runsDirectory: runs.runsDir, parallelism: parallelism, failFast: failFast ? true : nil, sequential: sequential,
            taskFilter: tasks.isEmpty ? nil
                : tasks.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }.filter { !$0.isEmpty },
            killGrace: killGrace,
            compatibilityOutputDirectory: conductorFiles || workflow.execution.conductorFiles ? FileManager.default.currentDirectoryPath : nil)
        // The dashboard keeps a finished run open, so a failed task can still be retried.
        options.staysOpen = withDashboard
        options.executor = executor
        let chosenTheme = try theme.resolved()
        let engine: RunEngine
        do { engine = try RunEngine(workflow: workflow, options: options) } catch {
            Console.err("tutti run: \(error)")
            // A run that cannot even start its recording does not start: nothing would show it.
            if case RunFileError.cannotWrite = error { throw ExitCode(ExitStatus.notRecorded) }
            throw ExitCode(ExitStatus.invalidInput)
        }
        try await Self.drive(engine, command: "run", headless: headless, json: json, withDashboard: withDashboard, theme: chosenTheme)
    }
}

extension Executor: ExpressibleByArgument {}

extension RunCommand {
    /// Runs `engine` to its end with the dashboard or headless lines, serving `tutti ctl` and
    /// `tutti watch`; prints the summary and exits with the report's code.
    static func drive(_ engine: RunEngine, command: String, headless: Bool, json: Bool, withDashboard: Bool, theme chosenTheme: Theme) async throws {
        let workflow = engine.workflow
        if let note = engine.parallelismNote { Console.err("tutti \(command): \(note)") }

        let control: ControlServer?
        do {
            control = try ControlServer(engine: engine)
            control?.start()
        } catch {
            control = nil
            Console.err("tutti \(command): warning: \(error); `tutti ctl` and `tutti watch` will not reach this run")
        }
        defer { control?.stop() }

        if withDashboard {
            try await runWithDashboard(engine, theme: chosenTheme)
            return
        }
        let write: @Sendable (String) -> Void = json ? Console.err : Console.out
        let printer = HeadlessPrinter(write: write)
        let events = engine.bus.subscribe()
        let signals = SignalForwarder { signal in
            engine.interrupt(reason: "interrupted by \(signal)", actor: signal)
        }
        let printing = Task.detached { await printer.consume(events) }
        let interval = workflow.polling.intervalSeconds
        let ticker = Task.detached {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(interval))
                if Task.isCancelled { break }
                printer.tick(elapsed: engine.bus.elapsed)
            }
        }
        let report = await engine.run()
        ticker.cancel()
        await printing.value
        signals.stop()

        if json {
            Console.out(String(decoding: report.jsonBytes().dropLast(), as: UTF8.self))
        }
        for line in SummaryFormatter.lines(for: report) { write(line) }
        write("Run directory: \(engine.directory.path)")
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }

    /// The workflow in `file`; without one, the quality report: the repository's own copy of
    /// template 3 if it has one, else the one built into tutti.
    static func workflow(_ file: String?) throws(WorkflowLoadError) -> Workflow {
        if let file { return try WorkflowLoader.load(path: file) }
        let local = "workflows/\(BuiltInWorkflows.qualityReportName)"
        if FileManager.default.fileExists(atPath: local) { return try WorkflowLoader.load(path: local) }
        return try BuiltInWorkflows.qualityReportWorkflow()
    }

    /// Whether stdin and stdout are a terminal that can draw the dashboard.
    static func terminalCanShowDashboard(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        let term = environment["TERM"] ?? ""
        return isatty(STDOUT_FILENO) == 1 && isatty(STDIN_FILENO) == 1 && !term.isEmpty && term != "dumb"
            && DashboardApp.terminalIsSupported
    }

    /// Runs with the live dashboard; when the user leaves it, prints the summary below.
    static func runWithDashboard(_ engine: RunEngine, theme: Theme) async throws {
        let glyphs: DashboardGlyphs = DashboardApp.localeIsUTF8() ? .unicode : .ascii
        // Earlier runs of the workflow tell how long a task that reports no progress will take.
        let history = DurationHistory.load(runsDirectory: (engine.directory.path as NSString).deletingLastPathComponent,
                                           workflow: engine.workflow.name, excluding: engine.runID)
        let app = DashboardApp(glyphs: glyphs, theme: theme, history: history)
        if let note = engine.parallelismNote { app.post(notice: note, role: .failed) }
        for event in engine.history { app.post(event) }
        let events = engine.bus.subscribe()
        let feeding = Task.detached { for await event in events { app.post(event) } }
        let signals = SignalForwarder { signal in
            engine.interrupt(reason: "interrupted by \(signal)", actor: signal)
            app.exitWhenDone()
        }
        let bus = engine.bus
        let running = Task.detached { await engine.run() }
        await app.show(clock: { bus.elapsed }, stopRun: { engine.interrupt(reason: "stopped from the dashboard", actor: "dashboard") },
                       perform: { engine.perform($0, actor: "dashboard") })
        // The person has left the dashboard: the run ends (it has, unless the terminal went away).
        engine.interrupt(reason: "the dashboard was closed")
        engine.close()
        let report = await running.value
        await feeding.value
        signals.stop()
        for line in SummaryFormatter.lines(for: report) { Console.out(line) }
        Console.out("Run directory: \(engine.directory.path)")
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }
}
