"""Optimized job integrations (Glue, Batch, ECS, Athena, nested Step Functions): Request Response,
``.sync`` success, failure and stop, against moto's server over real HTTP. Where moto cannot make
a job fail or keep it running, a small server started by the test answers in the service's own
JSON protocol, so the requests Step Functions sends are checked as AWS would receive them.
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

import sfn_notebook as sfn
from sfn_notebook.runtime.runtime import Runtime

REGION = "us-east-1"


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    _post(url, "/moto-api/config", {"batch": {"use_docker": False}})  # no Docker here
    yield url
    _post(url, "/moto-api/config", {"batch": {"use_docker": True}})
    server.stop()


@pytest.fixture(scope="module")
def session() -> Any:
    return boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    )


def _post(url: str, path: str, body: Any) -> None:
    request = urllib.request.Request(url + path, data=json.dumps(body).encode(), method="POST")
    urllib.request.urlopen(request).read()


def _transition(url: str, model: str, **transition: Any) -> None:
    """How moto moves a resource through its states (advance after N reads, or at once)."""
    _post(
        url,
        "/moto-api/state-manager/set-transition",
        {"model_name": model, "transition": transition},
    )


def _unset(url: str, model: str) -> None:
    _post(url, "/moto-api/state-manager/unset-transition", {"model_name": model})


def task(resource: str, parameters: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "StartAt": "Job",
        "States": {
            "Job": {
                "Type": "Task",
                "Resource": f"arn:aws:states:::{resource}",
                "Parameters": parameters,
                "End": True,
                **extra,
            }
        },
    }


def types(ex: Any) -> list[str]:
    return [event["type"] for event in ex.history]


# ------------------------------------------------------------------------------------------------
# A stand-in endpoint speaking a service's JSON protocol, for what moto cannot do


class FakeService:
    """An HTTP server on 127.0.0.1 answering AWS JSON-protocol calls from Python handlers.

    ``handlers`` maps an operation (``GetJobRun``, or a REST path such as ``/v1/describejobs``,
    or for other methods than POST ``"GET /applications/a/jobruns/j"``) to
    ``fn(request_body) -> response_body``; every call is recorded in ``calls``.
    """

    def __init__(self, handlers: dict[str, Callable[[dict[str, Any]], Any]]) -> None:
        self.handlers = handlers
        self.calls: list[tuple[str, dict[str, Any]]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                size = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(size) or b"{}")
                target = self.headers.get("X-Amz-Target", "")
                op = target.rpartition(".")[2] if target else self.path
                if self.command != "POST":
                    op = f"{self.command} {self.path}"
                outer.calls.append((op, body))
                answer = json.dumps(outer.handlers[op](body)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            do_GET = do_DELETE = do_PUT = do_POST

            def log_message(self, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def ops(self) -> list[str]:
        return [op for op, _ in self.calls]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _wait_for(check: Callable[[], bool], seconds: float = 10) -> None:
    end = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < end, "timed out waiting"
        time.sleep(0.02)


def _stop_when_submitted(rt: Runtime, arn: str, payload: Any = None) -> Any:
    """Start an execution, stop it once its job was submitted; the execution, ended."""
    ex = rt.start(arn, payload or {})
    _wait_for(lambda: "TaskSubmitted" in types(ex))
    rt.stop_execution(executionArn=ex.arn)
    return ex.wait(10)


# ------------------------------------------------------------------------------------------------
# AWS Glue


def test_glue_request_response_and_sync_on_moto(moto_url: str, session: Any) -> None:
    glue = session.client("glue", endpoint_url=moto_url)
    for name in ("etl", "etl-sync"):
        glue.create_job(
            Name=name,
            Role="arn:aws:iam::123456789012:role/glue",
            Command={"Name": "glueetl", "ScriptLocation": "s3://scripts/etl.py"},
        )
    ex = sfn.run(
        task("glue:startJobRun", {"JobName": "etl"}),
        boto3_session=session,
        aws_endpoint_url=moto_url,
    )
    assert ex.status == "SUCCEEDED", ex.cause
    # AWS adds the JobName of the request to StartJobRun's response.
    assert ex.output["JobName"] == "etl" and ex.output["JobRunId"].startswith("jr_")
    assert ex.output["SdkHttpMetadata"]["HttpStatusCode"] == 200
    assert "TaskSubmitted" not in types(ex)

    _transition(moto_url, "glue::job_run", progression="manual", times=3)  # RUNNING a while
    try:
        began = time.monotonic()
        ex = sfn.run(
            task("glue:startJobRun.sync", {"JobName": "etl-sync", "Arguments": {"--day": "1"}}),
            boto3_session=session,
            aws_endpoint_url=moto_url,
        )
    finally:
        _unset(moto_url, "glue::job_run")
    assert ex.status == "SUCCEEDED", ex.cause
    assert time.monotonic() - began < 10
    assert types(ex)[4:6] == ["TaskSubmitted", "TaskSucceeded"]
    submitted = json.loads(ex.history[4]["taskSubmittedEventDetails"]["output"])
    assert submitted["JobRunId"] == ex.output["Id"]
    assert ex.output["JobRunState"] == "SUCCEEDED" and ex.output["JobName"] == "etl-sync"
    assert isinstance(ex.output["StartedOn"], int)  # epoch milliseconds, as AWS's SDK v1
    run = glue.get_job_run(JobName="etl-sync", RunId=ex.output["Id"])["JobRun"]
    assert run["Arguments"] == {"--day": "1"}


def test_glue_sync_failure_and_stop(session: Any) -> None:
    state = {"JobRunState": "FAILED"}

    def get_job_run(body: dict[str, Any]) -> dict[str, Any]:
        return {
            "JobRun": {
                "Id": body["RunId"],
                "JobName": body["JobName"],
                "JobRunState": state["JobRunState"],
                "ErrorMessage": "Out of memory",
                "StartedOn": 1700000000.0,
            }
        }

    fake = FakeService(
        {
            "StartJobRun": lambda body: {"JobRunId": "jr_1"},
            "GetJobRun": get_job_run,
            "BatchStopJobRun": lambda body: {"SuccessfulSubmissions": [], "Errors": []},
        }
    )
    endpoints = {"glue": fake.url}
    definition = task("glue:startJobRun.sync", {"JobName": "etl"})
    try:
        ex = sfn.run(definition, boto3_session=session, aws_endpoint_url=endpoints)
        assert (ex.status, ex.error) == ("FAILED", "States.TaskFailed")
        cause = json.loads(ex.cause)
        assert (cause["JobRunState"], cause["ErrorMessage"]) == ("FAILED", "Out of memory")
        assert cause["StartedOn"] == 1700000000000
        assert fake.ops() == ["StartJobRun", "GetJobRun"]

        state["JobRunState"] = "RUNNING"
        fake.calls.clear()
        with Runtime(clock="virtual", boto3_session=session, aws_endpoint_url=endpoints) as rt:
            arn = rt.create_state_machine(name="glue", definition=definition)["stateMachineArn"]
            ex = _stop_when_submitted(rt, arn)
        assert ex.status == "ABORTED"
        _wait_for(lambda: "BatchStopJobRun" in fake.ops())
        stop = dict(fake.calls)["BatchStopJobRun"]
        assert stop == {"JobName": "etl", "JobRunIds": ["jr_1"]}
    finally:
        fake.close()


# ------------------------------------------------------------------------------------------------
# AWS Batch


@pytest.fixture(scope="module")
def batch_queue(moto_url: str, session: Any) -> tuple[str, str]:
    iam = session.client("iam", endpoint_url=moto_url)
    role = iam.create_role(RoleName="batch", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    batch = session.client("batch", endpoint_url=moto_url)
    compute = batch.create_compute_environment(
        computeEnvironmentName="compute", type="UNMANAGED", state="ENABLED", serviceRole=role
    )["computeEnvironmentArn"]
    queue = batch.create_job_queue(
        jobQueueName="BatchJobQueue",
        state="ENABLED",
        priority=1,
        computeEnvironmentOrder=[{"order": 1, "computeEnvironment": compute}],
    )["jobQueueArn"]
    definition = batch.register_job_definition(
        jobDefinitionName="BatchJobDefinition",
        type="container",
        containerProperties={"image": "busybox", "vcpus": 1, "memory": 128, "command": ["true"]},
    )["jobDefinitionArn"]
    return queue, definition


def test_batch_sync_success_and_failure_on_moto(
    moto_url: str, session: Any, batch_queue: tuple[str, str]
) -> None:
    queue, job_definition = batch_queue
    params = {"JobName": "nightly", "JobQueue": queue, "JobDefinition": job_definition}
    ex = sfn.run(task("batch:submitJob", params), boto3_session=session, aws_endpoint_url=moto_url)
    assert ex.status == "SUCCEEDED", ex.cause
    assert set(ex.output) >= {"JobArn", "JobId", "JobName", "SdkHttpMetadata"}

    ex = sfn.run(
        task("batch:submitJob.sync", params), boto3_session=session, aws_endpoint_url=moto_url
    )
    assert ex.status == "SUCCEEDED", ex.cause
    assert (ex.output["Status"], ex.output["JobName"]) == ("SUCCEEDED", "nightly")
    assert ex.output["JobQueue"] == queue and isinstance(ex.output["CreatedAt"], int)

    os.environ["MOTO_SIMPLE_BATCH_FAIL_AFTER"] = "0"  # moto's switch: jobs fail at once
    try:
        ex = sfn.run(
            task("batch:submitJob.sync", params), boto3_session=session, aws_endpoint_url=moto_url
        )
    finally:
        del os.environ["MOTO_SIMPLE_BATCH_FAIL_AFTER"]
    assert (ex.status, ex.error) == ("FAILED", "States.TaskFailed")
    assert json.loads(ex.cause)["Status"] == "FAILED"

    ex = sfn.run(
        task("batch:submitJob.sync", {**params, "JobQueue": "nowhere"}),
        boto3_session=session,
        aws_endpoint_url=moto_url,
    )
    assert (ex.status, ex.error) == ("FAILED", "Batch.ClientException")
    assert "Service: AWSBatch; Status Code: 400" in ex.cause


def test_batch_sync_stop_terminates_the_job(session: Any) -> None:
    fake = FakeService(
        {
            "/v1/submitjob": lambda body: {
                "jobArn": "arn:aws:batch:::job/j1",
                "jobName": "n",
                "jobId": "j1",
            },
            "/v1/describejobs": lambda body: {
                "jobs": [{"jobId": "j1", "jobName": "n", "status": "RUNNING", "jobQueue": "q"}]
            },
            "/v1/terminatejob": lambda body: {},
        }
    )
    definition = task(
        "batch:submitJob.sync", {"JobName": "n", "JobQueue": "q", "JobDefinition": "d"}
    )
    try:
        with Runtime(
            clock="virtual", boto3_session=session, aws_endpoint_url={"batch": fake.url}
        ) as rt:
            arn = rt.create_state_machine(name="batch", definition=definition)["stateMachineArn"]
            ex = _stop_when_submitted(rt, arn)
        assert ex.status == "ABORTED"
        _wait_for(lambda: "/v1/terminatejob" in fake.ops())
        assert dict(fake.calls)["/v1/terminatejob"]["jobId"] == "j1"
    finally:
        fake.close()


# "Manage a Batch Job" sample project of the AWS Step Functions developer guide,
# awsdocs/aws-step-functions-developer-guide doc_source/batch-job-notification.md (its ARNs are
# replaced by the test's moto resources, as a deployment would).
BATCH_SAMPLE = {
    "Comment": "An example of the Amazon States Language for notification on an AWS Batch job completion",  # noqa: E501 (the sample's data as published)
    "StartAt": "Submit Batch Job",
    "TimeoutSeconds": 3600,
    "States": {
        "Submit Batch Job": {
            "Type": "Task",
            "Resource": "arn:aws:states:::batch:submitJob.sync",
            "Parameters": {
                "JobName": "BatchJobNotification",
                "JobQueue": "arn:aws:batch:us-east-1:123456789012:job-queue/BatchJobQueue-7049d367474b4dd",  # noqa: E501 (the sample's data as published)
                "JobDefinition": "arn:aws:batch:us-east-1:123456789012:job-definition/BatchJobDefinition-74d55ec34c4643c:1",  # noqa: E501 (the sample's data as published)
            },
            "Next": "Notify Success",
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Notify Failure"}],
        },
        "Notify Success": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sns:publish",
            "Parameters": {
                "Message": "Batch job submitted through Step Functions succeeded",
                "TopicArn": "arn:aws:sns:us-east-1:123456789012:batchjobnotificatiointemplate-SNSTopic-1J757CVBQ2KHM",  # noqa: E501 (the sample's data as published)
            },
            "End": True,
        },
        "Notify Failure": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sns:publish",
            "Parameters": {
                "Message": "Batch job submitted through Step Functions failed",
                "TopicArn": "arn:aws:sns:us-east-1:123456789012:batchjobnotificatiointemplate-SNSTopic-1J757CVBQ2KHM",  # noqa: E501 (the sample's data as published)
            },
            "End": True,
        },
    },
}


def test_batch_sample_project_end_to_end(
    moto_url: str, session: Any, batch_queue: tuple[str, str]
) -> None:
    queue, job_definition = batch_queue
    sns = session.client("sns", endpoint_url=moto_url)
    topic = sns.create_topic(Name="batchjobnotificatiointemplate-SNSTopic-1J757CVBQ2KHM")[
        "TopicArn"
    ]
    text = json.dumps(BATCH_SAMPLE)
    text = text.replace(BATCH_SAMPLE["States"]["Submit Batch Job"]["Parameters"]["JobQueue"], queue)
    text = text.replace(
        BATCH_SAMPLE["States"]["Submit Batch Job"]["Parameters"]["JobDefinition"], job_definition
    )
    # The real clock paces the run as AWS would (the job is external work throughout).
    ex = sfn.run(text, {}, boto3_session=session, aws_endpoint_url=moto_url)
    assert ex.status == "SUCCEEDED", ex.cause
    entered = [
        e["stateEnteredEventDetails"]["name"] for e in ex.history if "stateEnteredEventDetails" in e
    ]
    assert entered == ["Submit Batch Job", "Notify Success"]
    assert ex.output["MessageId"] and topic.endswith("1J757CVBQ2KHM")


# ------------------------------------------------------------------------------------------------
# Amazon ECS


@pytest.fixture(scope="module")
def ecs_cluster(moto_url: str, session: Any) -> str:
    ecs = session.client("ecs", endpoint_url=moto_url)
    cluster = ecs.create_cluster(clusterName="jobs")["cluster"]["clusterArn"]
    ecs.register_task_definition(
        family="report",
        networkMode="bridge",  # moto asks no network configuration then
        containerDefinitions=[
            {"name": "report", "image": "busybox", "essential": True, "memory": 512, "cpu": 256}
        ],
    )
    return cluster


def test_ecs_run_task_sync_and_stop_on_moto(moto_url: str, session: Any, ecs_cluster: str) -> None:
    params = {
        "Cluster": ecs_cluster,
        "TaskDefinition": "report",
        "LaunchType": "FARGATE",
        "Overrides": {"ContainerOverrides": [{"Name": "report", "Command": ["run", "--day", "1"]}]},
    }
    ex = sfn.run(task("ecs:runTask.sync", params), boto3_session=session, aws_endpoint_url=moto_url)
    assert ex.status == "SUCCEEDED", ex.cause
    assert ex.output["LastStatus"] == "STOPPED" and ex.output["ClusterArn"] == ecs_cluster
    # AWS marks the tasks it waits for as started by Step Functions.
    assert ex.output["StartedBy"] == "AWS Step Functions"
    assert ex.output["Overrides"]["ContainerOverrides"][0]["Command"] == ["run", "--day", "1"]

    _transition(moto_url, "ecs::task", progression="manual", times=10_000)  # keeps RUNNING
    try:
        with Runtime(clock="virtual", boto3_session=session, aws_endpoint_url=moto_url) as rt:
            arn = rt.create_state_machine(name="ecs", definition=task("ecs:runTask.sync", params))[
                "stateMachineArn"
            ]
            ex = _stop_when_submitted(rt, arn)
    finally:
        _unset(moto_url, "ecs::task")
    assert ex.status == "ABORTED"
    submitted = json.loads(
        next(e for e in ex.history if e["type"] == "TaskSubmitted")["taskSubmittedEventDetails"][
            "output"
        ]
    )
    task_arn = submitted["Tasks"][0]["TaskArn"]
    ecs = session.client("ecs", endpoint_url=moto_url)

    def stopped() -> bool:
        found = ecs.describe_tasks(cluster=ecs_cluster, tasks=[task_arn])["tasks"][0]
        return bool(found.get("stoppedReason"))

    _wait_for(stopped)
    found = ecs.describe_tasks(cluster=ecs_cluster, tasks=[task_arn])["tasks"][0]
    assert found["stoppedReason"] == "Execution was stopped by AWS Step Functions"


def test_ecs_sync_failures(session: Any) -> None:
    """A container exiting non-zero fails the Task; RunTask's Failures fail it at once."""
    task_arn = "arn:aws:ecs:us-east-1:123456789012:task/jobs/t1"
    cluster = "arn:aws:ecs:us-east-1:123456789012:cluster/jobs"
    described = {"taskArn": task_arn, "clusterArn": cluster, "lastStatus": "STOPPED"}
    answers: dict[str, Any] = {"failures": []}
    fake = FakeService(
        {
            "RunTask": lambda body: {"tasks": [described], "failures": answers["failures"]},
            "DescribeTasks": lambda body: {
                "tasks": [
                    {
                        **described,
                        "stopCode": "EssentialContainerExited",
                        "containers": [{"name": "report", "exitCode": 1, "lastStatus": "STOPPED"}],
                    }
                ],
                "failures": [],
            },
        }
    )
    try:
        definition = task("ecs:runTask.sync", {"Cluster": "jobs", "TaskDefinition": "report"})
        ex = sfn.run(definition, boto3_session=session, aws_endpoint_url={"ecs": fake.url})
        assert (ex.status, ex.error) == ("FAILED", "States.TaskFailed")
        assert json.loads(ex.cause)["Containers"][0]["ExitCode"] == 1
        assert dict(fake.calls)["RunTask"]["startedBy"] == "AWS Step Functions"

        answers["failures"] = [{"arn": cluster, "reason": "MISSING"}]
        ex = sfn.run(definition, boto3_session=session, aws_endpoint_url={"ecs": fake.url})
        assert (ex.status, ex.error) == ("FAILED", "AmazonECS.Unknown")
        assert json.loads(ex.cause) == [{"Arn": cluster, "Reason": "MISSING"}]
        # Request Response returns the Failures without failing (AWS's documented rule).
        definition = task("ecs:runTask", {"Cluster": "jobs", "TaskDefinition": "report"})
        ex = sfn.run(definition, boto3_session=session, aws_endpoint_url={"ecs": fake.url})
        assert ex.status == "SUCCEEDED" and ex.output["Failures"][0]["Reason"] == "MISSING"
    finally:
        fake.close()


