import Foundation

/// Finds programs on a PATH, remembering what it found: looking a name up once per run
/// instead of once per task (each miss is a failed exec in the child).
public struct ExecutableLookup {
    private var found: [String: String] = [:]

    public init() {}

    /// The full path of `program` on `searchPath` (default: this process's PATH), or nil.
    public static func path(of program: String,
                            searchPath: String? = ProcessInfo.processInfo.environment["PATH"]) -> String? {
        if program.contains("/") { return access(program, X_OK) == 0 ? program : nil }
        var lookup = ExecutableLookup()
        let found = lookup.resolve(program, searchPath: searchPath)
        return found == program ? nil : found
    }

    /// The full path of `program` on `searchPath`, or `program` itself when it contains a
    /// slash or is not found (the spawn then reports why it cannot start).
    public mutating func resolve(_ program: String, searchPath: String?) -> String {
        guard !program.utf8.contains(UInt8(ascii: "/")), !program.isEmpty else { return program }
        let path = searchPath ?? "/usr/local/bin:/usr/bin:/bin"
        let key = path + "\u{0}" + program
        if let known = found[key] { return known }
        for directory in path.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (directory.isEmpty ? "." : String(directory)) + "/" + program
            if access(candidate, X_OK) == 0, !isDirectory(candidate) {
                found[key] = candidate
                return candidate
            }
        }
        return program
    }

    private func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }
}
