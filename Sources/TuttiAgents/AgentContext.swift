import Foundation
import TuttiCore

/// Where a built-in agent works and what it was asked: the target folder, the folder for its
/// findings, and the task's parameters.
public struct AgentContext: Sendable {
    /// The repository to examine (absolute).
    public let target: String
    /// Where the findings files go: `<run dir>/findings/task-<id>/`.
    public let findingsDirectory: String
    public let parameters: [String: JSONValue]
    public let output: AgentOutput

    /// `target` comes from the parameter of that name (relative to the working directory),
    /// or is the working directory; the findings folder from the run the engine started.
    public init(parameters: [String: JSONValue], agent: String, output: AgentOutput = AgentOutput(),
                environment: [String: String] = ProcessInfo.processInfo.environment) throws(AgentError) {
        self.parameters = parameters
        self.output = output
        let cwd = FileManager.default.currentDirectoryPath
        var target = parameters["target"]?.string ?? "."
        if !target.hasPrefix("/") { target = (cwd as NSString).appendingPathComponent(target) }
        target = (target as NSString).standardizingPath
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .badParameter("target \(target) is not a folder")
        }
        self.target = target
        let runDirectory = environment["TUTTI_RUN_DIR"].map { $0.hasPrefix("/") ? $0 : (cwd as NSString).appendingPathComponent($0) }
        let task = RunDirectory.safeFileName(environment["TUTTI_TASK_ID"] ?? agent)
        findingsDirectory = runDirectory.map { "\($0)/findings/task-\(task)" } ?? "\(cwd)/.tutti/findings/\(agent)"
        do {
            try FileManager.default.createDirectory(atPath: findingsDirectory, withIntermediateDirectories: true)
        } catch {
            throw .cannotWrite(findingsDirectory, error.localizedDescription)
        }
    }

    /// A number parameter, when given.
    public func number(_ name: String) -> Double? { parameters[name]?.number }

    /// A whole-number parameter, when given and one (clamped to a sane range).
    public func integer(_ name: String) -> Int? {
        number(name).flatMap { Int(exactly: min(1e9, max(-1e9, $0.rounded()))) }
    }

    /// A string parameter, when given.
    public func string(_ name: String) -> String? { parameters[name]?.string }

    /// Writes a findings file and says where it is; the task's details name the `main` one.
    public func writeFinding(_ name: String, _ text: String, main: Bool = false) {
        let path = "\(findingsDirectory)/\(name)"
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            output.log("wrote \(path)")
            if main { output.detail(.findings, path) }
        } catch {
            output.log("cannot write \(path): \(error.localizedDescription)")
        }
    }

    /// A path relative to the target, for findings.
    public func relative(_ path: String) -> String {
        path.hasPrefix(target + "/") ? String(path.dropFirst(target.count + 1)) : path
    }
}
