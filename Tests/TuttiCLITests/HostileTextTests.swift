import Foundation
import Testing
import TuttiCore

/// Text from a workflow, an agent or a control client never steers the terminal: escape
/// sequences and other control characters come out written out (`\e`), in every command's
/// output, and a name cannot pass for a line of its own.
@Suite struct HostileTextTests {
    /// Whether the text holds a character that a terminal would obey.
    static func steers(_ text: String) -> Bool {
        text.unicodeScalars.contains { scalar in
            (scalar.value < 0x20 && scalar != "\n") || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x202E
        }
    }

    @Test func namesOutputAndActorsAreWrittenOutInEveryCommand() async throws {
        let scratch = Scratch()
        // YAML's double quotes read \e as ESC, \a as BEL and \x9b as the C1 CSI.
        _ = scratch.write("evil.yaml", #"""
        name: "evil\e]0;pwned\a"
        tasks:
          - task_id: 1
            name: "Clear\e[2J\e[H\nResult: PASSED (exit 0)"
            command: [sh, -c, 'printf "@tutti metric banner \"\\033[5mblink\"\n@tutti message \\033]0;retitled\\007\n"; while [ ! -f release ]; do sleep 0.05; done']
            quality_gates: [{banner: required}]
          - task_id: 2
            name: "C1\x9b31mred \u202Ereversed"
            command: [sh, -c, 'printf "\\033[2Jwiped\n" >&2; exit 4']
        """#)
        let run = try TuttiProcess(["run", "evil.yaml", "--headless", "--runs-dir", "runs"], in: scratch.path)
        let directory = try #require(await eventually { (try? FileManager.default.contentsOfDirectory(atPath: scratch.file("runs")))?.first != nil }
            ? scratch.file("runs/" + FileManager.default.contentsOfDirectory(atPath: scratch.file("runs")).first!) : nil)
        try #require(await eventually { FileManager.default.fileExists(atPath: directory + "/control.sock") })
        let client = ControlClient(socketPath: directory + "/control.sock")
        _ = try client.perform(ControlAction(.hold), actor: "\u{1B}]0;actor\u{07}me")
        _ = try client.perform(ControlAction(.resume), actor: "me\u{1B}[2J")
        _ = scratch.write("release", "")
        let result = await run.finished()
        #expect(result.status == 1)

        #expect(!Self.steers(result.stdout), "run: \(result.stdout.debugDescription)")
        #expect(result.stdout.contains(#"Starting Parallel Workflow: evil\e]0;pwned\u{7}"#), "\(result.stdout)")
        #expect(result.stdout.contains(#"Clear\e[2J\e[H\nResult: PASSED (exit 0)"#))
        #expect(result.stdout.contains(#"\e]0;actor\u{7}me: dispatch held"#) && result.stdout.contains(#"me\e[2J: dispatch released"#))
        #expect(result.stdout.contains(#"exited with status 4: \e[2Jwiped"#) || result.stdout.contains("exited with status 4: wiped"))
        #expect(result.stdout.split(separator: "\n").filter { $0.hasPrefix("Result:") } == ["Result: FAILED (exit 1)"],
                "a name cannot pass for the result line")

        for command in [["runs"], ["report", "latest"], ["replay", "latest", "--headless"]] {
            let output = try await tutti(command + ["--runs-dir", "runs"], in: scratch.path)
            #expect(!Self.steers(output.stdout) && !Self.steers(output.stderr), "\(command): \(output.stdout.debugDescription)")
            #expect(output.stdout.contains(#"evil\e]0;pwned\u{7}"#) || command[0] == "report", "\(command): \(output.stdout)")
        }
        let listed = try await tutti(["runs", "--runs-dir", "runs"], in: scratch.path).stdout.split(separator: "\n")
        #expect(listed.count == 2)
        #expect(listed.map { $0.distance(from: $0.startIndex, to: $0.range(of: "failed")?.lowerBound ?? $0.startIndex) }.last
                == listed[0].distance(from: listed[0].startIndex, to: listed[0].range(of: "STATE")!.lowerBound),
                "the state stays in its column")

        _ = scratch.write("bad.yaml", "name: bad\ntasks:\n  - task_id: 1\n    \"na\\e[2Jme\": x\n    command: [\"true\"]\n")
        let validated = try await tutti(["validate", "bad.yaml"], in: scratch.path)
        #expect(validated.status == 2)
        #expect(!Self.steers(validated.stderr), "\(validated.stderr.debugDescription)")
        #expect(validated.stderr.contains(#"unknown key 'na\e[2Jme' in task 1"#), "\(validated.stderr)")
    }

    @Test func controlCharactersAreWrittenOutVisibly() {
        #expect("a\u{1B}[31mb\r\nc\td\u{07}\u{9B}\u{202E}".escapingControls == #"a\e[31mb\r\nc\td\u{7}\u{9B}\u{202E}"#)
        #expect("two\nlines\u{1B}".escapingControls(keepingNewlines: true) == "two\nlines\\e")
        #expect("plain ünïcode ✅ 漢字".escapingControls == "plain ünïcode ✅ 漢字")
    }
}
