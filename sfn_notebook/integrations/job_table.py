"""The table of AWS's optimized job integrations: one row per service action.

A row (:class:`Action`) names the API call a Resource makes and how Step Functions' parameters
become that call's; its :class:`Job` says how ``.sync`` waits as AWS does: the describe/get call
polled, the status field, the states that end the job well or badly, the output, and the call
that stops the job. :mod:`.optimized` runs the rows.

Sources: the Step Functions developer guide's "connect-<service>" pages and the IAM policies it
generates for ``.sync`` (they name the describe and stop calls, e.g. Glue's GetJobRun and
BatchStopJobRun, Batch's DescribeJobs and TerminateJob). Error prefixes follow the AWS SDK for
Java v1 clients (``Glue.``, ``Batch.``, ``ECS.``); ``AmazonECS.Unknown`` is documented.

>>> ACTIONS[("batch", "submitJob")].sync.stop
'TerminateJob'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sfn_notebook.integrations.aws import ErrorNaming

Params = dict[str, Any]


def getter(path: str) -> Callable[[Any], Any]:
    """A getter for ``"A.B[0].C"`` in PascalCase JSON (None where anything is missing)."""
    steps: list[str | int] = []
    for part in path.split("."):
        name, _, index = part.partition("[")
        steps.append(name)
        if index:
            steps.append(int(index.rstrip("]")))

    def get(value: Any) -> Any:
        for step in steps:
            if isinstance(step, int):
                value = value[step] if isinstance(value, list) and len(value) > step else None
            else:
                value = value.get(step) if isinstance(value, Mapping) else None
        return value

    return get


def _ask(**fields: str) -> Callable[[Params, Params], Params]:
    """Build a describe/stop request from the Task's parameters and the start call's response.

    Values are ``"params.<path>"`` or ``"started.<path>"``; a trailing ``[]`` wraps it in a list.
    """
    getters = []
    for name, source in fields.items():
        listed = source.endswith("[]")
        where, _, path = source.removesuffix("[]").partition(".")
        getters.append((name, where, getter(path), listed))

    def build(params: Params, started: Params) -> Params:
        out = {}
        for name, where, get, listed in getters:
            value = get(params if where == "params" else started)
            out[name] = [value] if listed else value
        return out

    return build


@dataclass(frozen=True)
class Job:
    """How ``.sync`` waits for a job, as AWS implements it for one action."""

    describe: str  # the API call polled
    request: Callable[[Params, Params], Params]  # (task parameters, start response) -> request
    status: str  # path of the status field in the describe response
    succeeded: frozenset[str]
    failed: frozenset[str]
    output: str = ""  # path of what the Task returns ("" = the whole describe response)
    stop: str | None = None  # the API call that stops the job
    stop_request: Callable[[Params, Params], Params] | None = None
    # A job that ended "well" may still have failed (ECS: an essential container's exit code).
    check: Callable[[Any], bool] | None = None
    gone_ok: bool = False  # a delete: "not found" while polling means done
    # (start call's result, output) -> what the Task returns, when not the output alone
    finish: Callable[[Params, Any], Any] | None = None


@dataclass(frozen=True)
class Action:
    """One row: a Step Functions action and the API call it makes."""

    boto: str
    op: str
    naming: ErrorNaming
    sync: Job | None = None
    # (parameters, pattern, context object) -> the API's parameters
    request: Callable[[Params, str, Mapping[str, Any]], Params] | None = None
    result: Callable[[Params, Params], Params] | None = None  # (response, parameters) -> result
    metadata: bool = True
    # (result) -> (error, cause) when a successful call still fails the Task (EventBridge's
    # FailedEntryCount), else None.
    refuse: Callable[[Params], tuple[str, str] | None] | None = None


def _naming(prefix: str, client: str) -> ErrorNaming:
    """SDK v1 naming: ``Glue.EntityNotFoundException``, generic ``Glue.AWSGlueException``."""
    return ErrorNaming(prefix, f"{client}Exception", client, v1=True)


def _terminal(*names: str) -> frozenset[str]:
    return frozenset(names)


def _ecs_ok(task: Any) -> bool:
    """An ECS task ends well when every essential container exited 0 (AWS fails the Task else)."""
    if not isinstance(task, Mapping):
        return False
    for container in task.get("Containers") or []:
        code = container.get("ExitCode")
        if code not in (None, 0):
            return False
    return task.get("StopCode") not in ("TaskFailedToStart",)


def _ecs_request(params: Params, pattern: str, context: Mapping[str, Any]) -> Params:
    # AWS tags the tasks it waits for as started by Step Functions.
    if pattern and "StartedBy" not in params:
        return {**params, "StartedBy": "AWS Step Functions"}
    return params


def _rename(**names: str) -> Callable[[Params, str, Mapping[str, Any]], Params]:
    """Parameters under other names in the API (``ClusterId`` -> ``JobFlowId``); ``Key[]``
    targets a one-item list."""

    def request(params: Params, pattern: str, context: Mapping[str, Any]) -> Params:
        out = dict(params)
        for ours, theirs in names.items():
            if ours in out:
                value = out.pop(ours)
                listed = theirs.endswith("[]")
                out[theirs.removesuffix("[]")] = [value] if listed else value
        return out

    return request


_GLUE = _naming("Glue", "AWSGlue")
_BATCH = _naming("Batch", "AWSBatch")
_ECS = _naming("ECS", "AmazonECS")
_ATHENA = _naming("Athena", "AmazonAthena")
_EMR = _naming("EMR", "AmazonElasticMapReduce")
_EMR_SERVERLESS = _naming("EMRServerless", "AWSEMRServerless")
_EMR_CONTAINERS = _naming("EMRContainers", "AmazonEMRContainers")
_SAGEMAKER = _naming("SageMaker", "AmazonSageMaker")
_CODEBUILD = _naming("CodeBuild", "AWSCodeBuild")
_DATABREW = _naming("DataBrew", "AWSGlueDataBrew")
_MEDIACONVERT = _naming("MediaConvert", "AWSMediaConvert")
BEDROCK_NAMING = _BEDROCK = _naming("Bedrock", "AmazonBedrock")
_EKS = _naming("EKS", "AmazonEKS")


def _sagemaker_job(kind: str, name_key: str) -> Action:
    """``sagemaker:create<Kind>Job``: Describe<Kind>Job until <Kind>JobStatus ends."""
    return Action(
        "sagemaker",
        f"Create{kind}Job",
        _SAGEMAKER,
        Job(
            f"Describe{kind}Job",
            _ask(**{name_key: f"params.{name_key}"}),
            f"{kind}JobStatus",
            _terminal("Completed"),
            _terminal("Failed", "Stopped"),
            stop=f"Stop{kind}Job",
            stop_request=_ask(**{name_key: f"params.{name_key}"}),
        ),
    )


def _codebuild_batch(op: str) -> Action:
    return Action(
        "codebuild",
        op,
        _CODEBUILD,
        Job(
            "BatchGetBuildBatches",
            _ask(Ids="started.BuildBatch.Id[]"),
            "BuildBatches[0].BuildBatchStatus",
            _terminal("SUCCEEDED"),
            _terminal("FAILED", "FAULT", "STOPPED", "TIMED_OUT"),
            output="BuildBatches[0]",
            finish=lambda started, batch: {"BuildBatch": batch},
            stop="StopBuildBatch",
            stop_request=_ask(Id="started.BuildBatch.Id"),
        ),
    )


def _emr_serverless_app(op: str, done: str) -> Action:
    return Action(
        "emr-serverless",
        op,
        _EMR_SERVERLESS,
        Job(
            "GetApplication",
            _ask(ApplicationId="params.ApplicationId"),
            "Application.State",
            _terminal(done),
            _terminal("TERMINATED") if done != "TERMINATED" else frozenset(),
            gone_ok=done == "TERMINATED",
        ),
    )


def _emr_cluster_ids(response: Params, params: Params) -> Params:
    """createCluster answers ``ClusterId`` where RunJobFlow says ``JobFlowId``."""
    out = {key: value for key, value in response.items() if key != "ResponseMetadata"}
    if "JobFlowId" in out:
        out["ClusterId"] = out.pop("JobFlowId")
    return out


# createCluster.sync waits for the cluster to be up and returns its ids with the cluster
# described (workflows read both ``ClusterId`` and ``Cluster.Id`` of its result). AWS does not
# terminate the cluster when the execution stops ("connect-emr"): no stop call.
_EMR_CLUSTER = Job(
    "DescribeCluster",
    _ask(ClusterId="started.ClusterId"),
    "Cluster.Status.State",
    _terminal("WAITING", "RUNNING"),
    _terminal("TERMINATED", "TERMINATED_WITH_ERRORS"),
    output="Cluster",
    finish=lambda started, cluster: {**started, "Cluster": cluster},
)

ACTIONS: dict[tuple[str, str], Action] = {
    # AWS Glue
    ("glue", "startJobRun"): Action(
        "glue",
        "StartJobRun",
        _GLUE,
        Job(
            "GetJobRun",
            _ask(JobName="params.JobName", RunId="started.JobRunId"),
            "JobRun.JobRunState",
            _terminal("SUCCEEDED", "STOPPED"),
            _terminal("FAILED", "TIMEOUT", "ERROR"),
            output="JobRun",
            stop="BatchStopJobRun",
            stop_request=_ask(JobName="params.JobName", JobRunIds="started.JobRunId[]"),
        ),
        # AWS: "The JobName field is extracted from the request and inserted into the response".
        result=lambda response, params: {
            **{key: value for key, value in response.items() if key != "ResponseMetadata"},
            "JobName": params.get("JobName"),
        },
    ),
    # AWS Batch
    ("batch", "submitJob"): Action(
        "batch",
        "SubmitJob",
        _BATCH,
        Job(
            "DescribeJobs",
            _ask(Jobs="started.JobId[]"),
            "Jobs[0].Status",
            _terminal("SUCCEEDED"),
            _terminal("FAILED"),
            output="Jobs[0]",
            stop="TerminateJob",
            stop_request=lambda params, started: {
                "JobId": started.get("JobId"),
                "Reason": "Execution was stopped by AWS Step Functions",
            },
        ),
    ),
    # Amazon ECS / Fargate
    ("ecs", "runTask"): Action(
        "ecs",
        "RunTask",
        _ECS,
        Job(
            "DescribeTasks",
            _ask(Cluster="started.Tasks[0].ClusterArn", Tasks="started.Tasks[0].TaskArn[]"),
            "Tasks[0].LastStatus",
            _terminal("STOPPED"),
            frozenset(),
            output="Tasks[0]",
            stop="StopTask",
            stop_request=lambda params, started: {
                "Cluster": getter("Tasks[0].ClusterArn")(started),
                "Task": getter("Tasks[0].TaskArn")(started),
                "Reason": "Execution was stopped by AWS Step Functions",
            },
            check=_ecs_ok,
        ),
        request=_ecs_request,
    ),
    # Amazon Athena
    ("athena", "startQueryExecution"): Action(
        "athena",
        "StartQueryExecution",
        _ATHENA,
        Job(
            "GetQueryExecution",
            _ask(QueryExecutionId="started.QueryExecutionId"),
            "QueryExecution.Status.State",
            _terminal("SUCCEEDED"),
            _terminal("FAILED", "CANCELLED"),
            stop="StopQueryExecution",
            stop_request=_ask(QueryExecutionId="started.QueryExecutionId"),
        ),
    ),
    ("athena", "stopQueryExecution"): Action("athena", "StopQueryExecution", _ATHENA),
    ("athena", "getQueryExecution"): Action("athena", "GetQueryExecution", _ATHENA),
    ("athena", "getQueryResults"): Action("athena", "GetQueryResults", _ATHENA),
    # Amazon EMR
    ("elasticmapreduce", "createCluster"): Action(
        "emr", "RunJobFlow", _EMR, _EMR_CLUSTER, result=_emr_cluster_ids
    ),
    ("elasticmapreduce", "terminateCluster"): Action(
        "emr",
        "TerminateJobFlows",
        _EMR,
        Job(
            "DescribeCluster",
            _ask(ClusterId="params.ClusterId"),
            "Cluster.Status.State",
            _terminal("TERMINATED", "TERMINATED_WITH_ERRORS"),
            frozenset(),
            output="Cluster",
        ),
        request=_rename(ClusterId="JobFlowIds[]"),
    ),
    ("elasticmapreduce", "addStep"): Action(
        "emr",
        "AddJobFlowSteps",
        _EMR,
        Job(
            "DescribeStep",
            _ask(ClusterId="params.ClusterId", StepId="started.StepId"),
            "Step.Status.State",
            _terminal("COMPLETED"),
            _terminal("FAILED", "CANCELLED", "INTERRUPTED"),
            output="Step",
            stop="CancelSteps",
            stop_request=_ask(ClusterId="params.ClusterId", StepIds="started.StepId[]"),
        ),
        request=_rename(ClusterId="JobFlowId", Step="Steps[]"),
        result=lambda response, params: {"StepId": (response.get("StepIds") or [None])[0]},
    ),
    ("elasticmapreduce", "cancelStep"): Action(
        "emr", "CancelSteps", _EMR, request=_rename(StepId="StepIds[]")
    ),
    ("elasticmapreduce", "setClusterTerminationProtection"): Action(
        "emr", "SetTerminationProtection", _EMR, request=_rename(ClusterId="JobFlowIds[]")
    ),
    # Amazon EMR Serverless
    ("emr-serverless", "createApplication"): Action(
        "emr-serverless",
        "CreateApplication",
        _EMR_SERVERLESS,
        Job(
            "GetApplication",
            _ask(ApplicationId="started.ApplicationId"),
            "Application.State",
            # Created once past CREATING: an application with AutoStartConfiguration may
            # already be starting or started when first described.
            _terminal("CREATED", "STARTING", "STARTED", "STOPPING", "STOPPED"),
            _terminal("TERMINATED"),
        ),
    ),
    ("emr-serverless", "startApplication"): _emr_serverless_app("StartApplication", "STARTED"),
    ("emr-serverless", "stopApplication"): _emr_serverless_app("StopApplication", "STOPPED"),
    ("emr-serverless", "deleteApplication"): _emr_serverless_app("DeleteApplication", "TERMINATED"),
    ("emr-serverless", "startJobRun"): Action(
        "emr-serverless",
        "StartJobRun",
        _EMR_SERVERLESS,
        Job(
            "GetJobRun",
            _ask(ApplicationId="params.ApplicationId", JobRunId="started.JobRunId"),
            "JobRun.State",
            _terminal("SUCCESS"),
            _terminal("FAILED", "CANCELLED"),
            stop="CancelJobRun",
            stop_request=_ask(ApplicationId="params.ApplicationId", JobRunId="started.JobRunId"),
        ),
    ),
    ("emr-serverless", "cancelJobRun"): Action(
        "emr-serverless",
        "CancelJobRun",
        _EMR_SERVERLESS,
        Job(
            "GetJobRun",
            _ask(ApplicationId="params.ApplicationId", JobRunId="params.JobRunId"),
            "JobRun.State",
            _terminal("CANCELLED", "SUCCESS", "FAILED"),
            frozenset(),
        ),
    ),
    # Amazon EMR on EKS
    ("emr-containers", "createVirtualCluster"): Action(
        "emr-containers", "CreateVirtualCluster", _EMR_CONTAINERS
    ),
    ("emr-containers", "deleteVirtualCluster"): Action(
        "emr-containers",
        "DeleteVirtualCluster",
        _EMR_CONTAINERS,
        Job(
            "DescribeVirtualCluster",
            _ask(Id="params.Id"),
            "VirtualCluster.State",
            _terminal("TERMINATED"),
            _terminal("ARRESTED"),
            gone_ok=True,
        ),
    ),
    ("emr-containers", "startJobRun"): Action(
        "emr-containers",
        "StartJobRun",
        _EMR_CONTAINERS,
        Job(
            "DescribeJobRun",
            _ask(Id="started.Id", VirtualClusterId="params.VirtualClusterId"),
            "JobRun.State",
            _terminal("COMPLETED"),
            _terminal("FAILED", "CANCELLED"),
            stop="CancelJobRun",
            stop_request=_ask(Id="started.Id", VirtualClusterId="params.VirtualClusterId"),
        ),
    ),
    # Amazon SageMaker
    ("sagemaker", "createTrainingJob"): _sagemaker_job("Training", "TrainingJobName"),
    ("sagemaker", "createTransformJob"): _sagemaker_job("Transform", "TransformJobName"),
    ("sagemaker", "createProcessingJob"): _sagemaker_job("Processing", "ProcessingJobName"),
    ("sagemaker", "createLabelingJob"): _sagemaker_job("Labeling", "LabelingJobName"),
    ("sagemaker", "createHyperParameterTuningJob"): _sagemaker_job(
        "HyperParameterTuning", "HyperParameterTuningJobName"
    ),
    ("sagemaker", "createModel"): Action("sagemaker", "CreateModel", _SAGEMAKER),
    ("sagemaker", "createEndpointConfig"): Action("sagemaker", "CreateEndpointConfig", _SAGEMAKER),
    ("sagemaker", "createEndpoint"): Action("sagemaker", "CreateEndpoint", _SAGEMAKER),
    ("sagemaker", "updateEndpoint"): Action("sagemaker", "UpdateEndpoint", _SAGEMAKER),
    # AWS CodeBuild
    ("codebuild", "startBuild"): Action(
        "codebuild",
        "StartBuild",
        _CODEBUILD,
        Job(
            "BatchGetBuilds",
            _ask(Ids="started.Build.Id[]"),
            "Builds[0].BuildStatus",
            _terminal("SUCCEEDED"),
            _terminal("FAILED", "FAULT", "STOPPED", "TIMED_OUT"),
            output="Builds[0]",
            # {"Build": ...}: AWS's CodeBuild sample project reads $.Build.ReportArns.
            finish=lambda started, build: {"Build": build},
            stop="StopBuild",
            stop_request=_ask(Id="started.Build.Id"),
        ),
    ),
    ("codebuild", "stopBuild"): Action("codebuild", "StopBuild", _CODEBUILD),
    ("codebuild", "batchDeleteBuilds"): Action("codebuild", "BatchDeleteBuilds", _CODEBUILD),
    ("codebuild", "batchGetReports"): Action("codebuild", "BatchGetReports", _CODEBUILD),
    ("codebuild", "startBuildBatch"): _codebuild_batch("StartBuildBatch"),
    ("codebuild", "retryBuildBatch"): _codebuild_batch("RetryBuildBatch"),
    ("codebuild", "stopBuildBatch"): Action("codebuild", "StopBuildBatch", _CODEBUILD),
    ("codebuild", "deleteBuildBatch"): Action("codebuild", "DeleteBuildBatch", _CODEBUILD),
    # AWS Glue DataBrew
    ("databrew", "startJobRun"): Action(
        "databrew",
        "StartJobRun",
        _DATABREW,
        Job(
            "DescribeJobRun",
            _ask(Name="params.Name", RunId="started.RunId"),
            "State",
            _terminal("SUCCEEDED"),
            _terminal("FAILED", "STOPPED", "TIMEOUT"),
            stop="StopJobRun",
            stop_request=_ask(Name="params.Name", RunId="started.RunId"),
        ),
    ),
    # AWS Elemental MediaConvert
    ("mediaconvert", "createJob"): Action(
        "mediaconvert",
        "CreateJob",
        _MEDIACONVERT,
        Job(
            "GetJob",
            _ask(Id="started.Job.Id"),
            "Job.Status",
            _terminal("COMPLETE"),
            _terminal("ERROR", "CANCELED"),
            stop="CancelJob",
            stop_request=_ask(Id="started.Job.Id"),
        ),
    ),
    # Amazon Bedrock (invokeModel, with its S3 Input/Output, is bedrock.py)
    ("bedrock", "createModelCustomizationJob"): Action(
        "bedrock",
        "CreateModelCustomizationJob",
        _BEDROCK,
        Job(
            "GetModelCustomizationJob",
            _ask(JobIdentifier="started.JobArn"),
            "Status",
            _terminal("Completed"),
            _terminal("Failed", "Stopped"),
            stop="StopModelCustomizationJob",
            stop_request=_ask(JobIdentifier="started.JobArn"),
        ),
    ),
    # Amazon EKS (the cluster APIs; runJob and call talk to Kubernetes, see NOT_LOCAL)
    ("eks", "createCluster"): Action(
        "eks",
        "CreateCluster",
        _EKS,
        Job(
            "DescribeCluster",
            _ask(Name="params.Name"),
            "Cluster.Status",
            _terminal("ACTIVE"),
            _terminal("FAILED"),
        ),
    ),
    ("eks", "deleteCluster"): Action(
        "eks",
        "DeleteCluster",
        _EKS,
        Job(
            "DescribeCluster",
            _ask(Name="params.Name"),
            "Cluster.Status",
            frozenset(),
            _terminal("FAILED"),
            gone_ok=True,
        ),
    ),
    ("eks", "createNodegroup"): Action(
        "eks",
        "CreateNodegroup",
        _EKS,
        Job(
            "DescribeNodegroup",
            _ask(ClusterName="params.ClusterName", NodegroupName="params.NodegroupName"),
            "Nodegroup.Status",
            _terminal("ACTIVE"),
            _terminal("CREATE_FAILED", "DEGRADED"),
        ),
    ),
    ("eks", "deleteNodegroup"): Action(
        "eks",
        "DeleteNodegroup",
        _EKS,
        Job(
            "DescribeNodegroup",
            _ask(ClusterName="params.ClusterName", NodegroupName="params.NodegroupName"),
            "Nodegroup.Status",
            frozenset(),
            _terminal("DELETE_FAILED"),
            gone_ok=True,
        ),
    ),
    ("eks", "createFargateProfile"): Action(
        "eks",
        "CreateFargateProfile",
        _EKS,
        Job(
            "DescribeFargateProfile",
            _ask(ClusterName="params.ClusterName", FargateProfileName="params.FargateProfileName"),
            "FargateProfile.Status",
            _terminal("ACTIVE"),
            _terminal("CREATE_FAILED"),
        ),
    ),
    ("eks", "deleteFargateProfile"): Action(
        "eks",
        "DeleteFargateProfile",
        _EKS,
        Job(
            "DescribeFargateProfile",
            _ask(ClusterName="params.ClusterName", FargateProfileName="params.FargateProfileName"),
            "FargateProfile.Status",
            frozenset(),
            _terminal("DELETE_FAILED"),
            gone_ok=True,
        ),
    ),
}

#: Actions of AWS's optimized list that need more than an AWS API endpoint, and why.
NOT_LOCAL: dict[tuple[str, str], str] = {
    ("eks", "runJob"): "it runs a Kubernetes Job through the cluster's Kubernetes API",
    ("eks", "call"): "it calls the cluster's Kubernetes API",
    ("elasticmapreduce", "modifyInstanceFleetByName"): "it resolves an instance fleet by name",
    ("elasticmapreduce", "modifyInstanceGroupByName"): "it resolves an instance group by name",
}
