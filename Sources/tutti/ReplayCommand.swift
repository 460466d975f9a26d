import ArgumentParser
import Foundation
import TuttiCore
import TuttiDashboard
import TuttiTerminal

/// `tutti replay RUN`: plays a recorded run again in the dashboard, at any speed, seeking
/// back and forth; or prints it as the headless lines it printed live.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a recorded run in the dashboard (or as plain lines when not in a terminal).",
        discussion: """
            Keys: space play/pause, + and - speed (0.25x to 64x), left and right seek, Home and End, \
            ] and [ the next and previous moment (a task ending, a retry, a failed gate, an action), q quit. \
            Exit codes: 0 replayed; 2 not a recording, or unreadable; 3 replayed, but the run never \
            finished (its process ended before the run's end was recorded).
            """
    )

    @OptionGroup var selection: RunSelection

    @Flag(help: "Print the run's lines and summary instead of the dashboard (the default when stdout is not a terminal).")
    var headless = false

    @Option(help: "Speed to start at: 0.25 to 64.")
    var speed: Double = 1

    @OptionGroup var theme: ThemeOption

    func run() async throws {
        let eventsPath = try selection.eventsFile(for: "replay")
        let file: RecordingStream
        do { file = try RecordingStream(path: eventsPath) } catch {
            Console.err("tutti replay: \(error)")
            throw ExitCode(ExitStatus.invalidInput)
        }
        guard ReplayPlayer.speeds.contains(speed) else {
            Console.err("tutti replay: --speed must be one of \(ReplayPlayer.speeds.map { String(format: "%g", $0) }.joined(separator: ", "))")
            throw ExitCode(ExitStatus.invalidInput)
        }
        let chosenTheme = try theme.resolved()
        let live = EventRecorder.isBeingRecorded(eventsPath)
        if headless || !RunCommand.terminalCanShowDashboard() {
            let recording: Recording
            do { recording = try Recording.read(path: eventsPath) } catch {
                Console.err("tutti replay: \(error)")
                throw ExitCode(ExitStatus.invalidInput)
            }
            for line in HeadlessReplay.lines(for: recording) { Console.out(line) }
            for notice in recording.notices(live: live) { Console.out(notice) }
            Console.out("Recording: \(eventsPath)")
            if !recording.finished && !live { throw ExitCode(ExitStatus.runNotLive) }
            return
        }
        // The first frame as soon as the first events are read; the rest is indexed meanwhile.
        let index = ReplayIndex(file: file)
        var player = ReplayPlayer(index: index)
        player.setSpeed(speed)
        let replay = player
        let glyphs: DashboardGlyphs = DashboardApp.localeIsUTF8() ? .unicode : .ascii
        let app = DashboardApp(glyphs: glyphs, theme: chosenTheme)
        // What the whole file says (damage, a run that never finished), once it is read.
        OwnThread.start("replay notices") {
            index.waitUntilComplete()
            for notice in Self.notices(index, live: live) { app.post(notice: notice, role: .failed) }
        }
        let signals = SignalForwarder { _ in app.leave() }
        let start = ContinuousClock.now
        await app.show(clock: { EventBus.seconds(ContinuousClock.now - start) }, replay: replay)
        signals.stop()
        index.waitUntilComplete()
        for notice in Self.notices(index, live: live) { Console.err("tutti replay: \(notice)") }
        if !index.finished && !live { throw ExitCode(ExitStatus.runNotLive) }
    }

    static func notices(_ index: ReplayIndex, live: Bool) -> [String] {
        Recording.notices(damage: index.damage, finished: index.finished, lastTime: index.lastTime, live: live)
    }
}
