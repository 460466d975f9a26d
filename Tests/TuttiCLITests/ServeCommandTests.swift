import Foundation
import Testing
import TuttiCore
import TuttiTestSupport

/// `tutti serve`: Conductor's workflow API over HTTP, driven with curl as the seed does.
@Suite struct ServeCommandTests {
    static var curlInstalled: Bool { ChildProcess.run(["curl", "--version"]).status == 0 }

    /// A running `tutti serve` on a free port.
    final class Server: @unchecked Sendable {
        let process = Process()
        let errors = Pipe()
        private(set) var port = 0

        init(in directory: String, arguments: [String] = []) throws {
            process.executableURL = URL(fileURLWithPath: tuttiBinary)
            process.arguments = ["serve", "--listen", "127.0.0.1:0", "--runs-dir", "runs"] + arguments
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            var text = ""
            while !text.contains("/api ") {
                let chunk = errors.fileHandleForReading.availableData
                guard !chunk.isEmpty else { break }
                text += String(decoding: chunk, as: UTF8.self)
            }
            // "… on http://127.0.0.1:PORT/api …"
            port = text.range(of: "127.0.0.1:").flatMap { Int(text[$0.upperBound...].prefix { $0.isNumber }) } ?? 0
        }

        func stop() {
            process.terminate()
            process.waitUntilExit()
        }

        /// curl's answer: the HTTP status and the body.
        func request(_ method: String, _ path: String, body: String? = nil, headers: [String] = []) -> (status: Int, body: String) {
            var arguments = ["curl", "-s", "-w", "\n%{http_code}", "-X", method, "http://localhost:\(port)\(path)"]
            for header in headers { arguments += ["-H", header] }
            if let body { arguments += ["-H", "Content-Type: application/json", "-d", body] }
            let output = ChildProcess.run(arguments, captureOutput: true).output
            let status = Int(output.split(separator: "\n").last ?? "") ?? 0
            return (status, String(output.split(separator: "\n", omittingEmptySubsequences: false).dropLast().joined(separator: "\n")))
        }

        func workflow(_ id: String) -> [String: JSONValue] {
            guard case .object(let fields)? = JSONValue(json: Data(request("GET", "/api/workflow/\(id)?includeTasks=true").body.utf8)) else { return [:] }
            return fields
        }
    }

    /// Template 3's four task ids, each waiting until all four have started: only a parallel run finishes.
    static func scratch() -> Scratch {
        let scratch = Scratch()
        let wait = "touch \(scratch.path)/started-$TUTTI_TASK_ID; while [ $(ls \(scratch.path) | grep -c started-) -lt 4 ]; do sleep 0.02; done"
        scratch.write("workflows/template-03-parallel-execution.yaml", "name: template-03-parallel-execution\ntasks:\n"
                      + (4...7).map { "  - {task_id: \($0), command: [sh, -c, '\(wait)'], timeout_seconds: 30}\n" }.joined())
        scratch.write("workflows/slow.yaml", "name: slow\ntasks:\n  - {task_id: a, command: [sh, -c, 'sleep 30']}\n  - {task_id: b, command: ['true'], depends_on: [a]}\n")
        return scratch
    }

    /// The seed's request body, as written there.
    static let seedBody = """
    {
        "name": "template-03-parallel-execution",
        "version": 1,
        "tasks": [
          {
            "name": "task-4-testing",
            "taskReferenceName": "task_4",
            "type": "SIMPLE",
            "inputParameters": {
              "task_id": 4
            }
          },
          {
            "name": "task-5-security",
            "taskReferenceName": "task_5",
            "type": "SIMPLE",
            "inputParameters": {
              "task_id": 5
            }
          },
          {
            "name": "task-6-architecture",
            "taskReferenceName": "task_6",
            "type": "SIMPLE",
            "inputParameters": {
              "task_id": 6
            }
          },
          {
            "name": "task-7-codegen",
            "taskReferenceName": "task_7",
            "type": "SIMPLE",
            "inputParameters": {
              "task_id": 7
            }
          }
        ],
        "schemaVersion": 2
      }
    """

