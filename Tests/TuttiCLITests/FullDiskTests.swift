import Foundation
import Testing
import TuttiCore

/// A small filesystem of its own (tmpfs), mounted for one test and unmounted after it.
final class TinyDisk {
    let path: String

    /// Whether this machine lets the tests mount one (they run as root in CI).
    static let canMount: Bool = {
        guard getuid() == 0 else { return false }
        let probe = Scratch()
        defer { _ = run("/bin/umount", [probe.path]) }
        return run("/bin/mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", probe.path])
    }()

    init(in scratch: Scratch, kilobytes: Int) throws {
        path = scratch.file("disk")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try #require(Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(kilobytes)k", "tmpfs", path]))
    }

    /// Fills what is left with one file.
    func fill() {
        _ = Self.run("/bin/sh", ["-c", "cat /dev/zero > \(path)/filler 2>/dev/null; true"])
    }

    deinit { _ = Self.run("/bin/umount", [path]) }

    @discardableResult
    static func run(_ program: String, _ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}

/// A run whose files cannot be written says so at once, goes on, and claims no verdict it
/// could not record: it ends `unrecorded`, with exit code 5.
@Suite struct FullDiskTests {
    @Test(.enabled(if: TinyDisk.canMount)) func aDiskThatFillsUpIsSaidAtOnceAndTheRunEndsUnrecorded() async throws {
        let scratch = Scratch()
        let disk = try TinyDisk(in: scratch, kilobytes: 64)
        _ = scratch.write("fill.yaml", """
        name: fill
        tasks:
          - {task_id: 1, command: [seq, "1", "20000"]}
          - {task_id: 2, command: ["true"], depends_on: [1]}
        """)
        let result = try await tutti(["run", "fill.yaml", "--headless", "--runs-dir", disk.path + "/runs"], in: scratch.path)
        #expect(result.status == 5, "\(result.stdout.suffix(800))")
        #expect(result.stdout.contains("The run goes on, but cannot write "), "said as it happens")
        #expect(result.stdout.contains("events.ndjson: No space left on device; events are missing from the recording"))
        #expect(result.stdout.contains("Task 2 Complete!"), "the run goes on")
        #expect(result.stdout.contains("Run not recorded: its files could not all be written"))
        #expect(result.stdout.contains("the tasks' verdict was passed"))
        #expect(result.stdout.contains("Result: UNRECORDED (exit 5)"))
        #expect(!result.stdout.contains("Result: PASSED"))
        // What was recorded is sound: no line was left half written.
        let run = try #require(FileManager.default.contentsOfDirectory(atPath: disk.path + "/runs").first)
        let recording = try Recording.read(path: disk.path + "/runs/\(run)/events.ndjson")
        #expect(recording.damage.isEmpty, "\(recording.damage)")
        #expect(!recording.events.isEmpty)
        withExtendedLifetime(disk) {}
    }

    @Test(.enabled(if: TinyDisk.canMount)) func aDiskFullFromTheStartStopsTheRunBeforeItStarts() async throws {
        let scratch = Scratch()
        let disk = try TinyDisk(in: scratch, kilobytes: 64)
        try FileManager.default.createDirectory(atPath: disk.path + "/runs", withIntermediateDirectories: true)
        disk.fill()
        _ = scratch.write("wf.yaml", "name: nothing\ntasks:\n  - {task_id: 1, command: [touch, \(scratch.path)/ran]}\n")
        let result = try await tutti(["run", "wf.yaml", "--headless", "--runs-dir", disk.path + "/runs"], in: scratch.path)
        #expect(result.status == 5)
        #expect(result.stderr.contains("tutti run: cannot write ") && result.stderr.contains("No space left on device"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: scratch.file("ran")), "a run nothing would show does not start")
        #expect(try FileManager.default.contentsOfDirectory(atPath: disk.path + "/runs").isEmpty, "and leaves nothing behind")
        withExtendedLifetime(disk) {}
    }
}
