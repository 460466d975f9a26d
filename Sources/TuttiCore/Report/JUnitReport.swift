import Foundation

/// A run as JUnit XML, so CI systems show quality gates as tests: a test suite per task, a
/// test case per gate (a task without gates gets one case: that it succeeded). A skipped
/// task's cases are skipped.
public enum JUnitReport {
    /// The XML for `report`.
    public static func xml(for report: RunReport) -> String {
        var suites: [String] = []
        var totals = (tests: 0, failures: 0, skipped: 0)
        for task in report.tasks {
            var cases: [String] = []
            var counts = (tests: 0, failures: 0, skipped: 0)
            let className = "\(report.workflow).task-\(task.id)"
            // What the agent found explains a failure: the first few go with every failed case.
            let findings = task.findings.prefix(10).map { "\($0.severity.rawValue.uppercased()) \($0.summaryLine)" }
            let more = task.findingCount - findings.count
            let findingsText = findings.isEmpty ? ""
                : "\nfindings (\(task.findingCount)):\n" + findings.joined(separator: "\n") + (more > 0 ? "\nand \(more) more" : "")
            // A failed gate and a failed process are told apart by the failure's type.
            func add(name: String, passed: Bool, message: String, detail: String, warning: String? = nil, type: String = "quality_gate") {
                counts.tests += 1
                var body = ""
                if task.status == .skipped {
                    counts.skipped += 1
                    body = "<skipped message=\"\(escape(task.reason ?? "task skipped"))\"/>"
                } else if !passed {
                    counts.failures += 1
                    body = "<failure type=\"\(type)\" message=\"\(escape(message))\">\(escape(detail + findingsText))</failure>"
                } else if let warning {
                    body = "<system-out>\(escape(warning))</system-out>"
                }
                cases.append("    <testcase classname=\"\(escape(className))\" name=\"\(escape(name))\" time=\"0\">\(body)</testcase>")
            }
            for gate in task.gates {
                // An advisory gate that failed is a warning: it passes as a test case, its message kept.
                let message = "\(gate.metricText) is \(gate.actualText): \(gate.reason ?? "needs \(gate.threshold)")"
                add(name: "\(gate.metric) \(gate.threshold)\(gate.isAdvisory ? " (advisory)" : "")", passed: !gate.blocks,
                    message: message, detail: "threshold: \(gate.threshold)\nactual: \(gate.actualText)\ntask status: \(task.status.rawValue)",
                    warning: gate.isAdvisory && !gate.passed ? "warning: \(message)" : nil)
            }
            // A task without gates, or one that failed whatever its gates say, is a test case too.
            if task.gates.isEmpty || (task.status != .succeeded && task.status != .skipped) {
                add(name: "task succeeded", passed: task.status == .succeeded,
                    message: "task \(task.id) \(task.status.rawValue)\(task.reason.map { ": \($0)" } ?? "")",
                    detail: task.attempts.map { "attempt \($0.attempt): \($0.status.rawValue)\($0.reason.map { " (\($0))" } ?? "")" }
                        .joined(separator: "\n"), type: "task_failed")
            }
            totals.tests += counts.tests
            totals.failures += counts.failures
            totals.skipped += counts.skipped
            let properties = [("agent", task.agent), ("status", task.status.rawValue), ("attempts", String(task.attempts.count)),
                              ("findings", String(task.findingCount))]
                .map { "      <property name=\"\($0.0)\" value=\"\(escape($0.1))\"/>" }.joined(separator: "\n")
            suites.append("""
              <testsuite name="\(escape("Task \(task.id): \(task.name)"))" tests="\(counts.tests)" failures="\(counts.failures)" \
            errors="0" skipped="\(counts.skipped)" time="\(seconds(task.duration))">
                <properties>
            \(properties)
                </properties>
            \(cases.joined(separator: "\n"))
              </testsuite>
            """)
        }
        return """
        <?xml version="1.0" encoding="UTF-8"?>
        <testsuites name="\(escape(report.workflow))" tests="\(totals.tests)" failures="\(totals.failures)" errors="0" \
        skipped="\(totals.skipped)" time="\(seconds(report.wallSeconds))">
        \(suites.joined(separator: "\n"))
        </testsuites>

        """
    }

    static func seconds(_ value: Double) -> String { String(format: "%.3f", value) }

    /// Text made safe for XML attributes and content; characters XML 1.0 forbids are dropped,
    /// and line breaks and tabs written as references so attributes keep them.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n": out += "&#10;"
            case "\t": out += "&#9;"
            case "\r": out += "&#13;"
            default:
                if scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value) { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
