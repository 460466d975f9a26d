import CTuttiSystem
import Foundation
import Testing
import TuttiTestSupport
@testable import TuttiCore

/// Tutti's own spawn: what the child starts with, and how a failure to start is reported.
@Suite struct SpawnTests {
    /// A field of /proc/<pid>/status, as a hexadecimal mask.
    static func signalMask(_ field: String, of pid: pid_t) -> UInt64? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }) else { return nil }
        return UInt64(line.dropFirst(field.count + 1).trimmingCharacters(in: .whitespaces), radix: 16)
    }

    static func bit(_ signal: Int32) -> UInt64 { 1 << UInt64(signal - 1) }

    /// Starts `sleep 30` from a thread that blocks SIGUSR1 and SIGTERM, in a process that
    /// ignores SIGPIPE (as tutti does) and SIGWINCH; the child reports what it was given.
    @Test func theChildStartsWithAnEmptyMaskDefaultSignalsAndItsOwnGroup() async throws {
        let scratch = Scratch()
        let child = try await offThePool { () -> SpawnedChild in
            var blocked = sigset_t()
            sigemptyset(&blocked)
            sigaddset(&blocked, SIGUSR1)
            sigaddset(&blocked, SIGTERM)
            var saved = sigset_t()
            pthread_sigmask(SIG_BLOCK, &blocked, &saved)
            defer { pthread_sigmask(SIG_SETMASK, &saved, nil) }
            signal(SIGPIPE, SIG_IGN)
            let previousWinch = signal(SIGWINCH, SIG_IGN)
            defer { signal(SIGWINCH, previousWinch) }
            return try Spawn.start(["sleep", "30"], environment: ["PATH": "/usr/bin:/bin", "MARK": "spawned"],
                                   in: scratch.path, stdin: -1, stdout: 2, stderr: 2).get()
        }
        defer {
            kill(child.pid, SIGKILL)
            _ = child.reap()
            close(child.pidFD)
        }
        #expect(await eventually { processState(child.pid) == "S" }, "sleep has exec'd and sleeps")
        #expect(Self.signalMask("SigBlk", of: child.pid) == 0)
        let ignored = try #require(Self.signalMask("SigIgn", of: child.pid))
        #expect(ignored & Self.bit(SIGPIPE) == 0, "SIGPIPE, ignored by tutti, is the default again")
        #expect(ignored & Self.bit(SIGWINCH) != 0, "other ignored signals stay ignored, as POSIX has it")
        #expect(getpgid(child.pid) == child.pid)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(child.pid)/cwd")
                == URL(fileURLWithPath: scratch.path).resolvingSymlinksInPath().path)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(child.pid)/fd/0") == "/dev/null")
        let environment = try #require(FileManager.default.contents(atPath: "/proc/\(child.pid)/environ"))
        #expect(environment.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }.sorted()
                == ["MARK=spawned", "PATH=/usr/bin:/bin"])
        #expect(child.reap(blocking: false) == nil, "still running")
    }

    @Test func aChildOutsideItsOwnGroupStaysInOurs() async throws {
        let child = try await offThePool {
            try Spawn.start(["/bin/sleep", "30"], environment: [:], in: nil, stdin: -1, stdout: 2, stderr: 2, ownGroup: false).get()
        }
        defer {
            kill(child.pid, SIGKILL)
            _ = child.reap()
            close(child.pidFD)
        }
        #expect(getpgid(child.pid) == getpgrp())
    }

    /// The pidfd becomes readable when the child ends, and reaping gives its exit status.
    @Test func thePidfdTellsTheEndAndReapingGivesTheStatus() async throws {
        let status = try await offThePool { () -> Int32 in
            let child = try Spawn.start(["/bin/sh", "-c", "exit 7"], environment: [:], in: nil, stdin: -1, stdout: 2, stderr: 2).get()
            defer { close(child.pidFD) }
            var ready = pollfd(fd: child.pidFD, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, 10_000) == 1 else { return -1 }
            return tutti_decode_wait_status(child.reap(blocking: false) ?? -1)
        }
        #expect(status == 7)
    }

    /// A long argument list reaches the program whole.
    @Test func aLongArgumentListReachesTheProgram() async throws {
        let scratch = Scratch()
        let arguments = ["/bin/sh", "-c", "echo $# > \"$0\"", scratch.file("count.txt")] + (1...20_000).map { "argument-\($0)" }
        let status = try await offThePool { () -> Int32 in
            let child = try Spawn.start(arguments, environment: [:], in: nil, stdin: -1, stdout: 2, stderr: 2).get()
            defer { close(child.pidFD) }
            return tutti_decode_wait_status(child.reap() ?? -1)
        }
        #expect(status == 0)
        #expect(scratch.read("count.txt") == "20000\n")
    }

    /// A program that cannot start is an error with its errno.
    @Test func aProgramThatCannotStartIsAnErrorWithItsReason() throws {
        let missing = Spawn.start(["no-such-program-tutti"], environment: ["PATH": "/usr/bin:/bin"], in: nil,
                                  stdin: -1, stdout: 2, stderr: 2)
        guard case .failure(let notFound) = missing else {
            Issue.record("a missing program started")
            return
        }
        #expect(notFound.code == ENOENT)
        let noFolder = Spawn.start(["/bin/true"], environment: [:], in: "/no/such/folder/tutti", stdin: -1, stdout: 2, stderr: 2)
        guard case .failure(let badFolder) = noFolder else {
            Issue.record("started in a missing folder")
            return
        }
        #expect(badFolder.code == ENOENT)
        let scratch = Scratch()
        let plainFile = scratch.write("notes.txt", "not a program\n")
        let notExecutable = Spawn.start([plainFile], environment: [:], in: nil, stdin: -1, stdout: 2, stderr: 2)
        guard case .failure(let denied) = notExecutable else {
            Issue.record("a file that is not executable started")
            return
        }
        #expect(denied.code == EACCES)
        let script = scratch.write("no-shebang.sh", "echo hello\n")
        chmod(script, 0o755)
        // A process another test forks while the script was being written holds a copy of the
        // writing descriptor until it execs: exec then fails with ETXTBSY for a moment.
        var attempt = Spawn.start([script], environment: [:], in: nil, stdin: -1, stdout: 2, stderr: 2)
        let deadline = ContinuousClock.now + .seconds(10)
        while case .failure(let error) = attempt, error.code == ETXTBSY, ContinuousClock.now < deadline {
            sched_yield()
            attempt = Spawn.start([script], environment: [:], in: nil, stdin: -1, stdout: 2, stderr: 2)
        }
        guard case .failure(let notAProgram) = attempt else {
            Issue.record("a script without #! started")
            return
        }
        #expect(notAProgram.code == ENOEXEC, "as posix_spawn: no /bin/sh fallback for a path")
    }
}
