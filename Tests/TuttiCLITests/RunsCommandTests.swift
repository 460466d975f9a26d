import Foundation
import Testing
import TuttiCore

/// `tutti runs`: history with filters, JSON, and pruning.
@Suite struct RunsCommandTests {
    @Test func runsAreListedNewestFirstFilteredAndPruned() async throws {
        let scratch = Scratch()
        scratch.write("good.yaml", "name: good\ntasks:\n  - {task_id: a, command: [\"true\"]}\n")
        scratch.write("bad.yaml", "name: bad\ntasks:\n  - {task_id: a, command: [\"false\"]}\n")
        for file in ["good.yaml", "bad.yaml", "good.yaml"] {
            _ = try await tutti(["run", file, "--headless", "--runs-dir", "runs"], in: scratch.path)
        }
        let listed = try await tutti(["runs", "--runs-dir", "runs"], in: scratch.path)
        let rows = listed.stdout.split(separator: "\n")
        #expect(rows.count == 4)
        #expect(rows[0].hasPrefix("RUN") && rows[0].contains("EFFICIENCY") && rows[0].contains("GATES"))
        #expect(rows[1].hasPrefix("good-") && rows[1].contains("passed"))
        #expect(rows[2].hasPrefix("bad-") && rows[2].contains("failed"))

        let json = try await tutti(["runs", "--runs-dir", "runs", "--json"], in: scratch.path)
        let decoder = JSONDecoder.events
        struct Entry: Decodable { var run_id: String; var workflow: String; var outcome: String?; var parallel_efficiency: Double? }
        let entries = try decoder.decode([Entry].self, from: Data(json.stdout.utf8))
        #expect(entries.map(\.workflow) == ["good", "bad", "good"])
        #expect(entries.allSatisfy { $0.parallel_efficiency != nil })

        let failed = try await tutti(["runs", "--runs-dir", "runs", "--outcome", "failed"], in: scratch.path)
        #expect(failed.stdout.split(separator: "\n").count == 2)
        let good = try await tutti(["runs", "list", "--runs-dir", "runs", "--workflow", "good"], in: scratch.path)
        #expect(good.stdout.split(separator: "\n").dropFirst().allSatisfy { $0.hasPrefix("good-") })
        #expect(good.stdout.split(separator: "\n").count == 3)

        let pruned = try await tutti(["runs", "prune", "--keep", "1", "--runs-dir", "runs"], in: scratch.path)
        #expect(pruned.status == 0)
        #expect(pruned.stdout.split(separator: "\n").count == 2)
        let left = try FileManager.default.contentsOfDirectory(atPath: scratch.file("runs"))
        #expect(left == [entries[0].run_id], "the newest run is kept")
    }

    @Test func aRunThatFailedOnlyOnItsGatesIsListedAsSuch() async throws {
        let scratch = Scratch()
        scratch.write("gated.yaml", "name: gated\ntasks:\n  - {task_id: a, command: [sh, -c, \"echo '@tutti metric score 50'\"], quality_gates: [{score: \">= 90\"}]}\n")
        _ = try await tutti(["run", "gated.yaml", "--headless", "--runs-dir", "runs"], in: scratch.path)
        let listed = try await tutti(["runs", "--runs-dir", "runs"], in: scratch.path)
        #expect(listed.stdout.split(separator: "\n").last?.contains("gates failed") == true, "\(listed.stdout)")
        let failed = try await tutti(["runs", "--runs-dir", "runs", "--outcome", "failed"], in: scratch.path)
        #expect(failed.stdout.split(separator: "\n").count == 2, "it is still a failed run")
    }
}