# ------------------------------------------------------------------------------------------------
# Amazon Athena

# "Start an Athena query" sample project of the AWS Step Functions developer guide,
# awsdocs/aws-step-functions-developer-guide doc_source/sample-athena-query.md. Its two Lambda
# functions are Python functions here; the SNS topic is created in moto's account.
ATHENA_SAMPLE = {
    "StartAt": "Generate example log",
    "States": {
        "Generate example log": {
            "Resource": "arn:aws:lambda:us-east-1:111122223333:function:StepFunctionsSample-Athena-LambdaForDataGeneration-AKIAIOSFODNN7EXAMPLE",  # noqa: E501 (the sample's data as published)
            "Type": "Task",
            "Next": "Run Glue crawler",
        },
        "Run Glue crawler": {
            "Resource": "arn:aws:lambda:us-east-1:111122223333:function:StepFunctionsSample-Athen-LambdaForInvokingCrawler-AKIAI44QH8DHBEXAMPLE",  # noqa: E501 (the sample's data as published)
            "Type": "Task",
            "Next": "Start an Athena query",
        },
        "Start an Athena query": {
            "Resource": "arn:aws:states:::athena:startQueryExecution.sync",
            "Parameters": {
                "QueryString": 'SELECT * FROM "athena-sample-project-db-wJalrXUtnFEMI"."log" limit 1',  # noqa: E501 (the sample's data as published)
                "WorkGroup": "stepfunctions-athena-sample-project-workgroup-wJalrXUtnFEMI",
            },
            "Type": "Task",
            "Next": "Get query results",
        },
        "Get query results": {
            "Resource": "arn:aws:states:::athena:getQueryResults",
            "Parameters": {"QueryExecutionId.$": "$.QueryExecution.QueryExecutionId"},
            "Type": "Task",
            "Next": "Send query results",
        },
        "Send query results": {
            "Resource": "arn:aws:states:::sns:publish",
            "Parameters": {
                "TopicArn": "arn:aws:sns:us-east-1:111122223333:StepFunctionsSample-AthenaDataQueryd1111-2222-3333-777788889999-SNSTopic-ANPAJ2UCCR6DPCEXAMPLE",  # noqa: E501 (the sample's data as published)
                "Message": {"Input.$": "$.ResultSet.Rows"},
            },
            "Type": "Task",
            "End": True,
        },
    },
}


