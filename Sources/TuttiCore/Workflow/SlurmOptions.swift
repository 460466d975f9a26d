import Foundation
import Yams

/// Where a workflow's tasks run: as local processes, or as jobs on a Slurm cluster.
public enum Executor: String, Sendable, Hashable, CaseIterable, Codable {
    case local, slurm
}

/// What a task asks of a Slurm cluster: the `srun` options of its jobs. A task's options
/// override the workflow's (`execution.slurm`) one by one; extra arguments add up.
public struct SlurmOptions: Sendable, Hashable {
    public var partition: String?
    public var account: String?
    public var qos: String?
    public var constraint: String?
    public var cpus: Int?
    public var gpus: Int?
    /// Memory per node as Slurm writes it: `4G`, `500M`, `1024` (megabytes).
    public var memory: String?
    /// A time limit as Slurm writes it: `30`, `1:30:00`, `2-00:00:00`.
    public var time: String?
    /// Further `srun` arguments, as given.
    public var extraArguments: [String] = []

    public init(partition: String? = nil, account: String? = nil, qos: String? = nil, constraint: String? = nil,
                cpus: Int? = nil, gpus: Int? = nil, memory: String? = nil, time: String? = nil, extraArguments: [String] = []) {
        self.partition = partition
        self.account = account
        self.qos = qos
        self.constraint = constraint
        self.cpus = cpus
        self.gpus = gpus
        self.memory = memory
        self.time = time
        self.extraArguments = extraArguments
    }

    static let keys = ["partition", "account", "qos", "constraint", "cpus", "gpus", "mem", "time", "srun_args"]

    /// These options over `defaults`: each one given here wins; extra arguments add up.
    public func over(_ defaults: SlurmOptions) -> SlurmOptions {
        SlurmOptions(partition: partition ?? defaults.partition, account: account ?? defaults.account, qos: qos ?? defaults.qos,
                     constraint: constraint ?? defaults.constraint, cpus: cpus ?? defaults.cpus, gpus: gpus ?? defaults.gpus,
                     memory: memory ?? defaults.memory, time: time ?? defaults.time,
                     extraArguments: defaults.extraArguments + extraArguments)
    }

    /// The `srun` arguments these options stand for.
    public var arguments: [String] {
        var arguments: [String] = []
        if let partition { arguments.append("--partition=\(partition)") }
        if let account { arguments.append("--account=\(account)") }
        if let qos { arguments.append("--qos=\(qos)") }
        if let constraint { arguments.append("--constraint=\(constraint)") }
        if let cpus { arguments.append("--cpus-per-task=\(cpus)") }
        if let gpus { arguments.append("--gpus=\(gpus)") }
        if let memory { arguments.append("--mem=\(memory)") }
        if let time { arguments.append("--time=\(time)") }
        return arguments + extraArguments
    }

    /// The options as a workflow writes them (its `slurm:` mapping), for exports.
    public var written: [String: JSONValue] {
        var fields: [String: JSONValue] = [:]
        for (key, value) in [("partition", partition), ("account", account), ("qos", qos), ("constraint", constraint),
                             ("mem", memory), ("time", time)] {
            if let value { fields[key] = .string(value) }
        }
        if let cpus { fields["cpus"] = .number(Double(cpus)) }
        if let gpus { fields["gpus"] = .number(Double(gpus)) }
        if !extraArguments.isEmpty { fields["srun_args"] = .array(extraArguments.map(JSONValue.string)) }
        return fields
    }

    /// Seconds in a Slurm time limit (`minutes`, `minutes:seconds`, `hours:minutes:seconds`,
    /// `days-hours`, `days-hours:minutes`, `days-hours:minutes:seconds`); nil when it is none of them.
    public static func seconds(inTimeLimit text: String) -> Double? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return nil }
        var days = 0
        var clock = Substring(text)
        if parts.count == 2 {
            guard let whole = Int(parts[0]), whole >= 0 else { return nil }
            days = whole
            clock = parts[1]
        }
        // At most six digits a field: nothing longer is a time limit, and the sums cannot overflow.
        guard days < 1_000_000 else { return nil }
        let fields = clock.split(separator: ":", omittingEmptySubsequences: false).map { $0.count <= 6 ? Int($0) : nil }
        guard !fields.isEmpty, fields.count <= 3, fields.allSatisfy({ ($0 ?? -1) >= 0 }) else { return nil }
        let numbers = fields.map { $0 ?? 0 }
        let seconds: Int
        if parts.count == 2 {
            // days-hours[:minutes[:seconds]]
            let padded = numbers + Array(repeating: 0, count: 3 - numbers.count)
            seconds = ((days * 24 + padded[0]) * 60 + padded[1]) * 60 + padded[2]
        } else {
            switch numbers.count {
            case 1: seconds = numbers[0] * 60
            case 2: seconds = numbers[0] * 60 + numbers[1]
            default: seconds = (numbers[0] * 60 + numbers[1]) * 60 + numbers[2]
            }
        }
        return Double(seconds)
    }

    /// Reads a `slurm:` mapping, reporting each problem.
    static func read(_ node: Node, section: String, diagnostics: DiagnosticCollector) -> SlurmOptions {
        var options = SlurmOptions()
        guard let slurm = MappingReader(node, section: "slurm of \(section)", allowed: keys, diagnostics: diagnostics) else { return options }
        options.partition = slurm.string("partition")
        options.account = slurm.string("account")
        options.qos = slurm.string("qos")
        options.constraint = slurm.string("constraint")
        for key in ["cpus", "gpus"] {
            guard let count = slurm.integer(key) else { continue }
            if count < 1 { diagnostics.error("'\(key)' in slurm of \(section) must be at least 1", at: slurm[key]) }
            if key == "cpus" { options.cpus = max(1, count) } else { options.gpus = max(1, count) }
        }
        if let memory = slurm.string("mem") {
            let digits = memory.prefix { $0.isASCII && $0.isNumber }
            let unit = memory.dropFirst(digits.count)
            if digits.isEmpty || !(unit.isEmpty || (unit.count == 1 && "KMGTkmgt".contains(unit))) {
                diagnostics.error("'\(memory)' is not a memory size Slurm takes in slurm of \(section)", at: slurm["mem"],
                                  hint: "write megabytes, or a number with K, M, G or T: 500M, 4G")
            }
            options.memory = memory
        }
        if let time = slurm.string("time") {
            if seconds(inTimeLimit: time) == nil {
                diagnostics.error("'\(time)' is not a Slurm time limit in slurm of \(section)", at: slurm["time"],
                                  hint: "write minutes (30), hours:minutes:seconds (1:30:00) or days-hours:minutes:seconds (2-00:00:00)")
            }
            options.time = time
        }
        for item in slurm.sequence("srun_args") ?? [] {
            guard item.scalar != nil, let argument = item.string else {
                diagnostics.error("each item of srun_args must be a single argument", at: item)
                continue
            }
            options.extraArguments.append(argument)
        }
        return options
    }
}
