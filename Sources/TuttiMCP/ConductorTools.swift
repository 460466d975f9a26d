import MCP

/// The tools, with the JSON Schemas of what they take and return.
enum ConductorTools {
    static let executionID: Value = .object(["type": "string", "description": "The id execute_conductor_workflow returned (a run id)."])
    static let taskID: Value = .object(["type": ["string", "integer"], "description": "A task id of the workflow, such as 4."])

    static func input(_ properties: [String: Value], required: [String] = []) -> Value {
        .object(["type": "object", "properties": .object(properties), "required": .array(required.map(Value.string))])
    }

    static func output(_ properties: [String: Value], required: [String]) -> Value { input(properties, required: required) }

    /// What the action tools take: a run, and for most of them a task of it; or, with the
    /// Conductor server's names, its `workflowId`.
    static let runOrTask = input(["workflow_execution_id": executionID, "task_id": taskID], required: ["workflow_execution_id"])
    static let run = input(["workflow_execution_id": executionID], required: ["workflow_execution_id"])
    static let conductorRun = input(["workflowId": string], required: ["workflowId"])

    static let string: Value = .object(["type": "string"])
    static let number: Value = .object(["type": "number"])
    static let integer: Value = .object(["type": "integer"])
    static let boolean: Value = .object(["type": "boolean"])
    static func array(_ items: Value) -> Value { .object(["type": "array", "items": items]) }
    static func nullable(_ type: String) -> Value { .object(["type": .array([.string(type), "null"])]) }

    static let gate = output(["metric": string, "threshold": string, "actual": string, "passed": boolean, "reason": nullable("string"),
                              "label": nullable("string"), "advisory": boolean],
                             required: ["metric", "threshold", "actual", "passed", "advisory"])
    static let task = output(["task_id": string, "name": string, "agent": string, "status": string, "percent": number,
                              "elapsed_seconds": number, "attempt": integer, "max_attempts": integer, "gates": array(gate),
                              "reason": nullable("string")],
                             required: ["task_id", "name", "status", "percent", "elapsed_seconds", "attempt", "gates"])
    static let summary = output(["outcome": string, "exit_code": integer, "slowest_task": nullable("string"),
                                 "slowest_task_name": nullable("string"), "slowest_seconds": nullable("number"),
                                 "parallel_efficiency": number, "maximum_efficiency": number, "sequential_seconds": number,
                                 "wall_seconds": number, "time_saved_seconds": number, "time_saved_percent": number,
                                 "critical_path": array(string), "gates_passed": integer, "gates_total": integer,
                                 "success_criteria": array(output(["criterion": string, "passed": boolean, "detail": string,
                                                                          "advisory": boolean],
                                                                  required: ["criterion", "passed", "detail", "advisory"]))],
                                required: ["outcome", "exit_code", "parallel_efficiency", "gates_passed", "gates_total"])
    static let status = output(["workflow_execution_id": string, "workflow": string, "state": string,
                                "status": .object(["enum": .array(["RUNNING", "PAUSED", "COMPLETED", "FAILED", "TIMED_OUT", "TERMINATED"].map(Value.string)),
                                                   "description": "The run's state in Conductor's words."]),
                                "live": boolean,
                                "elapsed_seconds": number, "parallel_efficiency_so_far": number, "tasks_done": integer,
                                "tasks_total": integer, "tasks": array(task),
                                "summary": .object(["anyOf": .array([summary, .object(["type": "null"])])]), "run_directory": string],
                               required: ["workflow_execution_id", "workflow", "state", "status", "elapsed_seconds", "tasks"])
    /// Conductor's Workflow, as its server answers `GET /api/workflow/{id}`.
    static let conductorWorkflow = output(["workflowId": string, "workflowName": string, "workflowVersion": integer,
                                           "status": .object(["enum": .array(["RUNNING", "PAUSED", "COMPLETED", "FAILED", "TIMED_OUT", "TERMINATED"].map(Value.string))]),
                                           "startTime": integer, "endTime": integer, "updateTime": integer,
                                           "reasonForIncompletion": string, "input": .object(["type": "object"]),
                                           "output": .object(["type": "object"]),
                                           "tasks": array(output(["taskType": string, "referenceTaskName": string, "taskDefName": string,
                                                                  "taskId": string, "status": string, "retryCount": integer, "seq": integer,
                                                                  "startTime": integer, "endTime": integer, "updateTime": integer,
                                                                  "outputData": .object(["type": "object"]), "reasonForIncompletion": string],
                                                                 required: ["taskType", "referenceTaskName", "taskId", "status"]))],
                                          required: ["workflowId", "workflowName", "status", "startTime", "tasks"])
    static let answer = output(["workflow_execution_id": string, "accepted": boolean, "message": string],
                               required: ["workflow_execution_id", "accepted", "message"])
    static let started = output(["workflow_execution_id": string, "workflow": string, "task_ids": array(string), "parallel": boolean,
                                 "status": string, "run_directory": string, "note": string],
                                required: ["workflow_execution_id", "workflow", "task_ids", "status"])

