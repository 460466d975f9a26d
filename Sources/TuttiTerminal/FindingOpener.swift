import Foundation
import TuttiDashboard

/// Opens a finding where a developer fixes it: in `$VISUAL` or `$EDITOR` at its line (as git
/// and lazygit run the editor: through the shell, `+LINE FILE`), or, without an editor, as
/// the lines around it.
struct FindingOpener {
    /// The editor's command line, from `$VISUAL` then `$EDITOR`; nil when neither is set.
    let editor: String?

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        editor = [environment["VISUAL"], environment["EDITOR"]].compactMap { $0 }.first { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    }

    /// Runs the editor on the file and waits for it; false when it could not be started.
    func edit(path: String, line: Int?) -> Bool {
        guard let editor else { return false }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "\(editor) \"$@\"", editor] + (line.map { ["+\($0)"] } ?? []) + [path]
        do { try process.run() } catch { return false }
        process.waitUntilExit()
        return true
    }

    /// The lines of the file around `line` (`context` on each side), and the first one's number.
    static func excerpt(path: String, line: Int?, context: Int = 6) -> (lines: [String], firstLine: Int) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return ([], 1) }
        let all = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let center = min(max(1, line ?? 1), max(1, all.count))
        let first = max(1, center - context)
        let last = min(all.count, center + context)
        return (first <= last ? Array(all[(first - 1)..<last]) : [], first)
    }
}
