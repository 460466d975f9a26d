import Testing
@testable import TuttiAgents
@testable import TuttiCore

/// What one simulated run printed, returned and asked to sleep.
private struct SimRun {
    var lines: [String]
    var exitCode: Int32
    var slept: Double

    /// Progress percentages reported, in order.
    var progress: [Double] {
        lines.compactMap { line -> Double? in
            guard case .reports(let reports) = AgentProtocol.parse(line) else { return nil }
            for case .progress(let percent) in reports { return percent }
            return nil
        }
    }

    /// Metrics reported, by name.
    var metrics: [String: JSONValue] {
        var metrics: [String: JSONValue] = [:]
        for line in lines {
            guard case .reports(let reports) = AgentProtocol.parse(line) else { continue }
            for case .metric(let name, let value) in reports { metrics[name] = value }
        }
        return metrics
    }
}

/// Runs the agent with a recording `emit` and a `sleep` that only adds up the requested time.
private func simulate(_ settings: SimAgentSettings, attempt: Int = 1) -> SimRun {
    var lines: [String] = []
    var slept = 0.0
    let exitCode = SimAgent(settings: settings, attempt: attempt).run(
        emit: { lines.append($0) },
        sleep: { slept += $0 }
    )
    return SimRun(lines: lines, exitCode: exitCode, slept: slept)
}

/// Settings for a short linear run of 10 steps over 3 s with three metrics.
private func linearSettings(_ extra: [String: JSONValue] = [:]) throws -> SimAgentSettings {
    var parameters: [String: JSONValue] = [
        "duration_seconds": .number(3), "steps": .number(10), "curve": .string("linear"), "seed": .number(3),
        "metrics": .object(["test_coverage": .number(96.4), "documentation": .bool(true), "compliance": .string("SOC2")]),
    ]
    parameters.merge(extra) { _, new in new }
    return try SimAgentSettings(parameters: parameters)
}

/// Reading the sim agent's settings from task parameters.
@Suite struct SimAgentSettingsTests {
    @Test func everyKnownKeyIsRead() throws {
        let settings = try SimAgentSettings(parameters: [
            "duration_seconds": .number(2.5), "steps": .number(12), "curve": .string("ease_out"), "seed": .number(42),
            "metrics": .object(["a": .number(1)]), "fail_at_percent": .number(50), "exit_code": .number(3),
            "hang": .bool(false), "hang_at_percent": .number(70), "fail_attempts": .number(2), "log_every": .number(5),
        ])
        #expect(settings.durationSeconds == 2.5)
        #expect(settings.steps == 12)
        #expect(settings.curve == .easeOut)
        #expect(settings.seed == 42)
        #expect(settings.metrics == ["a": JSONValue.number(1)])
        #expect(settings.failAtPercent == 50)
        #expect(settings.exitCode == 3)
        #expect(settings.hang == false)
        #expect(settings.hangAtPercent == 70)
        #expect(settings.failAttempts == 2)
        #expect(settings.logEvery == 5)
    }

    @Test func noParametersGiveTheDefaults() throws {
        let settings = try SimAgentSettings(parameters: [:])
        #expect(settings == SimAgentSettings())
        #expect(settings.durationSeconds == 1)
        #expect(settings.steps == 20)
        #expect(settings.curve == .linear)
        #expect(settings.failAtPercent == nil)
    }

    @Test func numbersWrittenAsStringsAreAccepted() throws {
        let settings = try SimAgentSettings(parameters: ["duration_seconds": .string("4.5"), "steps": .string("3")])
        #expect(settings.durationSeconds == 4.5)
        #expect(settings.steps == 3)
        #expect(throws: SimAgentError.self) { try SimAgentSettings(parameters: ["steps": .number(0)]) }
        #expect(throws: SimAgentError.self) { try SimAgentSettings(parameters: ["steps": .number(1e300)]) }
    }

    @Test func unknownKeySuggestsTheClosestKey() {
        let error = #expect(throws: SimAgentError.self) {
            try SimAgentSettings(parameters: ["duraton_seconds": .number(1)])
        }
        #expect(error?.description.contains("unknown sim parameter 'duraton_seconds'") == true)
        #expect(error?.description.contains("did you mean 'duration_seconds'?") == true)
    }

    @Test func invalidValuesAreRejected() {
        #expect(throws: SimAgentError.self) { try SimAgentSettings(parameters: ["curve": .string("wobbly")]) }
        #expect(throws: SimAgentError.self) { try SimAgentSettings(parameters: ["duration_seconds": .number(-1)]) }
        #expect(throws: SimAgentError.self) { try SimAgentSettings(parameters: ["steps": .string("many")]) }
        #expect(throws: SimAgentError.self) { try SimAgentSettings(parameters: ["hang": .string("yes")]) }
        #expect(throws: SimAgentError.self) { try SimAgentSettings(parameters: ["metrics": .array([])]) }
    }

    @Test func curvesRunFromZeroToOne() {
        for curve in SimAgentSettings.Curve.allCases {
            #expect(curve.progress(at: 0) == 0, "\(curve)")
            #expect(curve.progress(at: 1) == 1, "\(curve)")
        }
        #expect(SimAgentSettings.Curve.easeIn.progress(at: 0.5) == 0.25)
        #expect(SimAgentSettings.Curve.easeOut.progress(at: 0.5) == 0.75)
        #expect(SimAgentSettings.Curve.sCurve.progress(at: 0.5) == 0.5)
    }
}

