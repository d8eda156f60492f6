"""AWS CodeBuild's optimized integration: startBuild (Request Response and ``.sync``) and
stopBuild against moto's server over real HTTP (its builds succeed when first described); a small
server speaking CodeBuild's JSON protocol makes a build fail or keep running, serves the calls
moto lacks (batchGetReports, build batches) and runs AWS's CodeBuild sample project.
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


def test_codebuild_builds_on_moto(moto_url: str, session: Any) -> None:
    codebuild = session.client("codebuild", endpoint_url=moto_url)
    codebuild.create_project(
        name="tests",
        source={"type": "S3", "location": "code/src.zip"},
        artifacts={"type": "NO_ARTIFACTS"},
        environment={
            "type": "LINUX_CONTAINER",
            "image": "aws/codebuild/standard:7.0",
            "computeType": "BUILD_GENERAL1_SMALL",
        },
        serviceRole="arn:aws:iam::123456789012:role/codebuild",
    )

    def run(resource: str, params: dict[str, Any]) -> Any:
        ex = sfn.run(task(resource, params), boto3_session=session, aws_endpoint_url=moto_url)
        assert ex.status == "SUCCEEDED", ex.cause
        return ex

    ex = run("codebuild:startBuild", {"ProjectName": "tests", "SourceVersion": "v1"})
    build_id = ex.output["Build"]["Id"]
    assert ex.output["Build"]["BuildStatus"] == "IN_PROGRESS"
    assert ex.output["Build"]["SourceVersion"] == "v1" and "SdkHttpMetadata" in ex.output
    assert isinstance(ex.output["Build"]["StartTime"], int)  # epoch milliseconds (SDK v1)

    ex = run("codebuild:stopBuild", {"Id": build_id})
    assert (ex.output["Build"]["Id"], ex.output["Build"]["BuildStatus"]) == (build_id, "STOPPED")

    ex = run("codebuild:startBuild.sync", {"ProjectName": "tests"})
    assert types(ex)[4:6] == ["TaskSubmitted", "TaskSucceeded"]
    submitted = json.loads(ex.history[4]["taskSubmittedEventDetails"]["output"])
    # The build as BatchGetBuilds last described it, under "Build" as StartBuild's response.
    assert set(ex.output) == {"Build"}
    assert ex.output["Build"]["Id"] == submitted["Build"]["Id"]
    assert ex.output["Build"]["BuildStatus"] == "SUCCEEDED"
    assert ex.output["Build"]["ProjectName"] == "tests"

    ex = sfn.run(
        task("codebuild:startBuild.sync", {"ProjectName": "nowhere"}),
        boto3_session=session,
        aws_endpoint_url=moto_url,
    )
    assert (ex.status, ex.error) == ("FAILED", "CodeBuild.ResourceNotFoundException")
    assert "Project cannot be found" in ex.cause and "Service: AWSCodeBuild" in ex.cause


# "Start a CodeBuild build" sample project of the AWS Step Functions developer guide,
# awsdocs/aws-step-functions-developer-guide doc_source/sample-project-codebuild.md (its topic ARN
# replaced by the test's).
CODEBUILD_SAMPLE = {
    "Comment": "An example of using CodeBuild to run tests, get test results and send a notification.",  # noqa: E501 (the sample's data as published)
    "StartAt": "Trigger CodeBuild Build",
    "States": {
        "Trigger CodeBuild Build": {
            "Type": "Task",
            "Resource": "arn:aws:states:::codebuild:startBuild.sync",
            "Parameters": {"ProjectName": "CodeBuildProject-Dtw1jBhEYGDf"},
            "Next": "Get Test Results",
        },
        "Get Test Results": {
            "Type": "Task",
            "Resource": "arn:aws:states:::codebuild:batchGetReports",
            "Parameters": {"ReportArns.$": "$.Build.ReportArns"},
            "Next": "All Tests Passed?",
        },
        "All Tests Passed?": {
            "Type": "Choice",
            "Choices": [
                {
                    "Variable": "$.Reports[0].Status",
                    "StringEquals": "SUCCEEDED",
                    "Next": "Notify Success",
                }
            ],
            "Default": "Notify Failure",
        },
        "Notify Success": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sns:publish",
            "Parameters": {"Message": "CodeBuild build tests succeeded", "TopicArn": "TOPIC"},
            "End": True,
        },
        "Notify Failure": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sns:publish",
            "Parameters": {"Message": "CodeBuild build tests failed", "TopicArn": "TOPIC"},
            "End": True,
        },
    },
}


def test_codebuild_sample_failure_stop_and_batches(moto_url: str, session: Any) -> None:
    build = {"buildStatus": "SUCCEEDED"}
    report = "arn:aws:codebuild:us-east-1:123456789012:report/tests:1"

    def described(build_id: str, status: str) -> dict[str, Any]:
        return {"id": build_id, "buildStatus": status, "reportArns": [report], "startTime": 1.7e9}

    fake = FakeService(
        {
            "StartBuild": lambda body: {"build": described("b:1", "IN_PROGRESS")},
            "BatchGetBuilds": lambda body: {
                "builds": [described(body["ids"][0], build["buildStatus"])]
            },
            "StopBuild": lambda body: {"build": described(body["id"], "STOPPED")},
            "BatchGetReports": lambda body: {
                "reports": [{"arn": body["reportArns"][0], "status": "SUCCEEDED"}]
            },
            "StartBuildBatch": lambda body: {"buildBatch": {"id": "bb:1"}},
            "RetryBuildBatch": lambda body: {"buildBatch": {"id": body["id"]}},
            "StopBuildBatch": lambda body: {
                "buildBatch": {"id": body["id"], "buildBatchStatus": "STOPPED"}
            },
            "DeleteBuildBatch": lambda body: {"statusCode": "200", "buildsDeleted": ["b:1"]},
            "BatchDeleteBuilds": lambda body: {"buildsDeleted": body["ids"]},
            "BatchGetBuildBatches": lambda body: {
                "buildBatches": [{"id": body["ids"][0], "buildBatchStatus": build["buildStatus"]}]
            },
        }
    )
    sns = session.client("sns", endpoint_url=moto_url)
    topic = sns.create_topic(Name="codebuild-sample")["TopicArn"]
    endpoints = {"codebuild": fake.url, "sns": moto_url}
    try:
        sample = json.dumps(CODEBUILD_SAMPLE).replace("TOPIC", topic)
        ex = sfn.run(sample, {}, boto3_session=session, aws_endpoint_url=endpoints)
        assert ex.status == "SUCCEEDED", ex.cause
        entered = [
            e["stateEnteredEventDetails"]["name"]
            for e in ex.history
            if "stateEnteredEventDetails" in e
        ]
        assert entered[-1] == "Notify Success" and ex.output["MessageId"]
        assert ("BatchGetReports", {"reportArns": [report]}) in fake.calls

        build["buildStatus"] = "FAILED"
        start = task("codebuild:startBuild.sync", {"ProjectName": "tests"})
        ex = sfn.run(start, boto3_session=session, aws_endpoint_url=endpoints)
        assert (ex.status, ex.error) == ("FAILED", "States.TaskFailed")
        cause = json.loads(ex.cause or "")
        assert (cause["BuildStatus"], cause["StartTime"]) == ("FAILED", 1700000000000)

        build["buildStatus"] = "IN_PROGRESS"
        fake.calls.clear()
        with Runtime(clock="virtual", boto3_session=session, aws_endpoint_url=endpoints) as rt:
            arn = rt.create_state_machine(name="build", definition=start)["stateMachineArn"]
            assert _stop_when_submitted(rt, arn).status == "ABORTED"
        _wait_for(lambda: "StopBuild" in fake.ops())
        assert dict(fake.calls)["StopBuild"] == {"id": "b:1"}

        build["buildStatus"] = "SUCCEEDED"
        batch = task("codebuild:startBuildBatch.sync", {"ProjectName": "tests"})
        ex = sfn.run(batch, boto3_session=session, aws_endpoint_url=endpoints)
        assert ex.status == "SUCCEEDED", ex.cause
        assert ex.output == {"BuildBatch": {"Id": "bb:1", "BuildBatchStatus": "SUCCEEDED"}}
        assert fake.calls[-1] == ("BatchGetBuildBatches", {"ids": ["bb:1"]})

        retry = task("codebuild:retryBuildBatch.sync", {"Id": "bb:1"})
        ex = sfn.run(retry, boto3_session=session, aws_endpoint_url=endpoints)
        assert ex.status == "SUCCEEDED", ex.cause
        assert ex.output["BuildBatch"]["BuildBatchStatus"] == "SUCCEEDED"

        calls = [
            ("codebuild:stopBuildBatch", {"Id": "bb:1"}, "StopBuildBatch"),
            ("codebuild:deleteBuildBatch", {"Id": "bb:1"}, "DeleteBuildBatch"),
            ("codebuild:batchDeleteBuilds", {"Ids": ["b:1"]}, "BatchDeleteBuilds"),
        ]
        for resource, params, op in calls:
            ex = sfn.run(task(resource, params), boto3_session=session, aws_endpoint_url=endpoints)
            assert ex.status == "SUCCEEDED", ex.cause
            assert fake.ops()[-1] == op and "SdkHttpMetadata" in ex.output
        assert ex.output["BuildsDeleted"] == ["b:1"]
    finally:
        fake.close()
