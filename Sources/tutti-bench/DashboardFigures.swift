import CTuttiBench
import CTuttiSystem
import Foundation
import TuttiCore
import TuttiDashboard
import TuttiTerminal

/// The dashboard's figures: frame render time with 10,000 tasks, bytes written to a real
/// terminal (a pty driven by ncurses) for one progress tick, and the CPU the dashboard uses
/// over 10 s of a run whose tasks only sleep.
extension Benchmark {
    func dashboardFigures() async {
        print("\nDashboard")
        let (model, taskID) = Self.bigRun(tasks: 10_000)
        let renderer = DashboardRenderer(glyphs: .unicode)
        for (width, height) in [(120, 40), (80, 24)] {
            let frames = 200
            let start = ContinuousClock.now
            for _ in 0..<frames { _ = renderer.render(model, width: width, height: height) }
            let milliseconds = EventBus.seconds(ContinuousClock.now - start) / Double(frames) * 1000
            print(String(format: "frame render with 10,000 tasks at %d×%d: %.2f ms (target under 5 ms)", width, height, milliseconds))
        }
        if let bytes = Self.bytesForOneProgressTick(model: model, taskID: taskID) {
            print("bytes written to the terminal for one progress tick: \(bytes.progress) (target under 200)")
            print("bytes written for one clock tick (every 0.5 s while running; here many running tasks on screen): \(bytes.clock)")
            let shown = { (count: Int?) in count.map(String.init) ?? "n/a" }
            print("bytes written for a whole frame: \(bytes.frame); moving the selection one row: \(shown(bytes.selection)); "
                  + "scrolling the task list one row: \(shown(bytes.scroll)) (target: less than the whole frame)")
            // The dashboard draws at most maximumFPS frames a second: a key is shown by the next
            // frame as long as handling it and writing that frame take less than one frame's time.
            let frame = 1000 / DashboardApp.maximumFPS
            print(String(format: "a key press handled and its frame written to the terminal, with 10,000 tasks: mean %.2f ms, "
                         + "worst of %d %.2f ms (target: less than a frame, %.0f ms at %.0f frames a second, so the next frame "
                         + "shows it: %@)", bytes.keyMean * 1000, bytes.keys, bytes.keyWorst * 1000, frame, DashboardApp.maximumFPS,
                         bytes.keyWorst * 1000 < frame ? "met" : "NOT met"))
        }
        if let share = await idleDashboardCPU() {
            print(String(format: "dashboard CPU over 10 s of sleeping tasks: %.2f%% of one core (target at most 1%%)", share))
        } else {
            print("dashboard CPU over 10 s of sleeping tasks: n/a (tmux not installed)")
        }
    }

    /// A run of `tasks` tasks, a hundred of them running with some progress.
    static func bigRun(tasks: Int) -> (DashboardModel, String) {
        var model = DashboardModel()
        let infos = (1...tasks).map { AnnouncedTask(id: "\($0)", name: "Task number \($0)", agent: "sim", dependsOn: [], gates: 2, maxAttempts: 1) }
        var seq = 0
        func apply(_ time: Double, _ kind: EventKind) {
            seq += 1
            model.apply(RunEvent(seq: seq, time: time, kind: kind))
        }
        apply(0, .runStarted(RunStarted(runID: "bench", workflow: "bench", parallelism: 100, mode: "parallel",
                                        pollingInterval: 5, tasks: infos)))
        for index in 1...min(100, tasks) {
            apply(0.1, .taskStarted(TaskStarted(task: "\(index)", attempt: 1, pid: Int32(1000 + index), command: ["sleep"])))
            apply(5, .taskProgress(TaskProgress(task: "\(index)", percent: Double(index % 90))))
        }
        model.tick(now: 10)
        return (model, "1")
    }

