import ArgumentParser
import Foundation
import TuttiCore

/// `tutti runs`: the recorded runs, newest first, with their state.
struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List recorded runs, newest first, with their state."
    )

    @Option(help: "Folder for run directories.")
    var runsDir = ".tutti/runs"

    @Flag(help: "Print the list as JSON.")
    var json = false

    /// One line of the list.
    struct Entry: Codable {
        var runID: String
        var workflow: String
        var startedAt: Date
        /// running, paused, held, stopping, finished (live); passed, failed, interrupted,
        /// timed_out (ended); or "ended without a report" (its process died).
        var state: String
        var live: Bool
        var wallSeconds: Double?
        var directory: String

        enum CodingKeys: String, CodingKey {
            case runID = "run_id", workflow, startedAt = "started_at", state, live, wallSeconds = "wall_seconds", directory
        }
    }

    func run() throws {
        let entries = RunLocator(runsDirectory: runsDir).runs().map { run -> Entry in
            let report = run.report
            let live = run.liveStatus
            let state = live.map { $0.state == "finished" ? "finished, open (\(report?.outcome.rawValue ?? "?"))" : $0.state }
                ?? report?.outcome.rawValue ?? "ended without a report"
            return Entry(runID: run.header.runID, workflow: run.header.workflow, startedAt: run.header.startedAt, state: state,
                         live: live != nil, wallSeconds: report?.wallSeconds, directory: run.directory.path)
        }
        if json {
            let data = (try? JSONEncoder.report.encode(entries)) ?? Data()
            Console.out(String(decoding: data, as: UTF8.self))
            return
        }
        guard !entries.isEmpty else {
            Console.out("No runs in \(runsDir) yet.")
            return
        }
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        let rows = entries.map { entry in
            [entry.runID, entry.workflow, formatter.string(from: entry.startedAt),
             entry.wallSeconds.map { DurationText.format($0) } ?? (entry.live ? "…" : "—"), entry.state]
        }
        let heading = ["RUN", "WORKFLOW", "STARTED", "TIME", "STATE"]
        let widths = heading.indices.map { column in (rows + [heading]).map { $0[column].count }.max() ?? 0 }
        for row in [heading] + rows {
            Console.out(row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces))
        }
    }
}
