"""Drives `tutti serve` with the official Conductor Python client (conductor-python).

Usage: conductor_client.py PORT FOLDER — FOLDER holds the marker file the flaky workflow waits for,
and exported.json / exported-taskdefs.json, what `tutti export --conductor` wrote.
Prints what it checks and ends with ALL CHECKS PASSED, or exits 1 at the first failure.
"""
import os
import sys
import time

from conductor.client.configuration.configuration import Configuration
from conductor.client.http.api.metadata_resource_api import MetadataResourceApi
from conductor.client.http.api.workflow_resource_api import WorkflowResourceApi
from conductor.client.http.api_client import ApiClient
from conductor.client.http.models import TaskDef, WorkflowDef, WorkflowTask
from conductor.client.http.models.start_workflow_request import StartWorkflowRequest
from conductor.client.http.rest import ApiException

port, folder = sys.argv[1], sys.argv[2]
client = ApiClient(Configuration(server_api_url=f"http://localhost:{port}/api"))
api = WorkflowResourceApi(client)
metadata = MetadataResourceApi(client)


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if not condition:
        sys.exit(1)


def until(workflow_id, condition, seconds=30):
    deadline = time.monotonic() + seconds
    while True:
        workflow = api.get_execution_status(workflow_id, include_tasks=True)
        if condition(workflow) or time.monotonic() > deadline:
            return workflow
        time.sleep(0.1)


# A FORK_JOIN definition of four SIMPLE tasks, registered, started by name: they run together
# (each waits until all four have started), and it completes.
names = ["lint", "unit", "docs", "audit"]
metadata.register_task_def([TaskDef(name=n, retry_count=0, timeout_seconds=30, response_timeout_seconds=30,
                                    owner_email="dev@example.com") for n in names])
barrier = f"touch {folder}/fork-$TUTTI_TASK_ID; while [ $(ls {folder} | grep -c fork-) -lt 4 ]; do sleep 0.02; done"
branches = [[WorkflowTask(name=n, task_reference_name=f"{n}_ref", type="SIMPLE",
                          input_parameters={"command": ["sh", "-c", barrier]})] for n in names]
definition = WorkflowDef(name="checks", version=1, schema_version=2, owner_email="dev@example.com", timeout_seconds=0,
                         timeout_policy="ALERT_ONLY",
                         tasks=[WorkflowTask(name="fork", task_reference_name="fork_ref", type="FORK_JOIN", fork_tasks=branches),
                                WorkflowTask(name="join", task_reference_name="join_ref", type="JOIN",
                                             join_on=[f"{n}_ref" for n in names])])
metadata.create(definition, overwrite=True)
got = metadata.get("checks")
check(got is not None and got.name == "checks" and got.version == 1 and len(got.tasks) == 2, "the definition reads back")
check(got.tasks[0].type == "FORK_JOIN" and len(got.tasks[0].fork_tasks) == 4, "with its four branches")
try:
    metadata.get("no-such-definition")
    check(False, "an unknown definition is refused")
except ApiException as error:
    check(error.status == 404, "an unknown definition is 404")
checks = api.start_workflow(StartWorkflowRequest(name="checks"))
workflow = until(checks, lambda w: w.status not in ("RUNNING", "PAUSED"))
check(workflow.status == "COMPLETED", "the fork completed: " + str(workflow.status))
check(sorted(t.reference_task_name for t in workflow.tasks) == sorted(f"{n}_ref" for n in names), "its four tasks")
check(all(t.status == "COMPLETED" for t in workflow.tasks), "each COMPLETED")
check(max(t.start_time for t in workflow.tasks) < min(t.end_time for t in workflow.tasks),
      "their times overlap: every task started before any ended")

# What `tutti export --conductor` wrote is a definition the client reads as its own models
# (an enum it does not know would come back as None), registers and runs.
import json
with open(os.path.join(folder, "exported.json")) as handle:
    exported = client.deserialize_class(json.load(handle), "WorkflowDef")
with open(os.path.join(folder, "exported-taskdefs.json")) as handle:
    task_defs = [client.deserialize_class(item, "TaskDef") for item in json.load(handle)]
