import Foundation
import TuttiTestSupport

/// A small repository written by a test, file by file.
struct FixtureRepository {
    let scratch = Scratch()
    var root: String { scratch.path }

    init(_ files: [String: String]) {
        for (path, text) in files { scratch.write(path, text) }
    }
}

import Synchronization
@testable import TuttiAgents
import TuttiCore

/// The lines an agent printed, kept for a test to read.
final class CollectedOutput: Sendable {
    private let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }
    var output: AgentOutput { AgentOutput(write: { line in self.lines.withLock { $0.append(line) } }) }

    /// The value of each metric reported, as the engine reads it.
    var metrics: [String: JSONValue] {
        var found: [String: JSONValue] = [:]
        for line in all {
            if case .reports(let reports) = AgentProtocol.parse(line) {
                for case .metric(let name, let value) in reports { found[name] = value }
            }
        }
        return found
    }

    /// The details reported (the last of each), as the engine reads them.
    var details: [TaskDetail.Name: String] {
        var found: [TaskDetail.Name: String] = [:]
        for line in all {
            if case .reports(let reports) = AgentProtocol.parse(line) {
                for case .detail(let name, let text) in reports { found[name] = text }
            }
        }
        return found
    }
}

extension FixtureRepository {
    /// A context for an agent working on this repository, its findings in the scratch folder.
    func context(_ agent: String, _ parameters: [String: JSONValue] = [:], output: CollectedOutput) throws -> AgentContext {
        var all = parameters
        all["target"] = .string(root)
        return try AgentContext(parameters: all, agent: agent, output: output.output,
                                environment: ["TUTTI_RUN_DIR": scratch.file(".run"), "TUTTI_TASK_ID": agent])
    }
}
