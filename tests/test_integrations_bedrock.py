"""Amazon Bedrock's optimized integrations: ``bedrock:invokeModel`` (with Step Functions' S3
``Input`` / ``Output`` fields) against moto's server over real HTTP (moto's InvokeModel answers
``{}``), ``createModelCustomizationJob(.sync)`` on moto, and mocks answering all of them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

import sfn_notebook as sfn

REGION = "us-east-1"
MODEL = "anthropic.claude-3-haiku-20240307-v1:0"


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(scope="module")
def session() -> Any:
    return boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    )


def invoke(parameters: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "StartAt": "Ask",
        "States": {
            "Ask": {
                "Type": "Task",
                "Resource": "arn:aws:states:::bedrock:invokeModel",
                "Parameters": parameters,
                "End": True,
                **extra,
            }
        },
    }


def test_invoke_model_with_a_json_body_on_moto(moto_url: str, session: Any) -> None:
    body = {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 10, "messages": []}
    ex = sfn.run(
        invoke({"ModelId": MODEL, "Body": body}),
        boto3_session=session,
        aws_endpoint_url=moto_url,
    )
    assert ex.status == "SUCCEEDED", (ex.error, ex.cause)
    # moto's model answers an empty JSON object; the Task parses the body, as AWS does.
    assert ex.output == {"Body": {}, "ContentType": "application/json"}
    scheduled = next(e for e in ex.history if e["type"] == "TaskScheduled")
    details = scheduled["taskScheduledEventDetails"]
    assert (details["resourceType"], details["resource"]) == ("bedrock", "invokeModel")
    assert json.loads(details["parameters"])["Body"] == body


def test_input_and_output_in_local_buckets(moto_url: str, session: Any, tmp_path: Path) -> None:
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / "p.json").write_text('{"inputText": "hello"}')
    ex = sfn.run(
        invoke(
            {
                "ModelId": MODEL,
                "Input": {"S3Uri": "s3://work/prompts/p.json"},
                "Output": {"S3Uri.$": "$.target"},
            }
        ),
        {"target": "s3://work/answers/a.json"},
        boto3_session=session,
        aws_endpoint_url=moto_url,
        buckets={"work": tmp_path},
    )
    assert ex.status == "SUCCEEDED", (ex.error, ex.cause)
    # The body went to S3; the result refers to it.
    assert ex.output == {
        "Body": {"S3Uri": "s3://work/answers/a.json"},
        "ContentType": "application/json",
    }
    assert json.loads((tmp_path / "answers" / "a.json").read_text()) == {}


def test_input_from_s3_on_moto_and_a_missing_object(moto_url: str, session: Any) -> None:
    s3 = session.client("s3", endpoint_url=moto_url)
    s3.create_bucket(Bucket="prompts")
    s3.put_object(
        Bucket="prompts", Key="p.json", Body=b'{"inputText": "hi"}', ContentType="application/json"
    )
    ex = sfn.run(
        invoke({"ModelId": MODEL, "Input": {"S3Uri": "s3://prompts/p.json"}}),
        boto3_session=session,
        aws_endpoint_url=moto_url,
    )
    assert ex.status == "SUCCEEDED", (ex.error, ex.cause)
    assert ex.output["Body"] == {}

    ex = sfn.run(
        invoke({"ModelId": MODEL, "Input": {"S3Uri": "s3://prompts/missing.json"}}),
        boto3_session=session,
        aws_endpoint_url=moto_url,
    )
    assert ex.status == "FAILED"
    assert ex.error == "States.TaskFailed"
    assert "s3://prompts/missing.json" in ex.cause and "NoSuchKey" in ex.cause


def test_body_and_input_together_fail_the_execution(moto_url: str, session: Any) -> None:
    definition = invoke(
        {"ModelId": MODEL, "Body": {}, "Input": {"S3Uri": "s3://b/k"}},
        Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
    )
    definition["States"]["Ask"].pop("End")
    definition["States"]["Ask"]["Next"] = "Caught"
    definition["States"]["Caught"] = {"Type": "Succeed"}
    ex = sfn.run(definition, boto3_session=session, aws_endpoint_url=moto_url)
    assert ex.status == "FAILED"  # States.Runtime is never caught
    assert ex.error == "States.Runtime"
    assert "'Ask'" in ex.cause and "Body and Input" in ex.cause


def test_a_model_error_is_named_bedrock(moto_url: str, session: Any) -> None:
    # moto parses a JSON ContentType's body: text that is not JSON makes it fail the call.
    ex = sfn.run(
        invoke({"ModelId": MODEL, "Body": "not json", "ContentType": "application/json"}),
        boto3_session=session,
        aws_endpoint_url=moto_url,
    )
    assert ex.status == "FAILED"
    assert ex.error.startswith("Bedrock.")


def test_without_aws_access_the_model_cannot_run_and_says_what_to_do() -> None:
    ex = sfn.run(invoke({"ModelId": MODEL, "Body": {"inputText": "hi"}}))
    assert ex.status == "FAILED"
    assert ex.error == "States.Runtime"
    assert "bedrock:invokeModel" in ex.cause and "'Ask'" in ex.cause
    assert "mocks=" in ex.cause and "aws_endpoint_url" in ex.cause


def test_model_customization_job_on_moto(moto_url: str, session: Any) -> None:
    params = {
        "JobName": "tune",
        "CustomModelName": "tuned",
        "RoleArn": "arn:aws:iam::123456789012:role/bedrock",
        "BaseModelIdentifier": "amazon.titan-text-express-v1",
        "TrainingDataConfig": {"S3Uri": "s3://data/train.jsonl"},
        "OutputDataConfig": {"S3Uri": "s3://data/out/"},
        "HyperParameters": {"epochCount": "1"},
    }
    definition = invoke(params)
    definition["States"]["Ask"]["Resource"] = "arn:aws:states:::bedrock:createModelCustomizationJob"
    ex = sfn.run(definition, boto3_session=session, aws_endpoint_url=moto_url)
    assert ex.status == "SUCCEEDED", (ex.error, ex.cause)
    assert ex.output["JobArn"].startswith("arn:aws:bedrock:")
    assert "SdkHttpMetadata" in ex.output


def test_mocks_answer_every_bedrock_resource() -> None:
    definition = {
        "StartAt": "Ask",
        "States": {
            "Ask": {
                "Type": "Task",
                "Resource": "arn:aws:states:::bedrock:invokeModel",
                "Parameters": {"ModelId": MODEL, "Input": {"S3Uri": "s3://b/p.json"}},
                "ResultPath": "$.answer",
                "Next": "Tune",
            },
            "Tune": {
                "Type": "Task",
                "Resource": "arn:aws:states:::bedrock:createModelCustomizationJob.sync",
                "Parameters": {"JobName": "j"},
                "ResultPath": "$.job",
                "Next": "Review",
            },
            "Review": {
                "Type": "Task",
                "Resource": "arn:aws:states:::bedrock:invokeModel.waitForTaskToken",
                "Parameters": {"ModelId": MODEL, "Body": {"token.$": "$$.Task.Token"}},
                "ResultPath": "$.review",
                "End": True,
            },
        },
    }
    mocks = {
        "StateMachines": {
            "ai": {"TestCases": {"Happy": {"Ask": "Answer", "Tune": "Tuned", "Review": "Ok"}}}
        },
        "MockedResponses": {
            "Answer": {"0": {"Return": {"Body": {"text": "hi"}, "ContentType": "x"}}},
            "Tuned": {"0": {"Return": {"Status": "Completed"}}},
            "Ok": {"0": {"Return": {"approved": True}}},
        },
    }
    ex = sfn.run(definition, {}, state_machine_name="ai", mocks=mocks, test_case="Happy")
    assert ex.status == "SUCCEEDED", ex.cause
    assert ex.output == {
        "answer": {"Body": {"text": "hi"}, "ContentType": "x"},
        "job": {"Status": "Completed"},
        "review": {"approved": True},
    }
