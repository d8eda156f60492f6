"""What Task states reach besides Python functions: callbacks, activities, AWS services, mocks.

:class:`Integrations` bundles them for one Runtime (or one ``sfn.run``) and installs their
resolvers in front of a :class:`~sfn_notebook.engine.resources.ResourceRegistry`:

* ``<resource>.waitForTaskToken`` — :mod:`.callbacks` (task tokens, answerable from any thread;
  ``.sync`` Tasks have one too);
* activity ARNs — :mod:`.activities` (workers poll with ``get_activity_task``);
* ``aws-sdk:*`` and the optimized integrations — :mod:`.services` through boto3 (:mod:`.aws`);
  the job table (:mod:`.optimized`), ``http:invoke`` (:mod:`.http`), ``bedrock:invokeModel``
  (:mod:`.bedrock`). A Task's ``Credentials`` role is assumed through STS for that Task's calls
  (``AwsConnection.for_call``);
* a mock test case per execution — :mod:`.mocks` (Step Functions Local's MockConfigFile);
* :func:`.teststate.test_state` — AWS's TestState API.

>>> from sfn_notebook.engine.resources import ResourceRegistry
>>> hub = Integrations(region="us-east-1", account="123456789012")
>>> registry = hub.install(ResourceRegistry())
>>> registry.resolve("arn:aws:states:::aws-sdk:dynamodb:putItem").resource_type
'aws-sdk:dynamodb'
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from sfn_notebook.engine.resources import ResourceRegistry, TaskResource
from sfn_notebook.integrations import optimized
from sfn_notebook.integrations.activities import (
    Activities,
    ActivityDoesNotExist,
    ActivityWorker,
)
from sfn_notebook.integrations.aws import AwsConnection
from sfn_notebook.integrations.buckets import Buckets, BucketsError
from sfn_notebook.integrations.callbacks import (
    CallbackResource,
    InvalidOutput,
    InvalidToken,
    SyncTokenResource,
    TaskDoesNotExist,
    TaskTimedOut,
    TaskTokens,
)
from sfn_notebook.integrations.mocks import MockConfig, MockConfigError, MockTestCaseNotFound
from sfn_notebook.integrations.services import LocalMachines, Services

WAIT_FOR_TASK_TOKEN = ".waitForTaskToken"
SYNC = re.compile(r"^arn:[\w-]+:states:[\w-]*:\d*:[\w-]+:[\w-]+\.sync(?::\d+)?$")

__all__ = [
    "ActivityDoesNotExist",
    "ActivityWorker",
    "AwsConnection",
    "Buckets",
    "BucketsError",
    "Integrations",
    "InvalidOutput",
    "InvalidToken",
    "MockConfig",
    "MockConfigError",
    "MockTestCaseNotFound",
    "TaskDoesNotExist",
    "TaskTimedOut",
    "split_test_case",
]


class Integrations:
    """Callbacks, activities, AWS services and mocks of one Runtime.

    ``boto3_session`` / ``aws_endpoint_url`` / ``boto3_config`` say how to reach AWS (or moto,
    LocalStack); ``mocks`` is a MockConfigFile (path, JSON text or dict); ``machines`` lets
    ``states:startExecution`` run the Runtime's own state machines as nested executions.
    """

    def __init__(
        self,
        *,
        region: str,
        account: str,
        boto3_session: Any = None,
        aws_endpoint_url: str | Mapping[str, str] | None = None,
        boto3_config: Any = None,
        mocks: str | os.PathLike[str] | Mapping[str, Any] | MockConfig | None = None,
        machines: LocalMachines | None = None,
        buckets: Mapping[str, Any] | None = None,
    ) -> None:
        self.aws = AwsConnection(boto3_session, aws_endpoint_url, boto3_config)
        self.buckets = Buckets(buckets, self.aws, region)
        self.tokens = TaskTokens()
        self.activities = Activities(self.tokens, region, account)
        self.services = Services(self.aws, machines, self.tokens)
        self.mocks = None if mocks is None else MockConfig.load(mocks)

    def install(self, registry: ResourceRegistry) -> ResourceRegistry:
        """Put the integrations' resolvers in front of ``registry``'s; returns ``registry``."""
        registry.resolvers[0:0] = [
            self._callback,
            self._sync,
            self.activities.resolve,
            self.services.resolve,
            self._job,
        ]
        registry.buckets = self.buckets
        return registry

    def _job(self, arn: str, registry: ResourceRegistry) -> TaskResource | None:
        return optimized.resolve(self.services, arn, registry)

    def _callback(self, arn: str, registry: ResourceRegistry) -> TaskResource | None:
        if not arn.endswith(WAIT_FOR_TASK_TOKEN):
            return None
        base = registry.resolve(arn[: -len(WAIT_FOR_TASK_TOKEN)])
        return CallbackResource(base, self.tokens)

    def _sync(self, arn: str, registry: ResourceRegistry) -> TaskResource | None:
        if not SYNC.match(arn):
            return None
        # The resolvers after this one serve the job itself (asking the registry would recurse).
        later = registry.resolvers[registry.resolvers.index(self._sync) + 1 :]
        for resolve in later:
            base = resolve(arn, registry)
            if isinstance(base, optimized.NotLocal):  # fails when called: no job to wait for
                return base
            if base is not None:
                return SyncTokenResource(base, self.tokens)
        return None

    def for_execution(
        self, registry: ResourceRegistry, machine_name: str, test_case: str | None
    ) -> ResourceRegistry:
        """The registry one execution uses: ``registry``, or a mock test case in front of it."""
        if test_case is None:
            return registry
        if self.mocks is None:
            raise MockTestCaseNotFound(
                f"Invalid mock test case name '{test_case}' for state machine "
                f"'{machine_name}': no mock configuration was given (mocks=)"
            )
        return self.mocks.test_case(machine_name, test_case).install(registry)


def split_test_case(arn: str, test_case: str | None = None) -> tuple[str, str | None]:
    """``<stateMachineArn>#<TestCase>`` into the ARN and the test case, as Step Functions Local.

    >>> split_test_case("arn:aws:states:us-east-1:123456789012:stateMachine:m#HappyPath")
    ('arn:aws:states:us-east-1:123456789012:stateMachine:m', 'HappyPath')
    """
    if isinstance(arn, str) and "#" in arn:
        arn, _, suffix = arn.partition("#")
        test_case = test_case or suffix
    return arn, test_case
