"""AWS's optimized integrations as one table: one row per service action (the jobs of
:mod:`.job_table`, the data and messaging calls of :mod:`.messaging`).

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

Actions of AWS's list that cannot run locally (Kubernetes calls, EMR's modify-by-name calls)
resolve to a resource that fails naming the resource and what to do; a mock test case still
answers them.

The rows are :data:`TABLE`; ``http:invoke`` and ``apigateway:invoke`` are :mod:`.http`,
``bedrock:invokeModel`` (with its S3 ``Input`` / ``Output``) is :mod:`.bedrock`.

>>> ACTIONS[("glue", "startJobRun")].sync.describe
'GetJobRun'
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Mapping
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
    epoch_millis,
    from_boto,
    remaining,
    sdk_metadata,
    service_model,
)
from sfn_notebook.integrations.bedrock import BedrockInvoke
from sfn_notebook.integrations.http import ApiGatewayInvoke, HttpInvoke
from sfn_notebook.integrations.job_table import ACTIONS, NOT_LOCAL, Action, Job, getter
from sfn_notebook.integrations.messaging import MESSAGE_ACTIONS
from sfn_notebook.integrations.services import Services, _ServiceResource

Params = dict[str, Any]
#: Every optimized action served by :class:`JobResource`: the jobs, and the data and messaging
#: calls (DynamoDB, SNS, SQS, EventBridge) of :mod:`.messaging`.
TABLE: dict[tuple[str, str], Action] = {**ACTIONS, **MESSAGE_ACTIONS}
#: The optimized actions with a resource class of their own (Request Response only).
OWN_RESOURCES: dict[tuple[str, str], Callable[[Services, ResourceRegistry, str], TaskResource]] = {
    ("http", "invoke"): lambda services, registry, _arn: HttpInvoke(services, registry),
    ("apigateway", "invoke"): lambda services, registry, _arn: ApiGatewayInvoke(services, registry),
    ("bedrock", "invokeModel"): BedrockInvoke,
}
#: The first poll of a ``.sync`` job comes this soon; the gap doubles up to the maximum.
POLL_FIRST, POLL_MAX = 0.05, 5.0


def resolve(services: Services, arn: str, registry: ResourceRegistry) -> TaskResource | None:
    """The resource for an optimized job integration's ARN, or None when it is not one."""
    match = SERVICE_ARN.match(arn)
    if not match:
        return None
    service, action = match.group("service"), match.group("action")
    name, _, pattern = action.partition(".")
    make = OWN_RESOURCES.get((service, action))
    if make is not None:
        return make(services, registry, arn)
    row = TABLE.get((service, name))
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
        params = {} if call.payload is None else call.payload
        if not isinstance(params, dict):
            raise TaskFailure(
                f"{row.naming.prefix}.{row.naming.generic}",
                f"The parameters must be a JSON object, not {dumps(params)}",
            )
        request = row.request(params, self.pattern, call.context) if row.request else params
        response = await self.call_api(row.boto, row.op, request, call, row.naming)
        if row.result is not None:
            started = row.result(response, params)
            started = from_boto(_epoch(started), None)
        else:
            started = self._json(response, row.op)
        if not self.pattern:
            refused = row.refuse(started) if row.refuse is not None else None
            if refused is not None:
                raise TaskFailure(*refused)
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
        status_of = getter(job.status)
        output_of = getter(job.output) if job.output else None
        gap = POLL_FIRST
        last: Any = started
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
                return job.finish(started, last) if job.finish is not None else last
            # The job runs outside this process: it is external work, so the pause between
            # polls passes in real time (virtual time with it) rather than being leapt over.
            with call.clock.external():
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
