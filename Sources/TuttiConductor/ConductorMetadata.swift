import Foundation
import Synchronization
import TuttiCore

/// The definitions registered with the server (Conductor's metadata API): task definitions by
/// name, workflow definitions by name and version, each kept as the JSON it was given. Kept in
/// a folder, they outlive the server, as Conductor keeps them in its database: a workflow
/// started after a restart still has its retries and timeouts.
public final class ConductorMetadata: Sendable {
    private let taskDefinitions = Mutex<[String: (definition: ConductorTaskDefinition, json: JSONValue)]>([:])
    private let workflows = Mutex<[String: [Int: JSONValue]]>([:])
    /// Where they are kept (nil: in memory only), and the lock that writes them one at a time.
    private let folder: String?
    private let saving = Mutex(())

    /// Definitions in memory only, for as long as the server runs.
    public init() { folder = nil }

    /// Definitions kept in `folder`, read from it now and written to it after every change:
    /// `taskdefs.json`, the array `POST /api/metadata/taskdefs` takes, and `workflows.json`,
    /// the array `PUT /api/metadata/workflow` takes. Throws when a file there cannot be read
    /// as such (with its line and column).
    public init(keptIn folder: String) throws {
        self.folder = folder
        let (taskFile, workflowFile) = Self.files(in: folder)
        if let text = try Self.text(of: taskFile) {
            let read = try ConductorTaskDefinition.parse(json: text, file: taskFile)
            taskDefinitions.withLock { registered in for entry in read { registered[entry.definition.name] = entry } }
        }
        if let text = try Self.text(of: workflowFile) {
            let read = try ConductorImport.parseMany(json: text, file: workflowFile, taskDefinitions: definitions)
            workflows.withLock { registered in
                for entry in read { registered[entry.workflow.name, default: [:]][entry.version] = entry.definition }
            }
        }
    }

    static func files(in folder: String) -> (taskDefinitions: String, workflows: String) {
        (folder + "/taskdefs.json", folder + "/workflows.json")
    }

    /// A kept file's text; nil when there is none yet.
    private static func text(of path: String) throws -> String? {
        do { return try String(contentsOfFile: path, encoding: .utf8) } catch CocoaError.fileReadNoSuchFile { return nil }
    }

