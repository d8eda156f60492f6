"""``sfn.run``: one execution on a fresh in-memory runtime, in the calling thread."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sfn_notebook.asl.cache import parse_cached
from sfn_notebook.asl.express import check_type
from sfn_notebook.asl.model import Definition
from sfn_notebook.engine import compile_machine, make_clock
from sfn_notebook.engine.clock import Clock, release_loop
from sfn_notebook.engine.execution import ExecutionRecord, execute, input_text, parse_input
from sfn_notebook.engine.frame import ExecutionContext, LazyRandom
from sfn_notebook.engine.history import History
from sfn_notebook.engine.observe import StageObserver
from sfn_notebook.engine.resources import ResourceRegistry
from sfn_notebook.limits import Limits
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

    >>> ex = run({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": True}}})
    >>> ex.status
    'SUCCEEDED'
    """
    from sfn_notebook.integrations import Integrations, MockConfig

    mock_config = None if mocks is None else MockConfig.load(mocks)
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
    return off_running_loop(
        lambda: _execute(
            model,
            the_clock,
            text,
            value,
            machine_name,
            name,
            region,
            account,
            role_arn,
            state_machine_type,
            registry,
            seed,
            the_limits,
            observer,
        )
    )


def _execute(
    model: Definition,
    the_clock: Clock,
    text: str,
    value: Any,
    machine_name: str,
    name: str,
    region: str,
    account: str,
    role_arn: str | None,
    state_machine_type: str,
    resources: ResourceRegistry,
    seed: int | None,
    limits: Limits,
    observer: StageObserver | None = None,
) -> Execution:
    loop = the_clock.new_loop()
    try:
        machine_arn = state_machine_arn(machine_name, region, account)
        context = ExecutionContext(
            clock=the_clock,
            history=History.for_execution(the_clock.now, state_machine_type, limits),
            execution_arn=execution_arn(machine_name, name, region, account, state_machine_type),
            execution_name=name,
            state_machine_arn=machine_arn,
            state_machine_name=machine_name,
            role_arn=role_arn or f"arn:aws:iam::{account}:role/sfn-notebook",
            account=account,
            region=region,
            input_text=text,
            input_value=value,
            start_time=the_clock.now(),
            resources=resources,
            state_machine_type=state_machine_type,
            rng=LazyRandom() if seed is None else random.Random(seed),
            limits=limits,
            observer=observer,
        )
        record = ExecutionRecord(context)
        loop.run_until_complete(execute(record, compile_machine(model), model.timeout_seconds))
    finally:
        release_loop(loop)  # kept for this thread's next run when clean (engine/clock.py)
    return Execution(record, machine_arn, model)
