import Foundation
import Testing
import TuttiCore
import TuttiTestSupport

/// Each of Tutti's own parsers takes a few thousand mutated inputs (seeded, so a failure
/// repeats) without crashing. CI also fuzzes them with libFuzzer for a bounded time (.ci/fuzz).
@Suite struct FuzzTargetTests {
    static let fuzzer = URL(fileURLWithPath: tuttiBinary).deletingLastPathComponent().appendingPathComponent("tutti-fuzz").path

    @Test(arguments: ["workflow", "recording", "control", "agent"])
    func mutatedInputsNeverCrashTheParser(target: String) async throws {
        let result = try await offThePool { ChildProcess.run([Self.fuzzer, target, "--runs", "2000", "--seed", "7"], captureOutput: true) }
        #expect(result.status == 0, "\(result.output.suffix(3000))")
        #expect(result.output.contains("tutti-fuzz \(target): 2000 inputs, seed 7, no crash"))
    }
}
