import Foundation
import Yams

/// A Conductor task definition (TaskDef): the retries and timeout of the tasks that name it.
public struct ConductorTaskDefinition: Sendable, Hashable {
    /// Conductor's retry logics, and the Tutti backoff each one is.
    enum RetryLogic: String, CaseIterable {
        case fixed = "FIXED", linear = "LINEAR_BACKOFF", exponential = "EXPONENTIAL_BACKOFF"
    }

    /// What Conductor does when the task outlives its timeout.
    enum TimeoutPolicy: String, CaseIterable {
        case retry = "RETRY", timeOutWorkflow = "TIME_OUT_WF", alertOnly = "ALERT_ONLY"
    }

    public var name: String
    public var description: String?
    public var retry: RetryPolicy
    /// Nil when the task has no time limit (0, or ALERT_ONLY: Conductor only reports it).
    public var timeoutSeconds: Double?
    /// What the timeout does: TIME_OUT_WF (Conductor's default) ends the run, RETRY retries.
    public var onTimeout: TimeoutAction

    public init(name: String, description: String? = nil, retry: RetryPolicy = .none, timeoutSeconds: Double? = nil,
                onTimeout: TimeoutAction = .retry) {
        self.name = name
        self.description = description
        self.retry = retry
        self.timeoutSeconds = timeoutSeconds
        self.onTimeout = onTimeout
    }

    static let readKeys = ["name", "description", "retryCount", "retryLogic", "retryDelaySeconds", "backoffScaleFactor",
                           "maxRetryDelaySeconds", "timeoutSeconds", "timeoutPolicy"]
    /// Fields of Conductor's TaskDef that change nothing in a Tutti run.
    static let passedOverKeys = ["responseTimeoutSeconds", "ownerEmail", "inputKeys", "outputKeys", "concurrentExecLimit",
                                 "rateLimitPerFrequency", "rateLimitFrequencyInSeconds", "pollTimeoutSeconds", "inputTemplate",
                                 "isolationGroupId", "executionNameSpace", "ownerApp", "createTime", "updateTime", "createdBy",
                                 "updatedBy", "inputSchema", "outputSchema", "enforceSchema", "baseType", "totalTimeoutSeconds",
                                 "tags", "accessPolicy"]

    /// Conductor's defaults for what a TaskDef leaves out.
    static let defaultRetryCount = 3
    static let defaultRetryDelaySeconds: Double = 60

    /// Reads one TaskDef object; nil (after reporting why) when it cannot be used.
    static func read(_ node: Node, section: String, diagnostics: DiagnosticCollector) -> ConductorTaskDefinition? {
        guard let def = MappingReader(node, section: section, allowed: readKeys + passedOverKeys, diagnostics: diagnostics,
                                      unknownKeys: .ignoredUnlessNearMiss) else { return nil }
        guard let nameNode = def.required("name") else { return nil }
        guard let name = nameNode.identifier else {
            diagnostics.error("'name' in \(section) must be a name", at: nameNode)
            return nil
        }
        var definition = ConductorTaskDefinition(name: name, description: def.string("description"))
        let count = def.integer("retryCount") ?? defaultRetryCount
        if count < 0 || count > WorkflowLoader.maximumRetries {
            diagnostics.error("'retryCount' in \(section) must be from 0 to \(WorkflowLoader.maximumRetries)", at: def["retryCount"])
        }
        let logic = def.choice("retryLogic", RetryLogic.self) ?? .fixed
        var delay = def.number("retryDelaySeconds") ?? defaultRetryDelaySeconds
        if delay < 0 || delay > WorkflowLoader.maximumSeconds {
            diagnostics.error("'retryDelaySeconds' in \(section) must be from 0 to \(Int(WorkflowLoader.maximumSeconds)) (a year)",
                              at: def["retryDelaySeconds"])
            delay = 0
        }
        // Conductor waits retryDelaySeconds × backoffScaleFactor × (retryCount + 1) with LINEAR_BACKOFF.
        if logic == .linear, let scale = def.positiveNumber("backoffScaleFactor") { delay *= scale }
        let backoff: RetryPolicy.Backoff = switch logic {
        case .fixed: .fixed
        case .linear: .linear
        case .exponential: .exponential
        }
        definition.retry = RetryPolicy(count: min(WorkflowLoader.maximumRetries, max(0, count)), backoff: backoff,
                                       delaySeconds: min(delay, WorkflowLoader.maximumSeconds))
        // Conductor caps a delay at maxRetryDelaySeconds when that is above 0.
        if let cap = def.number("maxRetryDelaySeconds"), cap > 0 { definition.retry.maxDelaySeconds = min(cap, WorkflowLoader.maximumSeconds) }
        let policy = def.choice("timeoutPolicy", TimeoutPolicy.self) ?? .timeOutWorkflow
        definition.onTimeout = policy == .retry ? .retry : .endRun
        if let timeout = def.number("timeoutSeconds"), timeout != 0, policy != .alertOnly {
            if timeout < 0 || timeout > WorkflowLoader.maximumSeconds {
                diagnostics.error("'timeoutSeconds' in \(section) must be from 0 (no limit) to \(Int(WorkflowLoader.maximumSeconds)) (a year)",
                                  at: def["timeoutSeconds"])
            } else {
                definition.timeoutSeconds = timeout
            }
        }
        return definition
    }