    @Test(.enabled(if: curlInstalled)) func theSeedsCurlCallRunsTheFourTasksTogether() async throws {
        let scratch = Self.scratch()
        let server = try Server(in: scratch.path)
        defer { server.stop() }
        try #require(server.port > 0)
        let started = server.request("POST", "/api/workflows", body: Self.seedBody)
        #expect(started.status == 200 && started.body.hasPrefix("template-03-parallel-execution-"), "\(started)")
        let id = started.body
        #expect(await eventually { server.workflow(id)["status"] == .string("COMPLETED") }, "\(server.workflow(id))")
        let workflow = server.workflow(id)
        guard case .array(let tasks)? = workflow["tasks"] else { Issue.record("no tasks"); return }
        let fields = tasks.compactMap { if case .object(let task) = $0 { task } else { nil } }
        #expect(fields.map { $0["referenceTaskName"] } == ["task_4", "task_5", "task_6", "task_7"].map { .string($0) })
        #expect(fields.allSatisfy { $0["status"] == .string("COMPLETED") && $0["taskType"] == .string("SIMPLE") })
        let starts = fields.compactMap { if case .number(let n)? = $0["startTime"] { n } else { nil } }
        let ends = fields.compactMap { if case .number(let n)? = $0["endTime"] { n } else { nil } }
        #expect(starts.count == 4 && starts.max()! <= ends.min()! && starts.min()! > 1_700_000_000_000, "epoch milliseconds, overlapping")
        let listed = try await tutti(["runs", "--runs-dir", "runs"], in: scratch.path)
        #expect(listed.stdout.contains(id), "an ordinary recorded run")

        // Restart: every task runs again, in the same run.
        for task in 4...7 { try? FileManager.default.removeItem(atPath: scratch.file("started-\(task)")) }
        #expect(server.request("POST", "/api/workflow/\(id)/restart", body: "{}").status == 200)
        #expect(await eventually {
            guard case .array(let tasks)? = server.workflow(id)["tasks"], server.workflow(id)["status"] == .string("COMPLETED") else { return false }
            return tasks.allSatisfy { if case .object(let task) = $0 { task["retryCount"] == .number(1) } else { false } }
        }, "\(server.workflow(id))")
    }

    @Test(.enabled(if: curlInstalled)) func aWorkflowIsPausedResumedAndTerminated() async throws {
        let scratch = Self.scratch()
        let server = try Server(in: scratch.path)
        defer { server.stop() }
        let started = server.request("POST", "/api/workflow", body: #"{"name": "slow", "correlationId": "c-1"}"#)
        #expect(started.status == 200)
        let id = started.body
        #expect(await eventually { server.workflow(id)["status"] == .string("RUNNING") })
        #expect(server.request("PUT", "/api/workflow/\(id)/pause", body: "{}").status == 200)
        #expect(await eventually { server.workflow(id)["status"] == .string("PAUSED") })
        #expect(server.request("PUT", "/api/workflow/\(id)/pause", body: "{}").status == 409, "already paused: refused, saying why")
        #expect(server.request("PUT", "/api/workflow/\(id)/resume", body: "{}").status == 200)
        #expect(await eventually { server.workflow(id)["status"] == .string("RUNNING") })
        #expect(server.workflow(id)["correlationId"] == .string("c-1"))
        #expect(server.request("DELETE", "/api/workflow/\(id)?reason=done", body: "{}").status == 200)
        #expect(await eventually { server.workflow(id)["status"] == .string("TERMINATED") })
        guard case .array(let tasks)? = server.workflow(id)["tasks"] else { Issue.record("no tasks"); return }
        let statuses = tasks.compactMap { if case .object(let task) = $0 { task["status"] } else { nil } }
        #expect(statuses == [.string("CANCELED"), .string("SKIPPED")])
    }

    @Test(.enabled(if: curlInstalled)) func badRequestsGetConductorsErrorJSON() throws {
        let scratch = Self.scratch()
        let server = try Server(in: scratch.path)
        defer { server.stop() }
        let unknown = server.request("GET", "/api/workflow/nope")
        #expect(unknown.status == 404 && unknown.body == #"{"instance":"tutti","message":"no workflow with id 'nope'","retryable":false,"status":404}"#)
        #expect(server.request("POST", "/api/workflow", body: #"{"name": "missing"}"#).status == 404)
        #expect(server.request("POST", "/api/workflows", body: "not json").status == 400)
        let rebinding = server.request("GET", "/api/workflow/nope", headers: ["Host: attacker.example"])
        #expect(rebinding.status == 403 && rebinding.body.contains("localhost only"))
        #expect(server.request("GET", "/api/workflow/nope", headers: ["Origin: https://attacker.example"]).status == 403)
    }

    @Test(.enabled(if: curlInstalled)) func definitionsAreRegisteredReadBackAndRunByName() async throws {
        let scratch = Self.scratch()
        let server = try Server(in: scratch.path)
        defer { server.stop() }
        let definition = #"{"name": "pair", "version": 2, "tasks": [{"name": "a", "taskReferenceName": "a", "inputParameters": {"command": ["true"]}},"#
            + #" {"name": "b", "taskReferenceName": "b", "inputParameters": {"command": ["true"]}}]}"#
        #expect(server.request("POST", "/api/metadata/workflow", body: definition).status == 200)
        let again = server.request("POST", "/api/metadata/workflow", body: definition)
        #expect(again.status == 409 && again.body.contains("pair.2 already exists"), "\(again)")
        #expect(server.request("POST", "/api/metadata/workflow?overwrite=True", body: definition).status == 200)
        let bulk = server.request("PUT", "/api/metadata/workflow", body: "[\(definition.replacingOccurrences(of: "\"version\": 2", with: "\"version\": 3"))]")
        #expect(bulk.status == 200 && bulk.body.contains(#""bulkSuccessfulResults":["pair"]"#), "\(bulk)")
        let latest = JSONValue(json: Data(server.request("GET", "/api/metadata/workflow/pair").body.utf8))
        #expect(latest.flatMap { if case .object(let f) = $0 { return f["version"] } else { return nil } } == .number(3))
        #expect(server.request("GET", "/api/metadata/workflow/pair?version=2").status == 200)
        let missing = server.request("GET", "/api/metadata/workflow/pair?version=9")
        #expect(missing.status == 404 && missing.body.contains("No such workflow found by name: pair, version: 9"), "\(missing)")
        // What Tutti cannot run is refused when it is registered, at its line and column.
        let unsupported = server.request("POST", "/api/metadata/workflow", body: "{\"name\": \"w\",\n \"tasks\": [{\"name\": \"h\", \"taskReferenceName\": \"h\", \"type\": \"HTTP\"}]}")
        #expect(unsupported.status == 400 && unsupported.body.contains("the request body:2:60: error: task type HTTP has no Tutti equivalent"), "\(unsupported)")
        #expect(server.request("POST", "/api/metadata/taskdefs", body: #"[{"name": "a", "retryCount": 2, "retryLogic": "SOMETIMES"}]"#).status == 400)
        #expect(server.request("POST", "/api/metadata/taskdefs", body: #"[{"name": "a", "retryCount": 0, "timeoutSeconds": 5}]"#).status == 200)
        #expect(server.request("GET", "/api/metadata/taskdefs/a").body.contains(#""timeoutSeconds":5"#))
        // Started by name, version 2 runs: an ordinary recorded run, its tasks by reference name.
        // Numbers that are not versions are refused, not trusted.
        #expect(server.request("POST", "/api/workflow", body: #"{"name": "pair", "version": 1e300}"#).status == 400)
        #expect(server.request("POST", "/api/workflow/pair?version=abc", body: "{}").status == 400)
        #expect(server.request("POST", "/api/workflows", body: #"{"name": "template-03-parallel-execution", "tasks": [{"inputParameters": {"task_id": 1e300}}]}"#).status == 400)
        #expect(server.request("PUT", "/api/metadata/taskdefs", body: #"{"name": "never-registered"}"#).status == 404)
        #expect(server.request("GET", "/api/metadata/taskdefs/never-registered").status == 404)
        let started = server.request("POST", "/api/workflow/pair?version=2", body: "{}")
        #expect(started.status == 200)
        let id = started.body
        #expect(await eventually { server.workflow(id)["status"] == .string("COMPLETED") })
        // The run keeps its definition, with the registered task definition inline, for `tutti resume`.
        let kept = try WorkflowLoader.load(path: "\(scratch.path)/runs/\(id)/workflow.json")
        #expect(kept.task("a")?.timeoutSeconds == 5 && kept.task("b")?.timeoutSeconds == nil)
        let listed = try await tutti(["runs", "--runs-dir", "runs"], in: scratch.path)
        #expect(listed.stdout.contains(id), "\(listed.stdout)")
    }

    /// What was registered outlives the server, as in Conductor's database: after a restart a
    /// definition still runs by name with its task definition's timeout. Kept files that cannot
    /// be read stop the server before it starts, naming the file, line and column.
    @Test(.enabled(if: curlInstalled)) func definitionsRegisteredOutliveTheServer() async throws {
        let scratch = Self.scratch()
        let first = try Server(in: scratch.path)
        #expect(first.request("POST", "/api/metadata/taskdefs", body: #"[{"name": "a", "retryCount": 0, "timeoutSeconds": 5}]"#).status == 200)
        let definition = #"{"name": "pair", "version": 2, "tasks": [{"name": "a", "taskReferenceName": "a", "inputParameters": {"command": ["true"]}},"#
            + #" {"name": "b", "taskReferenceName": "b", "inputParameters": {"command": ["true"]}}]}"#
        #expect(first.request("POST", "/api/metadata/workflow", body: definition).status == 200)
        let registered = first.request("GET", "/api/metadata/workflow/pair").body
        first.stop()

        let second = try Server(in: scratch.path)
        #expect(second.request("GET", "/api/metadata/taskdefs/a").body.contains(#""timeoutSeconds":5"#))
        #expect(second.request("GET", "/api/metadata/workflow/pair").body == registered, "the same definition, its times included")
        let started = second.request("POST", "/api/workflow/pair", body: "{}")
        #expect(started.status == 200)
        #expect(await eventually { second.workflow(started.body)["status"] == .string("COMPLETED") })
        let kept = try WorkflowLoader.load(path: "\(scratch.path)/runs/\(started.body)/workflow.json")
        #expect(kept.task("a")?.timeoutSeconds == 5, "the task definition registered before the restart applies")
        second.stop()

        scratch.write("runs/conductor/taskdefs.json", "[{\"name\": \"a\",\n  \"retryLogic\": \"SOMETIMES\"}]\n")
        let refused = try await tutti(["serve", "--listen", "127.0.0.1:0", "--runs-dir", "runs"], in: scratch.path)
        #expect(refused.status == ExitStatus.invalidInput)
        #expect(refused.stderr.contains("runs/conductor/taskdefs.json:2:"), "\(refused.stderr)")
        #expect(refused.stderr.contains("move it away"), "\(refused.stderr)")
    }

    @Test func listeningBeyondThisMachineNeedsAToken() async throws {
        let scratch = Self.scratch()
        let refused = try await tutti(["serve", "--listen", "0.0.0.0:0"], in: scratch.path)
        #expect(refused.status == ExitStatus.invalidInput && refused.stderr.contains("give --token-file"), "\(refused.stderr)")
    }

    static var officialClient: Bool { ChildProcess.run(["python3", "-c", "import conductor.client"]).status == 0 }

    @Test(.enabled(if: officialClient)) func theOfficialConductorClientRegistersStartsPausesResumesRetriesAndTerminates() async throws {
        let scratch = Self.scratch()
        scratch.write("workflows/flaky.yaml", "name: flaky\ntasks:\n  - {task_id: ok, command: ['true']}\n"
                      + "  - {task_id: needs-fix, command: [test, -f, \(scratch.path)/fixed]}\n")
        scratch.write("workflows/brief.yaml", "name: brief\ntasks:\n  - {task_id: a, command: [sleep, '0.5']}\n")
        let diamond = scratch.write("diamond.yaml", "name: diamond\ntasks:\n  - {task_id: first, command: ['true']}\n"
                                    + "  - {task_id: left, command: ['true'], depends_on: [first], retries: {count: 2, backoff: exponential, delay_seconds: 1}}\n"
                                    + "  - {task_id: right, command: ['true'], depends_on: [first], timeout_seconds: 20}\n"
                                    + "  - {task_id: last, command: ['true'], depends_on: [left, right]}\n")
        let export = try await tutti(["export", diamond, "--conductor", "-o", "exported.json", "--task-defs", "exported-taskdefs.json"],
                                     in: scratch.path)
        #expect(export.status == 0, "\(export.stderr)")
        let server = try Server(in: scratch.path)
        defer { server.stop() }
        let script = "\(repositoryRoot)/Tests/TuttiCLITests/ConductorClient/conductor_client.py"
        let result = try await offThePool {
            // Its traceback too, should it fail.
            ChildProcess.run(["sh", "-c", "exec python3 \"$0\" \"$1\" \"$2\" 2>&1", script, String(server.port), scratch.path],
                             in: scratch.path, captureOutput: true)
        }
        #expect(result.status == 0 && result.output.hasSuffix("ALL CHECKS PASSED\n"), "\(result.output.suffix(3000))")
    }
}