    /// Writes what is registered to the folder, when there is one (each file whole, renamed
    /// into place); a request whose change cannot be kept is told so.
    private func keep() throws(ConductorAPI.Failure) {
        guard let folder else { return }
        // Under the lock: the last writer writes the newest state, not an older snapshot.
        let problem = saving.withLock { _ -> String? in
            let (taskFile, workflowFile) = Self.files(in: folder)
            let tasks = JSONValue.array(taskDefinitions.withLock { registered in registered.keys.sorted().compactMap { registered[$0]?.json } })
            let flows = JSONValue.array(allWorkflows)
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                for (value, path) in [(tasks, taskFile), (flows, workflowFile)] {
                    try JSONEncoder.sortedPretty.encode(value).write(to: URL(fileURLWithPath: path), options: .atomic)
                }
                return nil
            } catch {
                return "\(error.localizedDescription)"
            }
        }
        if let problem {
            throw ConductorAPI.Failure(500, "registered until the server stops, but not kept in \(folder): \(problem)")
        }
    }

    /// The registered task definitions, as the workflows' tasks look them up.
    public var definitions: [String: ConductorTaskDefinition] { taskDefinitions.withLock { $0.mapValues(\.definition) } }

    /// The registered task definitions as they were given.
    var taskDefinitionsJSON: [String: JSONValue] { taskDefinitions.withLock { $0.mapValues(\.json) } }

    /// `POST /api/metadata/taskdefs`: registers (or replaces) each task definition of the array.
    public func registerTaskDefinitions(json text: String) throws(ConductorAPI.Failure) {
        let definitions: [(definition: ConductorTaskDefinition, json: JSONValue)]
        do { definitions = try ConductorTaskDefinition.parse(json: text, file: "the request body") } catch {
            throw ConductorAPI.Failure(400, error.description)
        }
        let now = Self.now
        taskDefinitions.withLock { registered in
            for (definition, value) in definitions {
                registered[definition.name] = (definition, Self.stamped(value, time: now, creating: registered[definition.name] == nil))
            }
        }
        try keep()
    }

    /// `PUT /api/metadata/taskdefs`: replaces one task definition already registered.
    public func updateTaskDefinition(json text: String) throws(ConductorAPI.Failure) {
        let definitions: [(definition: ConductorTaskDefinition, json: JSONValue)]
        do { definitions = try ConductorTaskDefinition.parse(json: text, file: "the request body") } catch {
            throw ConductorAPI.Failure(400, error.description)
        }
        guard definitions.count == 1, let (definition, value) = definitions.first else {
            throw ConductorAPI.Failure(400, "PUT /api/metadata/taskdefs takes one task definition; POST registers several")
        }
        try taskDefinitions.withLock { registered throws(ConductorAPI.Failure) in
            guard registered[definition.name] != nil else { throw ConductorAPI.Failure(404, "No such task by name \(definition.name)") }
            registered[definition.name] = (definition, Self.stamped(value, time: Self.now, creating: false))
        }
        try keep()
    }

    /// `GET /api/metadata/taskdefs/{name}`.
    public func taskDefinition(_ name: String) throws(ConductorAPI.Failure) -> JSONValue {
        guard let found = taskDefinitions.withLock({ $0[name]?.json }) else {
            throw ConductorAPI.Failure(404, "No such taskType found by name: \(name)")
        }
        return found
    }

    /// `POST /api/metadata/workflow` (one definition; an existing name and version is replaced
    /// only with `overwrite`) and `PUT /api/metadata/workflow` (an array, each replaced). Each
    /// definition is read as a run would read it: what Tutti cannot run is refused now, with
    /// its line and column in the body.
    @discardableResult
    public func registerWorkflows(json text: String, overwrite: Bool, many: Bool) throws(ConductorAPI.Failure) -> [String] {
        let read: [(workflow: Workflow, definition: JSONValue, version: Int)]
        do { read = try ConductorImport.parseMany(json: text, file: "the request body", taskDefinitions: definitions) } catch {
            throw ConductorAPI.Failure(400, error.description)
        }
        if !many, read.count != 1 { throw ConductorAPI.Failure(400, "POST /api/metadata/workflow takes one workflow definition; PUT takes an array") }
        let now = Self.now
        let names = try workflows.withLock { registered throws(ConductorAPI.Failure) in
            for entry in read where !overwrite && registered[entry.workflow.name]?[entry.version] != nil {
                throw ConductorAPI.Failure(409, "Workflow with \(entry.workflow.name).\(entry.version) already exists!")
            }
            for entry in read {
                let creating = registered[entry.workflow.name]?[entry.version] == nil
                registered[entry.workflow.name, default: [:]][entry.version] = Self.stamped(entry.definition, time: now, creating: creating,
                                                                                            version: entry.version)
            }
            return read.map(\.workflow.name)
        }
        try keep()
        return names
    }

    /// `GET /api/metadata/workflow/{name}`: the version asked for, else the latest.
    public func workflow(_ name: String, version: Int?) throws(ConductorAPI.Failure) -> JSONValue {
        guard let found = lookUp(name, version: version) else {
            throw ConductorAPI.Failure(404, "No such workflow found by name: \(name), version: \(version.map(String.init) ?? "null")")
        }
        return found.definition
    }

    /// `GET /api/metadata/workflow`: every version of every definition.
    public var allWorkflows: [JSONValue] {
        workflows.withLock { registered in
            registered.keys.sorted().flatMap { name in (registered[name] ?? [:]).sorted { $0.key < $1.key }.map(\.value) }
        }
    }

    /// A registered definition and its version, when there is one.
    func lookUp(_ name: String, version: Int?) -> (definition: JSONValue, version: Int)? {
        workflows.withLock { registered in
            guard let versions = registered[name] else { return nil }
            if let version { return versions[version].map { ($0, version) } }
            return versions.max { $0.key < $1.key }.map { ($0.value, $0.key) }
        }
    }

    static var now: Double { (Date().timeIntervalSince1970 * 1000).rounded() }

    /// The definition with Conductor's bookkeeping: its version, when it was created and updated.
    static func stamped(_ value: JSONValue, time: Double, creating: Bool, version: Int? = nil) -> JSONValue {
        guard case .object(var fields) = value else { return value }
        if let version { fields["version"] = .number(Double(version)) }
        if creating || fields["createTime"] == nil { fields["createTime"] = .number(time) }
        if !creating { fields["updateTime"] = .number(time) }
        return .object(fields)
    }
}
