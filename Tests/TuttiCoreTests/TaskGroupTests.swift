import Foundation
import Testing
@testable import TuttiCore

/// Groups: `depends_on` naming a group waits for every task of it, through one edge per
/// dependent (a layer of 100 waiting for the layer before is 100 edges, not 10,000).
@Suite struct TaskGroupTests {
    static let layers = """
    name: layers
    tasks:
      - {task_id: a1, command: ["true"], group: first}
      - {task_id: a2, command: ["true"], group: first}
      - {task_id: b1, command: ["true"], group: second, depends_on: [first]}
      - {task_id: b2, command: ["true"], group: second, depends_on: [first]}
      - {task_id: end, command: ["true"], depends_on: [second]}
    """

    @Test func aTaskWaitingForAGroupStartsWhenEveryTaskOfItHasSucceeded() throws {
        var scheduler = try SchedulerTests.scheduler(Self.layers)
        scheduler.start()
        #expect(SchedulerTests.starts(scheduler.takeEffects()) == ["a1#1+0", "a2#1+0"])
        scheduler.attemptEnded("a1", attempt: 1, outcome: SchedulerTests.outcome(.succeeded))
        #expect(SchedulerTests.starts(scheduler.takeEffects()).isEmpty, "a2 of the group still runs")
        scheduler.attemptEnded("a2", attempt: 1, outcome: SchedulerTests.outcome(.succeeded))
        #expect(SchedulerTests.starts(scheduler.takeEffects()) == ["b1#1+0", "b2#1+0"])
        scheduler.attemptEnded("b2", attempt: 1, outcome: SchedulerTests.outcome(.succeeded))
        scheduler.attemptEnded("b1", attempt: 1, outcome: SchedulerTests.outcome(.succeeded))
        #expect(SchedulerTests.starts(scheduler.takeEffects()) == ["end#1+0"])
    }

    @Test func aFailedTaskSkipsWhatWaitsForItsGroupAndARetryRunsThemAgain() throws {
        var scheduler = try SchedulerTests.scheduler(Self.layers)
        scheduler.start()
        _ = scheduler.takeEffects()
        scheduler.attemptEnded("a1", attempt: 1, outcome: SchedulerTests.outcome(.succeeded))
        scheduler.attemptEnded("a2", attempt: 1, outcome: SchedulerTests.outcome(.failed))
        let failed = SchedulerTests.events(scheduler.takeEffects())
        #expect(failed.filter { $0.hasPrefix("task_skipped") }.sorted() == ["task_skipped b1", "task_skipped b2", "task_skipped end"])
        #expect(scheduler.records["b1"]?.reason == "dependency group first (a2 failed)")
        #expect(scheduler.records["end"]?.reason == "dependency group second (b2 skipped: a2 failed)",
                "the group's task the skip came through, and the failure behind it")
        #expect(scheduler.isIdle)

