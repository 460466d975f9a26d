import ArgumentParser
import Foundation
import TuttiCore

/// `tutti report RUN`: a finished run's summary, its report as JSON, JUnit XML or HTML.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Print a recorded run's summary, or write its report as JSON, JUnit XML or HTML.",
        discussion: "Exit codes: the run's own (0 passed, 1 failed, 130 interrupted); 2 no such run, or it is still going; "
            + "3 the run never finished (its process ended before the run's end was recorded)."
    )

    @OptionGroup var selection: RunSelection

    @Flag(help: "Print the full report as JSON.")
    var json = false

    @Option(help: ArgumentHelp("Write JUnit XML here: a test case per quality gate, grouped by task.", valueName: "file"))
    var junit: String?

    @Option(help: ArgumentHelp("Write a self-contained HTML report here.", valueName: "file"))
    var html: String?

    func run() throws {
        let eventsPath = try selection.eventsFile(for: "report")
        let report: RunReport
        do { report = try Self.load(eventsPath) } catch {
            Console.err("tutti report: \(error)")
            if case ReportError.neverFinished = error { throw ExitCode(ExitStatus.runNotLive) }
            throw ExitCode(ExitStatus.invalidInput)
        }
        var wrote: [String] = []
        for (path, text) in [(junit, junit.map { _ in JUnitReport.xml(for: report) }), (html, html.map { _ in HTMLReport.html(for: report) })] {
            guard let path, let text else { continue }
            do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
                Console.err("tutti report: cannot write \(path): \(error.localizedDescription)")
                throw ExitCode(ExitStatus.invalidInput)
            }
            wrote.append(path)
        }
        if json {
            Console.out(String(decoding: report.jsonBytes().dropLast(), as: UTF8.self))
        } else if wrote.isEmpty {
            for line in SummaryFormatter.lines(for: report) { Console.out(line) }
        } else {
            for path in wrote { Console.out("Wrote \(path)") }
        }
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }

    /// The run's report: the report.json beside its events file, or the last report its
    /// recording carries.
    static func load(_ eventsPath: String) throws -> RunReport {
        let directory = RunDirectory(path: (eventsPath as NSString).deletingLastPathComponent)
        // A finished run's report file; a live one may have been reopened since it was written.
        if directory.eventsPath == eventsPath, !EventRecorder.isBeingRecorded(eventsPath),
           let data = FileManager.default.contents(atPath: directory.reportPath),
           let report = try? JSONDecoder.events.decodeChecked(RunReport.self, from: data) {
            return report
        }
        let recording = try Recording.read(path: eventsPath)
        for event in recording.events.reversed() {
            if case .runFinished(let finished) = event.kind, let report = finished.report { return report }
            if case .runReopened = event.kind { break }
        }
        if EventRecorder.isBeingRecorded(eventsPath) { throw ReportError.stillGoing(eventsPath) }
        throw ReportError.neverFinished(eventsPath, recording.events.last?.time ?? 0)
    }

    /// A run that has no report to show.
    enum ReportError: Error, CustomStringConvertible {
        /// Its process still records it.
        case stillGoing(String)
        /// Its process ended before the run did, after so many seconds.
        case neverFinished(String, Double)

        var description: String {
            switch self {
            case .stillGoing(let path):
                return "the run recorded in \(path) is still going: it has no report yet (tutti watch follows it)"
            case .neverFinished(let path, let last):
                return "the run recorded in \(path) never finished: its process ended after t=\(DurationText.format(last)), "
                    + "before the run's end was recorded (tutti replay shows how far it got)"
            }
        }
    }
}