def test_athena_sample_project_end_to_end(moto_url: str, session: Any) -> None:
    athena = session.client("athena", endpoint_url=moto_url)
    athena.create_work_group(
        Name="stepfunctions-athena-sample-project-workgroup-wJalrXUtnFEMI",
        Configuration={"ResultConfiguration": {"OutputLocation": "s3://athena-results/"}},
    )
    sns = session.client("sns", endpoint_url=moto_url)
    topic_name = "StepFunctionsSample-AthenaDataQueryd1111-2222-3333-777788889999-SNSTopic-ANPAJ2UCCR6DPCEXAMPLE"  # noqa: E501 (the sample's data as published)
    topic = sns.create_topic(Name=topic_name)["TopicArn"]
    text = json.dumps(ATHENA_SAMPLE).replace(
        f"arn:aws:sns:us-east-1:111122223333:{topic_name}", topic
    )
    generated: list[str] = []
    functions = {
        "StepFunctionsSample-Athena-LambdaForDataGeneration-AKIAIOSFODNN7EXAMPLE": (
            lambda event, context: generated.append("log") or {}
        ),
        "StepFunctionsSample-Athen-LambdaForInvokingCrawler-AKIAI44QH8DHBEXAMPLE": (
            lambda event, context: {"crawler": "started"}
        ),
    }
    _transition(moto_url, "athena::execution", progression="manual", times=1)
    try:
        ex = sfn.run(
            text, {}, functions=functions, boto3_session=session, aws_endpoint_url=moto_url
        )
    finally:
        _unset(moto_url, "athena::execution")
    assert ex.status == "SUCCEEDED", ex.cause
    assert generated == ["log"]
    query = next(
        json.loads(e["taskSucceededEventDetails"]["output"])
        for e in ex.history
        if e["type"] == "TaskSucceeded"
        and e["taskSucceededEventDetails"]["resource"].startswith("startQuery")
    )
    assert query["QueryExecution"]["Status"]["State"] == "SUCCEEDED"
    assert query["QueryExecution"]["WorkGroup"].startswith("stepfunctions-athena")
    assert ex.output["MessageId"]


