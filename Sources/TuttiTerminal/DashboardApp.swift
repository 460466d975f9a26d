import CNCurses
import Foundation
import Synchronization
import TuttiCore
import TuttiDashboard

/// The live dashboard: one thread owns the terminal and runs the loop — wait for a key, an
/// event or the clock (poll(2), no busy waiting), fold, render at most `maximumFPS` times a
/// second, paint only changed cells. Other threads post events and the report to it.
public final class DashboardApp: Sendable {
    private struct Inbox {
        var events: [RunEvent] = []
        var notices: [(String, Role)] = []
        var exitWhenDone = false
        var leaveNow = false
    }

    private let inbox = Mutex(Inbox())
    private let wakeup = Wakeup()
    private let glyphs: DashboardGlyphs
    private let theme: Theme
    /// The most frames a second the dashboard draws (a key is answered by the next one).
    public static let maximumFPS = 30.0

    /// Whether this terminal can show the dashboard: terminfo knows it (initscr would exit the
    /// process otherwise). Call before the run starts.
    public static var terminalIsSupported: Bool { tutti_terminal_is_known() }

    /// Sets the locale; true when it is really UTF-8, so the Unicode glyphs will show.
    public static func localeIsUTF8() -> Bool { tutti_locale_is_utf8() }

    private let watching: Bool
    /// How long the workflow's tasks took before, for ETAs.
    private let history: DurationHistory

    /// A dashboard drawing with `glyphs` in the colours of `theme`. A `watching` dashboard
    /// shows a run another process owns: leaving it leaves the run alone.
    public init(glyphs: DashboardGlyphs, theme: Theme, watching: Bool = false, history: DurationHistory = DurationHistory()) {
        self.glyphs = glyphs
        self.theme = theme
        self.watching = watching
        self.history = history
    }

    /// Hands an engine event to the dashboard (any thread).
    public func post(_ event: RunEvent) {
        inbox.withLock { $0.events.append(event) }
        wake()
    }

    /// Shows a notice that did not come from an event (a watcher lost its run...).
    public func post(notice: String, role: Role = .notice) {
        inbox.withLock { $0.notices.append((notice, role)) }
        wake()
    }

    /// Leave as soon as the run has ended, without waiting for `q` (SIGTERM, SIGHUP).
    public func exitWhenDone() {
        inbox.withLock { $0.exitWhenDone = true }
        wake()
    }

    /// Leave now, whatever the run is doing (a watcher told to stop).
    public func leave() {
        inbox.withLock { $0.leaveNow = true }
        wake()
    }

    private func wake() { wakeup.wake() }

