/// Writes a task's result file by hand (see `EventJSON`): one per task, on the hot path of
/// a run with many short tasks. It reads back with Codable like any other JSON.
extension TaskReport {
    /// The result as indented JSON with sorted keys.
    func jsonBytes() -> [UInt8] {
        let attempts = attempts.map { attempt in
            JSONBytes.object([("attempt", .int(attempt.attempt)), ("end", .number(attempt.end)), ("log", .string(attempt.log)),
                              ("start", .number(attempt.start)), ("status", .string(attempt.status.rawValue))]
                             + EventJSON.optional("exit_code", attempt.exitCode.map { .int(Int($0)) })
                             + EventJSON.optional("paused", attempt.paused.map(JSONBytes.number))
                             + EventJSON.optional("reason", attempt.reason.map(JSONBytes.string))
                             + EventJSON.optional("signal", attempt.signal.map { .int(Int($0)) }))
        }
        let gates = gates.map { gate in
            JSONBytes.object(EventJSON.optional("actual", gate.actual.map(JSONBytes.value)) + [
                ("actualText", .string(gate.actualText)), ("metric", .string(gate.metric)), ("passed", .bool(gate.passed)),
                ("threshold", .string(gate.threshold)),
            ] + EventJSON.optional("reason", gate.reason.map(JSONBytes.string)))
        }
        var fields: [(String, JSONBytes)] = [
            ("agent", .string(agent)), ("attempts", .array(attempts)), ("depends_on", .array(dependsOn.map(JSONBytes.string))),
            ("duration", .number(duration)), ("gates", .array(gates)), ("id", .string(id)), ("metrics", .value(.object(metrics))),
            ("name", .string(name)), ("status", .string(status.rawValue)),
        ]
        fields += EventJSON.optional("end", end.map(JSONBytes.number)) + EventJSON.optional("ready_at", readyAt.map(JSONBytes.number))
            + EventJSON.optional("reason", reason.map(JSONBytes.string)) + EventJSON.optional("start", start.map(JSONBytes.number))
        var out: [UInt8] = []
        JSONBytes.object(fields).write(to: &out, indent: 0)
        out.append(0x0A)
        return out
    }
}
