import CTuttiSystem
import Foundation

/// Starts a program with posix_spawn (see `tutti_spawn`): its argv and environment
/// made into the C arrays the call takes, and freed after it.
public enum Spawn {
    /// The child's pid, or the errno value of the failure. `stdin` -1 is /dev/null; with
    /// `ownGroup`, the child leads a process group of its own.
    public static func start(_ argv: [String], environment: [String: String], in directory: String?,
                             stdin: Int32, stdout: Int32, stderr: Int32, ownGroup: Bool = true) -> Result<pid_t, SpawnError> {
        guard let program = argv.first, !program.isEmpty else { return .failure(SpawnError(code: EINVAL)) }
        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        var cEnv: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            cArgs.forEach { free($0) }
            cEnv.forEach { free($0) }
        }
        var pid: pid_t = 0
        let code = tutti_spawn(program, &cArgs, &cEnv, directory, stdin, stdout, stderr, ownGroup ? 1 : 0, &pid)
        return code == 0 ? .success(pid) : .failure(SpawnError(code: code))
    }
}

/// Why a program could not be started: an errno value.
public struct SpawnError: Error, Sendable, CustomStringConvertible {
    public let code: Int32
    public var description: String { String(cString: strerror(code)) }
}