    /// `run` on a thread of its own (it blocks in poll(2)), awaited until the user leaves.
    public func show(clock: @escaping @Sendable () -> Double, stopRun: @escaping @Sendable () -> Void = {},
                     perform: @escaping @Sendable (ControlAction) -> Void = { _ in }, replay: ReplayPlayer? = nil,
                     terminal: (any TerminalBackend & Sendable)? = nil) async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            OwnThread.start("tutti.dashboard") { [self] in
                run(clock: clock, stopRun: stopRun, perform: perform, replay: replay, terminal: terminal)
                done.resume()
            }
        }
    }

    /// Runs the dashboard on the calling thread until the user leaves; the terminal is
    /// restored before it returns. `stopRun` is called when the user confirms stopping, and
    /// `perform` with the control actions asked for by keys. With `replay`, it plays that
    /// recording instead of posted events, and `clock` is the person's clock (seconds).
    public func run(clock: @escaping () -> Double, stopRun: () -> Void, perform: (ControlAction) -> Void,
                    replay: ReplayPlayer? = nil, terminal: TerminalBackend? = nil) {
        let screen = terminal ?? TerminalScreen(theme: theme)
        defer { screen.restore() }
        let renderer = DashboardRenderer(glyphs: glyphs)
        var model = DashboardModel()
        model.detachOnQuit = watching || replay != nil
        model.run.history = history
        var player = replay
        var lastReplayClock = clock()
        if let player { model = player.model(keepingViewOf: model) }
        var dirty = true
        var lastFrame = -Double.infinity
        var lastSize = (width: 0, height: 0)
        var exitWhenDone = false
        var terminalGone = false
        var lastClockTick = -Double.infinity

        // Frames are paced on the wall clock: the run's clock stands still once a watched run's
        // process has ended, and must not hold back the frames that show its recorded events.
        let wallStart = ContinuousClock.now
        func wall() -> Double { EventBus.seconds(ContinuousClock.now - wallStart) }

        while true {
            let now = clock()
            let size = screen.size()
            if size != lastSize {
                lastSize = size
                dirty = true
            }
            let tick = model.report == nil ? 0.5 : 1.0
            if var playing = player {
                playing.advance(wallSeconds: now - lastReplayClock)
                lastReplayClock = now
                if playing.status != model.replay {
                    model = playing.model(keepingViewOf: model)
                    dirty = true
                }
                player = playing
            } else if now - lastClockTick >= tick {
                // The clock moves elapsed times, ETAs and the timeline twice a second.
                model.tick(now: now)
                lastClockTick = now
                dirty = true
            }
            if dirty, wall() - lastFrame >= 1 / Self.maximumFPS {
                screen.paint(renderer.render(model, width: size.width, height: size.height))
                lastFrame = wall()
                dirty = false
            }
            if exitWhenDone, model.report != nil { return }

            // Sleep until a key, a posted event, the next frame if one is due, or the clock
            // tick that moves elapsed times and notices resizes.
            let untilNextFrame = max(0, lastFrame + 1 / Self.maximumFPS - wall())
            var wait = dirty ? untilNextFrame : max(0, lastClockTick + tick - now)
            if let player { wait = player.playing || dirty ? untilNextFrame : 1 }
            // A hung-up terminal reports POLLHUP for ever: stop watching it (SIGHUP ends the run).
            var fds = [pollfd(fd: terminalGone ? -1 : screen.inputDescriptor, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: wakeup.fd, events: Int16(POLLIN), revents: 0)]
            _ = poll(&fds, 2, Int32((wait * 1000).rounded(.up)))
            if fds[0].revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 {
                terminalGone = true
                exitWhenDone = true
                // A replay has nothing to finish: leave with the terminal.
                if player != nil { return }
            }
            if fds[1].revents != 0 { wakeup.drain() }
            let (events, notices, exitRequested, leaveNow) = inbox.withLock { inbox in
                defer {
                    inbox.events.removeAll(keepingCapacity: true)
                    inbox.notices.removeAll()
                }
                return (inbox.events, inbox.notices, inbox.exitWhenDone, inbox.leaveNow)
            }
            if leaveNow { return }
            for event in events { model.apply(event) }
            for (text, role) in notices {
                // A replay's notices are the recording's: a message of the program's goes in the footer.
                if player != nil { model.flash = Notice(time: model.now, text: text, role: role) } else {
                    model.notices.append(Notice(time: model.now, text: text, role: role))
                }
            }
            if !events.isEmpty || !notices.isEmpty { dirty = true }
            exitWhenDone = exitWhenDone || exitRequested
            for key in terminalGone ? [] : screen.readKeys() {
                dirty = true
                if var replaying = player, model.overlay == nil, model.typing == nil, replaying.handle(key) {
                    model.flash = nil
                    model = replaying.model(keepingViewOf: model)
                    player = replaying
                    // Time spent paused, or before the key, is not played.
                    lastReplayClock = clock()
                    continue
                }
                switch model.handle(key) {
                case .quit: return
                case .stopRun: stopRun()
                case .open(let path, let line):
                    let opener = FindingOpener()
                    var opened = false
                    if opener.editor != nil { screen.suspend { opened = opener.edit(path: path, line: line) } }
                    if !opened {
                        let (lines, first) = FindingOpener.excerpt(path: path, line: line)
                        model.overlay = .source(path: path, line: line, lines: lines, firstLine: first)
                    }
                case .perform(let action): perform(action)
                case nil: break
                }
            }
        }
    }
}
