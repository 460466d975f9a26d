import Foundation

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
