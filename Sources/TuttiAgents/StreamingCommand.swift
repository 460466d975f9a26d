import CTuttiSystem
import Foundation
import TuttiCore

/// Runs a command in its own process group with stdout and stderr on one pipe, handing each
/// line over as it comes; returns the exit status (negative: killed by that signal).
enum StreamingCommand {
    static func run(_ argv: [String], in directory: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                    line: (String) -> Void) -> Int32 {
        guard let program = argv.first else { return -1 }
        var fds: [Int32] = [-1, -1]
        guard tutti_pipe_cloexec(&fds) == 0 else { return -1 }
        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        var cEnv: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            cArgs.forEach { free($0) }
            cEnv.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = tutti_spawn(program, &cArgs, &cEnv, directory, -1, fds[1], fds[1], &pid)
        close(fds[1])
        guard spawned == 0 else {
            close(fds[0])
            line("cannot start \(program): \(String(cString: strerror(spawned)))")
            return 127
        }
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = read(fds[0], &buffer, buffer.count)
            if count < 0, errno == EINTR { continue }
            if count <= 0 { break }
            pending += buffer[..<count]
            while let newline = pending.firstIndex(of: 0x0A) {
                line(String(decoding: pending[..<newline], as: UTF8.self))
                pending.removeSubrange(...newline)
            }
        }
        if !pending.isEmpty { line(String(decoding: pending, as: UTF8.self)) }
        close(fds[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        return tutti_decode_wait_status(status)
    }

    /// Whether a program can be found on PATH.
    static func exists(_ program: String) -> Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").contains { access("\($0)/\(program)", X_OK) == 0 }
    }
}