    /// Reads the body of `POST /api/metadata/taskdefs`: an array of TaskDefs (or one), each
    /// with its JSON as written.
    public static func parse(json: String, file: String) throws(WorkflowLoadError) -> [(definition: ConductorTaskDefinition, json: JSONValue)] {
        let diagnostics = DiagnosticCollector(file: file)
        let root = try ConductorImport.compose(json, file: file)
        let nodes = root.sequence.map(Array.init) ?? [root]
        let definitions = nodes.enumerated().compactMap { index, node -> (ConductorTaskDefinition, JSONValue)? in
            read(node, section: nodes.count == 1 ? "the task definition" : "task definition \(index + 1)", diagnostics: diagnostics)
                .map { ($0, node.jsonValue) }
        }
        guard diagnostics.diagnostics.isEmpty, definitions.count == nodes.count else { throw WorkflowLoadError(diagnostics.sorted) }
        return definitions
    }

    /// The TaskDef JSON Conductor accepts for a Tutti task.
    static func json(name: String, task: TaskSpec, ownerEmail: String) -> JSONValue {
        let logic: RetryLogic = switch task.retry.backoff {
        case .fixed: .fixed
        case .linear: .linear
        case .exponential: .exponential
        }
        var fields: [String: JSONValue] = [
            "name": .string(name), "retryCount": .number(Double(task.retry.count)), "retryLogic": .string(logic.rawValue),
            "retryDelaySeconds": .number(task.retry.delaySeconds.rounded(.up)),
            "timeoutSeconds": .number(task.timeoutSeconds.map { $0.rounded(.up) } ?? 0),
            // Retried after a timeout as after a failure (RETRY), or the run ends (TIME_OUT_WF).
            "timeoutPolicy": .string((task.onTimeout == .endRun ? TimeoutPolicy.timeOutWorkflow : .retry).rawValue),
            "ownerEmail": .string(ownerEmail),
        ]
        if logic == .linear { fields["backoffScaleFactor"] = .number(1) }
        if let cap = task.retry.maxDelaySeconds { fields["maxRetryDelaySeconds"] = .number(cap.rounded(.up)) }
        // Conductor refuses a response timeout longer than the task's own.
        fields["responseTimeoutSeconds"] = .number(min(3600, task.timeoutSeconds.map { $0.rounded(.up) } ?? 3600))
        if let description = task.description { fields["description"] = .string(description) }
        return .object(fields)
    }
}
