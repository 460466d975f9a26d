import Foundation
import TuttiCore

// Tutti's benchmark: 1000 trivial tasks through the engine (recording on) beside make -j4,
// xargs -P4 and GNU parallel -j4; then the demo workflow's efficiency against its maximum.
// Run with: swift run -c release tutti-bench [--tasks N] [--repeat N] [--skip-demo]

let arguments = CommandLine.arguments
func option(_ name: String, default value: Int) -> Int {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count, let number = Int(arguments[index + 1])
    else { return value }
    return number
}
let taskCount = option("--tasks", default: 1000)
let repeats = option("--repeat", default: 3)
let width = 4
let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tutti-bench-\(getpid())").path
try? FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: scratch) }

/// Wall time of the best of `repeats` runs of `body`.
@MainActor func best(_ body: () async throws -> Void) async rethrows -> Double {
    var times: [Double] = []
    for _ in 0..<repeats {
        let start = ContinuousClock.now
        try await body()
        times.append(EventBus.seconds(ContinuousClock.now - start))
    }
    return times.min() ?? 0
}

/// Runs a shell command line, discarding its output; true when it exited 0.
@discardableResult
func shell(_ command: String) -> Bool {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    process.currentDirectoryURL = URL(fileURLWithPath: scratch)
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return false }
    process.waitUntilExit()
    return process.terminationStatus == 0
}

func installed(_ program: String) -> Bool { shell("command -v \(program) >/dev/null 2>&1") }

/// The `tutti` binary beside this one (built agents run through it).
let tuttiBinary = URL(fileURLWithPath: RunOptions.currentExecutable).deletingLastPathComponent()
    .appendingPathComponent("tutti").path

print("Tutti benchmark: \(taskCount) trivial tasks (`true`), \(width) at a time, best of \(repeats) runs")
print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores\n")

var rows: [(String, Double?)] = []

let workflow = Workflow(name: "bench", tasks: (1...taskCount).map { TaskSpec(id: String($0), launch: .command(["true"])) },
                        execution: ExecutionSettings(parallelizationFactor: width))
/// CPU seconds (user + system) this process has used so far, children excluded.
func ownCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

var run = 0
var engineCPU: [String: Double] = [:]
/// Runs the workflow through the engine with its run directories under `runsRoot`.
@MainActor func tuttiRuns(_ label: String, runsRoot: String) async throws -> Double {
    let cpuBefore = ownCPUSeconds()
    let time = try await best {
        run += 1
        let options = RunOptions(runsDirectory: runsRoot, runID: "bench-\(run)", agentExecutable: tuttiBinary)
        let report = await try RunEngine(workflow: workflow, options: options).run()
        guard report.outcome == .passed else { fatalError("benchmark run failed: \(report.outcomeReason ?? "")") }
    }
    engineCPU[label] = (ownCPUSeconds() - cpuBefore) / Double(repeats * taskCount) * 1e6
    return time
}
let tuttiTime = try await tuttiRuns("disk", runsRoot: scratch + "/runs")
rows.append(("tutti (engine, recorded)", tuttiTime))
let memoryRoot = "/dev/shm/tutti-bench-\(getpid())"
if FileManager.default.fileExists(atPath: "/dev/shm") {
    defer { try? FileManager.default.removeItem(atPath: memoryRoot) }
    rows.append(("tutti, run dir in tmpfs", try await tuttiRuns("tmpfs", runsRoot: memoryRoot)))
}

let makefile = scratch + "/Makefile"
let targets = (1...taskCount).map { "t\($0)" }
try (".PHONY: all \(targets.joined(separator: " "))\nall: \(targets.joined(separator: " "))\n"
     + targets.map { "\($0):\n\ttrue\n" }.joined()).write(toFile: makefile, atomically: true, encoding: .utf8)
rows.append(("make -j\(width)", installed("make") ? await best { shell("make -s -j\(width) -f Makefile") } : nil))
rows.append(("xargs -P\(width)", await best { shell("seq \(taskCount) | xargs -P\(width) -n1 true") }))
let hasParallel = installed("parallel") && shell("parallel --version 2>/dev/null | grep -q GNU")
rows.append(("GNU parallel -j\(width)", hasParallel ? await best { shell("seq \(taskCount) | parallel -j\(width) true") } : nil))

let makeTime = rows.first { $0.0.hasPrefix("make") }?.1
print("tool                          wall time   vs make")
for (name, time) in rows {
    let wall = time.map { String(format: "%8.3fs", $0) } ?? "     n/a"
    let ratio = time.flatMap { t in makeTime.map { String(format: "%6.2fx", t / $0) } } ?? (time == nil ? "  (not installed)" : "")
    print("\(name.padding(toLength: 28, withPad: " ", startingAt: 0))  \(wall)   \(ratio)")
}
for (label, micros) in engineCPU.sorted(by: { $0.key < $1.key }) {
    print(String(format: "\nengine CPU per task (run dir on %@): %.0f µs", label, micros), terminator: "")
}
print()
var usage = rusage()
getrusage(RUSAGE_SELF.rawValue, &usage)
print(String(format: "\npeak memory of the benchmark process (engine + %d-task runs): %.1f MiB", taskCount,
             Double(usage.ru_maxrss) / 1024))
if let makeTime {
    let ratio = tuttiTime / makeTime
    print(String(format: "target: tutti at most 1.0x make's wall time: %.2fx %@", ratio, ratio <= 1.0 ? "(met)" : "(NOT met)"))
}

if !arguments.contains("--skip-demo") {
    let demoPath = FileManager.default.fileExists(atPath: "workflows/demo.yaml") ? "workflows/demo.yaml"
        : URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("workflows/demo.yaml").path
    let demo = try WorkflowLoader.load(path: demoPath)
    print("\nDemo workflow (\(demo.tasks.count) simulated agents, about 15 s)...")
    let options = RunOptions(runsDirectory: scratch + "/runs", agentExecutable: tuttiBinary)
    let report = await try RunEngine(workflow: demo, options: options).run()
    let share = report.maximumEfficiency > 0 ? report.parallelEfficiency / report.maximumEfficiency * 100 : 0
    print(String(format: "efficiency %.3fx of a possible %.3fx (sum %.2fs / longest task): %.1f%% of the maximum; "
                 + "target at least 99%%: %@", report.parallelEfficiency, report.maximumEfficiency, report.sumOfDurations,
                 share, share >= 99 ? "(met)" : "(NOT met)"))
    print("gates passed: \(report.gates.passed)/\(report.gates.total), outcome: \(report.outcome.rawValue)")
}
