import Foundation

/// How long each task of a workflow took in its earlier runs: what an ETA rests on when a
/// task reports no progress of its own.
public struct DurationHistory: Sendable, Hashable {
    /// Seconds of each earlier successful attempt, newest first, by task id.
    public var durations: [String: [Double]]

    public init(durations: [String: [Double]] = [:]) { self.durations = durations }

    /// The earlier runs of `workflow` recorded in `runsDirectory` (the newest `limit` that
    /// have a report, leaving out `excluding`).
    public static func load(runsDirectory: String, workflow: String, excluding runID: String? = nil, limit: Int = 20) -> DurationHistory {
        var durations: [String: [Double]] = [:]
        let runs = RunLocator(runsDirectory: runsDirectory).runs().filter { $0.header.workflow == workflow && $0.header.runID != runID }
        for report in runs.lazy.compactMap(\.report).prefix(limit) {
            for task in report.tasks where task.status == .succeeded {
                guard let last = task.attempts.last, last.status == .succeeded else { continue }
                durations[task.id, default: []].append(last.duration)
            }
        }
        return DurationHistory(durations: durations)
    }

    /// What earlier runs say a task takes: the median, how many runs, and the range.
    public struct Estimate: Sendable, Hashable {
        public var seconds: Double
        public var runs: Int
        public var fastest: Double
        public var slowest: Double

        /// "median of 5 earlier runs, 10s–14s".
        public var basis: String {
            runs == 1 ? "from 1 earlier run"
                : "median of \(runs) earlier runs, \(DurationText.format(fastest))–\(DurationText.format(slowest))"
        }
    }

    /// The estimate for `task`; nil without earlier runs.
    public func estimate(_ task: String) -> Estimate? {
        guard let seen = durations[task], !seen.isEmpty else { return nil }
        let sorted = seen.sorted()
        let middle = sorted.count / 2
        let median = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        return Estimate(seconds: median, runs: sorted.count, fastest: sorted[0], slowest: sorted[sorted.count - 1])
    }
}