def test_athena_sync_stop_cancels_the_query(moto_url: str, session: Any) -> None:
    definition = task(
        "athena:startQueryExecution.sync", {"QueryString": "SELECT 1", "WorkGroup": "primary"}
    )
    _transition(moto_url, "athena::execution", progression="manual", times=10_000)
    try:
        with Runtime(clock="virtual", boto3_session=session, aws_endpoint_url=moto_url) as rt:
            arn = rt.create_state_machine(name="athena", definition=definition)["stateMachineArn"]
            ex = _stop_when_submitted(rt, arn)
    finally:
        _unset(moto_url, "athena::execution")
    assert ex.status == "ABORTED"
    submitted = next(e for e in ex.history if e["type"] == "TaskSubmitted")
    query_id = json.loads(submitted["taskSubmittedEventDetails"]["output"])["QueryExecutionId"]
    athena = session.client("athena", endpoint_url=moto_url)
    _wait_for(
        lambda: (
            athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"][
                "State"
            ]
            == "CANCELLED"
        )
    )


# ------------------------------------------------------------------------------------------------
# Nested Step Functions executions

WAITING_CHILD = task(
    "lambda:invoke.waitForTaskToken",
    {"FunctionName": "notify", "Payload": {"token.$": "$$.Task.Token"}},
)


