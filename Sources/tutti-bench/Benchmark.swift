import Foundation
import TuttiCore

/// Tutti's benchmark: 1000 trivial tasks through the engine (recording on) beside make -j4,
/// xargs -P4 and GNU parallel -j4; then the demo workflow's efficiency against its maximum.
/// Run with: `swift run -c release tutti-bench [--tasks N] [--repeat N] [--in FOLDER] [--skip-demo] [--skip-dashboard]
/// [--skip-replay] [--skip-validate] [--engine-only]`. `--in` is where its scratch folder goes (default `.tutti`, where runs are kept);
/// `--engine-only` runs just Tutti's part, for profiling the engine.
@main
struct Benchmark {
    let taskCount: Int
    let repeats: Int
    let width = 4
    let scratch: String
    let tuttiBinary: String

    static func main() async {
        // As `tutti` does when it starts, so the engine here keeps its buffers as there.
        LargeBuffers.returnedToTheSystemWhenFreed()
        let arguments = CommandLine.arguments
        if let index = arguments.firstIndex(of: "--load"), index + 1 < arguments.count { loadAndReport(arguments[index + 1]) }
        func text(_ name: String) -> String? {
            guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
            return arguments[index + 1]
        }
        func option(_ name: String, default value: Int) -> Int { text(name).flatMap { Int($0) } ?? value }
        // By default beside the runs `tutti run` keeps (.tutti/ in the current folder), on the
        // disk a user's runs go to.
        let folder = text("--in") ?? FileManager.default.currentDirectoryPath + "/.tutti"
        let benchmark = Benchmark(
            taskCount: option("--tasks", default: 1000), repeats: option("--repeat", default: 3),
            scratch: URL(fileURLWithPath: folder).appendingPathComponent("bench-\(getpid())").path,
            tuttiBinary: URL(fileURLWithPath: RunOptions.currentExecutable).deletingLastPathComponent()
                .appendingPathComponent("tutti").path)
        guard benchmark.taskCount >= 1, benchmark.repeats >= 1 else {
            FileHandle.standardError.write(Data("tutti-bench: --tasks and --repeat must be at least 1\n".utf8))
            exit(2)
        }
        do {
            try await benchmark.run(demo: !arguments.contains("--skip-demo"))
        } catch {
            FileHandle.standardError.write(Data("tutti-bench: \(error)\n".utf8))
            exit(1)
        }
    }

