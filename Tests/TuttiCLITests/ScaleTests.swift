import Foundation
import Testing
import TuttiCore

/// Many tasks and many clients: the control socket answers while hundreds of tasks run, and
/// watchers that read nothing, or connections that say nothing, never hold the run back.
@Suite struct ScaleTests {
    @Test func threeHundredTasksAndFourHundredSilentWatchersDoNotHoldTheRunBack() async throws {
        let scratch = Scratch()
        // Every task waits for a shared lock the test holds, so all 300 run at once, idle,
        // until it lets go.
        let gate = scratch.write("gate", "")
        let held = open(gate, O_RDWR)
        defer { close(held) }
        try #require(flock(held, LOCK_EX) == 0)
        _ = scratch.write("many.yaml", "name: many\ntasks:\n" + (0..<300).map {
            "  - {task_id: t\($0), command: [sh, -c, \"echo started; flock -s \(gate) -c 'seq 1 200'\"]}\n"
        }.joined())
        let run = try TuttiProcess(["run", "many.yaml", "--headless", "--runs-dir", "runs"], in: scratch.path)
        let runID = try #require(await eventually { (try? FileManager.default.contentsOfDirectory(atPath: scratch.file("runs")))?.isEmpty == false }
                                 ? FileManager.default.contentsOfDirectory(atPath: scratch.file("runs")).first : nil)
        let directory = scratch.file("runs/\(runID)")
        try #require(await eventually { FileManager.default.fileExists(atPath: directory + "/control.sock") })

        var watchers: [Int32] = []
        defer { watchers.forEach { close($0) } }
        for _ in 0..<400 {
            guard let fd = UnixSocket.connect(directory + "/control.sock", receiveBuffer: 1024) else { continue }
            UnixSocket.send(fd, #"{"op":"watch"}"# + "\n")
            watchers.append(fd)
        }
        #expect(watchers.count == 400)
        // And connections that never say a word.
        var idle: [Int32] = []
        defer { idle.forEach { close($0) } }
        for _ in 0..<200 {
            if let fd = UnixSocket.connect(directory + "/control.sock", receiveBuffer: 1024) { idle.append(fd) }
        }
        #expect(idle.count == 200)
        let allRunning = await eventually {
            ((try? String(contentsOfFile: directory + "/events.ndjson", encoding: .utf8)) ?? "")
                .components(separatedBy: "\"type\":\"task_started\"").count - 1 == 300
        }
        #expect(allRunning, "300 tasks run at once")
        // The socket answers while they all run and the watchers read nothing.
        let hold = try await tutti(["ctl", directory, "hold"], in: scratch.path)
        #expect(hold.status == 0 && hold.stdout.hasPrefix("dispatch held"), "\(hold.stdout)\(hold.stderr)")
        let status = try await tutti(["runs", "--runs-dir", "runs"], in: scratch.path)
        #expect(status.stdout.contains("holding") || status.stdout.contains("held"), "\(status.stdout)")
        #expect(try await tutti(["ctl", directory, "resume"], in: scratch.path).status == 0)

        flock(held, LOCK_UN)
        let result = await run.finished()
        #expect(result.status == 0, "\(result.stdout.suffix(500))")
        #expect(result.stdout.contains("Total tasks executed: 300 of 300"))
    }
}
