"""AWS's optimized integrations that start jobs, as one table: one row per service action.

A row says which API call a Resource makes (``glue:startJobRun`` is Glue's ``StartJobRun``), how
Step Functions' parameters become that call's (mostly unchanged: the API's PascalCase names),
and, for ``.sync``, how AWS waits for the job: the describe/get call it polls, the status field,
the states that end the job well or badly, what the Task returns, and the call that stops the
job when the Task is cancelled (execution stopped, Task timed out, a sibling branch failed).

* Request Response returns the API's response with ``SdkHttpMetadata`` / ``SdkResponseMetadata``
  and timestamps as epoch milliseconds, as AWS's optimized integrations (AWS SDK for Java v1) do.
* ``.sync`` records ``TaskSubmitted`` with the start call's response, then polls. A job that
  ends badly fails the Task with ``States.TaskFailed`` and the job's description as the cause.
* ``.waitForTaskToken`` wraps any row (``callbacks.py``).
* Errors from the service are ``<Prefix>.<Exception>`` with the SDK v1 cause (``aws.py``).

Actions of AWS's list that cannot run locally (Kubernetes calls, API Gateway's invoke, EMR's
modify-by-name calls) resolve to a resource that fails naming the resource and what to do;
a mock test case still answers them.

>>> ACTIONS[("glue", "startJobRun")].sync.describe
'GetJobRun'
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sfn_notebook.engine.history import dumps
from sfn_notebook.engine.resources import (
    SERVICE_ARN,
    ResourceRegistry,
    TaskCall,
    TaskFailure,
    TaskResource,
)
from sfn_notebook.errors import StatesError
from sfn_notebook.integrations.aws import (
    ErrorNaming,
    clock_external,
    epoch_millis,
    from_boto,
    remaining,
    sdk_metadata,
    service_model,
)
from sfn_notebook.integrations.http import HttpInvoke
from sfn_notebook.integrations.services import Services, _ServiceResource

Params = dict[str, Any]
#: The first poll of a ``.sync`` job comes this soon; the gap doubles up to the maximum.
POLL_FIRST, POLL_MAX = 0.05, 5.0


def _get(path: str) -> Callable[[Any], Any]:
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
        getters.append((name, where, _get(path), listed))

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


@dataclass(frozen=True)
class Action:
    """One row: a Step Functions action and the API call it makes."""

    boto: str
    op: str
    naming: ErrorNaming
    sync: Job | None = None
    request: Callable[[Params, str], Params] | None = None  # (parameters, pattern) -> API params
    result: Callable[[Params, Params], Params] | None = None  # (response, parameters) -> result
    metadata: bool = True


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


def _ecs_request(params: Params, pattern: str) -> Params:
    # AWS tags the tasks it waits for as started by Step Functions.
    if pattern and "StartedBy" not in params:
        return {**params, "StartedBy": "AWS Step Functions"}
    return params


def _rename(**names: str) -> Callable[[Params, str], Params]:
    """Parameters under other names in the API (``ClusterId`` -> ``JobFlowId``); ``Key[]``
    targets a one-item list."""

    def request(params: Params, pattern: str) -> Params:
        out = dict(params)
        for ours, theirs in names.items():
            if ours in out:
                value = out.pop(ours)
                listed = theirs.endswith("[]")
                out[theirs.removesuffix("[]")] = [value] if listed else value
        return out

    return request


def _bedrock_invoke(params: Params, pattern: str) -> Params:
    body = params.get("Body")
    if body is not None and not isinstance(body, str | bytes):
        params = {**params, "Body": json.dumps(body, separators=(",", ":"))}
    return params


def _bedrock_result(response: Params, params: Params) -> Params:
    """InvokeModel's Body as JSON (AWS parses it for the state), with its content type."""
    body = response.get("Body")
    if isinstance(body, bytes | bytearray):
        text = bytes(body).decode("utf-8", "replace")
        with contextlib.suppress(ValueError):
            return {"Body": json.loads(text), "ContentType": response.get("ContentType")}
        return {"Body": text, "ContentType": response.get("ContentType")}
    return {key: value for key, value in response.items() if key != "ResponseMetadata"}


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
_BEDROCK = _naming("Bedrock", "AmazonBedrock")
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


_EMR_CLUSTER = Job(
    "DescribeCluster",
    _ask(ClusterId="started.JobFlowId"),
    "Cluster.Status.State",
    _terminal("WAITING", "RUNNING"),
    _terminal("TERMINATED", "TERMINATED_WITH_ERRORS"),
    output="Cluster",
    stop="TerminateJobFlows",
    stop_request=_ask(JobFlowIds="started.JobFlowId[]"),
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
                "Cluster": _get("Tasks[0].ClusterArn")(started),
                "Task": _get("Tasks[0].TaskArn")(started),
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
    ("elasticmapreduce", "createCluster"): Action("emr", "RunJobFlow", _EMR, _EMR_CLUSTER),
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
            _ask(ClusterId="params.ClusterId", StepId="started.StepIds[0]"),
            "Step.Status.State",
            _terminal("COMPLETED"),
            _terminal("FAILED", "CANCELLED", "INTERRUPTED"),
            output="Step",
            stop="CancelSteps",
            stop_request=_ask(ClusterId="params.ClusterId", StepIds="started.StepIds[0][]"),
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
            _terminal("CREATED"),
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
    # Amazon Bedrock
    ("bedrock", "invokeModel"): Action(
        "bedrock-runtime",
        "InvokeModel",
        _BEDROCK,
        request=_bedrock_invoke,
        result=_bedrock_result,
    ),
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
    ("apigateway", "invoke"): "it calls a deployed API Gateway stage over HTTPS",
    ("elasticmapreduce", "modifyInstanceFleetByName"): "it resolves an instance fleet by name",
    ("elasticmapreduce", "modifyInstanceGroupByName"): "it resolves an instance group by name",
}


