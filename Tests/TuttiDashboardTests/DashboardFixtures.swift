import Foundation
import TuttiCore
@testable import TuttiDashboard

/// A demo-like run told as events, to fold into the dashboard at chosen points.
enum DashboardFixtures {
    static let infos = [
        AnnouncedTask(id: "4", name: "Testing Framework", agent: "TestingAgent", dependsOn: [], gates: 3, maxAttempts: 1),
        AnnouncedTask(id: "5", name: "Security Hardening", agent: "SecurityAgent", dependsOn: [], gates: 3, maxAttempts: 2),
        AnnouncedTask(id: "6", name: "Architecture Review", agent: "ArchitectureAgent", dependsOn: [], gates: 3, maxAttempts: 1),
        AnnouncedTask(id: "7", name: "Pattern Library", agent: "CodeGenAgent", dependsOn: ["6"], gates: 3, maxAttempts: 1),
    ]

    /// Events of the run, in order, with their times.
    static func events() -> [RunEvent] {
        var seq = 0
        var list: [RunEvent] = []
        func add(_ time: Double, _ kind: EventKind) {
            seq += 1
            list.append(RunEvent(seq: seq, time: time, kind: kind))
        }
        add(0, .runStarted(RunStarted(runID: "demo-20261129-120000-ab12", workflow: "demo", parallelism: 4, mode: "parallel",
                                      pollingInterval: 2, tasks: infos)))
        for (offset, id) in ["4", "5", "6"].enumerated() {
            add(0.01 * Double(offset + 1), .taskStarted(TaskStarted(task: id, attempt: 1, pid: 1000 + Int32(offset),
                                                                    command: ["tutti", "agent", "sim"])))
        }
        add(2, .taskProgress(TaskProgress(task: "4", percent: 17)))
        add(2, .taskProgress(TaskProgress(task: "5", percent: 13)))
        add(2, .taskProgress(TaskProgress(task: "6", percent: 20)))
        for step in 1...6 {
            add(0.5 * Double(step), .taskLog(TaskLog(task: "5", stream: step == 3 ? .stderr : .stdout,
                                                     line: step == 3 ? "warning: weak cipher in config/tls.yaml" : "step \(step)/40: scanning item \(step * 7)")))
        }
        add(4, .taskProgress(TaskProgress(task: "4", percent: 34)))
        add(4.5, .taskProgress(TaskProgress(task: "5", percent: 30)))
        add(5, .taskFinished(TaskFinished(task: "5", attempt: 1, status: .failed, exitCode: 1, signal: nil,
                                          reason: "exited with status 1", duration: 4.98)))
        add(5, .taskRetrying(TaskRetrying(task: "5", nextAttempt: 2, delay: 1)))
        add(6, .taskStarted(TaskStarted(task: "5", attempt: 2, pid: 1010, command: ["tutti", "agent", "sim"])))
        add(6, .taskProgress(TaskProgress(task: "6", percent: 60)))
        add(6, .taskMetric(TaskMetric(task: "6", name: "documentation", value: .bool(true))))
        add(8, .taskProgress(TaskProgress(task: "4", percent: 68)))
        add(8, .taskProgress(TaskProgress(task: "5", percent: 25)))
        add(9.7, .taskProgress(TaskProgress(task: "6", percent: 100)))
        add(9.71, .taskFinished(TaskFinished(task: "6", attempt: 1, status: .succeeded, exitCode: 0, signal: nil, reason: nil,
                                             duration: 9.7)))
        for gate in ["coverage_threshold", "security_score", "documentation"] {
            add(9.71, .taskGate(TaskGate(task: "6", result: GateResult(metric: gate, threshold: "required", actual: .bool(true),
                                                                      actualText: "true", passed: true, reason: nil))))
        }
        add(9.72, .taskStarted(TaskStarted(task: "7", attempt: 1, pid: 1020, command: ["tutti", "agent", "sim"])))
        add(11.8, .taskProgress(TaskProgress(task: "4", percent: 100)))
        add(11.8, .taskFinished(TaskFinished(task: "4", attempt: 1, status: .succeeded, exitCode: 0, signal: nil, reason: nil,
                                             duration: 11.79)))
        add(11.8, .taskGate(TaskGate(task: "4", result: GateResult(metric: "test_coverage", threshold: "≥ 95%", actual: .number(91),
                                                                   actualText: "91%", passed: false, reason: "needs ≥ 95%"))))
        add(15, .taskFinished(TaskFinished(task: "5", attempt: 2, status: .timedOut, exitCode: nil, signal: 15,
                                           reason: "timed out after 9s", duration: 9)))
        add(16, .taskFinished(TaskFinished(task: "7", attempt: 1, status: .succeeded, exitCode: 0, signal: nil, reason: nil,
                                           duration: 6.28)))
        add(16.01, .runFinished(RunFinished(outcome: .failed, reason: "task 5 did not succeed")))
        return list
    }