    static let all: [Tool] = [
        Tool(name: "execute_conductor_workflow", title: "Run a workflow",
             description: "Start a workflow's tasks (in parallel by default) and return its workflow_execution_id at once; "
                + "poll get_conductor_workflow_status for progress. The run is recorded like any other: `tutti watch ID` shows it live.",
             inputSchema: input(["workflow": .object(["type": "string", "description": "A workflow name from list_conductor_workflows, or a path to a workflow file. Default: template-03-parallel-execution (the four agents on the current folder)."]),
                                 "task_ids": .object(["type": "array", "items": taskID, "description": "Run only these tasks (default: all)."]),
                                 "parallel": .object(["type": "boolean", "description": "true (default): as the workflow says; false: one task at a time, for comparison."]),
                                 "wait": .object(["type": "boolean", "description": "false (default): return at once. true: return when the run has finished, with progress notifications if a progress token is given."])]),
             outputSchema: started),
        Tool(name: "get_conductor_workflow_status", title: "Workflow status",
             description: "A run's state: per task status, percent, elapsed time, attempt and gate results so far; the run's elapsed time and "
                + "efficiency so far; once finished, the summary (slowest task, efficiency, time saved, gates passed, success criteria).",
             inputSchema: run, outputSchema: status),
        Tool(name: "pause_conductor_workflow", title: "Pause",
             description: "Pause a task (SIGSTOP to its processes) or, without task_id, the whole run (nothing new starts, running tasks stop).",
             inputSchema: runOrTask,
             outputSchema: answer),
        Tool(name: "resume_conductor_workflow", title: "Resume",
             description: "Resume a paused task or, without task_id, a paused or held run. A run that has ended without passing "
                + "(its process was killed, or it failed or was cancelled) goes on in this server, in the same recording: "
                + "tasks that succeeded stay done, the rest run again.",
             inputSchema: runOrTask,
             outputSchema: answer),
        Tool(name: "hold_conductor_workflow", title: "Hold dispatch",
             description: "Let running tasks finish but start nothing new, until resume.",
             inputSchema: run, outputSchema: answer),
        Tool(name: "retry_conductor_workflow", title: "Retry",
             description: "Run a failed, timed-out or cancelled task again or, without task_id, every such task. Tasks that succeeded never run again. "
                + "Without task_id, a run that has ended goes on as with resume_conductor_workflow.",
             inputSchema: runOrTask,
             outputSchema: answer),
        Tool(name: "cancel_conductor_workflow", title: "Cancel",
             description: "Cancel a task (SIGTERM to its processes, then SIGKILL) or, without task_id, the whole run.",
             inputSchema: runOrTask,
             outputSchema: answer),
        Tool(name: "get_conductor_task_logs", title: "Task output",
             description: "The latest lines a task printed (its last attempt).",
             inputSchema: input(["workflow_execution_id": executionID, "task_id": taskID,
                                 "lines": .object(["type": "integer", "description": "How many lines (default 50)."])],
                                required: ["workflow_execution_id", "task_id"]),
             outputSchema: output(["workflow_execution_id": string, "task_id": string, "attempt": integer, "lines": array(string),
                                   "log_file": nullable("string")], required: ["workflow_execution_id", "task_id", "lines"])),
        Tool(name: "list_conductor_workflows", title: "Workflows",
             description: "The workflows this server can start.", inputSchema: input([:]),
             outputSchema: output(["workflows": array(output(["name": string, "path": string, "description": nullable("string"),
                                                               "tasks": integer], required: ["name", "path", "tasks"]))],
                                  required: ["workflows"])),
        Tool(name: "list_conductor_runs", title: "Runs",
             description: "Recorded runs, newest first, with their state.",
             inputSchema: input(["limit": .object(["type": "integer", "description": "At most this many (default 20)."])]),
             outputSchema: output(["runs": array(output(["workflow_execution_id": string, "workflow": string, "started_at": string,
                                                         "state": string, "wall_seconds": nullable("number"),
                                                         "gates_passed": nullable("integer"), "gates_total": nullable("integer")],
                                                        required: ["workflow_execution_id", "workflow", "state"]))],
                                  required: ["runs"])),
        Tool(name: "get_conductor_run_report", title: "Run report",
             description: "A finished run's full report (the JSON of report.json).",
             inputSchema: run,
             outputSchema: .object(["type": "object"])),
        // The official Conductor MCP server's names, for people used to them.
        Tool(name: "start_workflow_by_name", title: "Start workflow (Conductor name)",
             description: "Conductor's name for execute_conductor_workflow: `name` is the workflow; returns its workflowId, as Conductor does.",
             inputSchema: input(["name": string, "input": .object(["type": "object", "description": "Optional: task_ids and parallel."])],
                                required: ["name"]),
             outputSchema: output(["workflowId": string], required: ["workflowId"])),
        Tool(name: "get_workflow_by_id", title: "Workflow status (Conductor name)",
             description: "A run as Conductor's Workflow JSON: status RUNNING, PAUSED, COMPLETED, FAILED, TIMED_OUT or TERMINATED; "
                + "each task's status, retryCount, times in epoch milliseconds and outputData (its metrics and gates).",
             inputSchema: conductorRun, outputSchema: conductorWorkflow),
        Tool(name: "pause_workflow", title: "Pause (Conductor name)", description: "Conductor's name for pausing a whole run.",
             inputSchema: conductorRun, outputSchema: answer),
        Tool(name: "resume_workflow", title: "Resume (Conductor name)", description: "Conductor's name for resuming a whole run.",
             inputSchema: conductorRun, outputSchema: answer),
        Tool(name: "retry_workflow", title: "Retry (Conductor name)", description: "Conductor's name for retrying every failed task.",
             inputSchema: conductorRun, outputSchema: answer),
        Tool(name: "terminate_workflow", title: "Terminate (Conductor name)", description: "Conductor's name for cancelling a whole run.",
             inputSchema: input(["workflowId": string, "reason": string], required: ["workflowId"]), outputSchema: answer),
    ]
}
