import CTuttiSystem
import Foundation

/// A child started by `Spawn.start`.
public struct SpawnedChild: Sendable {
    public let pid: pid_t
    /// Becomes readable when the child ends; the caller closes it.
    public let pidFD: Int32

    /// Waits for the child to end (or, not `blocking`, checks whether it has): its wait
    /// status, or nil while it runs.
    public func reap(blocking: Bool = true) -> Int32? {
        var status: Int32 = 0
        return tutti_wait(pid, &status, blocking ? 1 : 0) == pid ? status : nil
    }
}

/// Starts a program (see `tutti_spawn`): its argv and environment packed into the C arrays
/// the call takes, in one block.
public enum Spawn {
    /// The started child, or the errno value of the failure. `stdin` -1 is /dev/null; with
    /// `ownGroup`, the child leads a process group of its own. The child gets the open-file
    /// limit this process was given (`FileLimit.forTasks`), not the one it raised.
    public static func start(_ argv: [String], environment: [String: String], in directory: String?,
                             stdin: Int32, stdout: Int32, stderr: Int32, ownGroup: Bool = true) -> Result<SpawnedChild, SpawnError> {
        guard let program = argv.first, !program.isEmpty else { return .failure(SpawnError(code: EINVAL)) }
        var block: [CChar] = []
        var argumentStarts: [Int] = []
        var environmentStarts: [Int] = []
        func append(_ text: String) {
            var text = text
            text.withUTF8 { bytes in block.append(contentsOf: UnsafeRawBufferPointer(bytes).bindMemory(to: CChar.self)) }
        }
        for argument in argv {
            argumentStarts.append(block.count)
            append(argument)
            block.append(0)
        }
        for (key, value) in environment {
            environmentStarts.append(block.count)
            append(key)
            block.append(CChar(UInt8(ascii: "=")))
            append(value)
            block.append(0)
        }
        var pid: pid_t = 0
        var pidFD: Int32 = -1
        let code = block.withUnsafeMutableBufferPointer { strings -> Int32 in
            let base = strings.baseAddress!
            var cArguments: [UnsafeMutablePointer<CChar>?] = argumentStarts.map { base + $0 }
            cArguments.append(nil)
            var cEnvironment: [UnsafeMutablePointer<CChar>?] = environmentStarts.map { base + $0 }
            cEnvironment.append(nil)
            let fileLimit = FileLimit.forTasks == rlim_t.max || FileLimit.forTasks > rlim_t(Int.max) ? -1 : Int(FileLimit.forTasks)
            return tutti_spawn(base + argumentStarts[0], &cArguments, &cEnvironment, directory, stdin, stdout, stderr,
                               ownGroup ? 1 : 0, fileLimit, &pid, &pidFD)
        }
        return code == 0 ? .success(SpawnedChild(pid: pid, pidFD: pidFD)) : .failure(SpawnError(code: code))
    }
}

/// Why a program could not be started: an errno value.
public struct SpawnError: Error, Sendable, CustomStringConvertible {
    public let code: Int32
    public var description: String { String(cString: strerror(code)) }
}
