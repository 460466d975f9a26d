import Foundation
import TuttiCore

/// The built-in simulated agent: reports progress along a curve for a set duration, then
/// its metrics; can fail, exit with a code or hang. Deterministic for a given seed.
public struct SimAgent {
    public let settings: SimAgentSettings
    public let attempt: Int

    public init(settings: SimAgentSettings, attempt: Int = 1) {
        self.settings = settings
        self.attempt = attempt
    }

    /// The planned step times (seconds from start), jittered by the seed, ending at the duration.
    public func stepTimes() -> [Double] {
        var generator = SplitMix64(seed: settings.seed)
        let weights = (0..<settings.steps).map { _ in 0.8 + 0.4 * generator.nextUnit() }
        let total = weights.reduce(0, +)
        var elapsed = 0.0
        return weights.map { weight in
            elapsed += weight / total * settings.durationSeconds
            return elapsed
        }
    }

    /// Runs the simulation, writing protocol and log lines through `emit`, sleeping with
    /// `sleep`; returns the exit code. Never returns when asked to hang.
    public func run(emit: (String) -> Void, sleep: (Double) -> Void) -> Int32 {
        var generator = SplitMix64(seed: settings.seed &+ 7919)
        let activities = ["scanning", "analysing", "checking", "measuring", "reviewing", "indexing"]
        emit("sim agent: \(settings.steps) steps over \(NumberFormat.compact(settings.durationSeconds))s, "
             + "curve \(settings.curve.rawValue), seed \(settings.seed), attempt \(attempt)")
        var previous = 0.0
        let times = stepTimes()
        for (index, time) in times.enumerated() {
            sleep(time - previous)
            previous = time
            let fraction = Double(index + 1) / Double(settings.steps)
            let percent = (settings.curve.progress(at: fraction) * 1000).rounded() / 10
            if let failAt = settings.failAtPercent, percent >= failAt {
                emit("@tutti progress \(NumberFormat.compact(percent))")
                emit("sim agent: simulated failure at \(NumberFormat.compact(percent))%")
                return settings.exitCode == 0 ? 1 : settings.exitCode
            }
            if settings.hang, percent >= settings.hangAtPercent {
                emit("@tutti progress \(NumberFormat.compact(percent))")
                emit("sim agent: simulating a hang at \(NumberFormat.compact(percent))%")
                while true { Glibc.pause() }
            }
            emit("@tutti progress \(NumberFormat.compact(percent))")
            if (index + 1) % settings.logEvery == 0 {
                let activity = activities[Int(generator.next() % UInt64(activities.count))]
                emit("step \(index + 1)/\(settings.steps): \(activity) item \(generator.next() % 500)")
            }
        }
        if attempt <= settings.failAttempts {
            emit("sim agent: simulated failure of attempt \(attempt) (fail_attempts: \(settings.failAttempts))")
            return 1
        }
        for (name, value) in settings.metrics.sorted(by: { $0.key < $1.key }) {
            let encoded = (try? JSONEncoder.sortedCompact.encode(JSONValue.object(["metrics": .object([name: value])])))
                .map { String(decoding: $0, as: UTF8.self) } ?? "{}"
            emit("@tutti \(encoded)")
        }
        emit("sim agent: done")
        return settings.exitCode
    }
}