@pytest.mark.parametrize("pattern", [".sync", ".sync:2"])
def test_stopping_the_parent_stops_its_sync_child(pattern: str) -> None:
    with Runtime(clock="virtual") as rt:
        rt.function("notify")(lambda event, context: None)  # nobody ever answers the token
        child = rt.create_state_machine(name="child", definition=WAITING_CHILD)["stateMachineArn"]
        parent = task(f"states:startExecution{pattern}", {"StateMachineArn": child, "Name": "kid"})
        arn = rt.create_state_machine(name="parent", definition=parent)["stateMachineArn"]
        ex = _stop_when_submitted(rt, arn)
        assert ex.status == "ABORTED"
        nested = rt.execution(child.replace(":stateMachine:", ":execution:") + ":kid").wait(10)
        assert nested.status == "ABORTED"
        assert types(nested)[-1] == "ExecutionAborted"


# ------------------------------------------------------------------------------------------------
# What is not run locally, and mocks


def test_unknown_and_not_local_integrations_say_what_to_do() -> None:
    ex = sfn.run(task("eks:runJob.sync", {"ClusterName": "c"}))
    assert (ex.status, ex.error) == ("FAILED", "States.Runtime")
    assert "eks:runJob.sync" in ex.cause and "Kubernetes" in ex.cause and "mock" in ex.cause
    ex = sfn.run(task("glue:startCrawler.sync", {"Name": "c"}))
    assert (ex.status, ex.error) == ("FAILED", "States.Runtime")
    assert (
        "The resource provided arn:aws:states:::glue:startCrawler.sync is not recognized"
        in ex.cause
    )
    assert "aws-sdk:glue:startCrawler" in ex.cause and "mocks=" in ex.cause
    ex = sfn.run(task("aws-sdk:glue:startCrawlr", {"Name": "c"}))
    assert "The AWS SDK has no API action 'glue:startCrawlr'" in ex.cause


