import Foundation
import TuttiCore

/// Reading and checking large workflow files: 100,000 independent tasks, and 100 layers of
/// 100 tasks each waiting for all of the layer before, said once per task as a group
/// (`depends_on: [layer3]`) and spelt out task by task (990,000 edges). Each file is read in a
/// fresh process of its own, so its peak memory is its own.
extension Benchmark {
    func validateFigures(tasks count: Int) async throws {
        print("\nValidate (read and check a workflow file, as tutti validate and tutti run do; each in a fresh process)")
        let flat = scratch + "/flat.yaml"
        var text = "name: flat\ntasks:\n"
        text.reserveCapacity(count * 48)
        for index in 0..<count { text += "  - task_id: t\(index)\n    command: [\"true\"]\n" }
        try text.write(toFile: flat, atomically: false, encoding: .utf8)
        let grouped = scratch + "/layered-groups.yaml"
        var groups = "name: layered\ntasks:\n"
        for layer in 0..<100 {
            for index in 0..<100 {
                groups += "  - {task_id: l\(layer)-\(index), command: [\"true\"], group: layer\(layer)"
                    + (layer == 0 ? "}\n" : ", depends_on: [layer\(layer - 1)]}\n")
            }
        }
        try groups.write(toFile: grouped, atomically: false, encoding: .utf8)
        let spelt = scratch + "/layered-edges.yaml"
        var layers = "name: layered\ntasks:\n"
        for layer in 0..<100 {
            let previous = layer == 0 ? "" : (0..<100).map { "l\(layer - 1)-\($0)" }.joined(separator: ", ")
            for index in 0..<100 { layers += "  - {task_id: l\(layer)-\(index), command: [\"true\"], depends_on: [\(previous)]}\n" }
        }
        try layers.write(toFile: spelt, atomically: false, encoding: .utf8)

        let files = [("\(count) independent tasks", flat, count),
                     ("100 layers x 100 tasks, each layer waiting for the one before as a group", grouped, 10_000),
                     ("the same 990,000 edges spelt out task by task", spelt, 10_000)]
        var memoryPerFileByte: [Double] = []
        for (label, path, tasks) in files {
            var best: (seconds: Double, memory: Double)?
            for _ in 1...repeats {
                let figure = try loadInAFreshProcess(path, tasks: tasks)
                if figure.seconds < best?.seconds ?? .infinity { best = figure }
            }
            guard let best else { continue }
            let size = Double((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) / 1_048_576
            memoryPerFileByte.append(best.memory / size)
            let timeTarget = path == flat ? String(format: " (target under 1 s: %@)", best.seconds < 1 ? "met" : "NOT met") : ""
            print(String(format: "%@ (%.1f MiB of YAML): %.2f s, memory +%.0f MiB, %.0fx the file%@", label, size, best.seconds,
                         best.memory, best.memory / size, timeTarget))
        }
        try await layersBesideMake(grouped)
        // Linear in what the file says: per byte of file, the layers cost no more than
        // independent tasks do.
        if memoryPerFileByte.count == 3 {
            let linear = memoryPerFileByte[1] <= memoryPerFileByte[0] * 1.25
            print(String(format: "layers as groups: %.0fx the file, independent tasks %.0fx (target memory linear in the file: %@)",
                         memoryPerFileByte[1], memoryPerFileByte[0], linear ? "met" : "NOT met"))
        }
    }

    /// Runs the layered workflow (groups) through the engine, recorded, beside make -j4 with
    /// the same layers (a phony target per layer).
    func layersBesideMake(_ path: String) async throws {
        var makefile = ".PHONY: all" + (0..<100).map { " layer\($0)" }.joined() + "\nall: layer99\n"
        for layer in 0..<100 {
            let tasks = (0..<100).map { "l\(layer)-\($0)" }
            makefile += ".PHONY: \(tasks.joined(separator: " "))\nlayer\(layer): \(tasks.joined(separator: " "))\n"
            for task in tasks { makefile += "\(task):\(layer == 0 ? "" : " layer\(layer - 1)")\n\ttrue\n" }
        }
        try makefile.write(toFile: scratch + "/Layers.mk", atomically: true, encoding: .utf8)
        let runs = scratch + "/layer-runs"
        // Each side reads its file: the workflow here, the makefile there.
        let tutti = try await best { run in
            let workflow = try WorkflowLoader.load(path: path)
            let options = RunOptions(runsDirectory: runs, runID: "layers-\(run)", parallelism: width, agentExecutable: tuttiBinary)
            let report = try await RunEngine(workflow: workflow, options: options).run()
            guard report.outcome == .passed else { throw BenchmarkError("the layered run failed: \(report.outcomeReason ?? "")") }
        }
        let make = installed("make") ? try await best { _ in try peer("make -s -j\(width) -f Layers.mk") } : nil
        print(String(format: "running those layers %d wide, recorded, the file read: tutti %.2f s, make -j%d %@", width, tutti, width,
                     make.map { String(format: "%.2f s (tutti %.2fx make)", $0, tutti / $0) } ?? "not installed"))
    }

    /// Reads and checks the workflow at `path` in a child process (this program with `--load`):
    /// its time and how much its peak memory grew.
    func loadInAFreshProcess(_ path: String, tasks: Int) throws -> (seconds: Double, memory: Double) {
        let result = ChildProcess.run([RunOptions.currentExecutable, "--load", path], captureOutput: true)
        let fields = result.output.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        guard result.status == 0, fields.count == 3 else { throw BenchmarkError("validate of \(path) failed: \(result.output)") }
        guard Int(fields[2]) == tasks else { throw BenchmarkError("validate: \(Int(fields[2])) tasks read from \(path)") }
        return (fields[0], fields[1])
    }

    /// `tutti-bench --load FILE`: reads and checks the workflow as `tutti validate` does and
    /// prints the seconds it took, how much the peak memory grew (MiB) and the task count.
    /// (The peak is read from /proc, the program's own: getrusage's would start from the
    /// parent's, whose memory the child shared until it ran this program.)
    static func loadAndReport(_ path: String) -> Never {
        let before = ownPeakMemoryMiB()
        let start = ContinuousClock.now
        do {
            let workflow = try WorkflowLoader.load(path: path)
            print(EventBus.seconds(ContinuousClock.now - start), ownPeakMemoryMiB() - before, workflow.tasks.count)
            exit(0)
        } catch {
            print("\(error)")
            exit(1)
        }
    }

    /// The peak resident memory of this program (VmHWM), since it started.
    static func ownPeakMemoryMiB() -> Double { statusMiB("VmHWM") }

    /// A memory figure of /proc/self/status (`VmRSS:   1234 kB`), in MiB.
    static func statusMiB(_ field: String) -> Double {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix(field + ":") } ?? ""
        return (Double(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "0") ?? 0) / 1024
    }

}
