import Testing
@testable import TuttiCore

/// A task that runs `true` and depends on `dependsOn`.
private func task(_ id: String, _ dependsOn: [String] = []) -> TaskSpec {
    TaskSpec(id: id, launch: .command(["true"]), dependsOn: dependsOn)
}

/// Cycle detection, ordering and longest paths over task dependencies.
@Suite struct DependencyGraphTests {
    /// 1 → {2, 3} → 4 (a diamond), listed last task first.
    let diamond = [task("4", ["2", "3"]), task("3", ["1"]), task("2", ["1"]), task("1")]

    @Test func acyclicGraphHasNoCycle() {
        #expect(DependencyGraph(diamond).findCycle() == nil)
        #expect(DependencyGraph([task("a"), task("b")]).findCycle() == nil)
        #expect(DependencyGraph([]).findCycle() == nil)
    }

    @Test func threeTaskCycleIsReturnedAsAClosedPath() throws {
        let cycle = try #require(DependencyGraph([task("1", ["2"]), task("2", ["3"]), task("3", ["1"])]).findCycle())
        #expect(cycle == ["1", "2", "3", "1"])
        #expect(cycle.first == cycle.last)
    }

    @Test func cycleBehindAnAcyclicPrefixStartsAtTheCycle() throws {
        let cycle = try #require(DependencyGraph([task("0", ["1"]), task("1", ["2"]), task("2", ["1"])]).findCycle())
        #expect(cycle == ["1", "2", "1"])
    }

    @Test func selfAndUnknownDependenciesAreIgnored() {
        let graph = DependencyGraph([task("1", ["1", "99"]), task("2", ["1", "missing"])])
        #expect(graph.dependencies["1"] == [])
        #expect(graph.dependencies["2"] == ["1"])
        #expect(graph.findCycle() == nil)
    }

    @Test func topologicalOrderPutsDependenciesFirst() {
        let graph = DependencyGraph(diamond)
        let order = graph.topologicalOrder()
        #expect(order == ["1", "2", "3", "4"])
        for (id, deps) in graph.dependencies {
            for dep in deps {
                #expect(order.firstIndex(of: dep)! < order.firstIndex(of: id)!, "\(dep) must come before \(id)")
            }
        }
    }

    @Test func longestPathFollowsTheHeaviestChain() {
        let weights: [String: Double] = ["1": 2, "2": 5, "3": 1, "4": 1]
        let longest = DependencyGraph(diamond).longestPath { weights[$0] }
        #expect(longest.path == ["1", "2", "4"])
        #expect(longest.total == 8)
    }

    @Test func longestPathSkipsTasksWithoutWeight() {
        let weights: [String: Double] = ["1": 2, "3": 1, "4": 1]
        let longest = DependencyGraph(diamond).longestPath { weights[$0] }
        #expect(longest.path == ["1", "3", "4"])
        #expect(longest.total == 4)
    }

    @Test func longestPathOfIndependentTasksIsTheHeaviestTask() {
        let weights: [String: Double] = ["4": 622, "5": 794, "6": 514, "7": 718]
        let longest = DependencyGraph([task("4"), task("5"), task("6"), task("7")]).longestPath { weights[$0] }
        #expect(longest.path == ["5"])
        #expect(longest.total == 794)
    }

    @Test func longestPathOfNothingIsEmpty() {
        let longest = DependencyGraph([]).longestPath { _ in 1 }
        #expect(longest.path == [])
        #expect(longest.total == 0)
    }
}
