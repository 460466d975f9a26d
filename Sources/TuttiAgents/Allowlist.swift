import Foundation

/// Reviewed findings to leave out: lines of `RULE PATH[:LINE]  # why`, where RULE may be `*`
/// and PATH a glob relative to the repository.
struct Allowlist {
    let path: String
    let entries: [(rule: String, path: String, line: Int?)]

    init(path: String) {
        self.path = path
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        entries = text.split(separator: "\n").compactMap { raw in
            let line = raw.split(separator: "#", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard words.count >= 2 else { return nil }
            let location = words[1].split(separator: ":", maxSplits: 1)
            guard let path = location.first else { return nil }
            return (words[0], String(path), location.count > 1 ? Int(location[1]) : nil)
        }
    }

    func allows(_ finding: SecurityFinding) -> Bool {
        entries.contains { entry in
            (entry.rule == "*" || entry.rule == finding.rule) && fnmatch(entry.path, finding.file, 0) == 0
                && (entry.line == nil || entry.line == finding.line)
        }
    }
}
