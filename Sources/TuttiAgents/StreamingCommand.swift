import CTuttiSystem
import Foundation
import TuttiCore

/// Runs a command with stdout and stderr on one pipe, handing each line over as it comes;
/// returns the exit status (negative: killed by that signal). The command stays in the
/// agent's process group, so the engine's pause, timeout and cancel reach it too. Once it
/// has exited, output is read for one more second: a process it left behind holding the
/// pipe cannot keep the agent waiting.
enum StreamingCommand {
    static func run(_ argv: [String], in directory: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                    line: (String) -> Void) -> Int32 {
        var fds: [Int32] = [-1, -1]
        guard tutti_pipe_cloexec(&fds) == 0 else { return -1 }
        let started = Spawn.start(argv, environment: environment, in: directory, stdin: -1, stdout: fds[1], stderr: fds[1],
                                  ownGroup: false)
        close(fds[1])
        guard case .success(let child) = started else {
            close(fds[0])
            if case .failure(let error) = started { line("cannot start \(argv.first ?? ""): \(error)") }
            return 127
        }
        defer { close(fds[0]) }
        let pidFD = child.pidFD
        defer { if pidFD >= 0 { close(pidFD) } }
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var status: Int32 = 0
        var exitedAt: ContinuousClock.Instant?
        let clock = ContinuousClock()
        func reap(blocking: Bool) {
            guard exitedAt == nil, let ended = child.reap(blocking: blocking) else { return }
            status = ended
            exitedAt = clock.now
        }
        var open = true
        while open {
            if let exitedAt, clock.now - exitedAt > .seconds(1) { break }
            var polled = [pollfd(fd: fds[0], events: Int16(POLLIN), revents: 0),
                          pollfd(fd: exitedAt == nil ? pidFD : -1, events: Int16(POLLIN), revents: 0)]
            let wait: Int32 = exitedAt != nil || pidFD < 0 ? 100 : -1
            if poll(&polled, 2, wait) < 0, errno != EINTR { break }
            if polled[1].revents != 0 { reap(blocking: true) }
            if pidFD < 0 { reap(blocking: false) }
            guard polled[0].revents != 0 else { continue }
            let count = read(fds[0], &buffer, buffer.count)
            if count < 0, errno == EINTR || errno == EAGAIN { continue }
            if count <= 0 {
                open = false
                break
            }
            pending += buffer[..<count]
            while let newline = pending.firstIndex(of: 0x0A) {
                line(String(decoding: pending[..<newline], as: UTF8.self))
                pending.removeSubrange(...newline)
            }
        }
        if !pending.isEmpty { line(String(decoding: pending, as: UTF8.self)) }
        reap(blocking: true)
        return tutti_decode_wait_status(status)
    }
}