def test_mocks_answer_sync_and_not_local_integrations() -> None:
    definition = {
        "StartAt": "Glue",
        "States": {
            "Glue": {
                "Type": "Task",
                "Resource": "arn:aws:states:::glue:startJobRun.sync",
                "Parameters": {"JobName": "etl"},
                "Next": "Kubernetes",
            },
            "Kubernetes": {
                "Type": "Task",
                "Resource": "arn:aws:states:::eks:runJob.sync",
                "Parameters": {"ClusterName": "c", "Job": {}},
                "ResultPath": "$.k8s",
                "End": True,
            },
        },
    }
    mocks = {
        "StateMachines": {
            "jobs": {"TestCases": {"Happy": {"Glue": "GlueDone", "Kubernetes": "K8s"}}}
        },
        "MockedResponses": {
            "GlueDone": {
                "0": {"Throw": {"Error": "States.TaskFailed", "Cause": '{"JobRunState":"FAILED"}'}},
                "1": {"Return": {"JobRunState": "SUCCEEDED", "Id": "jr_1"}},
            },
            "K8s": {"0": {"Return": {"status": {"succeeded": 1}}}},
        },
    }
    definition["States"]["Glue"]["Retry"] = [
        {"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 60, "MaxAttempts": 1}
    ]
    ex = sfn.run(definition, state_machine_name="jobs", mocks=mocks, test_case="Happy")
    assert ex.status == "SUCCEEDED", ex.cause
    assert ex.output == {
        "JobRunState": "SUCCEEDED",
        "Id": "jr_1",
        "k8s": {"status": {"succeeded": 1}},
    }


# The "velib_orchestrator" pipeline of epgpt11/projet-pipeline-velib, velib-terraform/main.tf
# (Terraform's references replaced by the names it deploys): a Lambda ingests, a Glue job cleans
# (.sync), then the SDK integration starts a crawler and a Choice loop polls it until READY.
GLUE_SAMPLE = {
    "Comment": "Velib full pipeline: ingest -> clean -> catalog",
    "StartAt": "InvokeIngestLambda",
    "States": {
        "InvokeIngestLambda": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "velib_ingest_lambda", "Payload": {}},
            "Next": "WaitForRaw",
        },
        "WaitForRaw": {"Type": "Wait", "Seconds": 15, "Next": "RunCleanJob"},
        "RunCleanJob": {
            "Type": "Task",
            "Resource": "arn:aws:states:::glue:startJobRun.sync",
            "Parameters": {"JobName": "velib_clean_job"},
            "Next": "StartCleanCrawler",
        },
        "StartCleanCrawler": {
            "Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:glue:startCrawler",
            "Parameters": {"Name": "velib_clean_crawler"},
            "Next": "WaitCrawler",
        },
        "WaitCrawler": {"Type": "Wait", "Seconds": 20, "Next": "GetCrawler"},
        "GetCrawler": {
            "Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:glue:getCrawler",
            "Parameters": {"Name": "velib_clean_crawler"},
            "Next": "CrawlerDone",
        },
        "CrawlerDone": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.Crawler.State", "StringEquals": "READY", "Next": "Success"}
            ],
            "Default": "WaitCrawler",
        },
        "Success": {"Type": "Succeed"},
    },
}