        #expect(scheduler.perform(ControlAction(.retry, task: "a2"), actor: "test").accepted)
        #expect(SchedulerTests.starts(scheduler.takeEffects()) == ["a2#2+0"], "the group's other task had succeeded")
        scheduler.attemptEnded("a2", attempt: 2, outcome: SchedulerTests.outcome(.succeeded, at: 3))
        #expect(SchedulerTests.starts(scheduler.takeEffects()) == ["b1#1+0", "b2#1+0"])
    }

    @Test func aRetryOfATaskInTheGroupThatSucceededRunsWhatWaitsForTheGroupAgain() throws {
        var scheduler = try SchedulerTests.scheduler(Self.layers)
        scheduler.start()
        for id in ["a1", "a2", "b1", "b2", "end"] { scheduler.attemptEnded(id, attempt: 1, outcome: SchedulerTests.outcome(.succeeded)) }
        _ = scheduler.finish()
        _ = scheduler.takeEffects()
        let result = scheduler.perform(ControlAction(.retry, task: "a1"), actor: "test")
        #expect(result.message == "task a1 will run again (attempt 2), then the tasks after it: b1, b2, end")
        #expect(SchedulerTests.starts(scheduler.takeEffects()) == ["a1#2+0"], "b1 and b2 wait for the group again")
        scheduler.attemptEnded("a1", attempt: 2, outcome: SchedulerTests.outcome(.succeeded, at: 3))
        #expect(SchedulerTests.starts(scheduler.takeEffects()) == ["b1#2+0", "b2#2+0"])
    }

    @Test func aTaskQueuedForASlotWaitsAgainWhenARetrySendsItsGroupBack() throws {
        var scheduler = try SchedulerTests.scheduler("""
        name: w
        tasks:
          - {task_id: x, command: ["true"]}
          - {task_id: a, command: ["true"], group: g}
          - {task_id: z, command: ["true"]}
          - {task_id: t, command: ["true"], depends_on: [g]}
        """, parallelism: 2)
        scheduler.start()
        #expect(SchedulerTests.starts(scheduler.takeEffects()) == ["x#1+0", "a#1+0"])
        scheduler.attemptEnded("a", attempt: 1, outcome: SchedulerTests.outcome(.succeeded))
        #expect(SchedulerTests.starts(scheduler.takeEffects()) == ["z#1+0"], "t is ready, behind z, for a slot")
        #expect(scheduler.perform(ControlAction(.retry, task: "a"), actor: "test").accepted)
        _ = scheduler.takeEffects()
        scheduler.attemptEnded("x", attempt: 1, outcome: SchedulerTests.outcome(.succeeded))
        #expect(SchedulerTests.starts(scheduler.takeEffects()) == ["a#2+0"], "t waits for a's new result")
        scheduler.attemptEnded("a", attempt: 2, outcome: SchedulerTests.outcome(.succeeded, at: 3))
        #expect(SchedulerTests.starts(scheduler.takeEffects()) == ["t#1+0"])
    }

    @Test func aRetryWaitingOnAFailedTaskOfAGroupIsRefusedNamingIt() throws {
        var scheduler = try SchedulerTests.scheduler(Self.layers)
        scheduler.start()
        scheduler.attemptEnded("a1", attempt: 1, outcome: SchedulerTests.outcome(.succeeded))
        scheduler.attemptEnded("a2", attempt: 1, outcome: SchedulerTests.outcome(.succeeded))
        scheduler.attemptEnded("b1", attempt: 1, outcome: SchedulerTests.outcome(.failed))
        scheduler.attemptEnded("b2", attempt: 1, outcome: SchedulerTests.outcome(.succeeded))
        _ = scheduler.takeEffects()
        #expect(scheduler.records["end"]?.status == .skipped)
        let result = scheduler.perform(ControlAction(.retry, task: "end"), actor: "test")
        #expect(!result.accepted && result.message.contains("retry the task it waits for"))
        #expect(scheduler.perform(ControlAction(.retry, task: "b1"), actor: "test").accepted)
        _ = scheduler.takeEffects()
        #expect(scheduler.records["end"]?.status == .pending, "end waits for its group again")
    }

    @Test func aResumedRunWaitsForTheRestOfAGroupOnly() throws {
        let clock = TestClock()
        var first = try SchedulerTests.scheduler(Self.layers, clock: clock)
        var recorded = SchedulerResumeTests.startRecorded(&first, running: ["a1", "a2"])
        first.attemptEnded("a1", attempt: 1, outcome: SchedulerTests.outcome(.succeeded, at: 2))
        recorded += first.takeEffects().events
        // The process dies here, with a2 running.
        let point = SchedulerResumeTests.resumePoint(recorded)
        #expect(point.kept == ["a1"])

        var resumed = try SchedulerTests.scheduler(Self.layers, clock: clock)
        resumed.resume(from: point)
        #expect(SchedulerTests.starts(resumed.takeEffects()) == ["a2#2+0"], "b1 and b2 wait for the group's other task")
        resumed.attemptEnded("a2", attempt: 2, outcome: SchedulerTests.outcome(.succeeded, at: 3))
        #expect(SchedulerTests.starts(resumed.takeEffects()) == ["b1#1+0", "b2#1+0"])
    }

    @Test func aRetryOfATaskWaitingForAGroupWithAFailedTaskNamesThatTask() throws {
        var scheduler = try SchedulerTests.scheduler(Self.layers)
        scheduler.start()
        for id in ["a1", "a2"] { scheduler.attemptEnded(id, attempt: 1, outcome: SchedulerTests.outcome(.succeeded)) }
        #expect(scheduler.perform(ControlAction(.cancel, task: "end"), actor: "test").accepted, "cancelled before it started")
        scheduler.attemptEnded("b1", attempt: 1, outcome: SchedulerTests.outcome(.failed))
        scheduler.attemptEnded("b2", attempt: 1, outcome: SchedulerTests.outcome(.succeeded))
        _ = scheduler.takeEffects()
        let result = scheduler.perform(ControlAction(.retry, task: "end"), actor: "test")
        #expect(!result.accepted && result.message.hasPrefix("task end needs task b1, which was failed"), "\(result.message)")
    }

    /// 100 layers of 100 tasks, each layer waiting for the one before as a group: the
    /// scheduler holds one edge per task and one per membership, not 990,000.
    @Test func layersWaitingForTheLayerBeforeCostEdgesLinearInTheFile() throws {
        var yaml = "name: layered\ntasks:\n"
        for layer in 0..<100 {
            for index in 0..<100 {
                yaml += "  - {task_id: l\(layer)-\(index), command: [\"true\"], group: layer\(layer)"
                    + (layer == 0 ? "}\n" : ", depends_on: [layer\(layer - 1)]}\n")
            }
        }
        var scheduler = try SchedulerTests.scheduler(yaml, parallelism: 4)
        #expect(scheduler.dependents.values.reduce(0) { $0 + $1.count } == 9_900 + 10_000)
        scheduler.start()
        var started = SchedulerTests.starts(scheduler.takeEffects())
        var order: [String] = []
        while let next = started.first {
            started.removeFirst()
            let id = String(next.prefix { $0 != "#" })
            order.append(id)
            scheduler.attemptEnded(id, attempt: 1, outcome: SchedulerTests.outcome(.succeeded))
            started += SchedulerTests.starts(scheduler.takeEffects())
        }
        #expect(order.count == 10_000)
        let layerOf = { (id: String) in Int(id.dropFirst().prefix { $0 != "-" })! }
        #expect(zip(order, order.dropFirst()).allSatisfy { layerOf($0) <= layerOf($1) }, "no task before the whole layer ahead of it")
    }

    @Test func theGraphGoesThroughGroupsAndListsTasksOnly() throws {
        let workflow = try WorkflowLoader.parse(yaml: Self.layers, file: "g.yaml", baseDirectory: "/tmp")
        let graph = DependencyGraph(workflow.tasks)
        #expect(graph.isGroup("first") && !graph.isGroup("a1"))
        let order = graph.topologicalOrder()
        #expect(order.count == 5 && order.last == "end" && Set(order.prefix(2)) == ["a1", "a2"])
        let weights = ["a1": 1.0, "a2": 5.0, "b1": 2.0, "b2": 1.0, "end": 1.0]
        let path = graph.longestPath { weights[$0] }
        #expect(path.path == ["a2", "b1", "end"] && path.total == 8, "through the slowest task of each group")
    }

    @Test func aWaitingTaskSaysHowMuchOfItsGroupIsLeft() throws {
        var state = RunState()
        let tasks = [AnnouncedTask(id: "a1", name: "A1", agent: "sh", dependsOn: [], group: "first", gates: 0, maxAttempts: 1),
                     AnnouncedTask(id: "a2", name: "A2", agent: "sh", dependsOn: [], group: "first", gates: 0, maxAttempts: 1),
                     AnnouncedTask(id: "b", name: "B", agent: "sh", dependsOn: ["first"], gates: 0, maxAttempts: 1)]
        state.apply(RunEvent(seq: 1, time: 0, kind: .runStarted(RunStarted(runID: "r", workflow: "w", parallelism: 2, mode: "parallel",
                                                                         pollingInterval: 5, tasks: tasks))))
        state.apply(RunEvent(seq: 2, time: 1, kind: .taskStarted(TaskStarted(task: "a1", attempt: 1, pid: 7, command: ["sh"]))))
        state.apply(RunEvent(seq: 3, time: 1, kind: .taskStarted(TaskStarted(task: "a2", attempt: 1, pid: 8, command: ["sh"]))))
        #expect(state.whyWaiting("b") == "waits for group first (2 of 2 tasks not done)")
        state.apply(RunEvent(seq: 4, time: 2, kind: .taskFinished(TaskFinished(task: "a1", attempt: 1, status: .succeeded, exitCode: 0,
                                                                             signal: nil, reason: nil, duration: 1))))
        #expect(state.whyWaiting("b") == "waits for group first (1 of 2 tasks not done)")
    }

    @Test func theAnnouncementCarriesTheGroupAndReadsBack() throws {
        let event = RunEvent(seq: 1, time: 0, kind: .runStarted(RunStarted(
            runID: "r", workflow: "w", parallelism: 1, mode: "sequential", pollingInterval: 5,
            tasks: [AnnouncedTask(id: "a", name: "A", agent: "sh", dependsOn: ["g0"], group: "g1", gates: 0, maxAttempts: 1)])))
        let line = String(decoding: EventJSON.encode(event), as: UTF8.self)
        #expect(line.contains(#""group":"g1""#))
        #expect(try JSONDecoder().decode(RunEvent.self, from: Data(line.utf8)) == event)
    }

    @Test func selectingTasksKeepsAGroupDependencyForTheGroupsTasksThatRun() throws {
        let workflow = try WorkflowLoader.parse(yaml: Self.layers, file: "g.yaml", baseDirectory: "/tmp")
        let options = RunOptions(runsDirectory: FileManager.default.temporaryDirectory.path + "/tutti-groups-\(getpid())",
                                 taskFilter: ["a1", "b1", "end"])
        defer { try? FileManager.default.removeItem(atPath: options.runsDirectory) }
        let engine = try RunEngine(workflow: workflow, options: options)
        #expect(engine.workflow.tasks.map(\.id) == ["a1", "b1", "end"])
        #expect(engine.workflow.tasks.map(\.dependsOn) == [[], ["first"], ["second"]])
        #expect(engine.workflow.groups == ["first": ["a1"], "second": ["b1"]])

        // A group's name selects its tasks; a name that is neither is refused, groups listed.
        let byGroup = try RunEngine(workflow: workflow, options: RunOptions(runsDirectory: options.runsDirectory, taskFilter: ["second", "end"]))
        #expect(byGroup.workflow.tasks.map(\.id) == ["b1", "b2", "end"])
        #expect(byGroup.workflow.tasks.map(\.dependsOn) == [[], [], ["second"]])
        let error = #expect(throws: RunSetupError.self) {
            _ = try RunEngine(workflow: workflow, options: RunOptions(runsDirectory: options.runsDirectory, taskFilter: ["thrid"]))
        }
        #expect(error?.description.contains("first (a group), second (a group)") == true)
    }

    @Test func conductorsExportWaitsForEachTaskOfAGroupAndReadsBackTheGroups() throws {
        let workflow = try WorkflowLoader.parse(yaml: Self.layers, file: "g.yaml", baseDirectory: "/tmp")
        let expanded = workflow.expandingGroups()
        #expect(expanded.tasks.map(\.dependsOn) == [[], [], ["a1", "a2"], ["a1", "a2"], ["b1", "b2"]])
        var definition = ConductorExport(workflow).workflowDefinition
        let json = String(decoding: try JSONEncoder.sortedPretty.encode(definition), as: UTF8.self)
        #expect(json.contains(#""type" : "FORK_JOIN""#) && json.contains(#""type" : "JOIN""#), "each group a fork and its join")
        let back = try ConductorImport.parse(json: json, file: "export.json")
        #expect(back.tasks.map(\.dependsOn) == workflow.tasks.map(\.dependsOn), "the groups as written")
        #expect(back.tasks.map(\.group) == workflow.tasks.map(\.group))
        // Without Tutti's own inputParameters, the structure alone runs each task after the whole group.
        guard case .object(var fields) = definition else {
            Issue.record("the definition is an object: \(definition)")
            return
        }
        fields["tasks"] = Self.strippingDependsOn(fields["tasks"] ?? .null)
        definition = .object(fields)
        let structural = try ConductorImport.parse(json: String(decoding: try JSONEncoder.sortedPretty.encode(definition), as: UTF8.self),
                                                   file: "export.json")
        #expect(Set(structural.tasks.first { $0.id == "end" }?.dependsOn ?? []) == ["b1", "b2"])
    }

    /// The tasks with their inputParameters' `depends_on` and `group` removed, forks included.
    static func strippingDependsOn(_ value: JSONValue) -> JSONValue {
        switch value {
        case .array(let items): return .array(items.map(strippingDependsOn))
        case .object(var fields):
            if case .object(var inputs)? = fields["inputParameters"] {
                inputs["depends_on"] = nil
                inputs["group"] = nil
                fields["inputParameters"] = .object(inputs)
            }
            if let forks = fields["forkTasks"] { fields["forkTasks"] = strippingDependsOn(forks) }
            return .object(fields)
        default: return value
        }
    }
}
