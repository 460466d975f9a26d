import Foundation
import FoundationXML
import Testing
import TuttiCore

/// `tutti report`: the summary, the JSON report, JUnit XML and HTML of a recorded run.
@Suite struct ReportCommandTests {
    @Test func aRecordedRunIsReportedInEveryForm() async throws {
        let scratch = Scratch()
        scratch.write("wf.yaml", """
        name: reported
        tasks:
          - {task_id: a, command: [sh, -c, "echo '@tutti metric cov 97'"], quality_gates: [{cov: ">= 90%"}, {docs: required}]}
          - {task_id: b, command: ["true"], depends_on: [a]}
        """)
        let live = try await tutti(["run", "wf.yaml", "--headless", "--runs-dir", "runs"], in: scratch.path)
        #expect(live.status == 1, "the docs gate is never reported")

        let summary = try await tutti(["report", "--runs-dir", "runs"], in: scratch.path)
        #expect(summary.status == 1, "report exits with the run's code")
        #expect(summary.stdout.contains("Total quality gates passed: 1/2"))

        let json = try await tutti(["report", "latest", "--runs-dir", "runs", "--json"], in: scratch.path)
        let report = try JSONDecoder.events.decode(RunReport.self, from: Data(json.stdout.utf8))
        #expect(report.workflow == "reported" && report.tasks.count == 2)

        let written = try await tutti(["report", "latest", "--runs-dir", "runs", "--junit", "gates.xml", "--html", "run.html"], in: scratch.path)
        #expect(written.stdout == "Wrote gates.xml\nWrote run.html\n")
        let junit = try XMLDocument(contentsOf: URL(fileURLWithPath: scratch.file("gates.xml")))
        #expect(junit.rootElement()?.attribute(forName: "tests")?.stringValue == "3")
        #expect(junit.rootElement()?.attribute(forName: "failures")?.stringValue == "1")
        let html = try #require(scratch.read("run.html"))
        #expect(html.contains("data-task=\"a\"") && html.contains("data-task=\"b\""))

        // Without report.json, the report the recording carries is used.
        let run = try #require(FileManager.default.contentsOfDirectory(atPath: scratch.file("runs")).first)
        try FileManager.default.removeItem(atPath: scratch.file("runs/\(run)/report.json"))
        #expect(try await tutti(["report", run, "--runs-dir", "runs"], in: scratch.path).stdout.contains("1/2"))
        #expect(try await tutti(["report", "nope", "--runs-dir", "runs"], in: scratch.path).status == 2)
    }
}

extension ReportCommandTests {
    static var chromium: String? { ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) } }

    /// Where a browser is installed: the HTML report renders to a picture of a real page.
    @Test(.enabled(if: chromium != nil)) func theHTMLReportRendersInABrowser() async throws {
        let scratch = Scratch()
        scratch.write("wf.yaml", "name: shown\ntasks:\n  - {task_id: a, command: [\"true\"]}\n  - {task_id: b, command: [\"false\"]}\n")
        _ = try await tutti(["run", "wf.yaml", "--headless", "--runs-dir", "runs"], in: scratch.path)
        _ = try await tutti(["report", "--runs-dir", "runs", "--html", "run.html"], in: scratch.path)
        let status = ChildProcess.run([Self.chromium!, "--headless", "--no-sandbox", "--disable-gpu", "--window-size=1000,900",
                                       "--screenshot=\(scratch.file("run.png"))", "file://\(scratch.file("run.html"))"]).status
        #expect(status == 0)
        let png = try Data(contentsOf: URL(fileURLWithPath: scratch.file("run.png")))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "a PNG")
        #expect(png.count > 20_000, "a page with content, not a blank one (\(png.count) bytes)")
    }
}
