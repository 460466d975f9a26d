import Foundation
import Testing
@testable import TuttiCore

/// Workflows written to exhaust the loader: alias bombs (as values and as keys) and deep
/// nesting are refused at once, at their line, and YAML that only looks like them loads.
@Suite struct HostileWorkflowTests {
    static let head = "name: bomb\ntasks:\n  - task_id: 1\n    command: [\"true\"]\n    parameters:\n"

    /// Nine levels of nine aliases each: 9^9 values from a few hundred bytes.
    static func aliasLevels(_ levels: Int, mapping: Bool = false) -> String {
        var lines = [mapping ? "      a0: &a0 {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9}"
                             : "      a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        for level in 1...levels {
            let items = (0..<9).map { mapping ? "k\($0): *a\(level - 1)" : "*a\(level - 1)" }.joined(separator: ", ")
            lines.append(mapping ? "      a\(level): &a\(level) {\(items)}" : "      a\(level): &a\(level) [\(items)]")
        }
        return head + lines.joined(separator: "\n") + "\n"
    }

    static func refusal(_ yaml: String) throws -> Diagnostic {
        let error = try #require(throws: WorkflowLoadError.self) {
            try WorkflowLoader.parse(yaml: yaml, file: "bomb.yaml", baseDirectory: "/tmp")
        }
        #expect(error.diagnostics.count == 1, "\(error.diagnostics)")
        return try #require(error.diagnostics.first)
    }

    @Test(.timeLimit(.minutes(1))) func anAliasBombIsRefusedAtTheValueThatGrowsTooLarge() throws {
        // Level 6 (9^7 values) is the first too large alone: its line is 6 + 5.
        let list = try Self.refusal(Self.aliasLevels(9))
        #expect(list.location.line == 12 && list.location.column == 11, "\(list)")
        #expect(list.message == "this value expands to 5380840 values through YAML aliases; a workflow may hold at most 1000000")
        let mapping = try Self.refusal(Self.aliasLevels(9, mapping: true))
        #expect(mapping.message.hasPrefix("this value expands to 1195741 values"), "\(mapping)")
        // Five levels (about 66,000 values) are a large workflow, not a bomb.
        let loaded = try WorkflowLoader.parse(yaml: Self.aliasLevels(5), file: "ok.yaml", baseDirectory: "/tmp")
        #expect(loaded.tasks[0].parameters["a5"] != nil)
    }

    @Test(.timeLimit(.minutes(1)), arguments: [
        ("      ? *a8\n      : 1\n", 15, 7),
        ("      *a8 : 1\n", 15, 7),
        ("      {[x, *a8]: 1}\n", 15, 8),
        ("      other: {x: {*a8 : 1}}\n", 15, 19),
    ])
    func anAliasBombAsAKeyIsRefusedBeforeParsing(_ bomb: (String, Int, Int)) throws {
        let yaml = Self.aliasLevels(8) + bomb.0
        let refused = try Self.refusal(yaml)
        #expect(refused.message == "a mapping key here is an alias, or holds one; workflow keys are plain names")
        #expect(refused.location.line == bomb.1 && refused.location.column == bomb.2, "\(refused.location)")
    }

    @Test func deepNestingIsRefusedInWords() throws {
        let deep = Self.head + "      x: " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "\n"
        let refused = try Self.refusal(deep)
        #expect(refused.message == "values are nested more than 1000 levels deep here")
        #expect(refused.location.line == 6)
    }

    @Test func textThatOnlyLooksLikeAnAliasKeyLoads() throws {
        let yaml = """
        name: look-alikes # ? *a: [x]: 1
        metadata: {defaults: &defaults {owner: me}}
        tasks:
          - task_id: 1
            shell: true
            command: |
              case "$x" in *) echo "[x]: *a : ? y" ;; esac
              test [ -f x ]: || true
            parameters:
              quoted: "*a: [x]: 1"
              single: 'it''s *a: 1'
              folded: >-
                {*a : 1}
              list: [*defaults, "?"]
          - task_id: 2
            command: ["echo", "? *b: 1"]
        """
        let workflow = try WorkflowLoader.parse(yaml: yaml, file: "ok.yaml", baseDirectory: "/tmp")
        #expect(workflow.tasks.map(\.id) == ["1", "2"])
        #expect(workflow.tasks[0].parameters["folded"] == .string("{*a : 1}"))
        #expect(workflow.tasks[0].parameters["list"] == .array([.object(["owner": .string("me")]), .string("?")]))
    }
}
