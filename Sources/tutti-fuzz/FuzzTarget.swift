import Foundation
import TuttiCore

/// One of Tutti's own parsers, fed arbitrary bytes: none may crash, hang or grow without
/// bound, whatever the input; each either reads it or says what is wrong.
enum FuzzTarget: String, CaseIterable {
    /// A workflow file: YAML, then Tutti's checks.
    case workflow
    /// A recording: its header, event lines and damage.
    case recording
    /// A control socket request, and the answers a client reads back.
    case control
    /// A line an agent prints (`@tutti ...` or a JSON object).
    case agent

    /// Feeds `bytes` to the parser.
    func run(_ bytes: [UInt8]) {
        switch self {
        case .workflow:
            if let workflow = try? WorkflowLoader.parse(yaml: String(decoding: bytes, as: UTF8.self), file: "fuzz.yaml") {
                _ = try? WorkflowLoader.validate(workflow)
            }
        case .recording:
            if let recording = try? Recording.parse(Data(bytes), path: "fuzz.ndjson") {
                var state = RunState()
                for event in recording.events { state.apply(event) }
                _ = RecordingDamage.summary(recording.damage)
            }
        case .control:
            let decoder = JSONDecoder()
            _ = try? decoder.decodeChecked(ControlRequest.self, from: Data(bytes))
            _ = try? decoder.decodeChecked(RunStatus.self, from: Data(bytes))
            _ = try? decoder.decodeChecked(ControlResult.self, from: Data(bytes))
            _ = JSONValue(json: bytes)
        case .agent:
            for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
                _ = AgentProtocol.parse(String(line))
            }
        }
    }

    /// Valid inputs to start from: mutations of these reach deep into each parser.
    var seeds: [[UInt8]] {
        let texts: [String]
        switch self {
        case .workflow:
            texts = [
                BuiltInWorkflows.qualityReport,
                """
                name: seeds
                execution: {mode: parallel, parallelization_factor: 2, fail_fast: true, timeout_seconds: 60}
                parameters: &p {depth: [1, 2, {a: b}]}
                tasks:
                  - {task_id: a, command: [sh, -c, "echo hi"], retries: {count: 2, backoff: exponential, delay_seconds: 1}}
                  - task_id: b
                    agent: testing
                    parameters: *p
                    depends_on: [a]
                    quality_gates: [{test_coverage: ">= 95%"}, {tests_passed: "== true", advisory: true}]
                success_criteria: ["all tasks complete", "gates pass rate >= 90%"]
                """,
            ]
        case .recording:
            texts = [
                #"{"clock_origin":1796424933.25,"host":"h","run_id":"r","schema":"tutti-events","started_at":"2026-12-04T22:55:33Z","version":1,"workflow":"w"}"#
                    + "\n"
                    + #"{"mode":"parallel","parallelism":2,"polling_interval":5,"run_id":"r","seq":1,"t":0.002,"tasks":[{"agent":"sh","depends_on":[],"gates":1,"id":"a","max_attempts":2,"name":"A"}],"type":"run_started","workflow":"w"}"#
                    + "\n"
                    + #"{"attempt":1,"command":["sh"],"pid":7,"seq":2,"t":0.01,"task":"a","type":"task_started"}"#
                    + "\n"
                    + #"{"line":"hello \u001b[31m","seq":3,"stream":"stdout","t":0.02,"task":"a","type":"task_log"}"#
                    + "\n"
                    + #"{"name":"score","seq":4,"t":0.03,"task":"a","type":"task_metric","value":97}"#
                    + "\n"
                    + #"{"attempt":1,"duration":0.1,"exit_code":0,"seq":5,"status":"succeeded","t":0.11,"task":"a","type":"task_finished"}"#
                    + "\n"
                    + #"{"interrupted":[{"attempt":1,"task":"a"}],"kept":[],"last_recorded":0.11,"rerun":["a"],"seq":6,"t":3,"type":"run_resumed"}"#
                    + "\n",
            ]
        case .control:
            texts = [
                #"{"op":"status"}"#, #"{"op":"watch"}"#, #"{"action":"retry","actor":"me","op":"action","task":"a"}"#,
                #"{"accepted":true,"message":"task a paused"}"#,
                #"{"pid":12,"run_id":"r","state":"running","workflow":"w"}"#,
            ]
        case .agent:
            texts = [
                "@tutti progress 42\n@tutti metric test_coverage 97.5 %\n@tutti message hello\n",
                #"@tutti {"metrics":{"tests_passed":true,"coverage":97.5},"labels":{"coverage":"lines"},"progress":"3/4"}"# + "\n"
                    + #"@tutti {"findings":[{"kind":"test","severity":"high","file":"a.py","line":3,"message":"boom"}]}"# + "\n"
                    + #"@tutti finding {"kind":"security","rule":"B101","severity":"low","file":"b.py","line":9,"message":"assert"}"#,
            ]
        }
        return texts.map { Array($0.utf8) }
    }
}
