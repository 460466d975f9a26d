import Foundation
import Testing
import TuttiCore

/// The dashboard in a real terminal (tmux), driven as a person would: keys in, screen out.
@Suite(.serialized) struct DashboardTerminalTests {
    /// A tmux server of its own, killed when the test ends.
    final class Tmux {
        let socket = "tutti-test-\(UUID().uuidString.prefix(8))"

        /// Runs a tmux command; its output is read only when asked for (the command that
        /// starts the server would otherwise hold the pipe open for the server's whole life).
        @discardableResult
        func run(_ arguments: [String], output: Bool = false) -> String {
            ChildProcess.run(["tmux", "-L", socket] + arguments, captureOutput: output).output
        }

        /// Starts the session "main", 80×24, running `command` in a UTF-8 locale.
        func start(_ command: String) {
            run(["new-session", "-d", "-s", "main", "-x", "80", "-y", "24", "-e", "LANG=C.UTF-8", command])
        }

        var screen: String { run(["capture-pane", "-p", "-t", "main"], output: true) }

        /// The screen and everything scrolled off it.
        var history: String { run(["capture-pane", "-p", "-J", "-S", "-", "-t", "main"], output: true) }

        func keys(_ keys: String...) { run(["send-keys", "-t", "main"] + keys) }

        /// Polls the screen until `condition` holds; false after `limit` seconds.
        func waitFor(_ limit: Double = 20, _ condition: (String) -> Bool) async -> Bool {
            await eventually(limit: limit) { condition(self.screen) }
        }

        /// Stops the server and everything running in it.
        func kill() { run(["kill-server"]) }
    }

