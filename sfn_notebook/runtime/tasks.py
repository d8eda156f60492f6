"""The Runtime's Task-facing part: task tokens, activities, AWS access, mocks and TestState.

:class:`TaskService` is one part of a :class:`~sfn_notebook.runtime.runtime.Runtime` (``rt.tasks``;
the Runtime offers its methods as its own). Its methods speak boto3's Step Functions dialect
(``send_task_success(taskToken=, output=)``, ``create_activity(name=)``,
``get_activity_task(activityArn=)``, ``test_state(definition=, ...)``) and hand the work to
:mod:`sfn_notebook.integrations`. It also lets ``states:startExecution`` run the Runtime's own
state machines as nested executions, through the launcher like every other start.

>>> from sfn_notebook import Runtime
>>> rt = Runtime(clock="virtual")
>>> rt.test_state(definition={"Type": "Pass", "Result": {"ok": True}, "End": True})["output"]
'{"ok":true}'
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from sfn_notebook.engine.execution import ExecutionRecord
from sfn_notebook.engine.resources import ResourceRegistry
from sfn_notebook.errors import SfnNotebookError
from sfn_notebook.integrations import Integrations, MockConfig, split_test_case
from sfn_notebook.integrations.activities import LONG_POLL_SECONDS, ActivityWorker
from sfn_notebook.integrations.teststate import test_state as _test_state
from sfn_notebook.limits import Lineage
from sfn_notebook.runtime.identity import page
from sfn_notebook.runtime.params import operation
from sfn_notebook.runtime.threads import off_running_loop

if TYPE_CHECKING:
    from sfn_notebook.engine.clock import Clock
    from sfn_notebook.limits import Limits
    from sfn_notebook.runtime.execution import Execution
    from sfn_notebook.runtime.launcher import Launcher
    from sfn_notebook.runtime.registry import MachineRegistry, StateMachine

    # What starts a new execution of a Runtime (its ``create_execution``): registered and
    # stored, not yet launched.
    CreateExecution = Callable[
        [str, str | None, str | None, ResourceRegistry | None, Lineage | None],
        tuple[ExecutionRecord, Execution],
    ]


class TaskService:
    """Task tokens, activities, AWS access, mocks and TestState for one Runtime.

    It is given the Runtime's parts it works with (clock, resources, registry, launcher),
    ``create_execution`` for the nested executions it starts, how an ARN is routed (aliases,
    versions) and what tells the tags part of an activity created or deleted; nothing else of
    the Runtime.
    """

    def __init__(
        self,
        *,
        clock: Clock,
        resources: ResourceRegistry,
        registry: MachineRegistry,
        launcher: Launcher,
        limits: Limits,
        region: str,
        account: str,
        create_execution: CreateExecution,
        machine_for: Callable[[str], StateMachine],
        routed_arn: Callable[[str], str],
        resource_created: Callable[[str, Any], None],
        resource_deleted: Callable[[str], None],
        boto3_session: Any = None,
        aws_endpoint_url: str | Mapping[str, str] | None = None,
        boto3_config: Any = None,
        mocks: Any = None,
        buckets: Mapping[str, Any] | None = None,
    ) -> None:
        self.clock = clock
        self.resources = resources
        self.registry = registry
        self.launcher = launcher
        self.limits = limits
        self.region = region
        self.account = account
        self.create_execution = create_execution
        self.machine_for = machine_for  # what an ARN (or a version's) runs
        self.routed_arn = routed_arn  # the version an alias sends an execution to
        self.resource_created = resource_created  # an activity and its tags, to the tags part
        self.resource_deleted = resource_deleted
        self.integrations = Integrations(
            region=region,
            account=account,
            boto3_session=boto3_session,
            aws_endpoint_url=aws_endpoint_url,
            boto3_config=boto3_config,
            mocks=mocks,
            machines=_LocalMachines(self),
            buckets=buckets,
        )
        self.integrations.install(resources)

    def execution_resources(self, machine_arn: str, test_case: str | None) -> ResourceRegistry:
        """The registry an execution runs with: the Runtime's, or a mock test case's."""
        if test_case is None:
            return self.resources
        machine = self.registry.machine(machine_arn)
        return self.integrations.for_execution(self.resources, machine.name, test_case)

    def load_mocks(self, mocks: str | os.PathLike[str] | Mapping[str, Any]) -> MockConfig:
        """Use a MockConfigFile (path, JSON text or dict) for executions started with a test
        case: ``start_execution(stateMachineArn=f"{arn}#HappyPath")`` or ``test_case=``."""
        self.integrations.mocks = MockConfig.load(mocks)
        return self.integrations.mocks

    # Callbacks ---------------------------------------------------------------------------------

    @operation("SendTaskSuccess")
    def send_task_success(self, *, taskToken: str, output: str) -> dict[str, Any]:
        """SendTaskSuccess: ``output`` (JSON text) becomes the waiting Task's result.

        Callable from any thread. Raises InvalidToken, TaskDoesNotExist or TaskTimedOut as AWS.
        """
        self.integrations.tokens.succeed(taskToken, output)
        return {}

    @operation("SendTaskFailure")
    def send_task_failure(
        self,
        *,
        taskToken: str,
        error: str | None = None,
        cause: str | None = None,
    ) -> dict[str, Any]:
        """SendTaskFailure: the waiting Task fails with ``error`` and ``cause``."""
        self.integrations.tokens.fail(taskToken, error, cause)
        return {}

    @operation("SendTaskHeartbeat")
    def send_task_heartbeat(self, *, taskToken: str) -> dict[str, Any]:
        """SendTaskHeartbeat: restarts the waiting Task's HeartbeatSeconds clock."""
        self.integrations.tokens.heartbeat(taskToken)
        return {}

    # Activities --------------------------------------------------------------------------------

    @operation("CreateActivity")
    def create_activity(self, *, name: str, **_unused: Any) -> dict[str, Any]:
        """CreateActivity: ``{"activityArn": ..., "creationDate": ...}``."""
        created = self.integrations.activities.create(name, self.clock.now())
        self.resource_created(created["activityArn"], _unused.get("tags"))
        return created

    @operation("DescribeActivity")
    def describe_activity(self, *, activityArn: str) -> dict[str, Any]:
        """DescribeActivity: its ARN, name and creation date."""
        return self.integrations.activities.describe(activityArn)

    @operation("ListActivities")
    def list_activities(
        self, *, maxResults: int = 100, nextToken: str | None = None
    ) -> dict[str, Any]:
        """ListActivities: ``{"activities": [...]}``, paged."""
        return page(self.integrations.activities.list(), "activities", maxResults, nextToken)

    @operation("DeleteActivity")
    def delete_activity(self, *, activityArn: str) -> dict[str, Any]:
        """DeleteActivity (an activity already gone is no error); its tags go with it."""
        deleted = self.integrations.activities.delete(activityArn)
        self.resource_deleted(activityArn)
        return deleted

    @operation("GetActivityTask", extensions=("timeout",))
    def get_activity_task(
        self,
        *,
        activityArn: str,
        workerName: str | None = None,
        timeout: float = LONG_POLL_SECONDS,
    ) -> dict[str, Any]:
        """GetActivityTask: ``{"taskToken": ..., "input": ...}``, or ``{}`` after ``timeout``
        seconds (60, as AWS's long poll) without a task. Blocks: call it from a worker thread.
        """
        if self.launcher.on_loop():
            raise SfnNotebookError(
                "get_activity_task blocks; call it from a worker thread, not the runtime's loop"
            )
        return self.integrations.activities.get_task(activityArn, workerName, timeout)

    def activity_worker(
        self,
        activityArn: str,
        fn: Callable[..., Any],
        *,
        worker_name: str | None = None,
        poll_seconds: float = 1.0,
    ) -> ActivityWorker:
        """Serve an activity with ``fn(input)`` (or ``fn(input, context)`` for heartbeats) in a
        background thread; ``.stop()`` it, or use it as a context manager."""
        return ActivityWorker(
            self.integrations.activities,
            activityArn,
            fn,
            worker_name=worker_name,
            poll_seconds=poll_seconds,
        )

    # TestState ---------------------------------------------------------------------------------

    @operation("TestState")
    def test_state(
        self,
        *,
        definition: str | Mapping[str, Any],
        roleArn: str | None = None,
        input: str | None = None,
        inspectionLevel: str = "INFO",
        revealSecrets: bool = False,
        variables: str | None = None,
        stateName: str | None = None,
        mock: Mapping[str, Any] | None = None,
        context: str | None = None,
        stateConfiguration: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """TestState: run one state once (see :mod:`sfn_notebook.integrations.teststate`).

        A Task calls this Runtime's functions and services, or ``mock``. Without a role ARN a
        Task is refused, as on AWS; give any role ARN locally.
        """
        return off_running_loop(
            lambda: _test_state(
                definition=definition,
                resources=self.resources,
                roleArn=roleArn,
                input=input,
                inspectionLevel=inspectionLevel,
                revealSecrets=revealSecrets,
                variables=variables,
                stateName=stateName,
                mock=mock,
                context=context,
                stateConfiguration=stateConfiguration,
                region=self.region,
                account=self.account,
            )
        )


class _LocalMachines:
    """``states:startExecution`` against this Runtime's own state machines."""

    def __init__(self, service: TaskService) -> None:
        self.service = service

    def local_machine(self, arn: str) -> bool:
        try:
            self.service.registry.machine(split_test_case(arn)[0])
        except SfnNotebookError:
            return False
        return True

    async def start_nested(
        self, arn: str, name: str | None, input_text: str, parent: str | None = None
    ) -> ExecutionRecord:
        """Start a child of execution ``parent`` on the running loop (StartExecution would
        wait for it); raises NestingLimitExceeded when the Runtime's limits refuse it."""
        rt = self.service
        arn, test_case = split_test_case(arn)
        arn = rt.routed_arn(arn)  # an alias runs one of its versions
        resources = rt.execution_resources(arn, test_case)
        started_by = None if parent is None else rt.registry.find_execution(parent)
        lineage = (Lineage() if started_by is None else started_by[0].context.lineage).child(
            rt.limits
        )
        record, execution = rt.create_execution(arn, name, input_text, resources, lineage)
        machine = rt.machine_for(arn)
        rt.launcher.launch_on_loop(
            record, execution, machine.compiled, machine.definition.timeout_seconds
        )
        return record


def test_state(
    definition: str | Mapping[str, Any],
    *,
    input: str | None = None,
    roleArn: str | None = "arn:aws:iam::123456789012:role/sfn-notebook",
    inspectionLevel: str = "DEBUG",
    functions: Mapping[str, Callable[..., Any]] | None = None,
    boto3_session: Any = None,
    aws_endpoint_url: str | Mapping[str, str] | None = None,
    region: str = "us-east-1",
    account: str = "123456789012",
    **params: Any,
) -> dict[str, Any]:
    """TestState without a Runtime: ``functions`` serve Lambda, AWS calls go through
    ``boto3_session`` / ``aws_endpoint_url``; other keywords are TestState's (``mock=``,
    ``stateName=``, ``variables=`` ...). Defaults suit a notebook: DEBUG inspection, a role ARN.

    >>> state = {"Type": "Pass", "Parameters": {"n.$": "$.x"}, "End": True}
    >>> r = test_state(state, input='{"x": 1}')
    >>> r["inspectionData"]["afterParameters"]
    '{"n":1}'
    """
    hub = Integrations(
        region=region,
        account=account,
        boto3_session=boto3_session,
        aws_endpoint_url=aws_endpoint_url,
    )
    registry = hub.install(ResourceRegistry(functions=dict(functions or {})))
    return off_running_loop(
        lambda: _test_state(
            definition=definition,
            resources=registry,
            input=input,
            roleArn=roleArn,
            inspectionLevel=inspectionLevel,
            region=region,
            account=account,
            **params,
        )
    )


test_state.__test__ = False  # type: ignore[attr-defined]  # an API, not a pytest test