    func run(demo: Bool) async throws {
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        print("Tutti benchmark: \(taskCount) trivial tasks (`true`), \(width) at a time, best of \(repeats) runs")
        print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores\n")

        var rows: [(String, Double?)] = []
        var cpuNotes: [String] = [String(format: "creating a file in the scratch folder %@: %.0f µs each",
                                         scratch, fileCreationSeconds() * 1e6)]
        // Memory per task: how much the peak grows from a run a tenth the size to the full one
        // (from 1,000 to 10,000 tasks when the runs are smaller: below that, the threads and
        // buffers a run sets up once are most of the growth).
        let memoryCount = max(taskCount, 10_000)
        let smallCount = memoryCount / 10
        _ = try await tuttiRuns(runsRoot: scratch + "/small", count: smallCount, repeats: 1)
        let smallPeak = Self.peakMemoryMiB()
        if memoryCount > taskCount { _ = try await tuttiRuns(runsRoot: scratch + "/memory", count: memoryCount, repeats: 1) }
        let bigPeak = memoryCount > taskCount ? Self.peakMemoryMiB() : nil
        let mainThreadWakeups = Self.mainThreadWakeups()
        let disk = try await tuttiRuns(runsRoot: scratch + "/runs")
        let peak = bigPeak ?? Self.peakMemoryMiB()
        let perTask = (peak - smallPeak) * 1024 / Double(memoryCount - smallCount)
        let memoryNote = String(format: "memory: peak %.1f MiB after a %d-task run, %.1f MiB after the %d-task %@: %.2f KiB a task "
                                + "(target at most 2 KiB: %@)", smallPeak, smallCount, peak, memoryCount, bigPeak == nil ? "runs" : "run",
                                perTask, perTask <= 2 ? "met" : "NOT met")
        rows.append(("tutti (engine, recorded)", disk.wall))
        cpuNotes.append(String(format: "engine CPU per task (run dir on disk): %.0f µs", disk.cpuPerTask * 1e6))
        cpuNotes.append(String(format: "first task started %.1f ms into the run; the run ended %.1f ms after the last task",
                               disk.firstStart * 1e3, disk.ending * 1e3))
        cpuNotes.append("main thread woken during those \(repeats * taskCount) tasks: \(Self.mainThreadWakeups() - mainThreadWakeups) "
                        + "times (a task's SIGCHLD reaching it would wake it about once a task)")
        if FileManager.default.fileExists(atPath: "/dev/shm") {
            let memoryRoot = "/dev/shm/tutti-bench-\(getpid())"
            defer { try? FileManager.default.removeItem(atPath: memoryRoot) }
            let memory = try await tuttiRuns(runsRoot: memoryRoot)
            rows.append(("tutti, run dir in tmpfs", memory.wall))
            cpuNotes.append(String(format: "engine CPU per task (run dir on tmpfs): %.0f µs", memory.cpuPerTask * 1e6))
            // The same work but for the file system: what the disk added is the kernel's.
            let added = disk.cpuPerTask - memory.cpuPerTask
            if added > 50e-6 {
                cpuNotes.append(String(format: "the disk cost each task %.0f µs of CPU more than tmpfs: creating its result file was slow "
                                       + "(ext4 without a journal passes over every inode freed in the last minutes: files deleted in "
                                       + "bulk, by tests or an earlier benchmark, slow it down for up to six minutes). The disk row "
                                       + "measures that; run again once the file system is quiet", added * 1e6))
            }
        }
        cpuNotes.append(memoryNote)
        if CommandLine.arguments.contains("--engine-only") {
            printTable(rows)
            print("\n" + cpuNotes.joined(separator: "\n"))
            return
        }
        try writeMakefile()
        rows.append(("make -j\(width)", installed("make") ? try await best { _ in try peer("make -s -j\(width) -f Makefile") } : nil))
        rows.append(("xargs -P\(width)", try await best { _ in try peer("seq \(taskCount) | xargs -P\(width) -n1 true") }))
        let hasParallel = installed("parallel") && shell("parallel --version 2>/dev/null | grep -q GNU")
        rows.append(("GNU parallel -j\(width)", hasParallel ? try await best { _ in try peer("seq \(taskCount) | parallel -j\(width) true") } : nil))
        printTable(rows)
        print("\n" + cpuNotes.joined(separator: "\n"))
        if let make = rows.first(where: { $0.0.hasPrefix("make") })?.1 {
            let ratio = disk.wall / make
            print(String(format: "target: tutti at most 1.0x make's wall time: %.2fx %@", ratio, ratio <= 1 ? "(met)" : "(NOT met)"))
        }
        if demo { try await runDemo() }
        if !CommandLine.arguments.contains("--skip-dashboard") { await dashboardFigures() }
        if !CommandLine.arguments.contains("--skip-replay") { try replayFigures(events: 1_000_000) }
        if !CommandLine.arguments.contains("--skip-validate") { try await validateFigures(tasks: 100_000) }
    }

