import Foundation

/// Checks a workflow's structure: unique ids, known dependencies, no cycles, sane limits.
enum WorkflowValidator {
    static func validate(_ workflow: Workflow, diagnostics: DiagnosticCollector) {
        let file = diagnostics.file
        // Positions, not copies: a task spec is large, and a workflow may hold 100,000.
        let tasks = workflow.tasks
        func location(_ position: Int) -> SourceLocation {
            tasks[position].location ?? SourceLocation(file: file, line: 1, column: 1)
        }
        var firstByID: [String: Int] = [:]
        firstByID.reserveCapacity(tasks.count)
        for position in tasks.indices {
            let id = tasks[position].id
            if !isValidID(id) {
                diagnostics.error("task_id '\(id)' may hold only letters, digits, '.', '_' and '-'", at: location(position),
                                  hint: "task ids name log and result files; rename it, e.g. '\(RunDirectory.safeFileName(id))'")
            }
            if let first = firstByID[id] {
                diagnostics.error("duplicate task_id \(id)", at: location(position),
                                  hint: "task \(id) is already defined at line \(location(first).line); give each task its own id")
            } else {
                firstByID[id] = position
            }
        }
        let graph = DependencyGraph(tasks)
        let groups = graph.groups
        var clashing = Set<String>()
        for position in tasks.indices {
            guard let group = tasks[position].group else { continue }
            let at = tasks[position].groupLocation ?? location(position)
            if !isValidID(group) {
                diagnostics.error("group '\(group)' may hold only letters, digits, '.', '_' and '-'", at: at,
                                  hint: "groups are named as tasks are, e.g. '\(RunDirectory.safeFileName(group))'")
            } else if firstByID[group] != nil, clashing.insert(group).inserted {
                diagnostics.error("group \(group) has the name of task \(group)", at: at,
                                  hint: "depends_on: [\(group)] must name one or the other; rename the group or the task")
            }
        }
        for position in tasks.indices where !tasks[position].dependsOn.isEmpty {
            let (id, group) = (tasks[position].id, tasks[position].group)
            for dep in tasks[position].dependsOn {
                let at = tasks[position].dependencyLocations[dep] ?? location(position)
                if dep == id {
                    diagnostics.error("task \(id) depends on itself", at: at, hint: "remove \(dep) from its depends_on")
                } else if dep == group {
                    diagnostics.error("task \(id) depends on its own group \(dep)", at: at,
                                      hint: "a task cannot wait for itself: take it out of group \(dep), or remove \(dep) from its depends_on")
                } else if firstByID[dep] == nil, groups[dep] == nil {
                    let others = firstByID.keys.filter { $0 != id }.sorted { $0.localizedStandardCompare($1) == .orderedAscending }
                    let groupNames = groups.keys.sorted()
                    // The nearest name, task or group.
                    let closest = Int(dep) != nil ? nil : Suggestion.closest(to: dep, in: others + groupNames)
                    let hint = closest.map { "did you mean \(groups[$0] == nil ? "task" : "group") \($0)?" }
                        ?? "known tasks: \(others.joined(separator: ", "))"
                        + (groups.isEmpty ? "" : "; groups: \(groupNames.joined(separator: ", "))")
                    let message = groups.isEmpty ? "task \(id) depends on task \(dep), which does not exist"
                        : "task \(id) depends on \(dep), which is neither a task nor a group"
                    diagnostics.error(message, at: at, hint: hint)
                }
            }
        }
        if let cycle = graph.findCycle(), let start = cycle.firstIndex(where: { firstByID[$0] != nil }),
           let first = firstByID[cycle[start]] {
            let next = start + 1 < cycle.count ? cycle[start + 1] : nil
            let at = next.flatMap { tasks[first].dependencyLocations[$0] } ?? location(first)
            let path = cycle.map { graph.isGroup($0) ? "group \($0)" : $0 }.joined(separator: " -> ")
            // A group waits for its tasks; a task depends on what it names.
            let reading = cycle.contains(where: graph.isGroup) ? "each waits for the next" : "each task depends on the next"
            diagnostics.error("dependency cycle: \(path) (\(reading))", at: at,
                              hint: "remove one of these depends_on entries")
        }
    }

    /// Letters, digits, '.', '_' and '-', not only dots: safe as part of a file name.
    static func isValidID(_ id: String) -> Bool {
        // Read as bytes: ASCII letters and digits are what Character's isLetter and isNumber
        // say of ASCII, without looking up Unicode properties for each character.
        !id.isEmpty && id.utf8.contains { $0 != UInt8(ascii: ".") } && id.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."): return true
            default: return false
            }
        }
    }
}
