"""``sfn.run``: one execution on a fresh in-memory runtime, in the calling thread.

Its context comes from the one :class:`~sfn_notebook.runtime.contexts.ContextFactory` and it
starts through the one :class:`~sfn_notebook.runtime.launcher.Launcher`
(:meth:`~sfn_notebook.runtime.launcher.Launcher.run_here`), as a Runtime's executions do.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sfn_notebook.asl.cache import parse_cached
from sfn_notebook.asl.express import check_type
from sfn_notebook.asl.model import Definition
from sfn_notebook.engine import compile_machine, make_clock
from sfn_notebook.engine.clock import Clock, VirtualClock
from sfn_notebook.engine.debug import Debugger
from sfn_notebook.engine.execution import ExecutionRecord, input_text, parse_input
from sfn_notebook.engine.interpreter import CompiledMachine
from sfn_notebook.engine.observe import Observers, StageObserver
from sfn_notebook.engine.replay import Replay
from sfn_notebook.engine.resources import ResourceRegistry
from sfn_notebook.limits import Limits
from sfn_notebook.runtime.contexts import ContextFactory, recording, stage_log
from sfn_notebook.runtime.debugging import ForkPlan
from sfn_notebook.runtime.execution import Execution
from sfn_notebook.runtime.identity import (
    DEFAULT_ACCOUNT,
    DEFAULT_REGION,
    check_name,
    execution_arn,
    random_hex,
    random_uuid,
    state_machine_arn,
)
from sfn_notebook.runtime.launcher import Launcher


def run(
    definition: Definition | Mapping[str, Any] | str,
    input: Any = None,
    *,
    input_json: str | None = None,
    state_machine_name: str | None = None,
    execution_name: str | None = None,
    role_arn: str | None = None,
    account: str | None = None,
    region: str | None = None,
    state_machine_type: str = "STANDARD",
    clock: str | Clock = "virtual",
    start_time: datetime | None = None,
    functions: Mapping[str, Callable[..., Any]] | None = None,
    mocks: Any = None,
    seed: int | None = None,
    test_case: str | None = None,
    boto3_session: Any = None,
    aws_endpoint_url: str | Mapping[str, str] | None = None,
    limits: Limits | Mapping[str, Any] | None = None,
    buckets: Mapping[str, Any] | None = None,
    observer: StageObserver | None = None,
    record_stages: bool | None = None,
    breakpoints: Iterable[str] | None = None,
) -> Execution:
    """Run a definition once and return the finished :class:`Execution`.

    ``input`` is any JSON value (default ``{}``); ``input_json`` is raw text exactly as
    StartExecution would get it. The virtual clock (default) makes Waits and backoffs free.
    Nobody can answer a ``.waitForTaskToken`` Task here (use a Runtime for that): it ends at its
    TimeoutSeconds or HeartbeatSeconds or the execution's TimeoutSeconds, waited in real time,
    and without any of them ``run`` waits forever.
    ``mocks`` is a MockConfigFile (path, JSON text or dict) and ``test_case`` one of its test
    cases for this state machine (named ``state_machine_name``, or the configuration's only
    one); AWS service Tasks go through ``boto3_session`` / ``aws_endpoint_url``, and so does S3
    (a Distributed Map's ItemReader and ResultWriter) except the buckets that ``buckets`` maps
    to local folders (``{"my-bucket": "data/"}``). ``limits`` (a
    :class:`~sfn_notebook.limits.Limits` or a dict of its fields) guards against runaway work.
    ``observer`` sees each I/O stage of each state (:mod:`sfn_notebook.engine.observe`; a
    :class:`~sfn_notebook.engine.observe.StageLog` records them). ``record_stages`` keeps
    every stage for :meth:`Execution.inspect` (by default only in a Jupyter kernel).
    ``breakpoints`` (state names, ``"State#retry"``, ``"*error"``: :mod:`sfn_notebook.engine.debug`)
    make the run pause: ``run`` then returns the execution as soon as it pauses (or ends), and
    ``ex.step()``, ``ex.resume()`` and ``ex.stop()`` go on from there.

    >>> ex = run({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": True}}})
    >>> ex.status
    'SUCCEEDED'
    """
    mock_config = None
    if mocks is not None:
        from sfn_notebook.integrations import MockConfig

        mock_config = MockConfig.load(mocks)
    if state_machine_name is None and mock_config is not None and len(mock_config.machines) == 1:
        state_machine_name = next(iter(mock_config.machines))
    model = definition if isinstance(definition, Definition) else parse_cached(definition)
    check_type(model, state_machine_type)
    if input_json is not None:
        text = input_json
        value = parse_input(input_json)
    else:
        value = {} if input is None else input
        text = input_text(value)
    account = account or DEFAULT_ACCOUNT
    region = region or DEFAULT_REGION
    name = check_name(execution_name or random_uuid(), "execution name")
    machine_name = check_name(state_machine_name or f"sfn-notebook-{random_hex(8)}")
    the_limits = Limits.of(limits)
    setup = _Setup(
        model=model,
        machine_name=machine_name,
        region=region,
        account=account,
        role_arn=role_arn or f"arn:aws:iam::{account}:role/sfn-notebook",
        machine_type=state_machine_type,
        functions=dict(functions or {}),
        integration_options={
            "boto3_session": boto3_session,
            "aws_endpoint_url": aws_endpoint_url,
            "mocks": mock_config,
            "buckets": buckets,
        },
        test_case=test_case,
        seed=seed,
        limits=the_limits,
        observer=observer,
        record=recording(record_stages),
    )
    return setup.start(make_clock(clock, start_time), text, value, name, breakpoints)


@dataclass
class _Setup:
    """What every execution ``run`` starts shares: the first one, and its forks."""

    model: Definition
    machine_name: str
    region: str
    account: str
    role_arn: str
    machine_type: str
    functions: dict[str, Callable[..., Any]]
    integration_options: dict[str, Any]
    test_case: str | None
    seed: int | None
    limits: Limits
    observer: StageObserver | None
    record: bool
    _resources: ResourceRegistry | None = field(default=None, repr=False)

    def resources(self, compiled: CompiledMachine) -> ResourceRegistry:
        """The functions, and the integrations when the machine may call one."""
        if self._resources is not None:
            return self._resources
        registry = ResourceRegistry(functions=self.functions)
        options = (*self.integration_options.values(), self.test_case)
        if compiled.sync_only and all(option is None for option in options):
            # Pass, Choice, Succeed and Fail states call nothing: the integrations (callbacks,
            # activities, AWS, buckets) are made for the machines that may, or when asked for
            # (so that their options are checked all the same).
            return registry
        from sfn_notebook.integrations import Integrations

        hub = Integrations(region=self.region, account=self.account, **self.integration_options)
        registry = hub.for_execution(hub.install(registry), self.machine_name, self.test_case)
        self._resources = registry
        return registry

    def start(
        self,
        clock: Clock,
        text: str,
        value: Any,
        name: str,
        breakpoints: Iterable[str] | None,
        replay: Replay | None = None,
        note: dict[str, Any] | None = None,
        model: Definition | None = None,
    ) -> Execution:
        model = model or self.model
        compiled = compile_machine(model)
        observer = self.observer
        if self.record:
            log = stage_log(self.limits)
            observer = log if observer is None else Observers(observer, log)
        contexts = ContextFactory(
            clock, self.account, self.region, self.resources(compiled), self.limits
        )
        machine_arn = state_machine_arn(self.machine_name, self.region, self.account)
        context = contexts.new(
            arn=execution_arn(
                self.machine_name, name, self.region, self.account, self.machine_type
            ),
            name=name,
            machine_arn=machine_arn,
            machine_name=self.machine_name,
            role_arn=self.role_arn,
            machine_type=self.machine_type,
            input_text=text,
            input_value=value,
            # The seed's own stream, as sfn.run always drew from: seeded runs stay as they were.
            rng=None if self.seed is None else random.Random(self.seed),
            observer=observer,
        )
        context.replay = replay  # a fork: the visits before the forked one are kept, not rerun
        if note is not None:
            context.history.note_next(note)
        record = ExecutionRecord(context)

        def fork(plan: ForkPlan) -> Execution:
            return self.fork(plan, clock)

        if not breakpoints:
            execution = Execution(record, machine_arn, model, fork=fork)
            Launcher(clock).run_here(record, execution, compiled, model.timeout_seconds)
            return execution
        # With breakpoints the run must be able to pause and hand the execution back: it runs
        # on a thread of its own (the launcher's), and this returns once it pauses or ends.
        debugger = context.debugger = Debugger(breakpoints, model)
        debugger.clock = clock
        launcher = Launcher(clock)

        def stop(error: str | None, cause: str | None) -> None:
            launcher.stop(record, execution, (error, cause), wait=0)

        execution = Execution(record, machine_arn, model, stop=stop, fork=fork)
        launcher.run_detached(record, execution, compiled, model.timeout_seconds)
        debugger.wait_paused()
        return execution

    def fork(self, plan: ForkPlan, clock: Clock) -> Execution:
        """Start a fork (``Execution.fork``); on the virtual clock it begins at the instant the
        original visit began, so the two executions' timestamps compare."""
        if clock.virtual:
            clock = VirtualClock(plan.entered["timestamp"])
        else:
            clock = make_clock("real")
        model = self.model
        if plan.definition is not None:
            given = plan.definition
            model = given if isinstance(given, Definition) else parse_cached(given)
        name = check_name(plan.name or random_uuid(), "execution name")
        value = parse_input(plan.input_text)
        return self.start(
            clock, plan.input_text, value, name, plan.breakpoints, plan.replay, plan.note, model
        )
