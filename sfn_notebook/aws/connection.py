"""``AwsRuntime``: the local Runtime's interface, served by AWS Step Functions through boto3.

The same method names, keyword arguments and response dictionaries as the local
:class:`~sfn_notebook.runtime.runtime.Runtime` (both speak boto3's ``stepfunctions`` dialect), so
code moves between the two by swapping the object. On top of the raw calls it returns
:class:`~sfn_notebook.aws.execution.RemoteExecution` objects that look like local
:class:`~sfn_notebook.runtime.execution.Execution` objects to the analysis and widget layers.

It talks to AWS, LocalStack or moto's server alike: configure it with a boto3 ``Session``, a
``profile``, a ``region`` or an ``endpoint_url``. Every call goes through one rate limiter (a
token bucket shared by the executions this object follows) and every failure is an
:class:`~sfn_notebook.aws.errors.AwsError` naming what to fix.

>>> aws = AwsRuntime(region="eu-west-1", endpoint_url="http://127.0.0.1:5000",
...                  credentials=("testing", "testing"))
>>> aws.region, aws.state_machine_arn("orders", account="123456789012")
('eu-west-1', 'arn:aws:states:eu-west-1:123456789012:stateMachine:orders')
"""

from __future__ import annotations

import json
import threading
import uuid
from typing import TYPE_CHECKING, Any

from sfn_notebook.aws.errors import AwsError, check_arn_region
from sfn_notebook.aws.transport import BURST, CALLS_PER_SECOND, AwsTransport, RateLimiter
from sfn_notebook.errors import SfnNotebookError

if TYPE_CHECKING:
    import boto3

    from sfn_notebook.aws.deploy import Deployment
    from sfn_notebook.aws.execution import RemoteExecution
    from sfn_notebook.aws.importing import ImportReport

__all__ = [
    "BURST",
    "CALLS_PER_SECOND",
    "AwsRuntime",
    "AwsTransport",
    "RateLimiter",
    "connect",
    "current",
    "use",
]


class AwsRuntime(AwsTransport):
    """AWS Step Functions (or LocalStack, or moto's server) with the local Runtime's interface.

    ``session`` (a ``boto3.Session``), ``profile``, ``region`` and ``endpoint_url`` choose where
    calls go; ``client`` passes a ready ``stepfunctions`` client instead. ``credentials`` is an
    ``(access key, secret key[, session token])`` tuple for servers that accept any key (moto,
    LocalStack). ``calls_per_second``/``burst`` bound this object's API traffic;
    ``poll_interval`` (seconds, growing to ``max_poll_interval`` while nothing happens) paces
    :meth:`RemoteExecution.wait` and live following.

    Any boto3 ``stepfunctions`` operation is a method (``aws.list_state_machines()``,
    ``aws.start_execution(stateMachineArn=..., input=...)``) returning boto3's response; the
    calls go through :class:`~sfn_notebook.aws.transport.AwsTransport`.
    """

    def __init__(self, session: boto3.Session | None = None, **options: Any) -> None:
        super().__init__(session, **options)
        self._executions: dict[str, RemoteExecution] = {}

    # Executions -------------------------------------------------------------------------------

    def execution(self, execution_arn: str) -> RemoteExecution:
        """The :class:`RemoteExecution` for an ARN (one object per ARN, no call made)."""
        from sfn_notebook.aws.execution import RemoteExecution

        if not isinstance(execution_arn, str) or not execution_arn.startswith("arn:"):
            raise SfnNotebookError(f"not an execution ARN: {execution_arn!r}")
        check_arn_region(execution_arn, self.region, "execution ARN")
        with self._lock:
            found = self._executions.get(execution_arn)
            if found is None:
                found = self._executions[execution_arn] = RemoteExecution(self, execution_arn)
            return found

    def attach(self, execution_arn: str) -> RemoteExecution:
        """Follow an execution started elsewhere (console, CLI, another notebook) by its ARN.

        Checks at once that it exists and can be read (one DescribeExecution call).
        """
        if ":express:" in str(execution_arn):
            raise AwsError(
                f"{execution_arn} is an EXPRESS execution: AWS keeps no history for those "
                "(GetExecutionHistory and DescribeExecution refuse them). Fix: read its "
                "CloudWatch Logs, or run the workflow as STANDARD to follow it here."
            )
        execution = self.execution(execution_arn)
        execution.refresh()
        return execution

    def start(
        self,
        state_machine: str,
        input: Any = None,
        *,
        name: str | None = None,
        input_json: str | None = None,
    ) -> RemoteExecution:
        """Start an execution by state machine name or ARN (or alias/version ARN).

        ``input`` is a Python value (JSON-encoded here); ``input_json`` passes text as it is.
        The name defaults to a fresh UUID (moto's server would otherwise call it 'None').
        """
        arn = self.state_machine_arn(state_machine)
        text = input_json if input_json is not None else json.dumps({} if input is None else input)
        started = self.call(
            "start_execution", stateMachineArn=arn, input=text, name=name or str(uuid.uuid4())
        )
        execution = self.execution(started["executionArn"])
        execution._started(arn, started.get("startDate"), text)
        return execution

    def run(
        self,
        state_machine: str,
        input: Any = None,
        *,
        name: str | None = None,
        timeout: float | None = None,
    ) -> RemoteExecution:
        """Start an execution and wait for its end (or ``timeout`` seconds)."""
        return self.start(state_machine, input, name=name).wait(timeout)

    # Deploy and import (see their modules) ----------------------------------------------------

    def deploy(self, name: str, definition: Any = None, **options: Any) -> Deployment:
        """Create or update a state machine; see :func:`sfn_notebook.aws.deploy.deploy`."""
        from sfn_notebook.aws.deploy import deploy

        return deploy(self, name, definition, **options)

    def import_executions(self, into: Any, **options: Any) -> ImportReport:
        """Copy histories into a local store; see :func:`sfn_notebook.aws.importing`."""
        from sfn_notebook.aws.importing import import_executions

        return import_executions(into, aws=self, **options)

    def close(self) -> None:
        """Stop following every execution this object handed out."""
        with self._lock:
            executions = list(self._executions.values())
        for execution in executions:
            execution.stop_following()

    def __enter__(self) -> AwsRuntime:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        where = ", ".join(f"{k}={v!r}" for k, v in self.where.items() if v)
        return f"<AwsRuntime {where}>"


# The notebook's current connection ------------------------------------------------------------

_current: AwsRuntime | None = None
_current_lock = threading.Lock()


def connect(
    session: boto3.Session | None = None,
    *,
    profile: str | None = None,
    region: str | None = None,
    endpoint_url: str | None = None,
    **options: Any,
) -> AwsRuntime:
    """Make an :class:`AwsRuntime` and remember it as the current one (used by the magics).

    >>> aws = connect(region="us-east-1", endpoint_url="http://127.0.0.1:5000",
    ...               credentials=("testing", "testing"))
    >>> current() is aws
    True
    """
    global _current
    aws = AwsRuntime(session, profile=profile, region=region, endpoint_url=endpoint_url, **options)
    with _current_lock:
        _current = aws
    return aws


def use(aws: AwsRuntime | None) -> AwsRuntime | None:
    """Set (or with None, forget) the current connection; returns the previous one."""
    global _current
    with _current_lock:
        previous, _current = _current, aws
    return previous


def current() -> AwsRuntime:
    """The current connection; one from the environment (AWS_PROFILE, AWS_DEFAULT_REGION,
    AWS_ENDPOINT_URL ...) when none was made yet."""
    global _current
    with _current_lock:
        if _current is None:
            _current = AwsRuntime()
        return _current
