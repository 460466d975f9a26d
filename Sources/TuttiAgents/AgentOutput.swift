import Foundation
import TuttiCore

/// What a built-in agent says, in the agent protocol, on stdout: progress, metrics,
/// messages, and plain log lines. Every line is written at once, so the engine sees it live.
public struct AgentOutput: Sendable {
    private let write: @Sendable (String) -> Void

    /// Output to stdout, or to `write` (tests).
    public init(write: @escaping @Sendable (String) -> Void = { FileIO.writeAll(STDOUT_FILENO, Array(($0 + "\n").utf8)) }) {
        self.write = write
    }

    /// A log line. One that happens to start like the protocol is indented so it stays log.
    public func log(_ line: String) {
        write(line.hasPrefix(AgentProtocol.prefix) ? " " + line : line)
    }

    /// Progress as work done of work known.
    public func progress(done: Int, of total: Int) {
        write("\(AgentProtocol.prefix)progress \(min(done, total))/\(max(total, 1))")
    }

    /// Progress in percent, when the total is not known.
    public func progress(percent: Double) {
        write("\(AgentProtocol.prefix)progress \(NumberFormat.compact((min(100, max(0, percent)) * 10).rounded() / 10))")
    }

    /// A number metric for the gates, with what it measures when `label` is given.
    public func metric(_ name: String, _ value: Double, label: String? = nil) {
        if let label { self.label(name, label) }
        write("\(AgentProtocol.prefix)metric \(name) \(NumberFormat.compact(value))")
    }

    /// A yes/no metric for the gates, with what it measures when `label` is given.
    public func metric(_ name: String, _ value: Bool, label: String? = nil) {
        if let label { self.label(name, label) }
        write("\(AgentProtocol.prefix)metric \(name) \(value)")
    }

    /// What a metric measures, in words: gate tables show it beside the metric's name.
    public func label(_ name: String, _ text: String) {
        write("\(AgentProtocol.prefix)label \(name) \(text)")
    }

    /// Something found, for the summary and the reports.
    public func finding(_ finding: Finding) {
        let json = (try? JSONEncoder.sortedCompact.encode(finding.jsonValue)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        write("\(AgentProtocol.prefix)finding \(json)")
    }

    /// A message for the dashboard's notices and the log.
    public func message(_ text: String) {
        write("\(AgentProtocol.prefix)message \(text)")
    }

    /// A detail of the task (the command that really ran, the result in a line, the findings
    /// file), shown in its details; one line.
    public func detail(_ name: TaskDetail.Name, _ text: String) {
        let line = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        guard !line.isEmpty else { return }
        write("\(AgentProtocol.prefix)detail \(name.rawValue) \(line)")
    }

    /// The task's result in a line: a notice now, and its headline in the details.
    public func headline(_ text: String) {
        message(text)
        detail(.headline, text)
    }
}