    /// Draws a frame on a pty through ncurses, applies one progress event, draws again, and
    /// counts the bytes the second frame wrote.
    /// Then moves down the task list a key at a time, past its last row so the list scrolls:
    /// the bytes a selection move and a scroll wrote, and how long each key took from the key
    /// to the frame on the terminal.
    static func bytesForOneProgressTick(model: DashboardModel, taskID: String)
        -> (progress: Int, clock: Int, frame: Int, selection: Int?, scroll: Int?, keys: Int, keyMean: Double, keyWorst: Double)? {
        guard let (master, name) = openPseudoTerminal() else { return nil }
        defer { close(master) }
        var size = winsize(ws_row: 40, ws_col: 120, ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(master, UInt(TIOCSWINSZ), &size)
        let slave = open(name, O_RDWR | O_NOCTTY)
        guard slave >= 0, let output = fdopen(slave, "w"), let input = fdopen(dup(slave), "r") else { return nil }
        defer {
            fclose(output)
            fclose(input)
        }
        _ = fcntl(master, F_SETFL, O_NONBLOCK)
        func drain() -> Int {
            var total = 0
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = read(master, &buffer, buffer.count)
                if count <= 0 { return total }
                total += count
            }
        }
        let screen = TerminalScreen(theme: .dark, output: output, input: input)
        defer { screen.restore() }
        let renderer = DashboardRenderer(glyphs: .unicode)
        var model = model
        screen.draw(renderer.render(model, width: 120, height: 40))
        fflush(output)
        let frame = drain()
        let current = model.tasks.first { $0.id == taskID }?.percent ?? 0
        model.apply(RunEvent(seq: 1_000_000, time: model.now, kind: .taskProgress(TaskProgress(task: taskID, percent: current + 1))))
        screen.draw(renderer.render(model, width: 120, height: 40))
        fflush(output)
        let progress = drain()
        // The clock's own tick, twice a second while the run goes on: every running task's
        // elapsed time and ETA on screen, the header's clock and the timeline's bars move.
        model.tick(now: model.now + 0.5)
        screen.draw(renderer.render(model, width: 120, height: 40))
        fflush(output)
        let clock = drain()
        // Keys: down the list, one row a key, well past the rows the screen shows.
        var perKey: [(bytes: Int, seconds: Double, scrolled: Bool)] = []
        var shown = renderer.render(model, width: 120, height: 40).text.split(separator: "\n", omittingEmptySubsequences: false)
        for _ in 0..<100 {
            let start = ContinuousClock.now
            _ = model.handle(.down)
            let grid = renderer.render(model, width: 120, height: 40)
            screen.draw(grid)
            fflush(output)
            let seconds = EventBus.seconds(ContinuousClock.now - start)
            // The list keeps the selection mid-screen: past that, every key scrolls it (and the
            // timeline beside it) by a row, and most lines change.
            let lines = grid.text.split(separator: "\n", omittingEmptySubsequences: false)
            let changedLines = zip(lines, shown).filter { $0 != $1 }.count
            shown = lines
            perKey.append((drain(), seconds, changedLines > 4))
        }
        let moves = perKey.filter { !$0.scrolled }.map(\.bytes)
        let scrolls = perKey.filter(\.scrolled).map(\.bytes)
        let times = perKey.map(\.seconds)
        return (progress, clock, frame, moves.max(), scrolls.max(), times.count,
                times.reduce(0, +) / Double(max(1, times.count)), times.max() ?? 0)
    }

    /// Runs a workflow of four 10 s sleeps under the dashboard in tmux and reads the CPU time
    /// of the `tutti` process from /proc; percent of one core over the run's wall time.
    func idleDashboardCPU() async -> Double? {
        guard installed("tmux") else { return nil }
        let workflow = scratch + "/idle.yaml"
        try? """
        name: idle
        tasks:
        \((1...4).map { "  - {task_id: \($0), command: [sleep, \"10\"]}" }.joined(separator: "\n"))
        """.write(toFile: workflow, atomically: true, encoding: .utf8)
        let socket = "tutti-bench-\(getpid())"
        defer { ChildProcess.run(["tmux", "-L", socket, "kill-server"]) }
        ChildProcess.run(["tmux", "-L", socket, "new-session", "-d", "-s", "main", "-x", "120", "-y", "40",
                                    "-e", "LANG=C.UTF-8", "exec \(tuttiBinary) run \(workflow) --runs-dir \(scratch)/runs"])
        let pidFile = scratch + "/pane.pid"
        ChildProcess.run(["sh", "-c", "tmux -L \(socket) display -p -t main '#{pane_pid}' > \(pidFile)"])
        guard let pid = (try? String(contentsOfFile: pidFile, encoding: .utf8)).flatMap({ Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
        else { return nil }
        let start = ContinuousClock.now
        let screenFile = scratch + "/screen.txt"
        for _ in 0..<600 {
            ChildProcess.run(["sh", "-c", "tmux -L \(socket) capture-pane -p -t main > \(screenFile)"])
            if (try? String(contentsOfFile: screenFile, encoding: .utf8))?.contains("FINISHED") == true { break }
            try? await Task.sleep(for: .milliseconds(100))
        }
        let wall = EventBus.seconds(ContinuousClock.now - start)
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        let cpu = (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
        return cpu / wall * 100
    }
}

/// A new pseudo-terminal: its master side and the path of its slave side.
func openPseudoTerminal() -> (master: Int32, slavePath: String)? {
    var master: Int32 = -1
    var name = [CChar](repeating: 0, count: 128)
    guard tutti_open_pty(&master, &name, name.count) == 0 else { return nil }
    return (master, String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
}
