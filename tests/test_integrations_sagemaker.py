"""Amazon SageMaker's optimized integration: training, transform and processing jobs (Request
Response and ``.sync``) and the model/endpoint calls against moto's server over real HTTP (its
jobs complete at once); a small server speaking SageMaker's JSON protocol makes a job fail or keep
running, to check ``.sync``'s failure and stop.
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

ROLE = "arn:aws:iam::123456789012:role/sagemaker"
IMAGE = "382416733822.dkr.ecr.us-east-1.amazonaws.com/xgboost:latest"

TRAINING = {
    "TrainingJobName": "train-1",
    "AlgorithmSpecification": {"TrainingImage": IMAGE, "TrainingInputMode": "File"},
    "RoleArn": ROLE,
    "OutputDataConfig": {"S3OutputPath": "s3://models/out"},
    "ResourceConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 5},
    "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
    "HyperParameters": {"max_depth": "5"},
}


def test_sagemaker_jobs_and_endpoints_on_moto(moto_url: str, session: Any) -> None:
    sagemaker = session.client("sagemaker", endpoint_url=moto_url)

    def run(resource: str, params: dict[str, Any]) -> Any:
        ex = sfn.run(task(resource, params), boto3_session=session, aws_endpoint_url=moto_url)
        assert ex.status == "SUCCEEDED", ex.cause
        return ex

    ex = run("sagemaker:createTrainingJob", TRAINING)
    assert ex.output["TrainingJobArn"].endswith("training-job/train-1")
    assert "TaskSubmitted" not in types(ex) and "SdkHttpMetadata" in ex.output

    ex = run("sagemaker:createTrainingJob.sync", {**TRAINING, "TrainingJobName": "train-2"})
    assert types(ex)[4:6] == ["TaskSubmitted", "TaskSucceeded"]
    assert (ex.output["TrainingJobName"], ex.output["TrainingJobStatus"]) == (
        "train-2",
        "Completed",
    )
    assert ex.output["HyperParameters"] == {"max_depth": "5"}
    assert isinstance(ex.output["CreationTime"], int)  # epoch milliseconds, as AWS's SDK v1

    model = {
        "ModelName": "model-1",
        "PrimaryContainer": {"Image": IMAGE, "ModelDataUrl": "s3://models/out/model.tar.gz"},
        "ExecutionRoleArn": ROLE,
    }
    ex = run("sagemaker:createModel", model)
    assert ex.output["ModelArn"].endswith("model/model-1")

    transform = {
        "TransformJobName": "transform-1",
        "ModelName": "model-1",
        "TransformInput": {
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://data/in"}}
        },
        "TransformOutput": {"S3OutputPath": "s3://data/out"},
        "TransformResources": {"InstanceType": "ml.m5.large", "InstanceCount": 1},
    }
    ex = run("sagemaker:createTransformJob.sync", transform)
    assert (ex.output["TransformJobName"], ex.output["TransformJobStatus"]) == (
        "transform-1",
        "Completed",
    )

    processing = {
        "ProcessingJobName": "process-1",
        "ProcessingResources": {
            "ClusterConfig": {
                "InstanceCount": 1,
                "InstanceType": "ml.m5.large",
                "VolumeSizeInGB": 5,
            }
        },
        "AppSpecification": {"ImageUri": IMAGE},
        "RoleArn": ROLE,
        "StoppingCondition": {"MaxRuntimeInSeconds": 600},
    }
    ex = run("sagemaker:createProcessingJob.sync", processing)
    assert ex.output["ProcessingJobStatus"] == "Completed"

    tuning = {
        "HyperParameterTuningJobName": "tune-1",
        "HyperParameterTuningJobConfig": {
            "Strategy": "Bayesian",
            "ResourceLimits": {"MaxNumberOfTrainingJobs": 2, "MaxParallelTrainingJobs": 1},
        },
        "TrainingJobDefinition": {
            "AlgorithmSpecification": {"TrainingImage": IMAGE, "TrainingInputMode": "File"},
            "RoleArn": ROLE,
            "OutputDataConfig": {"S3OutputPath": "s3://models/tune"},
            "ResourceConfig": TRAINING["ResourceConfig"],
            "StoppingCondition": {"MaxRuntimeInSeconds": 600},
        },
    }
    ex = run("sagemaker:createHyperParameterTuningJob.sync", tuning)
    assert ex.output["HyperParameterTuningJobStatus"] == "Completed"
    assert ex.output["HyperParameterTuningJobName"] == "tune-1"

    variant = {
        "VariantName": "v1",
        "ModelName": "model-1",
        "InitialInstanceCount": 1,
        "InstanceType": "ml.m5.large",
    }
    for name in ("config-1", "config-2"):
        ex = run(
            "sagemaker:createEndpointConfig",
            {"EndpointConfigName": name, "ProductionVariants": [variant]},
        )
        assert ex.output["EndpointConfigArn"].endswith(f"endpoint-config/{name}")
    ex = run(
        "sagemaker:createEndpoint", {"EndpointName": "endpoint-1", "EndpointConfigName": "config-1"}
    )
    assert ex.output["EndpointArn"].endswith("endpoint/endpoint-1")
    endpoint = sagemaker.describe_endpoint(EndpointName="endpoint-1")
    assert endpoint["EndpointConfigName"] == "config-1"

    ex = sfn.run(
        task("sagemaker:createEndpoint", {"EndpointName": "e", "EndpointConfigName": "nope"}),
        boto3_session=session,
        aws_endpoint_url=moto_url,
    )
    assert (ex.status, ex.error) == ("FAILED", "SageMaker.AmazonSageMakerException")
    assert "Could not find endpoint configuration" in ex.cause
    assert "Service: AmazonSageMaker; Status Code: 400; Error Code: ValidationException" in ex.cause


def test_sagemaker_sync_failure_stop_and_update_endpoint(session: Any) -> None:
    job = {"TrainingJobStatus": "Failed"}

    def describe(body: dict[str, Any]) -> dict[str, Any]:
        return {
            "TrainingJobName": body["TrainingJobName"],
            "TrainingJobArn": "arn:aws:sagemaker:us-east-1:123456789012:training-job/t",
            "TrainingJobStatus": job["TrainingJobStatus"],
            "SecondaryStatus": "Failed",
            "FailureReason": "AlgorithmError: out of memory",
            "CreationTime": 1700000000.0,
        }

    fake = FakeService(
        {
            "CreateTrainingJob": lambda body: {"TrainingJobArn": "arn:t"},
            "DescribeTrainingJob": describe,
            "StopTrainingJob": lambda body: {},
            "UpdateEndpoint": lambda body: {"EndpointArn": "arn:aws:sagemaker:::endpoint/e"},
            "CreateLabelingJob": lambda body: {"LabelingJobArn": "arn:l"},
            "DescribeLabelingJob": lambda body: {
                "LabelingJobName": body["LabelingJobName"],
                "LabelingJobStatus": "Completed",
                "LabelCounters": {"TotalLabeled": 10},
            },
        }
    )
    endpoints = {"sagemaker": fake.url}
    train = task("sagemaker:createTrainingJob.sync", TRAINING)
    try:
        ex = sfn.run(train, boto3_session=session, aws_endpoint_url=endpoints)
        assert (ex.status, ex.error) == ("FAILED", "States.TaskFailed")
        cause = json.loads(ex.cause or "")
        assert cause["FailureReason"] == "AlgorithmError: out of memory"
        assert cause["CreationTime"] == 1700000000000
        assert fake.calls[1] == ("DescribeTrainingJob", {"TrainingJobName": "train-1"})

        job["TrainingJobStatus"] = "Stopped"  # stopped from outside: the Task fails too
        ex = sfn.run(train, boto3_session=session, aws_endpoint_url=endpoints)
        assert (ex.status, ex.error) == ("FAILED", "States.TaskFailed")

        job["TrainingJobStatus"] = "InProgress"
        fake.calls.clear()
        with Runtime(clock="virtual", boto3_session=session, aws_endpoint_url=endpoints) as rt:
            arn = rt.create_state_machine(name="train", definition=train)["stateMachineArn"]
            assert _stop_when_submitted(rt, arn).status == "ABORTED"
        _wait_for(lambda: "StopTrainingJob" in fake.ops())
        assert dict(fake.calls)["StopTrainingJob"] == {"TrainingJobName": "train-1"}

        update = {"EndpointName": "e", "EndpointConfigName": "config-2"}
        ex = sfn.run(
            task("sagemaker:updateEndpoint", update),
            boto3_session=session,
            aws_endpoint_url=endpoints,
        )
        assert ex.status == "SUCCEEDED", ex.cause
        assert ex.output["EndpointArn"] == "arn:aws:sagemaker:::endpoint/e"
        assert fake.calls[-1] == ("UpdateEndpoint", update)

        labeling = {
            "LabelingJobName": "label-1",
            "LabelAttributeName": "label",
            "InputConfig": {"DataSource": {"S3DataSource": {"ManifestS3Uri": "s3://data/m"}}},
            "OutputConfig": {"S3OutputPath": "s3://data/labels"},
            "RoleArn": ROLE,
            "HumanTaskConfig": {
                "WorkteamArn": "arn:aws:sagemaker:us-east-1:123456789012:workteam/private/t",
                "UiConfig": {"UiTemplateS3Uri": "s3://data/ui.html"},
                "TaskTitle": "Label",
                "TaskDescription": "Label images",
                "NumberOfHumanWorkersPerDataObject": 1,
                "TaskTimeLimitInSeconds": 300,
            },
        }
        ex = sfn.run(
            task("sagemaker:createLabelingJob.sync", labeling),
            boto3_session=session,
            aws_endpoint_url=endpoints,
        )
        assert ex.status == "SUCCEEDED", ex.cause
        assert ex.output["LabelCounters"] == {"TotalLabeled": 10}
        assert fake.calls[-1] == ("DescribeLabelingJob", {"LabelingJobName": "label-1"})
    finally:
        fake.close()
