import Foundation
import Testing
import TuttiTestSupport
@testable import TuttiTerminal

/// Opening a finding: the person's editor at its line, or its lines when there is none.
@Suite struct FindingOpenerTests {
    @Test func theEditorIsVisualThenEditorAndGetsPlusLineThenTheFile() throws {
        let scratch = Scratch()
        // Read by sh, not executed: a file just written can be "busy" for exec(2) while a
        // parallel test forks with its descriptor open.
        let script = scratch.write("ed.sh", "printf '%s|' \"$@\" > \(scratch.path)/args\n")
        #expect(FindingOpener(environment: [:]).editor == nil)
        #expect(FindingOpener(environment: ["EDITOR": "  "]).editor == nil)
        #expect(FindingOpener(environment: ["EDITOR": "vi", "VISUAL": "code -w"]).editor == "code -w")
        // An editor with arguments of its own, and a path with a space.
        let opener = FindingOpener(environment: ["EDITOR": "sh \(script) --wait"])
        #expect(opener.edit(path: "my tests/test a.py", line: 5))
        #expect(scratch.read("args") == "--wait|+5|my tests/test a.py|")
    }

    @Test func theExcerptIsTheLinesAroundTheFindingsLine() throws {
        let scratch = Scratch()
        let path = scratch.write("f.py", (1...30).map { "l\($0)" }.joined(separator: "\n"))
        let (lines, first) = FindingOpener.excerpt(path: path, line: 3, context: 4)
        #expect(first == 1 && lines == ["l1", "l2", "l3", "l4", "l5", "l6", "l7"])
        let (end, from) = FindingOpener.excerpt(path: path, line: 30, context: 2)
        #expect(from == 28 && end == ["l28", "l29", "l30"])
        #expect(FindingOpener.excerpt(path: scratch.file("missing"), line: 1).lines.isEmpty)
    }
}