/// The simulated agent's timing plan and its protocol output.
@Suite struct SimAgentTests {
    @Test func stepTimesAreDeterministicPerSeed() throws {
        let settings = try SimAgentSettings(parameters: ["duration_seconds": .number(10), "steps": .number(20), "seed": .number(7)])
        var reseeded = settings
        reseeded.seed = 8
        let first = SimAgent(settings: settings).stepTimes()
        #expect(first == SimAgent(settings: settings).stepTimes())
        #expect(first != SimAgent(settings: reseeded).stepTimes())
    }

    @Test func stepTimesIncreaseToTheDuration() throws {
        let settings = try SimAgentSettings(parameters: ["duration_seconds": .number(10), "steps": .number(20), "seed": .number(7)])
        let times = SimAgent(settings: settings).stepTimes()
        #expect(times.count == 20)
        #expect((times.first ?? 0) > 0)
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 < $1 })
        #expect(abs((times.last ?? 0) - 10) < 1e-9)
    }

    @Test func successfulRunReportsProgressThenMetrics() throws {
        let run = try simulate(linearSettings())
        #expect(run.exitCode == 0)
        #expect(run.progress == [10, 20, 30, 40, 50, 60, 70, 80, 90, 100])
        #expect(run.lines.last(where: { $0.hasPrefix("@tutti progress") }) == "@tutti progress 100")
        let expected: [String: JSONValue] = [
            "test_coverage": .number(96.4), "documentation": .bool(true), "compliance": .string("SOC2"),
        ]
        #expect(run.metrics == expected)
        #expect(run.lines.first == "sim agent: 10 steps over 3s, curve linear, seed 3, attempt 1")
        #expect(run.lines.last == "sim agent: done")
    }

    @Test func everyProtocolLineItPrintsParses() throws {
        let run = try simulate(linearSettings())
        let protocolLines = run.lines.filter { $0.hasPrefix(AgentProtocol.prefix) }
        #expect(protocolLines.count == 13)
        for line in protocolLines {
            guard case .reports = AgentProtocol.parse(line) else {
                Issue.record("unreadable protocol line: \(line)")
                continue
            }
        }
        #expect(run.lines.filter { $0.hasPrefix("step ") }.count == 2)
    }

    @Test func requestedSleepAddsUpToTheDuration() throws {
        let run = try simulate(linearSettings())
        #expect(abs(run.slept - 3) < 1e-9)
    }

    @Test func failAtPercentStopsThereWithExitCodeOne() throws {
        let settings = try linearSettings(["fail_at_percent": .number(50)])
        let run = simulate(settings)
        #expect(run.exitCode == 1)
        #expect((run.progress.last ?? 0) >= 50)
        #expect(run.progress == [10, 20, 30, 40, 50])
        #expect(run.metrics.isEmpty)
        #expect(run.lines.last == "sim agent: simulated failure at 50%")
        #expect(abs(run.slept - SimAgent(settings: settings).stepTimes()[4]) < 1e-9)
    }

    @Test func failAtPercentUsesANonZeroExitCode() throws {
        let run = try simulate(linearSettings(["fail_at_percent": .number(50), "exit_code": .number(7)]))
        #expect(run.exitCode == 7)
    }

    @Test func failAttemptsFailsEarlyAttemptsOnly() throws {
        let settings = try linearSettings(["fail_attempts": .number(1)])
        let first = simulate(settings, attempt: 1)
        #expect(first.exitCode == 1)
        #expect(first.metrics.isEmpty)
        #expect(first.progress.last == 100)
        let second = simulate(settings, attempt: 2)
        #expect(second.exitCode == 0)
        #expect(second.metrics.count == 3)
    }

    @Test func exitCodeIsReturnedAtTheEnd() throws {
        let run = try simulate(linearSettings(["exit_code": .number(4)]))
        #expect(run.exitCode == 4)
        #expect(run.progress.last == 100)
        #expect(run.metrics.count == 3)
    }
}
