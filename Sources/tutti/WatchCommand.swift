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
            + "3 its process ended before the run finished."
    )

    @OptionGroup var selection: RunSelection

    @Flag(help: "Print plain lines instead of the dashboard (the default when stdout is not a terminal).")
    var headless = false

    @Option(help: "Dashboard theme: a name (dark, light, monochrome) or a path to a .theme file. Also TUTTI_THEME.")
    var theme: String?

    func run() async throws {
        let directory = try selection.directory(for: "watch")
        let chosenTheme = try RunCommand.themeOrExit(named: theme)
        let source = WatchedRun(directory: directory)
        let ending: WatchedRun.Ending
        if !headless, RunCommand.terminalCanShowDashboard() {
            ending = await watchWithDashboard(source, theme: chosenTheme)
        } else {
            ending = await watchAsLines(source)
        }
        switch ending {
        case .finished(let report): if report.exitCode != 0 { throw ExitCode(report.exitCode) }
        case .lost: throw ExitCode(ExitStatus.runNotLive)
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

    func watchWithDashboard(_ source: WatchedRun, theme: Theme) async -> WatchedRun.Ending {
        let glyphs: DashboardGlyphs = DashboardApp.localeIsUTF8() ? .unicode : .ascii
        let app = DashboardApp(glyphs: glyphs, theme: theme, watching: true)
        let following = Task.detached {
            await source.follow(event: { app.post($0) }, notice: { app.post(notice: $0, role: .failed) })
        }
        // The run is not ours: a signal only makes the watcher leave.
        let signals = SignalForwarder { _ in app.leave() }
        let actor = "watch (pid \(getpid()))"
        let client = ControlClient(socketPath: source.directory.socketPath)
        // Actions go through the run's socket, off the screen's thread; the answer comes back
        // as an event, a failure to reach the run as a notice.
        let send: @Sendable (ControlAction) -> Void = { action in
            DispatchQueue.global().async {
                do { _ = try client.perform(action, actor: actor) } catch { app.post(notice: "\(error)", role: .failed) }
            }
        }
        await app.show(clock: { source.clock() }, stopRun: { send(ControlAction(.cancel)) }, perform: send)
        signals.stop()
        // Left while the run goes on: stop following it.
        source.stop()
        let ending = await following.value
        if case .finished(let report) = ending {
            for line in SummaryFormatter.lines(for: report) { Console.out(line) }
        }
        return ending
    }
}

/// A run followed from another process: live through its control socket, or from its
/// recording when its process has ended.
final class WatchedRun: Sendable {
    /// How following the run ended.
    enum Ending {
        case finished(RunReport)
        /// Its process ended before the run finished.
        case lost
        /// The watcher left first.
        case left
    }

    private struct Clock {
        var origin: Double?
        var lastEventTime = 0.0
        var live = true
    }

    let directory: RunDirectory
    private let clockState = Mutex(Clock())
    /// Whether the watcher is leaving, and the socket to shut down when it does.
    private let connection = Mutex<(stopped: Bool, fd: Int32?)>((false, nil))

    init(directory: RunDirectory) { self.directory = directory }

    /// The run's clock: seconds since it started; frozen at its last event once its
    /// process is gone.
    func clock() -> Double {
        clockState.withLock { clock in
            guard clock.live, let origin = clock.origin else { return clock.lastEventTime }
            return max(clock.lastEventTime, Date().timeIntervalSince1970 - origin)
        }
    }

    /// Stops following (the watcher is leaving).
    func stop() {
        connection.withLock { connection in
            connection.stopped = true
            if let fd = connection.fd { shutdown(fd, Int32(SHUT_RDWR)) }
        }
    }

    /// Hands every event to `event` until the run finishes or its process goes away;
    /// `notice` tells the person what happened when it is not a plain finish.
    func follow(event: @escaping @Sendable (RunEvent) -> Void, notice: @escaping @Sendable (String) -> Void) async -> Ending {
        await withCheckedContinuation { (done: CheckedContinuation<Ending, Never>) in
            Thread { [self] in done.resume(returning: followOnThisThread(event: event, notice: notice)) }.start()
        }
    }

    private func followOnThisThread(event: @escaping @Sendable (RunEvent) -> Void, notice: (String) -> Void) -> Ending {
        var report: RunReport?
        var lastSeq = 0
        let record: (RunEvent) -> Void = { [self] received in
            guard received.seq > lastSeq else { return }
            lastSeq = received.seq
            clockState.withLock { $0.lastEventTime = max($0.lastEventTime, received.time) }
            if case .runFinished(let finished) = received.kind { report = finished.report }
            if case .runReopened = received.kind { report = nil }
            event(received)
        }
        let client = ControlClient(socketPath: directory.socketPath)
        var wasLive = false
        do {
            let finished = try client.watch(
                connected: { fd in
                    connection.withLock { connection in
                        connection.fd = fd
                        if connection.stopped { shutdown(fd, Int32(SHUT_RDWR)) }
                    }
                },
                disconnecting: { connection.withLock { $0.fd = nil } },
                header: { header in clockState.withLock { $0.origin = header.clockOrigin } },
                event: record)
            wasLive = true
            if let report, finished { return .finished(report) }
        } catch {}
        clockState.withLock { $0.live = false }
        if connection.withLock({ $0.stopped }) { return report.map { .finished($0) } ?? .left }
        // No process serves the run any more, or it went away mid-stream: what it recorded
        // is complete up to its last event.
        guard let recording = try? Recording.read(path: directory.eventsPath) else {
            notice("Cannot read the recording \(directory.eventsPath).")
            return .lost
        }
        for recorded in recording.events { record(recorded) }
        let cut = recording.truncated ? " (its last line was cut off)" : ""
        if let report {
            if !wasLive { notice("The run's process has ended; this is the final state from its recording\(cut).") }
            return .finished(report)
        }
        notice("The run's process ended before the run finished; this is its last recorded state\(cut).")
        return .lost
    }
}
