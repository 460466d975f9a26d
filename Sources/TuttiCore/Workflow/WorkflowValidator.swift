import Foundation

/// Checks a workflow's structure: unique ids, known dependencies, no cycles, sane limits.
enum WorkflowValidator {
    static func validate(_ workflow: Workflow, diagnostics: DiagnosticCollector) {
        let file = diagnostics.file
        func location(_ task: TaskSpec) -> SourceLocation {
            task.location ?? SourceLocation(file: file, line: 1, column: 1)
        }
        var firstByID: [String: TaskSpec] = [:]
        for task in workflow.tasks {
            if let first = firstByID[task.id] {
                diagnostics.error("duplicate task_id \(task.id)", at: location(task),
                                  hint: "task \(task.id) is already defined at line \(location(first).line); give each task its own id")
            } else {
                firstByID[task.id] = task
            }
        }
        for task in workflow.tasks {
            for dep in task.dependsOn {
                let at = task.dependencyLocations[dep] ?? location(task)
                if dep == task.id {
                    diagnostics.error("task \(task.id) depends on itself", at: at, hint: "remove \(dep) from its depends_on")
                } else if firstByID[dep] == nil {
                    let others = firstByID.keys.filter { $0 != task.id }.sorted { $0.localizedStandardCompare($1) == .orderedAscending }
                    let isNumber = Int(dep) != nil
                    let hint = (isNumber ? nil : Suggestion.closest(to: dep, in: others)).map { "did you mean task \($0)?" }
                        ?? "known tasks: \(others.joined(separator: ", "))"
                    diagnostics.error("task \(task.id) depends on task \(dep), which does not exist", at: at, hint: hint)
                }
            }
        }
        if let cycle = DependencyGraph(workflow.tasks).findCycle(), let first = firstByID[cycle[0]] {
            let at = cycle.count > 1 ? (first.dependencyLocations[cycle[1]] ?? location(first)) : location(first)
            diagnostics.error("dependency cycle: \(cycle.joined(separator: " -> ")) (each task depends on the next)", at: at,
                              hint: "remove one of these depends_on entries")
        }
    }
}

/// The tasks' dependency graph: order, cycles and longest paths.
public struct DependencyGraph: Sendable {
    public let ids: [String]
    public let dependencies: [String: [String]]

    public init(_ tasks: [TaskSpec]) {
        ids = tasks.map(\.id)
        let known = Set(ids)
        var dependencies: [String: [String]] = [:]
        for task in tasks { dependencies[task.id] = task.dependsOn.filter { known.contains($0) && $0 != task.id } }
        self.dependencies = dependencies
    }

    /// A cycle as a path that starts and ends on the same task, each depending on the next; or nil.
    public func findCycle() -> [String]? {
        enum Mark { case visiting, done }
        var marks: [String: Mark] = [:]
        var stack: [String] = []
        func visit(_ id: String) -> [String]? {
            if marks[id] == .done { return nil }
            if marks[id] == .visiting {
                let start = stack.firstIndex(of: id) ?? 0
                return Array(stack[start...]) + [id]
            }
            marks[id] = .visiting
            stack.append(id)
            for dep in dependencies[id] ?? [] {
                if let cycle = visit(dep) { return cycle }
            }
            stack.removeLast()
            marks[id] = .done
            return nil
        }
        for id in ids {
            if let cycle = visit(id) { return cycle }
        }
        return nil
    }

    /// Ids in an order where every task comes after its dependencies (cycle-free graphs).
    public func topologicalOrder() -> [String] {
        var placed: Set<String> = []
        var order: [String] = []
        func place(_ id: String) {
            guard placed.insert(id).inserted else { return }
            for dep in dependencies[id] ?? [] { place(dep) }
            order.append(id)
        }
        ids.forEach(place)
        return order
    }

    /// The path through dependencies with the largest total weight, first task first.
    public func longestPath(weight: (String) -> Double?) -> (path: [String], total: Double) {
        var best: [String: (Double, String?)] = [:]
        for id in topologicalOrder() {
            guard let own = weight(id) else { continue }
            var bestDep: (Double, String?) = (0, nil)
            for dep in dependencies[id] ?? [] {
                if let value = best[dep], value.0 > bestDep.0 { bestDep = (value.0, dep) }
            }
            best[id] = (bestDep.0 + own, bestDep.1)
        }
        let later = { (a: String, b: String) in a.localizedStandardCompare(b) == .orderedDescending }
        guard let end = best.max(by: { $0.value.0 < $1.value.0 || ($0.value.0 == $1.value.0 && later($0.key, $1.key)) })
        else { return ([], 0) }
        var path: [String] = [end.key]
        var cursor = end.value.1
        while let id = cursor {
            path.insert(id, at: 0)
            cursor = best[id]?.1
        }
        return (path, end.value.0)
    }
}
