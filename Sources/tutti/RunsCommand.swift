import ArgumentParser
import Foundation
import TuttiCore

/// `tutti runs`: the recorded runs, newest first; `tutti runs prune`: removes old ones.
struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List recorded runs, newest first, or prune old ones.",
        subcommands: [RunsListCommand.self, RunsPruneCommand.self],
        defaultSubcommand: RunsListCommand.self
    )
}

/// One run in the list.
struct RunsEntry: Codable {
    var runID: String
    var workflow: String
    var startedAt: Date
    /// See `RunStanding.state`.
    var state: String
    var live: Bool
    var outcome: RunOutcome?
    var wallSeconds: Double?
    var efficiency: Double?
    var gatesPassed: Int?
    var gatesTotal: Int?
    var directory: String

    enum CodingKeys: String, CodingKey {
        case runID = "run_id", workflow, startedAt = "started_at", state, live, outcome, wallSeconds = "wall_seconds",
             efficiency = "parallel_efficiency", gatesPassed = "gates_passed", gatesTotal = "gates_total", directory
    }

    init(_ run: RecordedRun) {
        let standing = run.standing
        let report = standing.report
        runID = run.header.runID
        workflow = run.header.workflow
        startedAt = run.header.startedAt
        live = standing.live
        outcome = report?.outcome
        state = standing.state
        wallSeconds = report?.wallSeconds
        efficiency = report?.parallelEfficiency
        gatesPassed = report?.gates.passed
        gatesTotal = report?.gates.total
        directory = run.directory.path
    }
}

/// `tutti runs [list]`.
struct RunsListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List recorded runs, newest first: id, workflow, start, duration, state, efficiency, gates."
    )

    @OptionGroup var runs: RunsFolderOption

    @Option(help: "Only runs of this workflow.")
    var workflow: String?

    @Option(help: "Only runs in this state: passed, failed, interrupted, timed_out, running, ...")
    var outcome: String?

    @Option(help: "At most this many runs.")
    var limit: Int?

    @Flag(help: "Print the list as JSON.")
    var json = false

    func run() throws {
        var entries = runs.locator.runs()
            .filter { workflow == nil || $0.header.workflow == workflow }
            .map(RunsEntry.init)
            .filter { entry in outcome.map { entry.outcome?.rawValue == $0 || entry.state == $0 } ?? true }
        if let limit { entries = Array(entries.prefix(max(0, limit))) }
        if json {
            Console.out(String(decoding: (try? JSONEncoder.report.encode(entries)) ?? Data(), as: UTF8.self))
            return
        }
        guard !entries.isEmpty else {
            Console.out(workflow == nil && outcome == nil ? "No runs in \(runs.runsDir) yet." : "No runs match.")
            return
        }
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        let rows = entries.map { entry in
            // Escaped before the columns are measured, so a name with control characters stays in its column.
            [entry.runID.escapingControls, entry.workflow.escapingControls, formatter.string(from: entry.startedAt),
             entry.wallSeconds.map { DurationText.format($0) } ?? (entry.live ? "…" : "—"), entry.state,
             entry.efficiency.map { String(format: "%.2fx", $0) } ?? "—",
             entry.gatesTotal.map { "\(entry.gatesPassed ?? 0)/\($0)" } ?? "—"]
        }
        let heading = ["RUN", "WORKFLOW", "STARTED", "TIME", "STATE", "EFFICIENCY", "GATES"]
        let widths = heading.indices.map { column in (rows + [heading]).map { $0[column].count }.max() ?? 0 }
        for row in [heading] + rows {
            Console.out(row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces))
        }
    }
}

/// `tutti runs prune --keep N`.
struct RunsPruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Remove all but the newest N runs (live runs are always kept)."
    )

    @OptionGroup var runs: RunsFolderOption

    @Option(help: "How many of the newest runs to keep.")
    var keep: Int

    @Flag(help: "Say what would be removed, and remove nothing.")
    var dryRun = false

    func run() throws {
        guard keep >= 0 else {
            Console.err("tutti runs prune: --keep must be 0 or more")
            throw ExitCode(ExitStatus.invalidInput)
        }
        let old = runs.locator.runs().dropFirst(keep).filter { !$0.standing.live }
        for run in old {
            if dryRun {
                Console.out("would remove \(run.directory.path)")
                continue
            }
            do {
                try FileManager.default.removeItem(atPath: run.directory.path)
                Console.out("removed \(run.directory.path)")
            } catch {
                Console.err("tutti runs prune: cannot remove \(run.directory.path): \(error.localizedDescription)")
                throw ExitCode(ExitStatus.failure)
            }
        }
        if old.isEmpty { Console.out("Nothing to prune: \(keep == 0 ? "no ended runs" : "at most \(keep) runs") in \(runs.runsDir).") }
    }
}
