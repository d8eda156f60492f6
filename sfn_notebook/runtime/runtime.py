"""``Runtime``: state machines and executions, speaking boto3's Step Functions dialect.

Method names, keyword arguments and response dictionaries are those of
``boto3.client("stepfunctions")``, so code written against a Runtime runs against AWS by swapping
the client. Executions run in the background on one event loop thread; Python conveniences
(:class:`~sfn_notebook.runtime.execution.Execution` objects, ``@rt.function``) sit on top.

>>> rt = Runtime(clock="virtual")
>>> definition = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
>>> arn = rt.create_state_machine(name="hello", definition=definition)["stateMachineArn"]
>>> ex = rt.start(arn, {"x": 1}).wait()
>>> ex.status, ex.output
('SUCCEEDED', {'x': 1})
"""

from __future__ import annotations

import json
import math
import os
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from sfn_notebook.asl.express import check_type
from sfn_notebook.asl.parse import parse
from sfn_notebook.engine import compile_machine, make_clock
from sfn_notebook.engine.clock import Clock, VirtualClock
from sfn_notebook.engine.debug import Debugger
from sfn_notebook.engine.execution import ExecutionRecord, input_text, parse_input
from sfn_notebook.engine.replay import Replay
from sfn_notebook.engine.resources import ResourceRegistry
from sfn_notebook.engine.workers import DaemonPool
from sfn_notebook.errors import SfnNotebookError
from sfn_notebook.integrations import split_test_case
from sfn_notebook.limits import Limits, Lineage
from sfn_notebook.runtime.aliases import AliasService
from sfn_notebook.runtime.contexts import ContextFactory, recording
from sfn_notebook.runtime.debugging import ForkPlan, fork_plan
from sfn_notebook.runtime.definitions import DefinitionService
from sfn_notebook.runtime.exceptions import (
    EXCEPTIONS,
    ExecutionAlreadyExists,
    ExecutionDoesNotExist,
    InvalidArn,
    MissingRequiredParameter,
    StateMachineAlreadyExists,
    StateMachineDoesNotExist,
    StateMachineTypeNotSupported,
    ValidationException,
)
from sfn_notebook.runtime.execution import Execution
from sfn_notebook.runtime.identity import (
    DEFAULT_ACCOUNT,
    DEFAULT_REGION,
    DEFAULT_ROLE,
    check_arn,
    check_name,
    execution_arn,
    logging_configuration,
    page,
    random_uuid,
    state_machine_arn,
)
from sfn_notebook.runtime.launcher import Launcher
from sfn_notebook.runtime.ledger import Ledger
from sfn_notebook.runtime.mapruns import MapRunService
from sfn_notebook.runtime.params import Offered, operation
from sfn_notebook.runtime.queries import ExecutionQueries
from sfn_notebook.runtime.registry import MachineRegistry, StateMachine, StateMachineVersion
from sfn_notebook.runtime.tags import TagService
from sfn_notebook.runtime.tasks import TaskService
from sfn_notebook.runtime.versions import VersionService, check_version_description

__all__ = [  # the errors and records are defined in their own modules, re-exported here
    "ExecutionAlreadyExists",
    "ExecutionDoesNotExist",
    "Runtime",
    "StateMachine",
    "StateMachineAlreadyExists",
    "StateMachineDoesNotExist",
    "StateMachineTypeNotSupported",
    "StateMachineVersion",
]


