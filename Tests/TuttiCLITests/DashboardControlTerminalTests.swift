import Foundation
import Testing
import TuttiCore

/// Pause, resume, retry and cancel with keys in a real terminal, and a second terminal
/// watching the same run.
extension DashboardTerminalTests {
    @Test(.enabled(if: tmuxInstalled)) func keysPauseResumeRetryAndCancelTasks() async throws {
        let scratch = Scratch()
        let flaky = "if [ -f \(scratch.path)/marker ]; then echo fixed; else touch \(scratch.path)/marker; exit 1; fi"
        scratch.write("control.yaml", """
        name: control
        tasks:
          - {task_id: slow, name: Slow steps, command: [sh, -c, "echo $$ > \(scratch.path)/slow; i=0; while [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done"]}
          - {task_id: flaky, name: Flaky, command: [sh, -c, "\(flaky)"]}
          - {task_id: hang, name: Hangs, command: [sh, -c, "echo $$ > \(scratch.path)/hang; exec sleep 300"]}
        """)
        let tmux = Tmux()
        defer { tmux.kill() }
        tmux.start("cd \(scratch.path) && \(tuttiBinary) run control.yaml --runs-dir runs --kill-grace 1; echo EXIT=$?; sleep 120")
        #expect(await tmux.waitFor { $0.contains("RUNNING") && $0.contains("Task flaky failed") })
        let slow = try #require(await eventually { scratch.pid("slow") != nil } ? scratch.pid("slow") : nil)
        let hang = try #require(await eventually { scratch.pid("hang") != nil } ? scratch.pid("hang") : nil)

        // p pauses the selected task (the first): its row and a notice say so, its process stops.
        tmux.keys("p")
        #expect(await tmux.waitFor { $0.contains("Task slow paused (dashboard)") && $0.contains("‖ slow") })
        #expect(await eventually { processGroupIsStopped(slow) })
        tmux.keys("p")
        #expect(await tmux.waitFor { $0.contains("Task slow resumed (dashboard)") && $0.contains("● slow") })
        #expect(await eventually { !processGroupIsStopped(slow) })

        // r on a running task is refused, with the reason.
        tmux.keys("r")
        #expect(await tmux.waitFor { $0.contains("Refused retry task slow: task slow is running") })

        // r on the failed task runs it again, and it succeeds.
        tmux.keys("j")
        tmux.keys("r")
        #expect(await tmux.waitFor { $0.contains("Task flaky Complete!") && $0.contains("✓ flaky") })

        // x asks first, then cancels the task: its process is gone.
        tmux.keys("j")
        tmux.keys("x")
        #expect(await tmux.waitFor { $0.contains("Cancel task hang?") })
        tmux.keys("y")
        #expect(await tmux.waitFor { $0.contains("Task hang cancelled") && $0.contains("■ hang") })
        #expect(await eventually { processIsGone(hang) })

        // P pauses the whole run, and P again resumes it.
        tmux.keys("P")
        #expect(await tmux.waitFor { $0.contains(" PAUSED ") })
        #expect(await eventually { processGroupIsStopped(slow) })
        tmux.keys("P")
        #expect(await tmux.waitFor { $0.contains(" RUNNING ") && $0.contains("Run resumed (dashboard)") })

        // A second terminal watches the same run and sees it live, then cancels it with X.
        let watcher = Tmux()
        defer { watcher.kill() }
        watcher.start("cd \(scratch.path) && \(tuttiBinary) watch latest --runs-dir runs; echo WATCH-EXIT=$?; sleep 120")
        #expect(await watcher.waitFor { $0.contains(" RUNNING ") && $0.contains("■ hang") && $0.contains("✓ flaky") },
                "the watcher starts from the current state")
        watcher.keys("X")
        #expect(await watcher.waitFor { $0.contains("Cancel the run?") })
        watcher.keys("y")
        #expect(await tmux.waitFor { $0.contains("INTERRUPTED") && $0.contains("cancelled by watch (pid") })
        #expect(await watcher.waitFor { $0.contains("INTERRUPTED") }, "the watcher sees the end too")
        #expect(await eventually { processIsGone(slow) })
        watcher.keys("q")
        #expect(await watcher.waitFor { $0.contains("WATCH-EXIT=130") })
        tmux.keys("q")
        #expect(await tmux.waitFor { $0.contains("EXIT=130") })
    }
}