def test_glue_sample_pipeline_end_to_end(moto_url: str, session: Any) -> None:
    glue = session.client("glue", endpoint_url=moto_url)
    role = "arn:aws:iam::123456789012:role/LabRole"
    glue.create_job(
        Name="velib_clean_job",
        Role=role,
        Command={"Name": "glueetl", "ScriptLocation": "s3://velib/glue/scripts/velib_clean.py"},
    )
    glue.create_database(DatabaseInput={"Name": "velib_db_tf"})
    glue.create_crawler(
        Name="velib_clean_crawler",
        Role=role,
        DatabaseName="velib_db_tf",
        Targets={"S3Targets": [{"Path": "s3://velib/clean/source=velib/"}]},
    )
    snapshots: list[Any] = []
    functions = {"velib_ingest_lambda": lambda event, context: snapshots.append(event) or {"ok": 1}}
    _transition(moto_url, "glue::crawl", progression="immediate")  # done when next read
    try:
        ex = sfn.run(
            GLUE_SAMPLE, {}, functions=functions, boto3_session=session, aws_endpoint_url=moto_url
        )
    finally:
        _unset(moto_url, "glue::crawl")
    assert ex.status == "SUCCEEDED", ex.cause
    assert snapshots == [{}]
    job = next(e for e in ex.history if e["type"] == "TaskSubmitted")
    run_id = json.loads(job["taskSubmittedEventDetails"]["output"])["JobRunId"]
    assert (
        glue.get_job_run(JobName="velib_clean_job", RunId=run_id)["JobRun"]["JobRunState"]
        == "SUCCEEDED"
    )
    assert ex.output["Crawler"]["State"] == "READY"
    # The Waits took no wall time but their virtual seconds show in the timestamps.
    assert (ex.history[-1]["timestamp"] - ex.history[0]["timestamp"]).total_seconds() >= 35


