import Foundation
import Testing
import TuttiCore

/// `tutti mcp` driven by the official MCP Python client (the `mcp` package from PyPI).
@Suite struct MCPServerTests {
    static var pythonClient: Bool { ChildProcess.run(["python3", "-c", "import mcp"]).status == 0 }

    @Test(.enabled(if: pythonClient)) func theOfficialClientRunsTheSeedsStepTwo() async throws {
        let scratch = Scratch()
        let script = "\(repositoryRoot)/Tests/TuttiCLITests/MCPClient/conductor_client.py"
        let result = try await offThePool {
            ChildProcess.run(["python3", script, tuttiBinary, "\(repositoryRoot)/workflows", scratch.path], in: scratch.path,
                             captureOutput: true)
        }
        #expect(result.status == 0, "\(result.output.suffix(3000))")
        #expect(result.output.hasSuffix("ALL CHECKS PASSED\n"), "\(result.output.suffix(3000))")
    }
}
