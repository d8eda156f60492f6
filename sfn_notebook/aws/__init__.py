"""AWS Step Functions from the notebook: deploy, run, follow and import, like local runs.

``connect()`` makes an :class:`AwsRuntime` (boto3's ``stepfunctions`` client underneath, with the
local Runtime's interface); it hands out :class:`RemoteExecution` objects that the analysis
functions and the widgets take like local executions. ``deploy()`` creates or updates a state
machine (optionally packaging the notebook's Python task functions as Lambda functions);
``import_executions()`` copies finished histories into a local store. :class:`MotoServer` runs
moto's server on 127.0.0.1 as a stand-in for AWS.

>>> from sfn_notebook import aws
>>> [name for name in ("connect", "deploy", "attach", "import_executions") if name in aws.__all__]
['connect', 'deploy', 'attach', 'import_executions']
"""

from __future__ import annotations

from typing import Any

from sfn_notebook.aws.connection import AwsRuntime, RateLimiter, connect, current, use
from sfn_notebook.aws.deploy import Change, Deployment, definition_diff
from sfn_notebook.aws.errors import (
    AwsAccessDenied,
    AwsConnectionError,
    AwsCredentialsError,
    AwsError,
    AwsNotFound,
    AwsRegionError,
    AwsThrottled,
)
from sfn_notebook.aws.execution import FetchStats, HistoryFollower, RemoteExecution
from sfn_notebook.aws.importing import ImportReport
from sfn_notebook.aws.moto_server import MotoServer
from sfn_notebook.aws.package import FunctionPackage, PackagingError, package_function


def deploy(
    name: str, definition: Any = None, *, aws: AwsRuntime | None = None, **options: Any
) -> Deployment:
    """Create or update state machine ``name`` on the current connection (or ``aws``);
    see :func:`sfn_notebook.aws.deploy.deploy` for the options."""
    return (aws or current()).deploy(name, definition, **options)


def attach(execution_arn: str, *, aws: AwsRuntime | None = None) -> RemoteExecution:
    """Follow an execution started elsewhere, by ARN, on the current connection (or ``aws``)."""
    return (aws or current()).attach(execution_arn)


def import_executions(into: Any, *, aws: AwsRuntime | None = None, **options: Any) -> ImportReport:
    """Copy remote histories into a local store from the current connection (or ``aws``);
    see :func:`sfn_notebook.aws.importing.import_executions` for the options."""
    return (aws or current()).import_executions(into, **options)


__all__ = [
    "AwsAccessDenied",
    "AwsConnectionError",
    "AwsCredentialsError",
    "AwsError",
    "AwsNotFound",
    "AwsRegionError",
    "AwsRuntime",
    "AwsThrottled",
    "Change",
    "Deployment",
    "FetchStats",
    "FunctionPackage",
    "HistoryFollower",
    "ImportReport",
    "MotoServer",
    "PackagingError",
    "RateLimiter",
    "RemoteExecution",
    "attach",
    "connect",
    "current",
    "definition_diff",
    "deploy",
    "import_executions",
    "package_function",
    "use",
]