class Runtime:
    """Local Step Functions: create state machines, start executions, read their histories.

    ``clock`` is ``"real"`` (default) or ``"virtual"``; ``functions`` maps Lambda function names
    or ARNs to Python callables; ``store`` is a SQLite file that keeps state machines and
    executions with their histories across restarts (``None`` keeps everything in memory).
    AWS service Tasks reach AWS (or moto, LocalStack) through ``boto3_session`` and/or
    ``aws_endpoint_url``; ``mocks`` is a MockConfigFile for executions started with a test case;
    ``buckets`` maps S3 bucket names to local folders (``{"my-bucket": "data/"}``) for a
    Distributed Map's ItemReader and ResultWriter (other buckets are reached through boto3).
    ``limits`` (a :class:`~sfn_notebook.limits.Limits` or a dict of its fields) sets the guards
    against runaway work: nesting depth, nested executions, EXPRESS events, JSONata strings.
    ``record_stages`` keeps each execution's data at every processing stage for the state
    inspector (``Execution.inspect``); by default only in a Jupyter kernel.

    The boto3-dialect methods check their parameters as boto3 does (unknown, missing or
    mistyped ones raise ``ParamValidationError``, see :mod:`sfn_notebook.runtime.params`);
    ``**_unused`` takes the API's members this Runtime accepts but does not act on
    (``tags``, ``loggingConfiguration`` ...). Their errors are in ``rt.exceptions``.

    A Runtime is composed of parts with one job each, talking through public methods: the
    machine ``registry``, the ``contexts`` factory, the ``launcher`` (every start), the
    ``ledger`` (a listener writing to its store), ``definitions`` (describing and validating),
    ``aliases`` (and the routing of executions through them), ``versions``, ``tags``,
    ``queries`` (describing, listing executions and their histories), ``tasks`` (tokens,
    activities, AWS access, mocks, TestState) and ``map_runs``. The methods of the last seven
    are offered as its own.
    """

    #: The error classes by AWS error code, as a boto3 client's ``exceptions``.
    exceptions = EXCEPTIONS

    def __init__(
        self,
        store: str | os.PathLike[str] | None = None,
        *,
        clock: str | Clock = "real",
        account: str = DEFAULT_ACCOUNT,
        region: str = DEFAULT_REGION,
        functions: Mapping[str, Callable[..., Any]] | None = None,
        seed: int | None = None,
        max_workers: int = 32,
        start_time: datetime | None = None,
        boto3_session: Any = None,
        aws_endpoint_url: str | Mapping[str, str] | None = None,
        boto3_config: Any = None,
        mocks: Any = None,
        limits: Limits | Mapping[str, Any] | None = None,
        buckets: Mapping[str, Any] | None = None,
        record_stages: bool | None = None,
    ) -> None:
        self.limits = Limits.of(limits)
        self.account = account
        self.region = region
        self.clock = make_clock(clock, start_time)
        self.resources = ResourceRegistry(
            functions=dict(functions or {}),
            executor=DaemonPool(max_workers=max_workers),
        )
        self.registry = MachineRegistry()
        self.launcher = Launcher(self.clock)
        self.contexts = ContextFactory(
            self.clock,
            account,
            region,
            self.resources,
            self.limits,
            seed,
            record_stages=recording(record_stages),
        )
        self.ledger = Ledger(
            None if store is None else os.fspath(store),
            clock=self.clock,
            registry=self.registry,
            contexts=self.contexts,
            launcher=self.launcher,
        )
        self.store = self.ledger.store
        self.definitions = DefinitionService(self.registry)
        self.aliases = AliasService(self.registry, self.clock, self.describe_state_machine)
        self.versions = VersionService(
            self.registry, self.clock, self.ledger, routing_to=self.aliases.routing_to
        )
        self.tags = TagService(self.registry)
        self.queries = ExecutionQueries(
            self.registry, self.ledger, self.aliases.started_via, self.aliases.started_through
        )
        try:
            self.tasks = TaskService(
                clock=self.clock,
                resources=self.resources,
                registry=self.registry,
                launcher=self.launcher,
                limits=self.limits,
                region=region,
                account=account,
                create_execution=self.create_execution,
                machine_for=self.versions.machine_for,
                routed_arn=self.aliases.routed_arn,
                resource_created=self.tags.resource_created,
                resource_deleted=self.tags.resource_deleted,
                boto3_session=boto3_session,
                aws_endpoint_url=aws_endpoint_url,
                boto3_config=boto3_config,
                mocks=mocks,
                buckets=buckets,
            )
        except BaseException:
            self.ledger.close()  # (mocks that cannot be read, say: leave no store open)
            raise
        self.integrations = self.tasks.integrations
        self.map_runs = MapRunService(self.registry)

    def close(self) -> None:
        """Stop the background loop (running executions are abandoned)."""
        self.launcher.close()
        self.ledger.close()

    def __enter__(self) -> Runtime:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # The parts' methods, offered as the Runtime's --------------------------------------------

    execution_resources = Offered("tasks", TaskService)
    load_mocks = Offered("tasks", TaskService)
    send_task_success = Offered("tasks", TaskService)
    send_task_failure = Offered("tasks", TaskService)
    send_task_heartbeat = Offered("tasks", TaskService)
    create_activity = Offered("tasks", TaskService)
    describe_activity = Offered("tasks", TaskService)
    list_activities = Offered("tasks", TaskService)
    delete_activity = Offered("tasks", TaskService)
    get_activity_task = Offered("tasks", TaskService)
    activity_worker = Offered("tasks", TaskService)
    test_state = Offered("tasks", TaskService)
    describe_map_run = Offered("map_runs", MapRunService)
    list_map_runs = Offered("map_runs", MapRunService)
    update_map_run = Offered("map_runs", MapRunService)
    describe_state_machine = Offered("definitions", DefinitionService)
    describe_state_machine_for_execution = Offered("definitions", DefinitionService)
    validate_state_machine_definition = Offered("definitions", DefinitionService)
    create_state_machine_alias = Offered("aliases", AliasService)
    describe_state_machine_alias = Offered("aliases", AliasService)
    update_state_machine_alias = Offered("aliases", AliasService)
    delete_state_machine_alias = Offered("aliases", AliasService)
    list_state_machine_aliases = Offered("aliases", AliasService)
    routed_arn = Offered("aliases", AliasService)
    publish_state_machine_version = Offered("versions", VersionService)
    delete_state_machine_version = Offered("versions", VersionService)
    list_state_machine_versions = Offered("versions", VersionService)
    machine_for = Offered("versions", VersionService)
    describe_execution = Offered("queries", ExecutionQueries)
    get_execution_history = Offered("queries", ExecutionQueries)
    list_executions = Offered("queries", ExecutionQueries)
    tag_resource = Offered("tags", TagService)
    untag_resource = Offered("tags", TagService)
    list_tags_for_resource = Offered("tags", TagService)

    # Python conveniences ----------------------------------------------------------------------

    def function(self, name: str | Callable[..., Any] | None = None) -> Any:
        """Register a Python function serving Lambda Task states (``@rt.function("Name")``)."""

        def register(fn: Callable[..., Any], key: str | None = None) -> Callable[..., Any]:
            self.resources.functions[key or fn.__name__] = fn
            return fn

        if callable(name):
            return register(name)
        return lambda fn: register(fn, name)

    def advance(self, seconds: float) -> datetime:
        """Move the virtual clock ``seconds`` forward on purpose; returns the new time.

        The timers due meanwhile (heartbeats, timeouts, Waits, backoffs) fire in order, each at
        its own instant, and this returns once the executions have reacted to them: how a
        notebook shows a heartbeat lapse or a callback timeout without waiting for it.

        >>> from datetime import timezone
        >>> rt = Runtime(clock="virtual", start_time=datetime(2025, 1, 1, tzinfo=timezone.utc))
        >>> rt.advance(3600).isoformat()
        '2025-01-01T01:00:00+00:00'
        """
        if not isinstance(self.clock, VirtualClock):
            raise SfnNotebookError(
                "Runtime.advance needs the virtual clock; this Runtime runs on the real clock, "
                "where time passes by itself (create one with Runtime(clock='virtual'))"
            )
        if (
            isinstance(seconds, bool)
            or not isinstance(seconds, int | float)
            or not 0 <= seconds < _MAX_ADVANCE
        ):
            raise SfnNotebookError(
                f"Runtime.advance: seconds must be a number from 0 to {_MAX_ADVANCE:.0f} "
                f"(a century), not {seconds!r}"
            )
        if self.launcher.on_loop():
            raise SfnNotebookError(
                "Runtime.advance waits for the runtime's loop; call it from outside that loop "
                "(a notebook cell, a synchronous task function), not from an async task function"
            )
        return self.clock.advance(float(seconds))

    def execution(self, execution_arn: str) -> Execution:
        """The :class:`Execution` object for an ARN."""
        return self.registry.execution(execution_arn)[1]

    def start(
        self,
        state_machine: str,
        input: Any = None,
        *,
        name: str | None = None,
        breakpoints: Iterable[str] | None = None,
    ) -> Execution:
        """Start an execution by state machine name or ARN; returns the Execution at once.

        ``breakpoints`` (state names, ``"State#retry"``, ``"*error"``) make it pause there
        (:mod:`sfn_notebook.engine.debug`); ``ex.wait()`` returns when it pauses or ends.
        """
        if not isinstance(state_machine, str):
            raise InvalidArn(f"Invalid Arn: 'Invalid ARN prefix: {state_machine}'")
        arn = state_machine if state_machine.startswith("arn:") else self._arn(state_machine)
        text = input_text({} if input is None else input)
        return self._start(arn, text, name, breakpoints=breakpoints)

    def fork(self, execution: Execution | str, at: int | str, **options: Any) -> Execution:
        """Start a new execution at one state visit of ``execution`` (an Execution or ARN):
        see :meth:`Execution.fork <sfn_notebook.runtime.debugging.Debugging.fork>` for
        ``at`` and the options. It runs the state machine as it is now."""
        if isinstance(execution, str):
            execution = self.execution(execution)
        plan = fork_plan(execution, at, **options)
        return self._fork(execution.state_machine_arn, plan)

    def _fork(self, machine_arn: str, plan: ForkPlan) -> Execution:
        if plan.definition is not None:
            raise SfnNotebookError(
                "a Runtime's fork runs its state machine as it is now: call "
                "update_state_machine(definition=...) first, not fork(definition=...)"
            )
        return self._start(
            machine_arn,
            plan.input_text,
            plan.name,
            breakpoints=plan.breakpoints,
            replay=plan.replay,
            note=plan.note,
        )

    def _start(
        self,
        machine_arn: str,
        text: str | None,
        name: str | None,
        *,
        test_case: str | None = None,
        breakpoints: Iterable[str] | None = None,
        replay: Replay | None = None,
        note: dict[str, Any] | None = None,
    ) -> Execution:
        """Create and launch an execution: StartExecution, ``start`` and forks."""
        given = machine_arn
        machine_arn = self.routed_arn(given)  # an alias runs one of its versions
        machine = self.machine_for(machine_arn)  # a version ARN runs that version
        debugger = Debugger(breakpoints, machine.definition) if breakpoints else None
        resources = self.tasks.execution_resources(machine_arn, test_case)
        record, execution = self.create_execution(machine_arn, name, text, resources)
        self.aliases.note_start(execution.arn, given, machine_arn)
        context = record.context
        context.replay = replay
        if note is not None:
            context.history.note_next(note)
        if debugger is not None:
            context.debugger = debugger
            debugger.clock = self.clock
        self.launcher.launch(
            record, execution, machine.compiled, machine.definition.timeout_seconds
        )
        return execution

    # State machines ---------------------------------------------------------------------------

    def _arn(self, name: str) -> str:
        return state_machine_arn(name, self.region, self.account)

    @operation("CreateStateMachine")
    def create_state_machine(
        self,
        *,
        name: str,
        definition: str | Mapping[str, Any],
        roleArn: str = DEFAULT_ROLE,
        type: str = "STANDARD",
        publish: bool = False,
        versionDescription: str | None = None,
        **_unused: Any,
    ) -> dict[str, Any]:
        check_name(name, "state machine name")
        check_version_description(publish, versionDescription)
        if type not in ("STANDARD", "EXPRESS"):
            raise ValidationException(f"Invalid type: {type}")
        model = parse(definition)
        check_type(model, type)
        logging = _unused.get("loggingConfiguration")
        logged = None if logging is None else logging_configuration(logging)
        text = definition if isinstance(definition, str) else json.dumps(model.raw)
        arn = self._arn(name)
        with self.registry.lock:
            existing = self.registry.find_machine(arn)
            if existing is not None:
                if existing.definition_text == text and existing.role_arn == roleArn:
                    return {"stateMachineArn": arn, "creationDate": existing.created}
                raise StateMachineAlreadyExists(f"State Machine Already Exists: '{arn}'")
            machine = StateMachine(
                arn=arn,
                name=name,
                definition_text=text,
                definition=model,
                compiled=compile_machine(model),
                role_arn=roleArn,
                type=type,
                created=self.clock.now(),
                logging=logged,
            )
            self.registry.add_machine(machine)
            self.ledger.machine_saved(machine)
            self.tags.resource_created(arn, _unused.get("tags"))
            response: dict[str, Any] = {"stateMachineArn": arn, "creationDate": machine.created}
            if publish:
                published = self.versions.publish(machine, versionDescription)
                response["stateMachineVersionArn"] = published
        return response

    @operation("UpdateStateMachine")
    def update_state_machine(
        self,
        *,
        stateMachineArn: str,
        definition: str | Mapping[str, Any] | None = None,
        roleArn: str | None = None,
        publish: bool = False,
        versionDescription: str | None = None,
        **_unused: Any,
    ) -> dict[str, Any]:
        # (publish alone is let through: AWS's answer to it is not recorded)
        if (
            definition is None
            and roleArn is None
            and not publish
            and not (_unused.get("loggingConfiguration") or _unused.get("tracingConfiguration"))
        ):
            raise MissingRequiredParameter(  # AWS's words, recorded
                "Either the definition, the role ARN, the LoggingConfiguration, or the "
                "TracingConfiguration must be specified"
            )
        check_version_description(publish, versionDescription)
        with self.registry.lock:
            machine = self.registry.machine(stateMachineArn)
            changed = roleArn is not None and roleArn != machine.role_arn
            if definition is not None:
                model = parse(definition)
                check_type(model, machine.type)
                text = definition if isinstance(definition, str) else json.dumps(model.raw)
                changed = changed or text != machine.definition_text
                machine.definition_text, machine.definition = text, model
                machine.compiled = compile_machine(model)
            if roleArn is not None:
                machine.role_arn = roleArn
            if _unused.get("loggingConfiguration") is not None:
                machine.logging = logging_configuration(_unused["loggingConfiguration"])
            response: dict[str, Any] = {"updateDate": self.clock.now()}
            if changed:
                # AWS starts a new revision only for a real change, and names it only then
                # (recorded: test_empty_revision_with_publish_and_no_publish_on_creation).
                machine.revision_id = str(uuid.uuid4())
                response["revisionId"] = machine.revision_id
            self.ledger.machine_saved(machine)
            if publish:
                published = self.versions.publish(machine, versionDescription)
                response["stateMachineVersionArn"] = published
        return response

    @operation("ListStateMachines")
    def list_state_machines(
        self,
        *,
        maxResults: int = 100,
        nextToken: str | None = None,
    ) -> dict[str, Any]:
        items = [
            {"stateMachineArn": m.arn, "name": m.name, "type": m.type, "creationDate": m.created}
            for m in sorted(self.registry.machines(), key=lambda m: m.name)
        ]
        return page(items, "stateMachines", maxResults, nextToken)

    @operation("DeleteStateMachine")
    def delete_state_machine(self, *, stateMachineArn: str) -> dict[str, Any]:
        check_arn(stateMachineArn)
        with self.registry.lock:
            self.registry.remove_machine(stateMachineArn)
            self.tags.resource_deleted(stateMachineArn)
            self.ledger.machine_deleted(stateMachineArn)
        return {}

    # Executions -------------------------------------------------------------------------------

    @operation("StartExecution", extensions=("test_case",))
    def start_execution(
        self,
        *,
        stateMachineArn: str,
        name: str | None = None,
        input: str | None = None,
        test_case: str | None = None,
        **_unused: Any,
    ) -> dict[str, Any]:
        # "<arn>#<TestCase>" runs with a mock test case, as in Step Functions Local.
        stateMachineArn, test_case = split_test_case(stateMachineArn, test_case)
        execution = self._start(stateMachineArn, input, name, test_case=test_case)
        return {"executionArn": execution.arn, "startDate": execution.start_date}

    def create_execution(
        self,
        machine_arn: str,
        name: str | None,
        input_text: str | None,
        resources: ResourceRegistry | None = None,
        lineage: Lineage | None = None,
    ) -> tuple[ExecutionRecord, Execution]:
        """A new execution of a state machine, registered and stored, not yet launched (the
        launcher runs it): what StartExecution and a nested startExecution share."""
        machine = self.machine_for(machine_arn)
        text = "{}" if input_text is None else input_text
        value = parse_input(text)
        name = check_name(name or random_uuid(), "execution name")
        arn = execution_arn(machine.name, name, self.region, self.account, machine.type)
        with self.registry.lock:
            if self.registry.find_execution(arn) is not None:
                raise ExecutionAlreadyExists(f"Execution Already Exists: '{arn}'")
            context = self.contexts.new(
                arn=arn,
                name=name,
                machine_arn=machine.arn,
                machine_name=machine.name,
                role_arn=machine.role_arn,
                machine_type=machine.type,
                input_text=text,
                input_value=value,
                resources=resources,
                lineage=lineage,
            )
            record = ExecutionRecord(context)
            execution = Execution(
                record,
                machine.arn,
                machine.definition,
                settle=self.ledger.settler(arn),
                stop=lambda error, cause: self._stop(arn, error, cause),
                fork=lambda plan: self._fork(machine.arn, plan),
            )
            self.registry.add_execution(record, execution)
            self.ledger.execution_created(record, machine)
        return record, execution

    @operation("StartSyncExecution")
    def start_sync_execution(
        self,
        *,
        stateMachineArn: str,
        name: str | None = None,
        input: str | None = None,
        **_unused: Any,
    ) -> dict[str, Any]:
        if self.registry.machine(stateMachineArn).type != "EXPRESS":
            raise StateMachineTypeNotSupported(
                "This operation is not supported by this type of state machine"
            )
        started = self.start_execution(stateMachineArn=stateMachineArn, name=name, input=input)
        execution = self.execution(started["executionArn"]).wait()
        response = self.queries.describe_execution(executionArn=execution.arn)
        response.pop("redriveCount", None)
        response.pop("redriveStatus", None)
        response.pop("redriveStatusReason", None)
        # Unlike DescribeExecution, AWS marks the output included even when there is none
        # (recorded: test_express_sync, test_base[BASE_RAISE_FAILURE]).
        response.setdefault("outputDetails", {"included": True})
        # Express workflows bill by the execution's duration, rounded up to the next 100 ms
        # (recorded: 7600 ms for a run that waited out ~7.5 s of retry backoff).
        elapsed = response.get("stopDate", response["startDate"]) - response["startDate"]
        billed = max(100, math.ceil(elapsed.total_seconds() * 10) * 100)
        response["billingDetails"] = {
            "billedMemoryUsedInMB": 64,
            "billedDurationInMilliseconds": billed,
        }
        return response

    @operation("RedriveExecution")
    def redrive_execution(self, *, executionArn: str, **_unused: Any) -> dict[str, Any]:
        """RedriveExecution: rerun a FAILED, TIMED_OUT or ABORTED execution's unsuccessful
        states (a Map's succeeded iterations and a Parallel's succeeded branches are kept)."""
        return self.ledger.redrive(executionArn)

    @operation("StopExecution")
    def stop_execution(
        self,
        *,
        executionArn: str,
        error: str | None = None,
        cause: str | None = None,
    ) -> dict[str, Any]:
        record, execution = self.registry.execution(executionArn)
        if record.status == "RUNNING":
            self.launcher.stop(record, execution, (error, cause), 10)
        return {"stopDate": record.stop_date or self.clock.now()}

    def _stop(self, arn: str, error: str | None, cause: str | None) -> None:
        """``Execution.stop()``: StopExecution with what was given."""
        given = {"error": error, "cause": cause}
        self.stop_execution(executionArn=arn, **{k: v for k, v in given.items() if v is not None})


_MAX_ADVANCE = 100 * 365.25 * 86400