def resolve(services: Services, arn: str, registry: ResourceRegistry) -> TaskResource | None:
    """The resource for an optimized job integration's ARN, or None when it is not one."""
    match = SERVICE_ARN.match(arn)
    if not match:
        return None
    service, action = match.group("service"), match.group("action")
    name, _, pattern = action.partition(".")
    if (service, action) == ("http", "invoke"):
        return HttpInvoke(services, registry)
    row = ACTIONS.get((service, name))
    if row is not None:
        if pattern == "" or (pattern == "sync" and row.sync is not None):
            return JobResource(services, registry, service, action, row, pattern)
        return None
    reason = NOT_LOCAL.get((service, name))
    if reason is not None:
        return NotLocal(arn, service, action, reason)
    return None


def _epoch(value: Any) -> Any:
    """Timestamps as epoch milliseconds, as the optimized integrations (SDK v1) give them."""
    if isinstance(value, datetime):
        return epoch_millis(value)
    if isinstance(value, Mapping):
        return {key: _epoch(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_epoch(item) for item in value]
    return value


class JobResource(_ServiceResource):
    """A row of :data:`ACTIONS` for one Resource ARN (Request Response or ``.sync``)."""

    def __init__(
        self,
        services: Services,
        registry: ResourceRegistry,
        service: str,
        action: str,
        row: Action,
        pattern: str,
    ) -> None:
        super().__init__(services, registry)
        self.resource_type, self.resource_name = service, action
        self.row = row
        self.pattern = pattern
        self.naming = row.naming

    def _json(self, response: Params, op: str) -> Params:
        shape = service_model(self.row.boto).operation_model(op).output_shape
        result = from_boto(_epoch(response), shape)
        return result if isinstance(result, dict) else {}

    async def work(self, call: TaskCall) -> Any:
        row = self.row
        loop = asyncio.get_running_loop()
        # When the Task times out, in loop time: every later call is external work until then.
        end = None if call.timeout is None else loop.time() + call.timeout
        params = call.payload if isinstance(call.payload, dict) else {}
        request = row.request(params, self.pattern) if row.request else params
        response = await self.call_api(row.boto, row.op, request, call, row.naming)
        if row.result is not None:
            started = row.result(response, params)
            started = from_boto(_epoch(started), None)
        else:
            started = self._json(response, row.op)
        if not self.pattern:
            if row.metadata:
                started.update(sdk_metadata(response))
            return started
        failures = started.get("Failures")
        if row.boto == "ecs" and failures:
            # AWS's documented rule for runTask.sync / .waitForTaskToken.
            raise TaskFailure("AmazonECS.Unknown", dumps(failures))
        if call.emit is not None:
            submitted = {**started, **sdk_metadata(response)} if row.metadata else started
            call.emit(
                "Submitted", {"output": dumps(submitted), "outputDetails": {"truncated": False}}
            )
        job = row.sync
        assert job is not None
        try:
            return await self._wait(job, params, started, call, end)
        except asyncio.CancelledError:
            # Stopped, timed out or a sibling failed: AWS stops the job it started.
            await self._stop(job, params, started, call, end)
            raise

    async def _wait(
        self, job: Job, params: Params, started: Params, call: TaskCall, end: float | None
    ) -> Any:
        request = job.request(params, started)
        status_of = _get(job.status)
        output_of = _get(job.output) if job.output else None
        gap = POLL_FIRST
        last: Any = started
        loop = asyncio.get_running_loop()
        while True:
            try:
                response = await self.call_api(
                    self.row.boto, job.describe, request, remaining(call, end), self.row.naming
                )
            except TaskFailure as failure:
                if job.gone_ok and "NotFound" in failure.error:
                    return last
                raise
            described = self._json(response, job.describe)
            status = status_of(described)
            last = output_of(described) if output_of else described
            if status in job.failed or (
                status in job.succeeded and job.check is not None and not job.check(last)
            ):
                raise TaskFailure("States.TaskFailed", dumps(last))
            if status in job.succeeded:
                return last
            # The job runs outside this process: it is external work, so the pause between
            # polls passes in real time (virtual time with it) rather than being leapt over.
            with clock_external(call.clock, loop.time() + gap):
                await asyncio.sleep(gap)
            gap = min(gap * 2, POLL_MAX)

    async def _stop(
        self, job: Job, params: Params, started: Params, call: TaskCall, end: float | None
    ) -> None:
        """Ask the service to stop the job; best effort, as AWS (a failure is not reported)."""
        if job.stop is None or job.stop_request is None:
            return
        request = job.stop_request(params, started)
        with contextlib.suppress(Exception):
            await self.call_api(
                self.row.boto, job.stop, request, remaining(call, None), self.row.naming
            )


class NotLocal(TaskResource):
    """An action of AWS's optimized list that cannot run here: fails saying what to do."""

    def __init__(self, arn: str, service: str, action: str, reason: str) -> None:
        self.arn = arn
        self.resource_type, self.resource_name = service, action
        self.reason = reason

    async def invoke(self, call: TaskCall) -> Any:
        raise StatesError(
            "States.Runtime",
            f"The resource {self.arn} (state {call.state_name!r}) is not run locally: "
            f"{self.reason}. Give the state a mock (a MockConfigFile test case, mocks=), or "
            "call the API through an aws-sdk:* resource against an endpoint that serves it.",
        )