    static var tmuxInstalled: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux")
    }

    @Test(.enabled(if: tmuxInstalled)) func theDemoPlaysOutLiveAndTheTerminalIsRestored() async throws {
        let scratch = Scratch()
        let tmux = Tmux()
        defer { tmux.kill() }
        let command = "cd \(scratch.path) && \(tuttiBinary) run \(repositoryRoot)/workflows/demo.yaml --runs-dir \(scratch.path)/runs; "
            + "echo EXIT=$?; stty -a > \(scratch.path)/stty.txt; echo STTY-SAVED; sleep 120"
        tmux.start(command)

        #expect(await tmux.waitFor { $0.contains("RUNNING") && $0.contains("Security Hardening") })
        let running = tmux.screen
        #expect(running.contains("demo"))
        #expect(running.contains("q quit"))

        tmux.keys("j")
        tmux.keys("Enter")
        #expect(await tmux.waitFor { $0.contains("Task 5: Security Hardening") && $0.contains("Command") })
        tmux.keys("Escape")
        #expect(await tmux.waitFor { !$0.contains("Task 5: Security Hardening") })

        tmux.keys("?")
        #expect(await tmux.waitFor { $0.contains("Keys") && $0.contains("select a task") })
        tmux.keys("Escape")
        #expect(await tmux.waitFor { !$0.contains("select a task") })

        tmux.keys("Tab")
        tmux.keys("Tab")
        #expect(await tmux.waitFor { $0.contains("[Log]") && $0.contains("Task 5 output") })
        tmux.keys("/")
        tmux.keys("step")
        tmux.keys("Enter")
        #expect(await tmux.waitFor { $0.contains("lines with \"step\"") })
        tmux.keys("Escape")
        tmux.keys("Tab")

        tmux.run(["resize-window", "-t", "main", "-x", "120", "-y", "30"])
        #expect(await tmux.waitFor { screen in screen.split(separator: "\n").first.map { $0.contains("demo-") } == true },
                "at 120 columns the header has room for the run id")
        tmux.run(["resize-window", "-t", "main", "-x", "50", "-y", "12"])
        #expect(await tmux.waitFor { $0.contains("Terminal too small") })
        tmux.run(["resize-window", "-t", "main", "-x", "80", "-y", "24"])

        #expect(await tmux.waitFor(60) { $0.contains("FINISHED") && $0.contains("All tasks complete!") })
        tmux.keys("q")
        #expect(await tmux.waitFor { $0.contains("EXIT=0") && $0.contains("STTY-SAVED") })
        #expect(tmux.history.contains("Parallel Workflow Summary:"), "the summary stays on the normal screen")
        let stty = try String(contentsOfFile: scratch.path + "/stty.txt", encoding: .utf8)
        let flags = stty.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == ";" })
        #expect(flags.contains("icanon") && flags.contains("echo"), "the terminal is back in cooked mode with echo")
    }

    @Test(.enabled(if: tmuxInstalled)) func ctrlCAsksBeforeStoppingTheRun() async throws {
        let scratch = Scratch()
        scratch.write("long.yaml", "name: long\ntasks:\n  - {task_id: 1, name: Sleeper, command: [sleep, \"300\"]}\n")
        let tmux = Tmux()
        defer { tmux.kill() }
        let command = "cd \(scratch.path) && \(tuttiBinary) run long.yaml; echo EXIT=$?; sleep 120"
        tmux.start(command)
        #expect(await tmux.waitFor { $0.contains("RUNNING") && $0.contains("Sleeper") })
        tmux.keys("C-c")
        #expect(await tmux.waitFor { $0.contains("Stop the run?") })
        tmux.keys("n")
        #expect(await tmux.waitFor { !$0.contains("Stop the run?") && $0.contains("RUNNING") })
        tmux.keys("C-c")
        #expect(await tmux.waitFor { $0.contains("Stop the run?") })
        tmux.keys("y")
        #expect(await tmux.waitFor { $0.contains("INTERRUPTED") })
        tmux.keys("q")
        #expect(await tmux.waitFor { $0.contains("EXIT=130") })
    }

    /// The pid of the process whose command line contains `text`.
    static func pid(commandContaining text: String) -> Int32? {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int32(entry),
                  let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { continue }
            let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if arguments.first?.hasSuffix("/tutti") == true, arguments.contains(text) { return pid }
        }
        return nil
    }

    @Test(.enabled(if: tmuxInstalled), arguments: [SIGTERM, SIGHUP])
    func aSignalStopsTheRunAndRestoresTheTerminal(signal: Int32) async throws {
        let scratch = Scratch()
        let workflow = scratch.write("sleepy.yaml", "name: sleepy\ntasks:\n  - {task_id: 1, name: Sleeper, command: [sleep, \"300\"]}\n")
        let tmux = Tmux()
        defer { tmux.kill() }
        let command = "cd \(scratch.path) && \(tuttiBinary) run \(workflow); echo EXIT=$?; stty -a > \(scratch.path)/stty.txt; "
            + "echo STTY-SAVED; sleep 120"
        tmux.start(command)
        #expect(await tmux.waitFor { $0.contains("RUNNING") && $0.contains("Sleeper") })
        let pid = try #require(Self.pid(commandContaining: workflow))
        kill(pid, signal)
        #expect(await tmux.waitFor { $0.contains("EXIT=130") && $0.contains("STTY-SAVED") })
        #expect(tmux.history.contains("Run interrupted: interrupted by SIG"))
        let stty = try String(contentsOfFile: scratch.path + "/stty.txt", encoding: .utf8)
        let flags = stty.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == ";" })
        #expect(flags.contains("icanon") && flags.contains("echo"))
    }

    @Test(.enabled(if: tmuxInstalled)) func aDumbTerminalGetsThePlainOutput() async throws {
        let scratch = Scratch()
        scratch.write("quick.yaml", "name: quick\ntasks:\n  - {task_id: 1, name: Quick, command: [\"true\"]}\n")
        let tmux = Tmux()
        defer { tmux.kill() }
        let command = "cd \(scratch.path) && TERM=dumb \(tuttiBinary) run quick.yaml; echo EXIT=$?; sleep 120"
        tmux.start(command)
        #expect(await tmux.waitFor { $0.contains("EXIT=0") })
        let screen = tmux.history
        #expect(screen.contains("Starting Parallel Workflow: quick") || screen.contains("Starting Sequential Workflow: quick"))
        #expect(screen.contains("Task 1 Complete!"))
        #expect(!screen.contains("q quit"))
    }

    @Test(.enabled(if: tmuxInstalled)) func aCrashStillRestoresTheTerminal() async throws {
        let scratch = Scratch()
        let workflow = scratch.write("crashy.yaml", "name: crashy\ntasks:\n  - {task_id: 1, name: Sleeper, command: [sleep, \"30\"]}\n")
        let tmux = Tmux()
        defer { tmux.kill() }
        let command = "cd \(scratch.path) && SWIFT_BACKTRACE=enable=no \(tuttiBinary) run \(workflow) 2>/dev/null; echo EXIT=$?; "
            + "stty -a > \(scratch.path)/stty.txt; "
            + "echo STTY-SAVED; sleep 120"
        tmux.start(command)
        #expect(await tmux.waitFor { $0.contains("RUNNING") && $0.contains("Sleeper") })
        let pid = try #require(Self.pid(commandContaining: workflow))
        kill(pid, SIGSEGV)
        #expect(await tmux.waitFor(60) { $0.contains("STTY-SAVED") })
        let stty = try String(contentsOfFile: scratch.path + "/stty.txt", encoding: .utf8)
        let flags = stty.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == ";" })
        #expect(flags.contains("icanon") && flags.contains("echo"), "the terminal is restored even after a crash")
    }
}
