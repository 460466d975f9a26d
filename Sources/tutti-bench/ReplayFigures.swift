import Foundation
import TuttiCore
import TuttiDashboard

extension Benchmark {
    /// Replay of a long recording: reading and indexing 1,000,000 events, then seeking.
    func replayFigures(events count: Int) throws {
        print("\nReplay of a recording of \(count) events (writing it first)...")
        let path = scratch + "/long.ndjson"
        try writeLongRecording(path: path, events: count)
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        let clock = ContinuousClock()
        var recording: Recording?
        let read = clock.measure { recording = try? Recording.read(path: path) }
        guard let recording, recording.events.count == count else { throw BenchmarkError("replay figures: the recording did not read back") }
        var player: ReplayPlayer?
        let index = clock.measure { player = ReplayPlayer(events: recording.events) }
        guard var player else { return }
        var generator = SplitMix64(seed: 7)
        var seeks: [Double] = []
        for _ in 0..<200 {
            let target = Double(generator.next() % 1_000_000) / 1_000_000 * player.duration
            seeks.append(EventBus.seconds(clock.measure { player.seek(to: target) }))
        }
        let view = DashboardModel()
        let frame = clock.measure { _ = DashboardRenderer().render(player.model(keepingViewOf: view), width: 120, height: 40) }
        print(String(format: "file %.0f MiB; read and decode %.2f s; index (snapshots) %.2f s", Double(size) / 1_048_576,
                     EventBus.seconds(read), EventBus.seconds(index)))
        print(String(format: "seek to a random time: mean %.1f ms, worst of 200 %.1f ms; the frame after it %.1f ms",
                     seeks.reduce(0, +) / Double(seeks.count) * 1000, (seeks.max() ?? 0) * 1000, EventBus.seconds(frame) * 1000))
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        print(String(format: "peak memory of the benchmark process, with the recording loaded: %.0f MiB (target: a seek well under 1 s: %@)",
                     Double(usage.ru_maxrss) / 1024, (seeks.max() ?? 1) < 0.5 ? "met" : "NOT met"))
    }

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

