"""Amazon EKS's cluster APIs and Amazon EMR on EKS (virtual clusters and job runs) through the
optimized integrations, against moto's server over real HTTP; moto's EMR on EKS job runs never
end, so a small server speaking its REST protocol checks ``startJobRun.sync``.
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

ROLE = "arn:aws:iam::123456789012:role/eks"
SUBNETS = ["subnet-1", "subnet-2"]


def _run(session: Any, url: str, resource: str, params: dict[str, Any]) -> Any:
    ex = sfn.run(task(resource, params), boto3_session=session, aws_endpoint_url=url)
    assert ex.status == "SUCCEEDED", ex.cause
    return ex


def test_eks_clusters_nodegroups_and_fargate_profiles_on_moto(moto_url: str, session: Any) -> None:
    eks = session.client("eks", endpoint_url=moto_url)
    vpc = {"SubnetIds": SUBNETS}
    ex = _run(
        session,
        moto_url,
        "eks:createCluster.sync",
        {"Name": "jobs", "RoleArn": ROLE, "ResourcesVpcConfig": vpc},
    )
    assert types(ex)[4:6] == ["TaskSubmitted", "TaskSucceeded"]
    assert (ex.output["Cluster"]["Name"], ex.output["Cluster"]["Status"]) == ("jobs", "ACTIVE")

    ex = _run(
        session,
        moto_url,
        "eks:createNodegroup.sync",
        {"ClusterName": "jobs", "NodegroupName": "workers", "NodeRole": ROLE, "Subnets": SUBNETS},
    )
    assert ex.output["Nodegroup"]["Status"] == "ACTIVE"
    ex = _run(
        session,
        moto_url,
        "eks:createFargateProfile.sync",
        {
            "ClusterName": "jobs",
            "FargateProfileName": "batch",
            "PodExecutionRoleArn": ROLE,
            "Selectors": [{"Namespace": "batch"}],
        },
    )
    assert ex.output["FargateProfile"]["Status"] == "ACTIVE"

    ex = _run(
        session,
        moto_url,
        "eks:deleteFargateProfile.sync",
        {"ClusterName": "jobs", "FargateProfileName": "batch"},
    )
    ex = _run(
        session,
        moto_url,
        "eks:deleteNodegroup.sync",
        {"ClusterName": "jobs", "NodegroupName": "workers"},
    )
    ex = _run(session, moto_url, "eks:deleteCluster.sync", {"Name": "jobs"})
    # Done when the cluster is gone: the Task returns what DeleteCluster answered.
    assert eks.list_clusters()["clusters"] == []
    assert ex.output["Cluster"]["Name"] == "jobs"


def test_emr_on_eks_on_moto(moto_url: str, session: Any) -> None:
    emr = session.client("emr-containers", endpoint_url=moto_url)
    ex = _run(
        session,
        moto_url,
        "emr-containers:createVirtualCluster",
        {
            "Name": "spark",
            "ContainerProvider": {
                "Id": "jobs",
                "Type": "EKS",
                "Info": {"EksInfo": {"Namespace": "spark"}},
            },
        },
    )
    cluster = ex.output["Id"]
    assert ex.output["Name"] == "spark" and "SdkHttpMetadata" in ex.output

    driver = {"SparkSubmitJobDriver": {"EntryPoint": "s3://code/job.py"}}
    ex = _run(
        session,
        moto_url,
        "emr-containers:startJobRun",
        {
            "VirtualClusterId": cluster,
            "Name": "nightly",
            "ExecutionRoleArn": ROLE,
            "ReleaseLabel": "emr-6.15.0-latest",
            "JobDriver": driver,
        },
    )
    run_id = ex.output["Id"]
    assert ex.output["VirtualClusterId"] == cluster
    state = emr.describe_job_run(virtualClusterId=cluster, id=run_id)["jobRun"]["state"]
    assert state == "RUNNING"

    ex = _run(session, moto_url, "emr-containers:deleteVirtualCluster.sync", {"Id": cluster})
    state = emr.describe_virtual_cluster(id=cluster)["virtualCluster"]["state"]
    assert state == "TERMINATED"
    assert ex.output["VirtualCluster"]["State"] == "TERMINATED"

    # EMR on EKS's optimized actions are these three; others are the SDK integration's.
    ex = sfn.run(
        task("emr-containers:cancelJobRun", {"VirtualClusterId": cluster, "Id": run_id}),
        boto3_session=session,
        aws_endpoint_url=moto_url,
    )
    assert (ex.status, ex.error) == ("FAILED", "States.Runtime")
    assert "aws-sdk:emr-containers:cancelJobRun" in ex.cause


def test_emr_on_eks_job_run_sync_failure_and_stop(session: Any) -> None:
    state = {"state": "COMPLETED"}
    path = "/virtualclusters/vc1/jobruns/jr1"

    def job_run(body: dict[str, Any]) -> dict[str, Any]:
        return {
            "jobRun": {
                "id": "jr1",
                "virtualClusterId": "vc1",
                **state,
                "failureReason": "USER_ERROR",
            }
        }

    fake = FakeService(
        {
            "/virtualclusters/vc1/jobruns": lambda body: {"id": "jr1", "virtualClusterId": "vc1"},
            f"GET {path}": job_run,
            f"DELETE {path}": lambda body: {"id": "jr1", "virtualClusterId": "vc1"},
        }
    )
    endpoints = {"emr-containers": fake.url}
    start = task(
        "emr-containers:startJobRun.sync",
        {
            "VirtualClusterId": "vc1",
            "ExecutionRoleArn": ROLE,
            "ReleaseLabel": "emr-6.15.0-latest",
            "JobDriver": {"SparkSubmitJobDriver": {"EntryPoint": "s3://code/job.py"}},
        },
    )
    try:
        ex = sfn.run(start, boto3_session=session, aws_endpoint_url=endpoints)
        assert ex.status == "SUCCEEDED", ex.cause
        assert ex.output["JobRun"]["State"] == "COMPLETED"
        assert fake.ops() == ["/virtualclusters/vc1/jobruns", f"GET {path}"]

        state["state"] = "FAILED"
        ex = sfn.run(start, boto3_session=session, aws_endpoint_url=endpoints)
        assert (ex.status, ex.error) == ("FAILED", "States.TaskFailed")
        assert json.loads(ex.cause or "")["JobRun"]["FailureReason"] == "USER_ERROR"

        state["state"] = "RUNNING"
        fake.calls.clear()
        with Runtime(clock="virtual", boto3_session=session, aws_endpoint_url=endpoints) as rt:
            arn = rt.create_state_machine(name="run", definition=start)["stateMachineArn"]
            assert _stop_when_submitted(rt, arn).status == "ABORTED"
        _wait_for(lambda: f"DELETE {path}" in fake.ops())
    finally:
        fake.close()
