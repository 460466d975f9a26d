"""Drives `tutti serve` with the official Conductor Python client (conductor-python).

Usage: conductor_client.py PORT FOLDER — FOLDER holds the marker file the flaky workflow waits for.
Prints what it checks and ends with ALL CHECKS PASSED, or exits 1 at the first failure.
"""
import os
import sys
import time

from conductor.client.configuration.configuration import Configuration
from conductor.client.http.api.workflow_resource_api import WorkflowResourceApi
from conductor.client.http.api_client import ApiClient
from conductor.client.http.models.start_workflow_request import StartWorkflowRequest
from conductor.client.http.rest import ApiException

port, folder = sys.argv[1], sys.argv[2]
api = WorkflowResourceApi(ApiClient(Configuration(server_api_url=f"http://localhost:{port}/api")))


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


# Start, pause (it stays paused), resume, terminate.
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
