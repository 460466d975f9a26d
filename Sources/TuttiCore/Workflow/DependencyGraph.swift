import Foundation

/// The tasks' dependency graph: order, cycles and longest paths.
public struct DependencyGraph: Sendable {
    /// The tasks, in the workflow's order.
    public let ids: [String]
    /// What each task waits for (tasks, and groups by name), and each group's tasks: a group
    /// is a node of its own, so waiting for a group of 100 is one edge, not 100. A task that
    /// waits for nothing has no entry.
    public let dependencies: [String: [String]]
    /// Each group's tasks among those in the graph (a group named as a task is not one).
    public let groups: [String: [String]]

    /// The graph of the tasks `include` keeps (all by default), read in place: no spec is copied.
    public init(_ tasks: [TaskSpec], including include: (String) -> Bool = { _ in true }) {
        ids = tasks.map(\.id).filter(include)
        let known = Set(ids)
        let groups = Workflow.groups(of: tasks).filter { !known.contains($0.key) }
            .mapValues { $0.filter(known.contains) }.filter { !$0.value.isEmpty }
        // Only tasks that wait for something have an entry (a task spec is large: read in place).
        var dependencies: [String: [String]] = [:]
        for index in tasks.indices where !tasks[index].dependsOn.isEmpty && known.contains(tasks[index].id) {
            let (id, group) = (tasks[index].id, tasks[index].group)
            // Waiting for itself or its own group is the validator's to report, not a cycle.
            dependencies[id] = tasks[index].dependsOn.filter { (known.contains($0) || groups[$0] != nil) && $0 != id && $0 != group }
        }
        for (group, members) in groups { dependencies[group] = members }
        self.dependencies = dependencies
        self.groups = groups
    }

    /// Whether `name` is a group's (a node that stands for its tasks), not a task's.
    public func isGroup(_ name: String) -> Bool { groups[name] != nil }

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
    public func topologicalOrder() -> [String] { nodeOrder().filter { !isGroup($0) } }

    /// Tasks and groups, each after what it waits for.
    private func nodeOrder() -> [String] {
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
    /// Nodes that `weight` leaves out (nil) are on no path.
    public func longestPath(weight: (String) -> Double?) -> (path: [String], total: Double) {
        let nodes = nodeOrder()
        var position: [String: Int] = [:]
        position.reserveCapacity(nodes.count)
        for (index, id) in nodes.enumerated() { position[id] = index }
        // Per node: the heaviest path ending there (-1: on no path), and the node before it.
        var total = [Double](repeating: -1, count: nodes.count)
        var before = [Int](repeating: -1, count: nodes.count)
        for (index, id) in nodes.enumerated() {
            // A group weighs nothing: the path goes on through its longest task.
            guard let own = isGroup(id) ? 0 : weight(id) else { continue }
            var heaviest = 0.0
            for dep in dependencies[id] ?? [] {
                if let from = position[dep], total[from] > heaviest {
                    heaviest = total[from]
                    before[index] = from
                }
            }
            total[index] = heaviest + own
        }
        let later = { (a: String, b: String) in a.localizedStandardCompare(b) == .orderedDescending }
        var end: Int?
        for index in nodes.indices where total[index] >= 0 && !isGroup(nodes[index]) {
            guard let current = end else { end = index; continue }
            if total[current] < total[index] || (total[current] == total[index] && later(nodes[current], nodes[index])) { end = index }
        }
        guard let end else { return ([], 0) }
        var path: [String] = []
        var cursor = end
        while cursor >= 0 {
            if !isGroup(nodes[cursor]) { path.append(nodes[cursor]) }
            cursor = before[cursor]
        }
        return (path.reversed(), total[end])
    }
}