    /// The dashboard after every event up to and including time `time`.
    static func model(at time: Double, selected: Int = 0) -> DashboardModel {
        var model = DashboardModel()
        for event in events() where event.time <= time { model.apply(event) }
        model.tick(now: time)
        model.selected = selected
        return model
    }

    /// The finished run with its report, as the dashboard shows it at the end.
    static func finished() -> DashboardModel {
        var model = model(at: 100)
        let workflow = Workflow(name: "demo", tasks: infos.map { TaskSpec(id: $0.id, name: $0.name, launch: .agent("sim"),
                                                                           dependsOn: $0.dependsOn) },
                                successCriteria: [WorkflowCriterion(.allTasksCompleted), WorkflowCriterion(.measure(.parallelEfficiency, .greaterOrEqual, 2.5))])
        func gates(_ passed: Int, _ total: Int) -> [GateResult] {
            (0..<total).map { index in
                GateResult(metric: "gate_\(index + 1)", threshold: "required", actual: index < passed ? .bool(true) : nil,
                           actualText: index < passed ? "true" : "—", passed: index < passed,
                           reason: index < passed ? nil : "not reported")
            }
        }
        func attempt(_ n: Int, _ start: Double, _ end: Double, _ status: TaskStatus) -> AttemptRecord {
            AttemptRecord(attempt: n, start: start, end: end, status: status, exitCode: status == .succeeded ? 0 : 1, signal: nil,
                          reason: nil, log: "logs/x.log")
        }
        let tasks = [
            TaskReport(id: "4", name: "Testing Framework", agent: "TestingAgent", status: .succeeded, dependsOn: [],
                       attempts: [attempt(1, 0, 11.8, .succeeded)], metrics: [:], gates: gates(2, 3), reason: nil, readyAt: 0),
            TaskReport(id: "5", name: "Security Hardening", agent: "SecurityAgent", status: .timedOut, dependsOn: [],
                       attempts: [attempt(1, 0, 5, .failed), attempt(2, 6, 15, .timedOut)], metrics: [:], gates: gates(0, 3),
                       reason: "timed out after 9s", readyAt: 0),
            TaskReport(id: "6", name: "Architecture Review", agent: "ArchitectureAgent", status: .succeeded, dependsOn: [],
                       attempts: [attempt(1, 0, 9.7, .succeeded)], metrics: [:], gates: gates(3, 3), reason: nil, readyAt: 0),
            TaskReport(id: "7", name: "Pattern Library", agent: "CodeGenAgent", status: .succeeded, dependsOn: ["6"],
                       attempts: [attempt(1, 9.72, 16, .succeeded)], metrics: [:], gates: gates(3, 3), reason: nil, readyAt: 9.71),
        ]
        model.report = RunMetrics.report(runID: model.runID, workflow: workflow, tasks: tasks, parallelism: 4,
                                         startedAt: Date(timeIntervalSince1970: 0), wallSeconds: 16.01, outcome: .failed,
                                         outcomeReason: "task 5 did not succeed")
        return model
    }
}
