import Foundation
import TuttiCore

/// Reading and checking large workflow files: 100,000 independent tasks, and 100 layers of
/// 100 tasks each depending on all of the layer before (990,000 edges).
extension Benchmark {
    func validateFigures(tasks count: Int) async throws {
        print("\nValidate (read and check a workflow file, as tutti validate and tutti run do)")
        let flat = scratch + "/flat.yaml"
        var text = "name: flat\ntasks:\n"
        text.reserveCapacity(count * 48)
        for index in 0..<count { text += "  - task_id: t\(index)\n    command: [\"true\"]\n" }
        try text.write(toFile: flat, atomically: false, encoding: .utf8)
        let layered = scratch + "/layered.yaml"
        var layers = "name: layered\ntasks:\n"
        for layer in 0..<100 {
            let previous = layer == 0 ? "" : (0..<100).map { "l\(layer - 1)-\($0)" }.joined(separator: ", ")
            for index in 0..<100 { layers += "  - {task_id: l\(layer)-\(index), command: [\"true\"], depends_on: [\(previous)]}\n" }
        }
        try layers.write(toFile: layered, atomically: false, encoding: .utf8)
        for (label, path, tasks) in [("\(count) independent tasks", flat, count), ("100 layers x 100 tasks, 990,000 edges", layered, 10_000)] {
            let before = Self.peakMemoryMiB()
            let seconds = try await best { _ in
                let workflow = try WorkflowLoader.load(path: path)
                guard workflow.tasks.count == tasks else { throw BenchmarkError("validate: \(workflow.tasks.count) tasks read") }
            }
            let size = Double((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) / 1_048_576
            print(String(format: "%@ (%.1f MiB of YAML): %.2f s, peak memory +%.0f MiB (target under 1 s: %@)", label, size, seconds,
                         Self.peakMemoryMiB() - before, seconds < 1 ? "met" : "NOT met"))
        }
    }

    /// The process's peak resident memory so far.
    static func peakMemoryMiB() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}
