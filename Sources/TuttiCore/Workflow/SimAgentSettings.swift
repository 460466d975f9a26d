import Foundation

/// Settings of the simulated agent, read from a task's `parameters`.
public struct SimAgentSettings: Sendable, Hashable {
    /// Shapes of progress over time.
    public enum Curve: String, Sendable, CaseIterable {
        case linear, easeIn = "ease_in", easeOut = "ease_out", sCurve = "s_curve"

        /// Progress (0...1) at time fraction `t` (0...1).
        public func progress(at t: Double) -> Double {
            switch self {
            case .linear: return t
            case .easeIn: return t * t
            case .easeOut: return 1 - (1 - t) * (1 - t)
            case .sCurve: return t * t * (3 - 2 * t)
            }
        }
    }

    public var durationSeconds: Double = 1
    public var steps: Int = 20
    public var curve: Curve = .linear
    public var seed: UInt64 = 1
    public var metrics: [String: JSONValue] = [:]
    /// Exit with `exitCode` (default 1) when progress reaches this percent.
    public var failAtPercent: Double?
    /// Final exit code (a non-zero one fails the task at the end).
    public var exitCode: Int32 = 0
    /// Stop reporting and never exit once progress reaches `hangAtPercent` (default 50).
    public var hang = false
    public var hangAtPercent: Double = 50
    /// Fail the first N attempts (exit 1 at the end), then succeed: for retry demos.
    public var failAttempts = 0
    /// Print one log line every this many steps.
    public var logEvery = 4

    public static let knownKeys = ["duration_seconds", "steps", "curve", "seed", "metrics", "fail_at_percent", "exit_code",
                                   "hang", "hang_at_percent", "fail_attempts", "log_every"]

    public init() {}

    /// Reads parameters; throws a message naming the bad key.
    public init(parameters: [String: JSONValue]) throws(SimAgentError) {
        for key in parameters.keys where !Self.knownKeys.contains(key) {
            let hint = Suggestion.closest(to: key, in: Self.knownKeys).map { " (did you mean '\($0)'?)" } ?? ""
            throw SimAgentError("unknown sim parameter '\(key)'\(hint); known: \(Self.knownKeys.joined(separator: ", "))")
        }
        func whole(_ key: String, in range: ClosedRange<Double>) throws(SimAgentError) -> Int? {
            guard let value = try number(key) else { return nil }
            guard range.contains(value) else {
                throw SimAgentError("sim parameter '\(key)' must be from \(Int(range.lowerBound)) to \(Int(range.upperBound))")
            }
            return Int(value)
        }
        func number(_ key: String) throws(SimAgentError) -> Double? {
            guard let value = parameters[key] else { return nil }
            guard let number = value.number ?? value.string.flatMap(Double.init), number.isFinite else {
                throw SimAgentError("sim parameter '\(key)' must be a number, got \(value)")
            }
            return number
        }
        if let value = try number("duration_seconds") {
            guard value >= 0, value <= WorkflowLoader.maximumSeconds else {
                throw SimAgentError("duration_seconds must be from 0 to \(Int(WorkflowLoader.maximumSeconds))")
            }
            durationSeconds = value
        }
        if let value = try whole("steps", in: 1...100_000) { steps = value }
        if let value = parameters["curve"] {
            guard let name = value.string, let curve = Curve(rawValue: name) else {
                throw SimAgentError("curve must be one of \(Curve.allCases.map(\.rawValue).joined(separator: ", ")), got \(value)")
            }
            self.curve = curve
        }
        if let value = try whole("seed", in: 0...4_294_967_295) { seed = UInt64(value) }
        if let value = parameters["metrics"] {
            guard case .object(let metrics) = value else { throw SimAgentError("metrics must be a mapping of name: value") }
            self.metrics = metrics
        }
        failAtPercent = try number("fail_at_percent")
        if let value = try whole("exit_code", in: 0...255) { exitCode = Int32(value) }
        if let value = parameters["hang"] {
            guard let flag = value.bool else { throw SimAgentError("hang must be true or false") }
            hang = flag
        }
        if let value = try number("hang_at_percent") { hangAtPercent = value }
        if let value = try whole("fail_attempts", in: 0...1000) { failAttempts = value }
        if let value = try whole("log_every", in: 1...100_000) { logEvery = value }
    }
}

/// A bad sim parameter.
public struct SimAgentError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// A small, fast, seedable random generator (SplitMix64).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// The next number of the sequence.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in 0..<1.
    public mutating func nextUnit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
