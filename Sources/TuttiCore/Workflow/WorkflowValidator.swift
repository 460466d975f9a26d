import Foundation

/// Checks a workflow's structure: unique ids, known dependencies, no cycles, sane limits.
enum WorkflowValidator {
    static func validate(_ workflow: Workflow, diagnostics: DiagnosticCollector) {
        let file = diagnostics.file
        func location(_ task: TaskSpec) -> SourceLocation {
            task.location ?? SourceLocation(file: file, line: 1, column: 1)
        }
        // Positions, not copies: a task spec is large, and a workflow may hold 100,000.
        var firstByID: [String: Int] = [:]
        firstByID.reserveCapacity(workflow.tasks.count)
        for task in workflow.tasks where !isValidID(task.id) {
            diagnostics.error("task_id '\(task.id)' may hold only letters, digits, '.', '_' and '-'", at: location(task),
                              hint: "task ids name log and result files; rename it, e.g. '\(RunDirectory.safeFileName(task.id))'")
        }
        for (position, task) in workflow.tasks.enumerated() {
            if let first = firstByID[task.id] {
                diagnostics.error("duplicate task_id \(task.id)", at: location(task),
                                  hint: "task \(task.id) is already defined at line \(location(workflow.tasks[first]).line); give each task its own id")
            } else {
                firstByID[task.id] = position
            }
        }
        let groups = workflow.groups
        var clashing = Set<String>()
        for task in workflow.tasks {
            guard let group = task.group else { continue }
            let at = task.groupLocation ?? location(task)
            if !isValidID(group) {
                diagnostics.error("group '\(group)' may hold only letters, digits, '.', '_' and '-'", at: at,
                                  hint: "groups are named as tasks are, e.g. '\(RunDirectory.safeFileName(group))'")
            } else if firstByID[group] != nil, clashing.insert(group).inserted {
                diagnostics.error("group \(group) has the name of task \(group)", at: at,
                                  hint: "depends_on: [\(group)] must name one or the other; rename the group or the task")
            }
        }
        for task in workflow.tasks {
            for dep in task.dependsOn {
                let at = task.dependencyLocations[dep] ?? location(task)
                if dep == task.id {
                    diagnostics.error("task \(task.id) depends on itself", at: at, hint: "remove \(dep) from its depends_on")
                } else if dep == task.group {
                    diagnostics.error("task \(task.id) depends on its own group \(dep)", at: at,
                                      hint: "a task cannot wait for itself: take it out of group \(dep), or remove \(dep) from its depends_on")
                } else if firstByID[dep] == nil, groups[dep] == nil {
                    let others = firstByID.keys.filter { $0 != task.id }.sorted { $0.localizedStandardCompare($1) == .orderedAscending }
                    let isNumber = Int(dep) != nil
                    let closestGroup = isNumber ? nil : Suggestion.closest(to: dep, in: groups.keys.sorted())
                    let hint = closestGroup.map { "did you mean group \($0)?" }
                        ?? (isNumber ? nil : Suggestion.closest(to: dep, in: others)).map { "did you mean task \($0)?" }
                        ?? "known tasks: \(others.joined(separator: ", "))"
                        + (groups.isEmpty ? "" : "; groups: \(groups.keys.sorted().joined(separator: ", "))")
                    diagnostics.error("task \(task.id) depends on task \(dep), which does not exist", at: at, hint: hint)
                }
            }
        }
        let graph = DependencyGraph(workflow.tasks)
        if let cycle = graph.findCycle(), let start = cycle.firstIndex(where: { firstByID[$0] != nil }),
           let first = firstByID[cycle[start]].map({ workflow.tasks[$0] }) {
            let next = start + 1 < cycle.count ? cycle[start + 1] : nil
            let at = next.flatMap { first.dependencyLocations[$0] } ?? location(first)
            let path = cycle.map { graph.isGroup($0) ? "group \($0)" : $0 }.joined(separator: " -> ")
            diagnostics.error("dependency cycle: \(path) (each task depends on the next)", at: at,
                              hint: "remove one of these depends_on entries")
        }
    }

    /// Letters, digits, '.', '_' and '-', not only dots: safe as part of a file name.
    static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && !id.allSatisfy { $0 == "." } && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
    }
}
