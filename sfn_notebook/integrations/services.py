"""AWS service integrations: the generic ``aws-sdk:*`` one and the optimized ones.

* ``arn:aws:states:::aws-sdk:<service>:<apiAction>`` calls any boto3 operation; parameters and
  results are PascalCase JSON; errors are ``<Service>.<Exception>`` as the AWS SDK v2 names them.
* Optimized integrations keep AWS's result shapes (``SdkHttpMetadata`` ...) and the AWS SDK v1
  error names: ``lambda:invoke`` (a registered Python function first, else the Lambda API when
  AWS access was configured) and ``states:startExecution`` with ``.sync`` / ``.sync:2``, which
  runs a state machine of the same Runtime as a nested execution. The other optimized actions
  (DynamoDB, SNS, SQS, EventBridge, the jobs) are rows of one table (``optimized.py``).

``.waitForTaskToken`` works on any of them (see ``callbacks.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import formatdate
from typing import TYPE_CHECKING, Any, Protocol

from sfn_notebook.engine.execution import ExecutionRecord
from sfn_notebook.engine.history import dumps
from sfn_notebook.engine.resources import (
    LAMBDA_ARN,
    SERVICE_ARN,
    LambdaInvokeResource,
    ResourceRegistry,
    TaskCall,
    TaskFailure,
    TaskResource,
    invoke_response,
    parse_payload,
)
from sfn_notebook.engine.tasklog import decode_tail
from sfn_notebook.errors import SfnNotebookError
from sfn_notebook.integrations.aws import (
    AwsConnection,
    ErrorNaming,
    boto_service,
    epoch_millis,
    from_boto,
    json_text,
    operation_name,
    sdk_call,
    sdk_failure,
    sdk_metadata,
    sdk_naming,
    service_model,
    to_boto,
)
from sfn_notebook.integrations.callbacks import TaskTokens

if TYPE_CHECKING:
    from datetime import datetime

# The optimized integrations name errors as the AWS SDK for Java v1 did.
V1_NAMING = {
    "dynamodb": ErrorNaming("DynamoDB", "AmazonDynamoDBException", "AmazonDynamoDBv2", v1=True),
    "sns": ErrorNaming("SNS", "AmazonSNSException", "AmazonSNS", v1=True),
    "sqs": ErrorNaming("SQS", "AmazonSQSException", "AmazonSQS", v1=True),
    "lambda": ErrorNaming("Lambda", "AWSLambdaException", "AWSLambda", v1=True),
    "states": ErrorNaming(
        "StepFunctions", "AWSStepFunctionsException", "AWSStepFunctions", v1=True
    ),
    "events": ErrorNaming(
        "EventBridge", "AmazonEventBridgeException", "AmazonEventBridge", v1=True
    ),
}
SYNC_POLL_SECONDS = 5.0  # how often a .sync Task asks AWS about a remote child execution


class LocalMachines(Protocol):
    """What ``states:startExecution`` needs from the Runtime to run a child execution locally."""

    def local_machine(self, arn: str) -> bool: ...

    async def start_nested(
        self, arn: str, name: str | None, input_text: str, parent: str | None = None
    ) -> ExecutionRecord:
        """Create and start a child of execution ``parent`` on the running loop (raises
        SfnNotebookError, also when the Runtime's Limits refuse the nesting)."""
        ...


@dataclass
class Services:
    """What the service resources share: the AWS connection, the worker pool, local machines."""

    aws: AwsConnection
    machines: LocalMachines | None = None
    tokens: TaskTokens | None = None

    def resolve(self, arn: str, registry: ResourceRegistry) -> TaskResource | None:
        """The resource for a service ARN, or None when it is not one of ours."""
        lambda_arn = LAMBDA_ARN.match(arn)
        if lambda_arn:
            if registry.function(arn) is None and self.aws.explicit:
                return RemoteLambda(self, registry, arn, function_style=True)
            return None
        match = SERVICE_ARN.match(arn)
        if not match:
            return None
        service, action = match.group("service"), match.group("action")
        if service == "aws-sdk":
            name, _, api = action.partition(":")
            boto = boto_service(name)
            if boto is None or not api or "." in api:
                return None
            op = operation_name(service_model(boto), api)
            if op is None:
                return None
            if boto == "stepfunctions" and op in LOCAL_TOKEN_CALLS and self.tokens is not None:
                return LocalTokenCall(self, registry, name, api, boto, op)
            return SdkResource(self, registry, name, api, boto, op)
        if service == "lambda" and action == "invoke" and self.aws.explicit:
            return RemoteLambda(self, registry, arn, function_style=False)
        if service == "states" and action.split(".", 1)[0] == "startExecution":
            pattern = action.partition(".")[2]
            if pattern in START_EXECUTION_PATTERNS:
                return StartExecution(self, registry, action, pattern)
        return None


class _ServiceResource(TaskResource):
    naming: ErrorNaming

    def __init__(self, services: Services, registry: ResourceRegistry) -> None:
        self.services = services
        self.registry = registry

    async def invoke(self, call: TaskCall) -> Any:
        try:
            return await self.work(call)
        except (TaskFailure, asyncio.CancelledError):
            raise
        except Exception as exc:  # whatever goes wrong fails the Task, never the runtime
            raise TaskFailure(
                f"{self.naming.prefix}.SdkClientException", f"{type(exc).__name__}: {exc}"
            ) from None

    async def work(self, call: TaskCall) -> Any:
        raise NotImplementedError

    async def call_api(
        self, service: str, op: str, params: Any, call: TaskCall, naming: ErrorNaming
    ) -> dict[str, Any]:
        model = service_model(service)
        operation = model.operation_model(op)
        from botocore import xform_name

        boto_params = to_boto(params if params is not None else {}, operation.input_shape)
        if not isinstance(boto_params, Mapping):
            raise TaskFailure(
                f"{naming.prefix}.{naming.generic}",
                f"The parameters must be a JSON object, not {dumps(params)}",
            )
        return await sdk_call(
            self.services.aws,
            service,
            xform_name(op),
            boto_params,
            call,
            naming,
            self.registry.executor,
        )


class SdkResource(_ServiceResource):
    """``aws-sdk:<service>:<apiAction>``."""

    def __init__(
        self,
        services: Services,
        registry: ResourceRegistry,
        name: str,
        api: str,
        boto: str,
        op: str,
    ) -> None:
        super().__init__(services, registry)
        self.resource_type = f"aws-sdk:{name}"
        self.resource_name = api
        self.boto = boto
        self.op = op
        self.naming = sdk_naming(service_model(boto).service_id)

    async def work(self, call: TaskCall) -> Any:
        buckets = self.registry.buckets
        payload = call.payload if isinstance(call.payload, dict) else {}
        if self.boto == "s3" and buckets is not None and buckets.is_local(payload.get("Bucket")):
            response = self._local_s3(buckets, payload)
        else:
            response = await self.call_api(self.boto, self.op, call.payload, call, self.naming)
        output = service_model(self.boto).operation_model(self.op).output_shape
        return from_boto(response, output)

    def _local_s3(self, buckets: Any, payload: dict[str, Any]) -> dict[str, Any]:
        """S3 calls on a bucket served from a local folder (``buckets=``)."""
        shape = service_model(self.boto).operation_model(self.op).input_shape
        try:
            return dict(buckets.local_api(self.op, to_boto(payload, shape)))
        except SfnNotebookError as exc:  # an API the folder cannot serve: the Task fails
            raise TaskFailure(f"{self.naming.prefix}.{self.naming.generic}", str(exc)) from None
        except Exception as exc:  # S3's own errors, named as the SDK names them
            raise sdk_failure(exc, self.naming, service_model(self.boto)) from None


# Task tokens are minted here, so only this runtime can answer them.
#: ``states:startExecution`` runs a nested execution with these suffixes ("": fire and forget).
START_EXECUTION_PATTERNS = ("", "sync", "sync:2")
LOCAL_TOKEN_CALLS = ("SendTaskSuccess", "SendTaskFailure", "SendTaskHeartbeat")


class LocalTokenCall(SdkResource):
    """``aws-sdk:sfn:sendTask*``: answered by this runtime's task tokens, errors as AWS's."""

    async def work(self, call: TaskCall) -> Any:
        params = call.payload if isinstance(call.payload, dict) else {}
        tokens = self.services.tokens
        assert tokens is not None
        token = params.get("TaskToken")
        try:
            if self.op == "SendTaskSuccess":
                tokens.succeed(token, json_text(params.get("Output")))
            elif self.op == "SendTaskFailure":
                tokens.fail(token, params.get("Error"), params.get("Cause"))
            else:
                tokens.heartbeat(token)
        except SfnNotebookError as exc:
            raise TaskFailure(
                f"Sfn.{exc.code}Exception",
                f"{exc} (Service: Sfn, Status Code: 400, Request ID: {uuid.uuid4()})",
            ) from None
        return {}


class RemoteLambda(_ServiceResource):
    """A Lambda function that is not a registered Python function: the real Lambda API.

    As the Resource (``function_style``) its result is the function's payload; through
    ``lambda:invoke`` it is Lambda's Invoke response.
    """

    def __init__(
        self, services: Services, registry: ResourceRegistry, arn: str, *, function_style: bool
    ) -> None:
        super().__init__(services, registry)
        self.arn = arn
        self.function_style = function_style
        self.naming = V1_NAMING["lambda"]
        if function_style:
            self.style = "lambda"
        else:
            self.resource_type, self.resource_name = "lambda", "invoke"

    async def work(self, call: TaskCall) -> Any:
        if self.function_style:
            params: Any = {"FunctionName": self.arn, "Payload": call.payload}
        else:
            params = call.payload
            name = params.get("FunctionName") if isinstance(params, dict) else None
            if isinstance(name, str) and self.registry.function(name) is not None:
                # A registered Python function comes first.
                return await LambdaInvokeResource("invoke", self.registry).invoke(call)
        if isinstance(params, dict) and "Payload" in params:
            payload = params["Payload"]
            params = {**params, "Payload": json_text(payload).encode("utf-8")}
        response = await self.call_api("lambda", "Invoke", params, call, V1_NAMING["lambda"])
        raw = response.get("Payload") or b""
        value = parse_payload(raw)
        if response.get("FunctionError"):
            error = value.get("errorType") if isinstance(value, dict) else None
            failure = TaskFailure(str(error or "Lambda.Unknown"), raw.decode("utf-8", "replace"))
            failure.log = decode_tail(response.get("LogResult"))
            raise failure
        if self.function_style:
            return value
        request_id = (response.get("ResponseMetadata") or {}).get("RequestId", "")
        result = invoke_response(value, len(raw), request_id, response.get("LogResult"))
        result.update(sdk_metadata(response))
        result["ExecutedVersion"] = response.get("ExecutedVersion", "$LATEST")
        result["StatusCode"] = response.get("StatusCode", 200)
        return result


# ------------------------------------------------------------------------------------------------
# Step Functions: child executions


class StartExecution(_ServiceResource):
    """``states:startExecution[.sync|.sync:2]``: a nested execution, local when it can be."""

    def __init__(
        self, services: Services, registry: ResourceRegistry, action: str, pattern: str
    ) -> None:
        super().__init__(services, registry)
        self.resource_type, self.resource_name = "states", action
        self.pattern = pattern
        self.naming = V1_NAMING["states"]

    async def work(self, call: TaskCall) -> Any:
        params = call.payload if isinstance(call.payload, dict) else {}
        arn = params.get("StateMachineArn")
        name = params.get("Name")
        given = params.get("Input")
        input_text = "{}" if given is None else json_text(given)
        machines = self.services.machines
        local = machines is not None and (
            machines.local_machine(str(arn)) or not self.services.aws.explicit
        )
        if local:
            assert machines is not None
            record = await self._start_local(machines, arn, name, input_text, call)
            call.answerer = record.task  # for .waitForTaskToken: the child is to answer
            started = {
                "ExecutionArn": record.context.execution_arn,
                "StartDate": epoch_millis(record.context.start_time),
                **_local_metadata(call),
            }
        else:
            response = await self.call_api(
                "stepfunctions", "StartExecution", params, call, V1_NAMING["states"]
            )
            started = {
                "ExecutionArn": response["executionArn"],
                "StartDate": epoch_millis(response["startDate"]),
                **sdk_metadata(response),
            }
        if not self.pattern:
            return started
        if call.emit is not None:
            text = dumps(started)
            call.emit("Submitted", {"output": text, "outputDetails": {"truncated": False}})
        try:
            if local:
                assert record.task is not None
                await asyncio.shield(record.task)
                described = _described(record)
            else:
                described = await self._poll(started["ExecutionArn"], call)
        except asyncio.CancelledError:
            # The parent stopped (or its Task timed out): AWS stops the child it waits for.
            if local:
                _stop_local(record)
            else:
                with contextlib.suppress(TaskFailure):
                    await self.call_api(
                        "stepfunctions",
                        "StopExecution",
                        {"ExecutionArn": started["ExecutionArn"]},
                        call,
                        V1_NAMING["states"],
                    )
            raise
        return self._outcome(described)

    async def _start_local(
        self, machines: LocalMachines, arn: Any, name: Any, input_text: str, call: TaskCall
    ) -> ExecutionRecord:
        try:
            execution = call.context.get("Execution")
            parent = execution.get("Id") if isinstance(execution, Mapping) else None
            return await machines.start_nested(str(arn), name, input_text, parent)
        except SfnNotebookError as exc:
            naming = V1_NAMING["states"]
            raise TaskFailure(
                f"{naming.prefix}.{exc.code}Exception",
                f"{exc} (Service: {naming.label}; Status Code: 400; Error Code: {exc.code}; "
                f"Request ID: {uuid.uuid4()}; Proxy: null)",
            ) from None

    async def _poll(self, execution_arn: str, call: TaskCall) -> dict[str, Any]:
        # A child execution on AWS runs in real time: so does virtual time until it ends.
        with call.clock.external():
            return await self._poll_until_done(execution_arn, call)

    async def _poll_until_done(self, execution_arn: str, call: TaskCall) -> dict[str, Any]:
        while True:
            response = await self.call_api(
                "stepfunctions",
                "DescribeExecution",
                {"ExecutionArn": execution_arn},
                call,
                V1_NAMING["states"],
            )
            if response.get("status") != "RUNNING":
                return {
                    "ExecutionArn": response["executionArn"],
                    "StateMachineArn": response["stateMachineArn"],
                    "Name": response.get("name"),
                    "Status": response["status"],
                    "StartDate": response["startDate"],
                    "StopDate": response.get("stopDate"),
                    "Input": response.get("input"),
                    "Output": response.get("output"),
                    "Error": response.get("error"),
                    "Cause": response.get("cause"),
                }
            await asyncio.sleep(SYNC_POLL_SECONDS)

    def _outcome(self, described: dict[str, Any]) -> Any:
        """DescribeExecution as the .sync patterns return it (``.sync:2`` parses the JSON)."""
        result: dict[str, Any] = {
            "ExecutionArn": described["ExecutionArn"],
            "Input": described["Input"],
            "InputDetails": {"Included": True},
            "Name": described["Name"],
            "StartDate": _millis(described["StartDate"]),
            "StateMachineArn": described["StateMachineArn"],
            "Status": described["Status"],
            "StopDate": _millis(described["StopDate"]),
        }
        if described["Status"] == "SUCCEEDED":
            result["Output"] = described["Output"]
            result["OutputDetails"] = {"Included": True}
        if self.pattern == "sync:2":
            for key in ("Input", "Output"):
                if isinstance(result.get(key), str):
                    result[key] = parse_payload(result[key].encode("utf-8"))
        if described["Status"] == "SUCCEEDED":
            return dict(sorted(result.items()))
        if described.get("Error") is not None:
            result["Error"] = described["Error"]
        if described.get("Cause") is not None:
            result["Cause"] = described["Cause"]
        raise TaskFailure("States.TaskFailed", dumps(dict(sorted(result.items()))))


def _stop_local(record: ExecutionRecord) -> None:
    """Stop a running child execution of this Runtime, as StopExecution does."""
    if record.status == "RUNNING" and record.task is not None and not record.task.done():
        record.abort_reason = (None, None)
        record.context.stopped.set()
        record.task.cancel()


def _described(record: ExecutionRecord) -> dict[str, Any]:
    ctx = record.context
    return {
        "ExecutionArn": ctx.execution_arn,
        "StateMachineArn": ctx.state_machine_arn,
        "Name": ctx.execution_name,
        "Status": record.status,
        "StartDate": ctx.start_time,
        "StopDate": record.stop_date,
        "Input": ctx.input_text,
        "Output": record.output_text,
        "Error": record.error,
        "Cause": record.cause,
    }


def _millis(moment: datetime | None) -> int | None:
    return None if moment is None else epoch_millis(moment)


def _local_metadata(call: TaskCall) -> dict[str, Any]:
    """The HTTP metadata of a StartExecution answered locally, shaped like AWS's."""
    request_id = str(uuid.uuid4())
    now = call.clock.now()
    return sdk_metadata(
        {
            "ResponseMetadata": {
                "RequestId": request_id,
                "HTTPStatusCode": 200,
                "HTTPHeaders": {
                    "x-amzn-requestid": request_id,
                    "content-type": "application/x-amz-json-1.0",
                    "date": formatdate(now.timestamp(), usegmt=True),
                },
            }
        }
    )