/// A recorded run replayed in a real terminal.
extension DashboardTerminalTests {
    @Test(.enabled(if: tmuxInstalled)) func aReplayPlaysSeeksAndRefusesControl() async throws {
        let scratch = Scratch()
        scratch.write("wf.yaml", """
        name: replayed
        tasks:
          - {task_id: a, name: Quick, command: ["true"]}
          - {task_id: b, name: Fails, command: [sh, -c, "exit 3"]}
        """)
        _ = try await tutti(["run", "wf.yaml", "--headless", "--runs-dir", "runs"], in: scratch.path)
        let tmux = Tmux()
        defer { tmux.kill() }
        tmux.start("cd \(scratch.path) && \(tuttiBinary) replay latest --runs-dir runs; echo EXIT=$?; sleep 120")
        #expect(await tmux.waitFor { $0.contains(" REPLAY ") && $0.contains(" FAILED ") && $0.contains("PAUSE") },
                "a short run plays to its end and stops there")
        tmux.keys("Home")
        #expect(await tmux.waitFor { $0.contains(" RUNNING ") || $0.contains(" STARTING ") })
        tmux.keys("End")
        #expect(await tmux.waitFor { $0.contains(" FAILED ") && $0.contains("Run failed") })
        tmux.keys("j")
        tmux.keys("r")
        #expect(await tmux.waitFor { $0.contains("Refused retry task b: this is a replay") })
        tmux.keys("q")
        #expect(await tmux.waitFor { $0.contains("EXIT=0") })
    }
}

/// `tutti` in a repository, in a real terminal: the four agents live in the dashboard.
extension DashboardTerminalTests {
    @Test(.enabled(if: tmuxInstalled && QualityReportTests.pytestWithCoverage))
    func theQualityReportRunsLiveInTheDashboard() async throws {
        let scratch = Self.calcProject(asserting: "3")
        let tmux = Tmux()
        defer { tmux.kill() }
        tmux.start("cd \(scratch.path) && \(tuttiBinary); echo EXIT=$?; sleep 120")
        #expect(await tmux.waitFor { $0.contains("template-03-parallel-execution") && $0.contains("Testing Framework")
            && $0.contains("Security Hardening") && $0.contains("Architecture Review") && $0.contains("Pattern Library") })
        #expect(await tmux.waitFor(60) { $0.contains(" FAILED ") && $0.contains("4/4 done") }, "the run ends with real gate results")
        let screen = tmux.screen
        // Every agent's process succeeded; the run failed on gates, and the tasks that failed theirs show "!".
        #expect(["4", "5", "6", "7"].allSatisfy { screen.contains("✓ \($0) ") || screen.contains("! \($0) ") }, "\(screen)")
        #expect(screen.contains("! "), "\(screen)")
        tmux.keys("q")
        #expect(await tmux.waitFor { $0.contains("EXIT=1") })
        #expect(tmux.history.split(separator: "\n").contains { $0.contains("Task 4  test_pass_rate (tests passed)") && $0.contains("= 100%")
            && $0.hasSuffix("✅ Pass") }, "the gate table says what each metric measures")
    }
}

/// A run whose process was killed, watched and resumed from the dashboard.
extension DashboardTerminalTests {
    @Test(.enabled(if: tmuxInstalled)) func aWatchedRunThatNeverFinishedIsResumedWithR() async throws {
        let scratch = Scratch()
        scratch.write("wf.yaml", """
        name: resumable
        tasks:
          - {task_id: done, name: Done early, command: [sh, -c, "echo once >> \(scratch.path)/done-ran"]}
          - {task_id: stuck, name: Was stuck, command: [sh, -c, "if [ -f \(scratch.path)/go ]; then echo fine; else echo $$ > \(scratch.path)/stuck; exec sleep 300; fi"]}
        """)
        let run = try TuttiProcess(["run", "wf.yaml", "--headless", "--runs-dir", "runs"], in: scratch.path)
        // Killed once `done` has finished, as recorded, and `stuck` is running.
        try #require(await eventually {
            scratch.pid("stuck") != nil
                && ((try? FileManager.default.contentsOfDirectory(atPath: scratch.file("runs")))?.first.flatMap { scratch.read("runs/\($0)/events.ndjson") }
                    ?? "").contains(#""status":"succeeded","t""#)
        })
        kill(run.process.processIdentifier, SIGKILL)
        _ = await run.finished()
        _ = scratch.write("go", "")

