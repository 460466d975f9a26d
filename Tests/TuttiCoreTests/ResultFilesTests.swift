import Foundation
import Testing
import TuttiTestSupport
@testable import TuttiCore

/// Result files handed over from many threads at once are all written, each once, before
/// `unwritten` lets the report go on.
@Suite struct ResultFilesTests {
    @Test func resultsFromManyThreadsAreAllWrittenBeforeTheWaitEnds() async throws {
        let scratch = Scratch()
        let files = ResultFiles()
        let threads = 8, perThread = 50
        @Sendable func report(_ id: String) -> TaskReport {
            TaskReport(id: id, name: "task \(id)", agent: "sh", status: .succeeded, dependsOn: [],
                       attempts: [AttemptRecord(attempt: 1, start: 0.5, end: 1.25, status: .succeeded, exitCode: 0, signal: nil,
                                                reason: nil, log: "logs/task-\(id).log")],
                       metrics: ["n": .number(Double(id) ?? 0)], gates: [], reason: nil, readyAt: 0.5)
        }
        for _ in 0..<(threads * perThread) { files.unwritten.enter() }
        try await offThePool {
            DispatchQueue.concurrentPerform(iterations: threads) { thread in
                for index in 0..<perThread {
                    let id = String(thread * perThread + index)
                    files.write([(report(id), [scratch.file("task-\(id).json")])])
                }
            }
        }
        let waited = try await offThePool { files.unwritten.wait(timeout: .now() + 30) }
        #expect(waited == .success)
        for id in (0..<(threads * perThread)).map(String.init) {
            let data = try #require(FileManager.default.contents(atPath: scratch.file("task-\(id).json")), "task \(id)")
            #expect(try JSONDecoder().decode(TaskReport.self, from: data) == report(id))
        }
    }
}
