"""Amazon EMR's optimized integration (createCluster, addStep, terminateCluster, cancelStep,
setClusterTerminationProtection) against moto's server over real HTTP; where moto cannot end a
step (its steps stay RUNNING), a small server speaking EMR's JSON protocol answers instead.
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

CLUSTER = {
    "Name": "nightly",
    "ReleaseLabel": "emr-6.15.0",
    "Applications": [{"Name": "Spark"}],
    "ServiceRole": "EMR_DefaultRole",
    "JobFlowRole": "EMR_EC2_DefaultRole",
    "Instances": {
        "KeepJobFlowAliveWhenNoSteps": True,
        "InstanceFleets": [
            {
                "InstanceFleetType": "MASTER",
                "TargetOnDemandCapacity": 1,
                "InstanceTypeConfigs": [{"InstanceType": "m5.xlarge"}],
            }
        ],
    },
}

STEP = {
    "Name": "spark",
    "ActionOnFailure": "CONTINUE",
    "HadoopJarStep": {"Jar": "command-runner.jar", "Args": ["spark-submit", "job.py"]},
}


def test_emr_cluster_lifecycle_on_moto(moto_url: str, session: Any) -> None:
    emr = session.client("emr", endpoint_url=moto_url)

    def run(resource: str, params: dict[str, Any]) -> Any:
        ex = sfn.run(task(resource, params), boto3_session=session, aws_endpoint_url=moto_url)
        assert ex.status == "SUCCEEDED", ex.cause
        return ex

    # Request Response: the cluster's ids, ClusterId where RunJobFlow says JobFlowId.
    ex = run("elasticmapreduce:createCluster", CLUSTER)
    assert ex.output["ClusterId"].startswith("j-") and "JobFlowId" not in ex.output
    assert ex.output["ClusterArn"].endswith(ex.output["ClusterId"])
    assert "TaskSubmitted" not in types(ex)

    # .sync waits until the cluster is up (WAITING): the ids, and the cluster described.
    ex = run("elasticmapreduce:createCluster.sync", {**CLUSTER, "Name": "synced"})
    assert types(ex)[4:6] == ["TaskSubmitted", "TaskSucceeded"]
    cluster_id = ex.output["ClusterId"]
    assert ex.output["Cluster"]["Id"] == cluster_id
    assert ex.output["Cluster"]["Status"]["State"] == "WAITING"
    assert ex.output["Cluster"]["Name"] == "synced"

    ex = run(
        "elasticmapreduce:setClusterTerminationProtection",
        {"ClusterId": cluster_id, "TerminationProtected": True},
    )
    assert emr.describe_cluster(ClusterId=cluster_id)["Cluster"]["TerminationProtected"] is True
    assert set(ex.output) == {"SdkHttpMetadata", "SdkResponseMetadata"}
    run(
        "elasticmapreduce:setClusterTerminationProtection",
        {"ClusterId": cluster_id, "TerminationProtected": False},
    )

    ex = run("elasticmapreduce:addStep", {"ClusterId": cluster_id, "Step": STEP})
    step_id = ex.output["StepId"]
    step = emr.describe_step(ClusterId=cluster_id, StepId=step_id)["Step"]
    assert step["Config"]["Args"] == ["spark-submit", "job.py"]

    ex = run("elasticmapreduce:terminateCluster.sync", {"ClusterId": cluster_id})
    assert ex.output["Status"]["State"] == "TERMINATED" and ex.output["Id"] == cluster_id
    state = emr.describe_cluster(ClusterId=cluster_id)["Cluster"]["Status"]["State"]
    assert state == "TERMINATED"


def test_emr_steps_sync_cancel_and_stop(session: Any) -> None:
    step_state = {"State": "COMPLETED"}

    def describe_step(body: dict[str, Any]) -> dict[str, Any]:
        status: dict[str, Any] = {
            "State": step_state["State"],
            "Timeline": {"StartDateTime": 1.7e9},
        }
        if step_state["State"] == "FAILED":
            status["FailureDetails"] = {"Reason": "Unknown Error."}
        return {"Step": {"Id": body["StepId"], "Name": "spark", "Status": status}}

    fake = FakeService(
        {
            "AddJobFlowSteps": lambda body: {"StepIds": ["s-1"]},
            "DescribeStep": describe_step,
            "CancelSteps": lambda body: {
                "CancelStepsInfoList": [{"StepId": "s-1", "Status": "SUBMITTED", "Reason": ""}]
            },
            "RunJobFlow": lambda body: {"JobFlowId": "j-1", "ClusterArn": "arn:emr:j-1"},
            "DescribeCluster": lambda body: {
                "Cluster": {"Id": body["ClusterId"], "Status": {"State": "STARTING"}}
            },
            "TerminateJobFlows": lambda body: {},
        }
    )
    endpoints = {"emr": fake.url}
    add = task("elasticmapreduce:addStep.sync", {"ClusterId": "j-1", "Step": STEP})
    try:
        ex = sfn.run(add, boto3_session=session, aws_endpoint_url=endpoints)
        assert ex.status == "SUCCEEDED", ex.cause
        assert ex.output["Status"]["State"] == "COMPLETED" and ex.output["Id"] == "s-1"
        assert ex.output["Status"]["Timeline"]["StartDateTime"] == 1700000000000
        # The Task's ClusterId and Step are the API's JobFlowId and one-item Steps.
        assert fake.calls[0] == ("AddJobFlowSteps", {"JobFlowId": "j-1", "Steps": [STEP]})
        assert fake.calls[1] == ("DescribeStep", {"ClusterId": "j-1", "StepId": "s-1"})
        submitted = json.loads(ex.history[4]["taskSubmittedEventDetails"]["output"])
        assert submitted["StepId"] == "s-1"

        step_state["State"] = "FAILED"
        ex = sfn.run(add, boto3_session=session, aws_endpoint_url=endpoints)
        assert (ex.status, ex.error) == ("FAILED", "States.TaskFailed")
        assert json.loads(ex.cause)["Status"]["FailureDetails"]["Reason"] == "Unknown Error."

        fake.calls.clear()
        cancel = task("elasticmapreduce:cancelStep", {"ClusterId": "j-1", "StepId": "s-1"})
        ex = sfn.run(cancel, boto3_session=session, aws_endpoint_url=endpoints)
        assert ex.status == "SUCCEEDED", ex.cause
        assert fake.calls == [("CancelSteps", {"ClusterId": "j-1", "StepIds": ["s-1"]})]
        assert ex.output["CancelStepsInfoList"][0]["Status"] == "SUBMITTED"

        # Stopping the execution cancels a step it waits for...
        step_state["State"] = "RUNNING"
        fake.calls.clear()
        with Runtime(clock="virtual", boto3_session=session, aws_endpoint_url=endpoints) as rt:
            arn = rt.create_state_machine(name="step", definition=add)["stateMachineArn"]
            assert _stop_when_submitted(rt, arn).status == "ABORTED"
            _wait_for(lambda: "CancelSteps" in fake.ops())
            assert dict(fake.calls)["CancelSteps"] == {"ClusterId": "j-1", "StepIds": ["s-1"]}

            # ... but leaves a cluster it creates running: AWS does not terminate it.
            fake.calls.clear()
            create = task("elasticmapreduce:createCluster.sync", CLUSTER)
            arn = rt.create_state_machine(name="cluster", definition=create)["stateMachineArn"]
            ex = _stop_when_submitted(rt, arn)
        assert ex.status == "ABORTED"
        assert "TerminateJobFlows" not in fake.ops() and fake.ops()[0] == "RunJobFlow"
        assert ("DescribeCluster", {"ClusterId": "j-1"}) in fake.calls
    finally:
        fake.close()
