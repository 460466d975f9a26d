"""End-to-end check of `tutti mcp` with the official MCP Python client.

Usage: conductor_client.py TUTTI_BINARY WORKFLOWS_DIR SCRATCH_DIR
Prints one line per check; exits non-zero (with the failed assertion) on the first failure.
"""
import asyncio
import json
import os
import subprocess
import sys
import time

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

TUTTI, WORKFLOWS, SCRATCH = sys.argv[1], sys.argv[2], sys.argv[3]
RUNS = os.path.join(SCRATCH, "runs")


def check(condition, what):
    if not condition:
        raise AssertionError(what)
    print("ok:", what, flush=True)


async def call(session, name, arguments):
    result = await session.call_tool(name, arguments)
    return result


async def main():
    params = StdioServerParameters(command=TUTTI, args=["mcp", "--workflows-dir", WORKFLOWS, "--runs-dir", RUNS], cwd=SCRATCH)
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            check(init.server_info.name == "tutti", "the server introduces itself")
            tools = {tool.name: tool for tool in (await session.list_tools()).tools}
            for name in ["execute_conductor_workflow", "get_conductor_workflow_status", "pause_conductor_workflow",
                         "resume_conductor_workflow", "retry_conductor_workflow", "cancel_conductor_workflow",
                         "get_conductor_task_logs", "list_conductor_workflows", "list_conductor_runs", "get_conductor_run_report",
                         "start_workflow_by_name", "get_workflow_by_id", "pause_workflow", "resume_workflow", "retry_workflow",
                         "terminate_workflow"]:
                check(name in tools and tools[name].input_schema.get("type") == "object" and tools[name].output_schema,
                      f"tool {name} is listed with input and output schemas")

            workflows = await call(session, "list_conductor_workflows", {})
            names = [w["name"] for w in workflows.structured_content["workflows"]]
            check("demo" in names and "template-03-parallel-execution" in names, "the workflows are listed")

            # The seed's Step 2: Tasks 4, 5, 6 and 7 in parallel, then poll the status.
            started = await call(session, "execute_conductor_workflow", {"workflow": "demo", "task_ids": [4, 5, 6, 7], "parallel": True})
            check(not started.is_error, "execute_conductor_workflow starts the demo")
            execution = started.structured_content["workflow_execution_id"]
            check(started.structured_content["task_ids"] == ["4", "5", "6", "7"], "with tasks 4, 5, 6 and 7")

            # A second run, to act on: pause, resume, cancel and retry task 6 over MCP.
            other = (await call(session, "start_workflow_by_name", {"name": "demo", "input": {"task_ids": ["6"]}})).structured_content
            other_id = other["workflowId"]
            runs = subprocess.run([TUTTI, "runs", "--runs-dir", RUNS], capture_output=True, text=True, cwd=SCRATCH).stdout
            check(other_id in runs and "running" in runs, "runs started over MCP are ordinary runs that `tutti runs` sees live")
            paused = await call(session, "pause_conductor_workflow", {"workflow_execution_id": other_id, "task_id": 6})
            check(paused.structured_content["accepted"], "a task is paused")
            status = (await call(session, "get_workflow_by_id", {"workflowId": other_id})).structured_content
            check(status["workflowId"] == other_id and status["status"] == "RUNNING", "get_workflow_by_id answers Conductor's Workflow")
            check(status["tasks"][0]["status"] == "IN_PROGRESS" and status["tasks"][0]["referenceTaskName"] == "6"
                  and status["tasks"][0]["startTime"] > 1_700_000_000_000, "its task IN_PROGRESS, with epoch milliseconds")
            ours = (await call(session, "get_conductor_workflow_status", {"workflow_execution_id": other_id})).structured_content
            check(ours["tasks"][0]["status"] == "paused" and ours["status"] == "RUNNING",
                  "get_conductor_workflow_status says the task is paused, and the run's status in Conductor's words")
            refused = await call(session, "retry_conductor_workflow", {"workflow_execution_id": other_id, "task_id": 6})
            check(not refused.structured_content["accepted"] and "running" in refused.structured_content["message"],
                  "a retry of a running task is refused with the reason")
            check((await call(session, "resume_conductor_workflow", {"workflow_execution_id": other_id, "task_id": "6"})).structured_content["accepted"],
                  "the task is resumed")
            check((await call(session, "cancel_conductor_workflow", {"workflow_execution_id": other_id, "task_id": 6})).structured_content["accepted"],
                  "the task is cancelled")
            deadline = time.time() + 30
            while (await call(session, "get_conductor_workflow_status", {"workflow_execution_id": other_id})).structured_content["tasks"][0]["status"] != "cancelled":
                check(time.time() < deadline, "waiting for the cancel")
                await asyncio.sleep(0.2)
            check((await call(session, "retry_conductor_workflow", {"workflow_execution_id": other_id})).structured_content["accepted"],
                  "every failed or cancelled task is retried")
            check((await call(session, "terminate_workflow", {"workflowId": other_id, "reason": "test"})).structured_content["accepted"],
                  "terminate_workflow cancels the run")

            # Poll every second (the seed polls every 5) until the demo finishes.
            polls = 0
            while True:
                result = await call(session, "get_conductor_workflow_status", {"workflow_execution_id": execution})
                status = result.structured_content
                polls += 1
                if status.get("summary"):
                    break
                check(status["state"] == "running" and len(status["tasks"]) == 4, f"poll {polls}: running, 4 tasks")
                check(all(0 <= task["percent"] <= 100 for task in status["tasks"]), f"poll {polls}: percents in range")
                await asyncio.sleep(1)
            check(polls >= 3, "the run was followed while it ran")
            check(status["status"] == "COMPLETED", "Conductor's status of the finished run: COMPLETED")
            finished = (await call(session, "get_workflow_by_id", {"workflowId": execution})).structured_content
            check(finished["status"] == "COMPLETED" and all(t["status"] == "COMPLETED" for t in finished["tasks"])
                  and finished["endTime"] >= max(t["endTime"] for t in finished["tasks"]), "and as Conductor's Workflow")
            check("Task 4 (Testing Framework): 100% succeeded" in result.content[0].text, "the text rendering lists the tasks")
            check("Parallel Workflow Summary:" in result.content[0].text, "and, at the end, the seed's summary")

            with open(os.path.join(status["run_directory"], "report.json")) as handle:
                report = json.load(handle)
            summary = status["summary"]
            check([t["status"] for t in status["tasks"]] == [t["status"] for t in report["tasks"]], "statuses match the report")
            check(summary["gates_passed"] == report["gates"]["passed"] == 12 and summary["gates_total"] == 12, "12/12 gates, as the report says")
            check(summary["slowest_task"] == report["slowest_task"] == "5", "the slowest task is 5")
            check(abs(summary["parallel_efficiency"] - report["parallel_efficiency"]) < 0.001, "efficiency matches the report")
            check(abs(summary["time_saved_seconds"] - report["time_saved_seconds"]) < 0.001, "time saved matches the report")
            check([c["passed"] for c in summary["success_criteria"]] == [c["passed"] for c in report["success_criteria"]],
                  "success criteria match the report")
            for task, reported in zip(status["tasks"], report["tasks"]):
                check([(g["metric"], g["passed"], g["actual"]) for g in task["gates"]]
                      == [(g["metric"], g["passed"], g["actualText"]) for g in reported["gates"]], f"task {task['task_id']}'s gates match")

            logs = (await call(session, "get_conductor_task_logs", {"workflow_execution_id": execution, "task_id": 5, "lines": 3})).structured_content
            check(len(logs["lines"]) == 3, "a task's latest log lines")
            full = (await call(session, "get_conductor_run_report", {"workflow_execution_id": execution})).structured_content
            check(full["run_id"] == execution and full["outcome"] == "passed", "the finished run's report")
            listed = (await call(session, "list_conductor_runs", {})).structured_content["runs"]
            check({execution, other_id} <= {run["workflow_execution_id"] for run in listed}, "both runs are listed")

            # Bad arguments: an error result that says what is valid, never a crash.
            bad = await call(session, "execute_conductor_workflow", {"workflow": "nope"})
            check(bad.is_error and "available: demo" in bad.content[0].text, "an unknown workflow names the valid ones")
            bad = await call(session, "execute_conductor_workflow", {"workflow": "demo", "task_ids": [99]})
            check(bad.is_error and "this workflow has: 4, 5, 6, 7" in bad.content[0].text, "an unknown task id names the valid ones")
            bad = await call(session, "get_conductor_workflow_status", {"workflow_execution_id": "nope"})
            check(bad.is_error and execution in bad.content[0].text, "an unknown execution id names this session's runs")
            bad = await call(session, "execute_conductor_workflow", {"workflow": "demo", "task_ids": "4"})
            check(bad.is_error and "must be a list" in bad.content[0].text, "task_ids that are not a list")
            bad = await call(session, "execute_conductor_workflow", {"workflow": "demo", "task_ids": [1e20]})
            check(bad.is_error and "must be a list of task ids" in bad.content[0].text, "a task id that is no task id")
            bad = await call(session, "get_conductor_run_report", {"workflow_execution_id": "nope"})
            check(bad.is_error, "a report of an unknown run")

            # wait: true returns when the run has ended, with progress notifications on the way.
            quick = os.path.join(SCRATCH, "quick.yaml")
            with open(quick, "w") as handle:
                handle.write("name: quick\ntasks:\n  - task_id: 1\n    agent: sim\n    parameters: {duration_seconds: 2.5}\n")
            progress = []

            async def on_progress(value, total, message):
                progress.append((value, total, message))

            waited = await session.call_tool("execute_conductor_workflow", {"workflow": quick, "wait": True},
                                             progress_callback=on_progress)
            check(not waited.is_error and waited.structured_content["status"] == "passed", "wait: true returns the finished run")
            check("Result: PASSED" in waited.content[0].text, "with its summary")
            values = [value for value, _, _ in progress]
            check(len(values) >= 2 and values == sorted(values) and progress[0][1] == 100, f"progress notifications rise: {values}")

            # A run still going when the client leaves: the server stops it and completes its recording.
            last = (await call(session, "execute_conductor_workflow", {"workflow": "demo"})).structured_content
    events = os.path.join(last["run_directory"], "events.ndjson")
    deadline = time.time() + 30
    while True:
        with open(events) as handle:
            lines = handle.read().splitlines()
        if lines and json.loads(lines[-1])["type"] == "run_finished":
            break
        check(time.time() < deadline, "waiting for the last run's recording to end")
        time.sleep(0.2)
    finished = json.loads(lines[-1])
    check(finished["outcome"] == "interrupted", "a run left behind by the client is stopped, its recording complete")
    print("ALL CHECKS PASSED", flush=True)


try:
    asyncio.run(main())
except BaseException:
    # The test reads stdout only: put the failure there.
    import traceback
    traceback.print_exc(file=sys.stdout)
    sys.exit(1)