    /// Time to create one small file in the scratch folder (Tutti writes one result file a
    /// task; on some disks, right after many files were deleted, this costs more than a task).
    func fileCreationSeconds() -> Double {
        let folder = scratch + "/files"
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let start = ContinuousClock.now
        for index in 0..<200 {
            let fd = open("\(folder)/\(index).json", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            if fd >= 0 { close(fd) }
        }
        return EventBus.seconds(ContinuousClock.now - start) / 200
    }

    /// Wall time of the best of `repeats` runs of `body` (given the run's number, from 1).
    func best(_ body: (Int) async throws -> Void) async rethrows -> Double {
        var times: [Double] = []
        for run in 1...repeats {
            let start = ContinuousClock.now
            try await body(run)
            times.append(EventBus.seconds(ContinuousClock.now - start))
        }
        return times.min() ?? 0
    }

    /// The trivial workflow through the engine: best wall time, this process's CPU per task,
    /// and (from the best run's report) when the first task started and how long the run
    /// took to end after the last task had.
    func tuttiRuns(runsRoot: String, count: Int? = nil, repeats: Int? = nil) async throws
        -> (wall: Double, cpuPerTask: Double, firstStart: Double, ending: Double) {
        let (taskCount, repeats) = (count ?? self.taskCount, repeats ?? self.repeats)
        let workflow = Workflow(name: "bench", tasks: (1...taskCount).map { TaskSpec(id: String($0), launch: .command(["true"])) },
                                execution: ExecutionSettings(parallelizationFactor: width))
        let cpuBefore = Self.ownCPUSeconds()
        // The best run's figures, not its report: a report kept while the next run goes on
        // would count in that run's memory.
        var fastest: (wall: Double, firstStart: Double, lastEnd: Double)?
        for run in 1...repeats {
            let options = RunOptions(runsDirectory: runsRoot, runID: "bench-\(run)", agentExecutable: tuttiBinary)
            let start = ContinuousClock.now
            let report = try await RunEngine(workflow: workflow, options: options).run()
            let wall = EventBus.seconds(ContinuousClock.now - start)
            guard report.outcome == .passed else { throw BenchmarkError("a benchmark run failed: \(report.outcomeReason ?? "")") }
            if wall < fastest?.wall ?? .infinity {
                fastest = (wall, report.tasks.compactMap(\.start).min() ?? 0, report.tasks.compactMap(\.end).max() ?? 0)
            }
        }
        let best = fastest!
        return (best.wall, (Self.ownCPUSeconds() - cpuBefore) / Double(repeats * taskCount), best.firstStart, best.wall - best.lastEnd)
    }

    func runDemo() async throws {
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let demoPath = FileManager.default.fileExists(atPath: "workflows/demo.yaml") ? "workflows/demo.yaml"
            : here.appendingPathComponent("workflows/demo.yaml").path
        let demo = try WorkflowLoader.load(path: demoPath)
        print("\nDemo workflow (\(demo.tasks.count) simulated agents, about 15 s)...")
        let options = RunOptions(runsDirectory: scratch + "/runs", agentExecutable: tuttiBinary)
        let report = try await RunEngine(workflow: demo, options: options).run()
        let share = report.maximumEfficiency > 0 ? report.parallelEfficiency / report.maximumEfficiency * 100 : 0
        print(String(format: "efficiency %.3fx of a possible %.3fx (sum %.2fs / longest task): %.1f%% of the maximum; "
                     + "target at least 99%%: %@", report.parallelEfficiency, report.maximumEfficiency, report.sumOfDurations,
                     share, share >= 99 ? "(met)" : "(NOT met)"))
        print("gates passed: \(report.gates.passed)/\(report.gates.total), outcome: \(report.outcome.rawValue)")
    }

    func writeMakefile() throws {
        let targets = (1...taskCount).map { "t\($0)" }
        try (".PHONY: all \(targets.joined(separator: " "))\nall: \(targets.joined(separator: " "))\n"
             + targets.map { "\($0):\n\ttrue\n" }.joined()).write(toFile: scratch + "/Makefile", atomically: true, encoding: .utf8)
    }

    func printTable(_ rows: [(String, Double?)]) {
        let make = rows.first { $0.0.hasPrefix("make") }?.1
        print("tool                          wall time   vs make")
        for (name, time) in rows {
            let wall = time.map { String(format: "%8.3fs", $0) } ?? "     n/a"
            let ratio = time.flatMap { t in make.map { String(format: "%6.2fx", t / $0) } } ?? (time == nil ? "  (not installed)" : "")
            print("\(name.padding(toLength: 28, withPad: " ", startingAt: 0))  \(wall)   \(ratio)")
        }
    }

    /// Runs a shell command line in the scratch folder, discarding its output; true when it exited 0.
    @discardableResult
    func shell(_ command: String) -> Bool {
        ChildProcess.run(["/bin/sh", "-c", command], in: scratch).status == 0
    }

    /// Runs a peer's command line in the scratch folder: one that fails is an error, not a time.
    func peer(_ command: String) throws {
        guard shell(command) else { throw BenchmarkError("the peer's command failed: \(command)") }
    }

    func installed(_ program: String) -> Bool { shell("command -v \(program) >/dev/null 2>&1") }

    /// How often the main thread has gone to sleep and been woken (it only waits for signals).
    static func mainThreadWakeups() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/task/\(getpid())/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("voluntary_ctxt_switches:") }
        return line.flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
    }

    /// The process's peak resident memory so far.
    static func peakMemoryMiB() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    /// CPU seconds (user + system) this process has used so far, children excluded.
    static func ownCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}

/// A benchmark run that did not complete.
struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
