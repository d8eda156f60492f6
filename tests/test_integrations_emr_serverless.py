"""Amazon EMR Serverless's optimized integration (applications and job runs, Request Response
and ``.sync``) against moto's server over real HTTP, where applications start and job runs end at
once.
"""

from __future__ import annotations

import json
from typing import Any

import test_integrations_jobs as jobs
from test_integrations_jobs import FakeService, _stop_when_submitted, _wait_for, task, types

import sfn_notebook as sfn
from sfn_notebook.runtime.runtime import Runtime

# moto's server and a boto3 session, as test_integrations_jobs starts them (one per module).
moto_url, session = jobs.moto_url, jobs.session

ROLE = "arn:aws:iam::123456789012:role/emr-serverless"
DRIVER = {"SparkSubmit": {"EntryPoint": "s3://code/job.py", "EntryPointArguments": ["1"]}}


def test_emr_serverless_lifecycle_on_moto(moto_url: str, session: Any) -> None:
    client = session.client("emr-serverless", endpoint_url=moto_url)

    def run(resource: str, params: dict[str, Any]) -> Any:
        ex = sfn.run(task(resource, params), boto3_session=session, aws_endpoint_url=moto_url)
        assert ex.status == "SUCCEEDED", ex.cause
        return ex

    ex = run(
        "emr-serverless:createApplication",
        {"Name": "plain", "ReleaseLabel": "emr-6.15.0", "Type": "SPARK"},
    )
    assert ex.output["Name"] == "plain" and ex.output["ApplicationId"]
    assert "TaskSubmitted" not in types(ex) and "SdkHttpMetadata" in ex.output

    ex = run(
        "emr-serverless:createApplication.sync",
        {"Name": "spark", "ReleaseLabel": "emr-6.15.0", "Type": "SPARK"},
    )
    assert types(ex)[4:6] == ["TaskSubmitted", "TaskSucceeded"]
    app = ex.output["Application"]["ApplicationId"]
    assert ex.output["Application"]["Name"] == "spark"

    ex = run("emr-serverless:startApplication.sync", {"ApplicationId": app})
    assert ex.output["Application"]["State"] == "STARTED"

    ex = run(
        "emr-serverless:startJobRun.sync",
        {"ApplicationId": app, "ExecutionRoleArn": ROLE, "JobDriver": DRIVER, "Name": "nightly"},
    )
    assert ex.output["JobRun"]["State"] == "SUCCESS"
    assert ex.output["JobRun"]["JobDriver"] == DRIVER
    run_id = ex.output["JobRun"]["JobRunId"]

    ex = run("emr-serverless:cancelJobRun", {"ApplicationId": app, "JobRunId": run_id})
    assert ex.output["JobRunId"] == run_id

    ex = run("emr-serverless:stopApplication.sync", {"ApplicationId": app})
    assert ex.output["Application"]["State"] == "STOPPED"
    ex = run("emr-serverless:deleteApplication.sync", {"ApplicationId": app})
    assert client.get_application(applicationId=app)["application"]["state"] == "TERMINATED"

    ex = sfn.run(
        task("emr-serverless:startApplication", {"ApplicationId": "00nowhere"}),
        boto3_session=session,
        aws_endpoint_url=moto_url,
    )
    assert (ex.status, ex.error) == ("FAILED", "EMRServerless.ResourceNotFoundException")
    assert "Application 00nowhere does not exist" in ex.cause


def test_emr_serverless_job_run_failure_and_stop(session: Any) -> None:
    state = {"state": "FAILED"}
    path = "/applications/app1/jobruns/jr1"

    def job_run(body: dict[str, Any]) -> dict[str, Any]:
        details = "Job failed: exit code 1"
        return {
            "jobRun": {"applicationId": "app1", "jobRunId": "jr1", **state, "stateDetails": details}
        }

    fake = FakeService(
        {
            "/applications/app1/jobruns": lambda body: {
                "applicationId": "app1",
                "jobRunId": "jr1",
                "arn": f"arn:aws:emr-serverless:us-east-1:123456789012:{path}",
            },
            f"GET {path}": job_run,
            f"DELETE {path}": lambda body: {"applicationId": "app1", "jobRunId": "jr1"},
        }
    )
    endpoints = {"emr-serverless": fake.url}
    start = task(
        "emr-serverless:startJobRun.sync",
        {"ApplicationId": "app1", "ExecutionRoleArn": ROLE, "JobDriver": DRIVER},
    )
    try:
        ex = sfn.run(start, boto3_session=session, aws_endpoint_url=endpoints)
        assert (ex.status, ex.error) == ("FAILED", "States.TaskFailed")
        assert json.loads(ex.cause or "")["JobRun"]["StateDetails"] == "Job failed: exit code 1"
        assert fake.ops() == ["/applications/app1/jobruns", f"GET {path}"]

        state["state"] = "RUNNING"
        fake.calls.clear()
        with Runtime(clock="virtual", boto3_session=session, aws_endpoint_url=endpoints) as rt:
            arn = rt.create_state_machine(name="run", definition=start)["stateMachineArn"]
            assert _stop_when_submitted(rt, arn).status == "ABORTED"
        _wait_for(lambda: f"DELETE {path}" in fake.ops())
    finally:
        fake.close()
