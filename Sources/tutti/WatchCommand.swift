import ArgumentParser
import Foundation
import Synchronization
import TuttiCore
import TuttiDashboard
import TuttiTerminal

/// `tutti watch RUN`: attaches a dashboard to a run another process owns: its state so far,
/// then every event as it happens. Keys act on the run through its control socket.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Watch a run started elsewhere, live, in the dashboard (or as lines when not in a terminal).",
        discussion: "Exit codes: the run's own (0, 1, 130...) once it has finished; 2 invalid input; "
            + "3 its process ended before the run finished; 4 permission denied (the run belongs to another user)."
    )

    @OptionGroup var selection: RunSelection

    @Flag(help: "Print plain lines instead of the dashboard (the default when stdout is not a terminal).")
    var headless = false

    @OptionGroup var theme: ThemeOption

    func run() async throws {
        let directory = try selection.directory(for: "watch")
        let chosenTheme = try theme.resolved()
        do { try ControlClient(socketPath: directory.socketPath).reach() } catch {
            if case .permissionDenied = error {
                Console.err("tutti watch: \(error)")
                throw ExitCode(ExitStatus.permissionDenied)
            }
        }
        let source = WatchedRun(directory: directory)
        let ending: WatchedRun.Ending
        if !headless, RunCommand.terminalCanShowDashboard() {
            let (watched, resumeAsked) = await watchWithDashboard(source, theme: chosenTheme)
            // A retry of a run whose process has ended goes on with it in this terminal: this
            // process becomes `tutti resume` (a fresh one, as the terminal library is set up once).
            if resumeAsked {
                let arguments = ["tutti", "resume", directory.path] + (theme.theme.map { ["--theme", $0] } ?? [])
                var argv = arguments.map { strdup($0) } + [nil]
                execv(RunOptions.currentExecutable, &argv)
                Console.err("tutti watch: cannot start tutti resume: \(String(cString: strerror(errno)))")
                throw ExitCode(ExitStatus.invalidInput)
            }
            ending = watched
        } else {
            ending = await watchAsLines(source)
        }
        switch ending {
        case .finished(let report): if report.exitCode != 0 { throw ExitCode(report.exitCode) }
        case .lost: throw ExitCode(ExitStatus.runNotLive)
        case .denied: throw ExitCode(ExitStatus.permissionDenied)
        case .left: break
        }
    }

    func watchAsLines(_ source: WatchedRun) async -> WatchedRun.Ending {
        let printer = HeadlessPrinter(write: Console.out)
        let ending = await source.follow(event: { printer.handle($0) }, notice: { Console.out($0) })
        if case .finished(let report) = ending {
            for line in SummaryFormatter.lines(for: report) { Console.out(line) }
        }
        Console.out("Run directory: \(source.directory.path)")
        return ending
    }

    /// Shows the run until it ends or the person leaves; also says whether they asked to
    /// retry a run whose process has ended, which `tutti resume` then goes on with.
    func watchWithDashboard(_ source: WatchedRun, theme: Theme) async -> (WatchedRun.Ending, resumeAsked: Bool) {
        let glyphs: DashboardGlyphs = DashboardApp.localeIsUTF8() ? .unicode : .ascii
        let header = RecordingHeader.read(path: source.directory.eventsPath)
        let history = header.map {
            DurationHistory.load(runsDirectory: (source.directory.path as NSString).deletingLastPathComponent, workflow: $0.workflow,
                                 excluding: $0.runID)
        } ?? DurationHistory()
        let app = DashboardApp(glyphs: glyphs, theme: theme, watching: true, history: history)
        let following = Task.detached {
            await source.follow(event: { app.post($0) }, notice: { app.post(notice: $0, role: .failed) })
        }
        // The run is not ours: a signal only makes the watcher leave.
        let signals = SignalForwarder { _ in app.leave() }
        let actor = "watch (pid \(getpid()))"
        let client = ControlClient(socketPath: source.directory.socketPath)
        // Actions go through the run's socket, off the screen's thread; the answer comes back
        // as an event, a failure to reach the run as a notice.
        let resumeAsked = Mutex(false)
        let eventsPath = source.directory.eventsPath
        let send: @Sendable (ControlAction) -> Void = { action in
            if action.verb == .retry, !EventRecorder.isBeingRecorded(eventsPath) {
                resumeAsked.withLock { $0 = true }
                app.leave()
                return
            }
            DispatchQueue.global().async {
                do { _ = try client.perform(action, actor: actor) } catch { app.post(notice: "\(error)", role: .failed) }
            }
        }
        await app.show(clock: { source.clock() }, stopRun: { send(ControlAction(.cancel)) }, perform: send)
        signals.stop()
        // Left while the run goes on: stop following it.
        source.stop()
        let ending = await following.value
        let resume = resumeAsked.withLock { $0 }
        if case .finished(let report) = ending, !resume {
            for line in SummaryFormatter.lines(for: report) { Console.out(line) }
        }
        return (ending, resume)
    }
}