def test_ecs_wait_for_task_token_on_moto(moto_url: str, session: Any, ecs_cluster: str) -> None:
    """``.waitForTaskToken``: the task is started (Request Response) with the token in its
    environment, and whoever runs it answers with SendTaskSuccess."""
    definition = task(
        "ecs:runTask.waitForTaskToken",
        {
            "Cluster": ecs_cluster,
            "TaskDefinition": "report",
            "LaunchType": "FARGATE",
            "Overrides": {
                "ContainerOverrides": [
                    {
                        "Name": "report",
                        "Environment": [{"Name": "TASK_TOKEN", "Value.$": "$$.Task.Token"}],
                    }
                ]
            },
        },
    )
    ecs = session.client("ecs", endpoint_url=moto_url)
    before = set(ecs.list_tasks(cluster=ecs_cluster)["taskArns"])
    with Runtime(clock="virtual", boto3_session=session, aws_endpoint_url=moto_url) as rt:
        arn = rt.create_state_machine(name="ecs-token", definition=definition)["stateMachineArn"]
        ex = rt.start(arn, {})
        _wait_for(lambda: set(ecs.list_tasks(cluster=ecs_cluster)["taskArns"]) - before != set())
        (started,) = set(ecs.list_tasks(cluster=ecs_cluster)["taskArns"]) - before
        found = ecs.describe_tasks(cluster=ecs_cluster, tasks=[started])["tasks"][0]
        env = found["overrides"]["containerOverrides"][0]["environment"]
        token = next(item["value"] for item in env if item["name"] == "TASK_TOKEN")
        rt.send_task_success(taskToken=token, output='{"rows": 12}')
        ex.wait(10)
    assert ex.status == "SUCCEEDED", ex.cause
    assert ex.output == {"rows": 12}