        let tmux = Tmux()
        defer { tmux.kill() }
        tmux.start("cd \(scratch.path) && \(tuttiBinary) watch latest --runs-dir runs; echo EXIT=$?; sleep 120")
        #expect(await tmux.waitFor { $0.contains("This run never finished") })
        tmux.keys("R")
        #expect(await tmux.waitFor { $0.contains("Go ahead? (y/n)") })
        tmux.keys("y")
        #expect(await tmux.waitFor { $0.contains("FINISHED") && $0.contains("✓ stuck") }, "the resumed run, live in the same terminal")
        tmux.keys("q")
        #expect(await tmux.waitFor { $0.contains("EXIT=0") })
        #expect(scratch.read("done-ran") == "once\n", "the task that had succeeded did not run again")
    }
}

/// The developer's loop in one run: see which test failed, open it, fix it, run it again.
extension DashboardTerminalTests {
    @Test(.enabled(if: tmuxInstalled && QualityReportTests.pytestWithCoverage))
    func aFailingTestIsFoundOpenedFixedAndRunAgainInTheSameRun() async throws {
        let scratch = Self.calcProject(asserting: "4", extraTest: "\n\ndef test_ok():\n    assert add(1, 1) == 2\n")
        // The "editor" notes how it was called and fixes the test, as the developer would.
        let editor = scratch.write("editor.sh", "echo \"$@\" > \(scratch.path)/editor-args\nsed -i 's/== 4/== 3/' \"$2\"\n")
        let tmux = Tmux()
        defer { tmux.kill() }
        tmux.start("cd \(scratch.path) && EDITOR='sh \(editor)' \(tuttiBinary); echo EXIT=$?; sleep 120")
        #expect(await tmux.waitFor(60) { $0.contains(" FAILED ") && $0.contains("4/4 done") })
        #expect(tmux.screen.contains("tests/test_calc.py:5 tests/test_calc.py::test_add — assert 3 == 4"), "the summary names the failing test")
        #expect(tmux.screen.contains("! 4  Testing Framework"), "its gates failed")

        tmux.keys("f")
        #expect(await tmux.waitFor { $0.contains("[Findings]") && $0.contains("HIGH") && $0.contains("tests/test_calc.py:5") })
        tmux.keys("e")
        #expect(await eventually { scratch.read("editor-args") == "+5 tests/test_calc.py\n" }, "opened at the failing line")
        #expect(await tmux.waitFor { $0.contains("[Findings]") }, "back in the dashboard after the editor")

        // r on the testing task (selected, first): its gates had failed, so it runs at once.
        tmux.keys("r")
        #expect(await tmux.waitFor(60) { $0.contains("✓ 4  Testing Framework") && $0.contains("2/2 3/3") && !$0.contains("test_add") },
                "attempt 2 passes every test and every gate turns green, in the same run: \(tmux.screen)")
        tmux.keys("q")
        #expect(await tmux.waitFor { $0.contains("EXIT=1") }, "other agents' gates still fail (no LICENSE, no README)")
        let recording = try Recording.read(path: try #require(FileManager.default.contentsOfDirectory(atPath: scratch.file(".tutti/runs")).first
            .map { scratch.file(".tutti/runs/\($0)/events.ndjson") }))
        let testing = recording.events.compactMap { if case .taskFinished(let f) = $0.kind, f.task == "4" { f.attempt } else { nil } }
        #expect(testing == [1, 2], "one run, two attempts of the testing task")
        let replayed = try await tutti(["replay", "latest", "--headless"], in: scratch.path)
        #expect(replayed.stdout.contains("Task 4 (Testing Framework)") && replayed.stdout.contains("[2 attempts]"),
                "the replay tells the same story: \(replayed.stdout.suffix(1500))")
    }
}

extension DashboardTerminalTests {
    /// A small pytest project: `add(1, 2)` tested against `expected` (a test that fails when
    /// it is not 3), and any more tests after it.
    static func calcProject(asserting expected: String, extraTest: String = "") -> Scratch {
        let scratch = Scratch()
        scratch.write("pyproject.toml", "[project]\nname = \"calc\"\n")
        scratch.write("calc.py", "def add(a, b):\n    \"\"\"Adds.\"\"\"\n    return a + b\n")
        scratch.write("tests/test_calc.py", "from calc import add\n\n\ndef test_add():\n    assert add(1, 2) == \(expected)\n" + extraTest)
        return scratch
    }
}
