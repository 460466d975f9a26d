import Foundation
import TuttiCore
import TuttiDashboard

extension Benchmark {
    /// Replay of a long recording of `count` events, as `tutti replay` opens it: the first
    /// frame while the rest is indexed, the whole recording seekable once it is, seeks, and
    /// the memory all that takes beside the file's size.
    func replayFigures(events count: Int) throws {
        print("\nReplay of a recording of \(count) events (writing it first)...")
        let path = scratch + "/long.ndjson"
        try writeLongRecording(path: path, events: count)
        let size = Double((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0)
        let memoryBefore = Self.currentMemoryMiB()
        let clock = ContinuousClock()
        let opened = clock.now
        let file = try RecordingStream(path: path)
        let index = ReplayIndex(file: file)
        var player = ReplayPlayer(index: index)
        let view = DashboardModel()
        _ = DashboardRenderer().render(player.model(keepingViewOf: view), width: 120, height: 40)
        let firstFrame = EventBus.seconds(clock.now - opened)
        index.waitUntilComplete()
        let seekable = EventBus.seconds(clock.now - opened)
        guard index.count == count else { throw BenchmarkError("replay figures: \(index.count) of \(count) events indexed") }
        var generator = SplitMix64(seed: 7)
        var seeks: [Double] = []
        for _ in 0..<200 {
            let target = Double(generator.next() % 1_000_000) / 1_000_000 * player.duration
            seeks.append(EventBus.seconds(clock.measure { player.seek(to: target) }))
        }
        let frame = clock.measure { _ = DashboardRenderer().render(player.model(keepingViewOf: view), width: 120, height: 40) }
        let memory = Self.currentMemoryMiB() - memoryBefore
        let fileMiB = size / 1_048_576
        print(String(format: "file %.0f MiB; first frame %.2f s (target 0.5 s: %@); every moment seekable %.2f s (target 1 s: %@)",
                     fileMiB, firstFrame, firstFrame <= 0.5 ? "met" : "NOT met", seekable, seekable <= 1 ? "met" : "NOT met"))
        print(String(format: "seek to a random time: mean %.1f ms, worst of 200 %.1f ms; the frame after it %.1f ms",
                     seeks.reduce(0, +) / Double(seeks.count) * 1000, (seeks.max() ?? 0) * 1000, EventBus.seconds(frame) * 1000))
        print(String(format: "memory for the replay: %.0f MiB, %.1fx the file (target at most 2x: %@)", memory, memory / max(1, fileMiB),
                     memory <= 2 * fileMiB ? "met" : "NOT met"))
    }

    /// The process's resident memory now.
    static func currentMemoryMiB() -> Double { statusMiB("VmRSS") }

    /// A recording like a long run's: 16 tasks reporting progress, metrics and log lines.
    func writeLongRecording(path: String, events count: Int) throws {
        let tasks = (1...16).map { AnnouncedTask(id: "\($0)", name: "Task \($0)", agent: "sim", dependsOn: [], gates: 1, maxAttempts: 1) }
        let header = RecordingHeader(runID: "long", workflow: "long", workflowFile: nil, host: "bench", startedAt: Date())
        let recorder = try EventRecorder(path: path, header: header)
        defer { recorder.close() }
        let perSecond = 1000.0
        var seq = 0
        func record(_ kind: EventKind) {
            seq += 1
            recorder.append(RunEvent(seq: seq, time: Double(seq) / perSecond, kind: kind))
        }
        record(.runStarted(RunStarted(runID: "long", workflow: "long", parallelism: 16, mode: "parallel", pollingInterval: 5, tasks: tasks)))
        for task in tasks { record(.taskStarted(TaskStarted(task: task.id, attempt: 1, pid: 1000, command: ["sim"]))) }
        while seq < count - 1 {
            let task = String(seq % 16 + 1)
            switch seq % 10 {
            case 0: record(.taskMetric(TaskMetric(task: task, name: "items", value: .number(Double(seq)))))
            case 1, 2, 3: record(.taskLog(TaskLog(task: task, stream: .stdout, line: "step \(seq): scanned item \(seq * 7)")))
            default: record(.taskProgress(TaskProgress(task: task, percent: Double(seq) / Double(count) * 100)))
            }
        }
        record(.runFinished(RunFinished(outcome: .passed)))
    }
}