check(exported is not None and exported.schema_version == 2 and exported.owner_email, "the export reads as a WorkflowDef")
check([t.type for t in exported.tasks] == ["SIMPLE", "FORK_JOIN", "JOIN", "SIMPLE"], "a task, a fork and its join, a task")
check(all(d is not None and d.retry_logic in ("FIXED", "LINEAR_BACKOFF", "EXPONENTIAL_BACKOFF") and d.timeout_policy for d in task_defs),
      "its task definitions read as TaskDefs")
metadata.register_task_def(task_defs)
metadata.create(exported, overwrite=True)
diamond = api.start_workflow(StartWorkflowRequest(name=exported.name))
workflow = until(diamond, lambda w: w.status not in ("RUNNING", "PAUSED"))
check(workflow.status == "COMPLETED", "the exported workflow, registered through the client, completed: " + str(workflow.status))
times = {t.reference_task_name: (t.start_time, t.end_time) for t in workflow.tasks}
check(times["task_first"][1] <= min(times["task_left"][0], times["task_right"][0])
      and max(times["task_left"][1], times["task_right"][1]) <= times["task_last"][0], "in the order the workflow says")

# Pause holds a workflow whose task would otherwise have finished; resume lets it complete.
brief = api.start_workflow(StartWorkflowRequest(name="brief"))
until(brief, lambda w: w.tasks and w.tasks[0].status == "IN_PROGRESS")
api.pause_workflow(brief)
check(until(brief, lambda w: w.status == "PAUSED").status == "PAUSED", "paused")
time.sleep(1.5)  # longer than the task's own 0.5 s: the point is that time passes while paused
workflow = api.get_execution_status(brief, include_tasks=True)
check(workflow.status == "PAUSED" and workflow.tasks[0].status == "IN_PROGRESS",
      "still PAUSED, its task still IN_PROGRESS, after the task would have finished")
api.resume_workflow(brief)
check(until(brief, lambda w: w.status == "COMPLETED").status == "COMPLETED", "resumed, it completed")

# Start, pause, resume, terminate.
slow = api.start_workflow(StartWorkflowRequest(name="slow", input={"x": 1}, correlation_id="c-9"))
workflow = until(slow, lambda w: w.status == "RUNNING" and w.tasks[0].status == "IN_PROGRESS")
check([t.reference_task_name for t in workflow.tasks] == ["a", "b"], "the workflow's tasks, by reference name")
check(workflow.start_time > 1_700_000_000_000, "times in epoch milliseconds")
api.pause_workflow(slow)
check(until(slow, lambda w: w.status == "PAUSED").status == "PAUSED", "paused")
api.resume_workflow(slow)
check(until(slow, lambda w: w.status == "RUNNING").status == "RUNNING", "resumed")
api.terminate(slow, reason="the test is over")
workflow = until(slow, lambda w: w.status == "TERMINATED")
check(workflow.status == "TERMINATED" and [t.status for t in workflow.tasks] == ["CANCELED", "SKIPPED"],
      "terminated: the running task CANCELED, the one after it SKIPPED")

# A failing task; retry runs it (and only it) again.
flaky = api.start_workflow(StartWorkflowRequest(name="flaky"))
workflow = until(flaky, lambda w: w.status == "FAILED")
check(workflow.status == "FAILED" and [t.status for t in workflow.tasks] == ["COMPLETED", "FAILED"], "one task failed")
check(bool(workflow.tasks[1].reason_for_incompletion), "it says why: " + str(workflow.tasks[1].reason_for_incompletion))
open(os.path.join(folder, "fixed"), "w").close()
api.retry(flaky)
workflow = until(flaky, lambda w: w.status == "COMPLETED")
check(workflow.status == "COMPLETED", "completed after the retry")
check([t.retry_count for t in workflow.tasks] == [0, 1], "only the failed task ran again")

# An unknown id is Conductor's 404.
try:
    api.get_execution_status("no-such-workflow")
    check(False, "an unknown id is refused")
except ApiException as error:
    check(error.status == 404, "an unknown id is 404")

print("ALL CHECKS PASSED")
