import Foundation
import TuttiCore

/// SARIF 2.1.0, the format code-scanning tools read.
enum SARIF {
    static func document(findings: [SecurityFinding]) -> String {
        func level(_ finding: SecurityFinding) -> String {
            guard finding.counts else { return "note" }
            return finding.severity >= .high ? "error" : finding.severity == .medium ? "warning" : "note"
        }
        let rules: [[String: Any]] = SecurityRule.all.map { rule in
            ["id": rule.id, "name": rule.title, "shortDescription": ["text": rule.title], "fullDescription": ["text": rule.explanation],
             "help": ["text": rule.remediation],
             "defaultConfiguration": ["level": rule.severity >= .high ? "error" : rule.severity == .medium ? "warning" : "note"],
             "properties": ["security-severity": String(rule.severity.weight / 2.5)]]
        }
        let results: [[String: Any]] = findings.map { finding in
            ["ruleId": finding.rule, "level": level(finding),
             "message": ["text": "\(finding.title): \(finding.excerpt). \(finding.remediation)"],
             "properties": ["role": finding.role.rawValue, "counted": finding.counts, "scanner": finding.scanner],
             "locations": [["physicalLocation": ["artifactLocation": ["uri": finding.file],
                                                 "region": ["startLine": max(1, finding.line)]]]]]
        }
        let document: [String: Any] = [
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
            "runs": [["tool": ["driver": ["name": "tutti-security", "rules": rules]],
                      "results": results]],
        ]
        let data = (try? JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
