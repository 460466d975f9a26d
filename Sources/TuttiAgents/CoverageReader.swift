import Foundation

/// Coverage as a file tells it: percent of lines covered, the counts behind it when the
/// format has them, and the branch figure when the run measured branches.
public struct CoverageFigure: Sendable, Equatable {
    /// Percent of lines (statements, for Go) covered.
    public var percent: Double
    /// The format it was read as: "coverage.py JSON", "Go cover profile"...
    public var format: String
    public var covered: Int?
    public var total: Int?
    /// Percent of branches covered, when branches were measured.
    public var branchPercent: Double?
    /// The tool's own total when it mixes lines and branches (coverage.py with `branch = true`).
    public var combinedPercent: Double?

    public init(percent: Double, format: String, covered: Int? = nil, total: Int? = nil, branchPercent: Double? = nil,
                combinedPercent: Double? = nil) {
        self.percent = percent
        self.format = format
        self.covered = covered
        self.total = total
        self.branchPercent = branchPercent
        self.combinedPercent = combinedPercent
    }

    init?(covered: Int, of total: Int, format: String) {
        guard total > 0 else { return nil }
        self.init(percent: Double(covered) / Double(total) * 100, format: format, covered: covered, total: total)
    }
}

/// Line coverage from the files test tools write: llvm-cov's JSON export, coverage.py's JSON,
/// Istanbul's summary, lcov, Cobertura XML and Go's cover profile.
public enum CoverageReader {
    /// The figure in the file at `path`; nil when the file is none of these formats.
    public static func read(at path: String) -> CoverageFigure? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] { return json(object) }
        let text = String(decoding: data, as: UTF8.self)
        if text.contains("<coverage"), let rate = coberturaRate.groups(in: text).flatMap({ Double($0[0]) }) {
            return CoverageFigure(percent: rate * 100, format: "Cobertura XML")
        }
        if text.hasPrefix("mode:") { return goProfile(text) }
        if text.contains("end_of_record") {
            var found = 0, hit = 0
            for line in text.split(separator: "\n") {
                if line.hasPrefix("LF:") { found += Int(line.dropFirst(3)) ?? 0 }
                if line.hasPrefix("LH:") { hit += Int(line.dropFirst(3)) ?? 0 }
            }
            return CoverageFigure(covered: hit, of: found, format: "lcov")
        }
        return nil
    }

    /// Percent of lines covered, and the format it was read as.
    public static func percent(at path: String) -> (percent: Double, format: String)? {
        read(at: path).map { ($0.percent, $0.format) }
    }

    static let coberturaRate = NSRegularExpression.known(#"<coverage\b[^>]*\bline-rate="([\d.]+)""#)

    static func number(_ value: Any?) -> Int? { (value as? NSNumber)?.intValue }

    static func json(_ object: [String: Any]) -> CoverageFigure? {
        if let first = (object["data"] as? [[String: Any]])?.first {
            // The project's own sources: not its dependencies' (.build/checkouts) nor its tests.
            let files = (first["files"] as? [[String: Any]] ?? []).filter { file in
                let name = file["filename"] as? String ?? ""
                return !name.contains("/.build/") && !name.contains("/Tests/") && !name.contains("/.tutti/")
            }
            let counts = files.compactMap { (($0["summary"] as? [String: Any])?["lines"] as? [String: Any]) }
            let total = counts.reduce(0) { $0 + (number($1["count"]) ?? 0) }
            let covered = counts.reduce(0) { $0 + (number($1["covered"]) ?? 0) }
            if let figure = CoverageFigure(covered: covered, of: total, format: "llvm-cov JSON") { return figure }
            if let totals = first["totals"] as? [String: Any], let lines = totals["lines"] as? [String: Any],
               let percent = (lines["percent"] as? NSNumber)?.doubleValue {
                return CoverageFigure(percent: percent, format: "llvm-cov JSON")
            }
        }
        if let totals = object["totals"] as? [String: Any], let combined = (totals["percent_covered"] as? NSNumber)?.doubleValue {
            // Lines alone, whatever else the run measured; branches beside them.
            let branches = number(totals["num_branches"]) ?? 0
            let branchPercent = branches > 0 ? Double(number(totals["covered_branches"]) ?? 0) / Double(branches) * 100 : nil
            if var figure = CoverageFigure(covered: number(totals["covered_lines"]) ?? 0, of: number(totals["num_statements"]) ?? 0,
                                           format: "coverage.py JSON") {
                figure.branchPercent = branchPercent
                figure.combinedPercent = branchPercent == nil ? nil : combined
                return figure
            }
            return CoverageFigure(percent: combined, format: "coverage.py JSON")
        }
        if let total = object["total"] as? [String: Any], let lines = total["lines"] as? [String: Any],
           let percent = (lines["pct"] as? NSNumber)?.doubleValue {
            let branches = total["branches"] as? [String: Any]
            let branchTotal = number(branches?["total"]) ?? 0
            return CoverageFigure(percent: percent, format: "Istanbul summary", covered: number(lines["covered"]),
                                  total: number(lines["total"]),
                                  branchPercent: branchTotal > 0 ? (branches?["pct"] as? NSNumber)?.doubleValue : nil)
        }
        return nil
    }

    /// Statements covered of statements, as `go tool cover -func` totals them: a block
    /// listed more than once (several packages' test binaries) counts once, covered if any
    /// run covered it.
    static func goProfile(_ text: String) -> CoverageFigure? {
        var blocks: [Substring: (statements: Int, covered: Bool)] = [:]
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ")
            guard fields.count == 3, let statements = Int(fields[1]), let count = Int(fields[2]) else { continue }
            let known = blocks[fields[0]]
            blocks[fields[0]] = (statements, (known?.covered ?? false) || count > 0)
        }
        let total = blocks.values.reduce(0) { $0 + $1.statements }
        let covered = blocks.values.reduce(0) { $0 + ($1.covered ? $1.statements : 0) }
        return CoverageFigure(covered: covered, of: total, format: "Go cover profile")
    }
}
