import CTuttiSystem
import Foundation

/// Runs a short helper program to its end (tmux, sh) and returns its exit status and, when
/// asked, its output. It goes through the engine's own spawn, which resets the signal mask
/// and ignored signals: a child must not inherit what this process's threads block, or a
/// server it starts (tmux) could never be stopped.
public enum ChildProcess {
    /// Runs `argv` to its end, with `environment` over this process's; its exit status, and
    /// its stdout when asked.
    @discardableResult
    public static func run(_ argv: [String], in workingDirectory: String? = nil, captureOutput: Bool = false,
                           environment: [String: String] = [:]) -> (status: Int32, output: String) {
        var fds: [Int32] = [-1, -1]
        guard tutti_pipe_cloexec(&fds) == 0 else { return (-1, "") }
        let devNull = open("/dev/null", O_WRONLY | O_CLOEXEC)
        defer { close(devNull) }
        let started = Spawn.start(argv, environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
                                  in: workingDirectory, stdin: -1,
                                  stdout: captureOutput ? fds[1] : devNull, stderr: devNull)
        close(fds[1])
        let child = try? started.get()
        let spawned = child != nil
        var output = [UInt8]()
        if spawned, captureOutput {
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = read(fds[0], &buffer, buffer.count)
                if count < 0, errno == EINTR { continue }
                if count <= 0 { break }
                output.append(contentsOf: buffer[0..<count])
            }
        }
        close(fds[0])
        guard let child else { return (-1, "") }
        close(child.pidFD)
        let status = child.reap() ?? 0
        return (tutti_decode_wait_status(status), String(decoding: output, as: UTF8.self))
    }
}
