"""AWS Glue DataBrew and AWS Elemental MediaConvert through the optimized integrations. moto
implements neither's jobs, so a small server speaking each one's REST protocol answers: the
requests are checked as AWS would receive them, and ``.sync`` succeeds, fails and stops.
"""

from __future__ import annotations

import json
from typing import Any

import test_integrations_jobs as jobs
from test_integrations_jobs import FakeService, _stop_when_submitted, _wait_for, task, types

import sfn_notebook as sfn
from sfn_notebook.runtime.runtime import Runtime

session = jobs.session  # a boto3 session, as test_integrations_jobs makes it


def test_databrew_job_run_sync_failure_and_stop(session: Any) -> None:
    run = {"State": "SUCCEEDED"}
    described = "/jobs/clean/jobRun/db_1"

    fake = FakeService(
        {
            "/jobs/clean/startJobRun": lambda body: {"RunId": "db_1"},
            f"GET {described}": lambda body: {
                "Attempt": 1,
                "JobName": "clean",
                "RunId": "db_1",
                "StartedOn": 1700000000.0,
                "ErrorMessage": "Recipe step 2 failed",
                **run,
            },
            f"{described}/stopJobRun": lambda body: {"RunId": "db_1"},
        }
    )
    endpoints = {"databrew": fake.url}
    start = task("databrew:startJobRun.sync", {"Name": "clean"})
    try:
        ex = sfn.run(
            task("databrew:startJobRun", {"Name": "clean"}),
            boto3_session=session,
            aws_endpoint_url=endpoints,
        )
        assert ex.status == "SUCCEEDED", ex.cause
        assert ex.output["RunId"] == "db_1" and "SdkHttpMetadata" in ex.output
        assert "TaskSubmitted" not in types(ex)

        ex = sfn.run(start, boto3_session=session, aws_endpoint_url=endpoints)
        assert ex.status == "SUCCEEDED", ex.cause
        assert (ex.output["State"], ex.output["JobName"]) == ("SUCCEEDED", "clean")
        assert ex.output["StartedOn"] == 1700000000000
        assert fake.ops()[-1] == f"GET {described}"

        run["State"] = "FAILED"
        ex = sfn.run(start, boto3_session=session, aws_endpoint_url=endpoints)
        assert (ex.status, ex.error) == ("FAILED", "States.TaskFailed")
        assert json.loads(ex.cause or "")["ErrorMessage"] == "Recipe step 2 failed"

        run["State"] = "RUNNING"
        fake.calls.clear()
        with Runtime(clock="virtual", boto3_session=session, aws_endpoint_url=endpoints) as rt:
            arn = rt.create_state_machine(name="brew", definition=start)["stateMachineArn"]
            assert _stop_when_submitted(rt, arn).status == "ABORTED"
        _wait_for(lambda: f"{described}/stopJobRun" in fake.ops())
    finally:
        fake.close()


def test_mediaconvert_job_sync_failure_and_stop(session: Any) -> None:
    job = {"status": "COMPLETE"}
    path = "/2017-08-29/jobs/1700000000000-abc"
    settings = {"Inputs": [{"FileInput": "s3://media/in.mp4"}], "OutputGroups": []}

    def described(body: dict[str, Any]) -> dict[str, Any]:
        return {
            "job": {
                "id": "1700000000000-abc",
                "role": "arn:aws:iam::123456789012:role/mc",
                "settings": settings,
                "errorMessage": "Unable to open input file",
                **job,
            }
        }

    fake = FakeService(
        {
            "/2017-08-29/jobs": lambda body: {"job": {"id": "1700000000000-abc", **job}},
            f"GET {path}": described,
            f"DELETE {path}": lambda body: {},
        }
    )
    endpoints = {"mediaconvert": fake.url}
    params = {"Role": "arn:aws:iam::123456789012:role/mc", "Settings": settings}
    start = task("mediaconvert:createJob.sync", params)
    try:
        ex = sfn.run(start, boto3_session=session, aws_endpoint_url=endpoints)
        assert ex.status == "SUCCEEDED", ex.cause
        assert ex.output["Job"]["Status"] == "COMPLETE"
        assert fake.calls[0][1]["settings"]["inputs"] == [{"fileInput": "s3://media/in.mp4"}]

        job["status"] = "ERROR"
        ex = sfn.run(start, boto3_session=session, aws_endpoint_url=endpoints)
        assert (ex.status, ex.error) == ("FAILED", "States.TaskFailed")
        assert json.loads(ex.cause or "")["Job"]["ErrorMessage"] == "Unable to open input file"

        job["status"] = "PROGRESSING"
        fake.calls.clear()
        with Runtime(clock="virtual", boto3_session=session, aws_endpoint_url=endpoints) as rt:
            arn = rt.create_state_machine(name="media", definition=start)["stateMachineArn"]
            assert _stop_when_submitted(rt, arn).status == "ABORTED"
        _wait_for(lambda: f"DELETE {path}" in fake.ops())
    finally:
        fake.close()
