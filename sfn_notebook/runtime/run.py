"""``sfn.run``: one execution on a fresh in-memory runtime, in the calling thread."""

from __future__ import annotations

import contextlib
import random
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sfn_notebook.asl.cache import parse_cached
from sfn_notebook.asl.model import Definition
from sfn_notebook.engine import compile_machine, make_clock
from sfn_notebook.engine.clock import Clock, VirtualClock, release_loop
from sfn_notebook.engine.debug import Debugger
from sfn_notebook.engine.execution import ExecutionRecord, execute, input_text, parse_input
from sfn_notebook.engine.frame import ExecutionContext, LazyRandom
from sfn_notebook.engine.history import History
from sfn_notebook.engine.interpreter import CompiledMachine
from sfn_notebook.engine.observe import StageObserver
from sfn_notebook.engine.replay import Replay
from sfn_notebook.engine.resources import ResourceRegistry
from sfn_notebook.limits import Limits
from sfn_notebook.runtime.debugging import ForkPlan
from sfn_notebook.runtime.execution import Execution
from sfn_notebook.runtime.identity import (
    DEFAULT_ACCOUNT,
    DEFAULT_REGION,
    check_name,
    execution_arn,
    state_machine_arn,
)
from sfn_notebook.runtime.threads import off_running_loop


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
    :class:`~sfn_notebook.engine.observe.StageLog` records them).
    ``breakpoints`` (state names, ``"State#retry"``, ``"*error"``: :mod:`sfn_notebook.engine.debug`)
    make the run pause: ``run`` then returns the execution as soon as it pauses (or ends), and
    ``ex.step()``, ``ex.resume()`` and ``ex.stop()`` go on from there.

    >>> ex = run({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": True}}})
    >>> ex.status
    'SUCCEEDED'
    """
    from sfn_notebook.integrations import Integrations, MockConfig

    mock_config = None if mocks is None else MockConfig.load(mocks)
    if state_machine_name is None and mock_config is not None and len(mock_config.machines) == 1:
        state_machine_name = next(iter(mock_config.machines))
    model = definition if isinstance(definition, Definition) else parse_cached(definition)
    if input_json is not None:
        text = input_json
        value = parse_input(input_json)
    else:
        value = {} if input is None else input
        text = input_text(value)
    account = account or DEFAULT_ACCOUNT
    region = region or DEFAULT_REGION
    machine_name = check_name(state_machine_name or f"sfn-notebook-{uuid.uuid4().hex[:8]}")
    name = check_name(execution_name or str(uuid.uuid4()), "execution name")
    the_limits = Limits.of(limits)
    the_clock = make_clock(clock, start_time)
    hub = Integrations(
        region=region,
        account=account,
        boto3_session=boto3_session,
        aws_endpoint_url=aws_endpoint_url,
        mocks=mock_config,
        buckets=buckets,
    )
    registry = hub.install(ResourceRegistry(functions=dict(functions or {})))
    registry = hub.for_execution(registry, machine_name, test_case)
    setup = _Setup(
        model,
        machine_name,
        region,
        account,
        role_arn or f"arn:aws:iam::{account}:role/sfn-notebook",
        state_machine_type,
        registry,
        seed,
        the_limits,
        observer,
    )
    return setup.start(the_clock, text, value, name, breakpoints)


@dataclass
class _Setup:
    """What every execution ``run`` starts shares: the first one, and its forks."""

    model: Definition
    machine_name: str
    region: str
    account: str
    role_arn: str
    machine_type: str
    resources: ResourceRegistry
    seed: int | None
    limits: Limits
    observer: StageObserver | None

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
        machine_arn = state_machine_arn(self.machine_name, self.region, self.account)
        context = ExecutionContext(
            clock=clock,
            history=History.for_execution(clock.now, self.machine_type, self.limits),
            execution_arn=execution_arn(
                self.machine_name, name, self.region, self.account, self.machine_type
            ),
            execution_name=name,
            state_machine_arn=machine_arn,
            state_machine_name=self.machine_name,
            role_arn=self.role_arn,
            account=self.account,
            region=self.region,
            input_text=text,
            input_value=value,
            start_time=clock.now(),
            resources=self.resources,
            state_machine_type=self.machine_type,
            rng=LazyRandom() if self.seed is None else random.Random(self.seed),
            limits=self.limits,
            observer=self.observer,
            replay=replay,
        )
        if note is not None:
            context.history.note_next(note)
        record = ExecutionRecord(context)
        compiled = compile_machine(model)
        if not breakpoints:
            off_running_loop(lambda: _execute(record, compiled, model.timeout_seconds))
            return Execution(record, machine_arn, model, fork=lambda plan: self.fork(plan, clock))
        # With breakpoints the run must be able to pause and hand the execution back: it runs
        # on a thread of its own, and this returns once it pauses or ends.
        debugger = context.debugger = Debugger(breakpoints, model)
        debugger.clock = clock
        loop = clock.new_loop()
        task = record.task = loop.create_task(execute(record, compiled, model.timeout_seconds))

        def stop(error: str | None, cause: str | None) -> None:
            record.abort_reason = (error, cause)
            context.stopped.set()
            with contextlib.suppress(RuntimeError):  # the loop has closed: it already ended
                loop.call_soon_threadsafe(task.cancel)

        execution = Execution(
            record, machine_arn, model, stop=stop, fork=lambda plan: self.fork(plan, clock)
        )

        def drive() -> None:
            try:
                loop.run_until_complete(task)
            finally:
                release_loop(loop)
                execution.mark_finished()

        threading.Thread(target=drive, name="sfn-debug", daemon=True).start()
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
        name = check_name(plan.name or str(uuid.uuid4()), "execution name")
        value = parse_input(plan.input_text)
        return self.start(
            clock, plan.input_text, value, name, plan.breakpoints, plan.replay, plan.note, model
        )


def _execute(record: ExecutionRecord, compiled: CompiledMachine, timeout: int | None) -> None:
    loop = record.context.clock.new_loop()
    try:
        loop.run_until_complete(execute(record, compiled, timeout))
    finally:
        release_loop(loop)  # kept for this thread's next run when clean (engine/clock.py)
