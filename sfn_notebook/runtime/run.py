"""``sfn.run``: one execution on a fresh in-memory runtime, in the calling thread.

Its context comes from the one :class:`~sfn_notebook.runtime.contexts.ContextFactory` and it
starts through the one :class:`~sfn_notebook.runtime.launcher.Launcher`
(:meth:`~sfn_notebook.runtime.launcher.Launcher.run_here`), as a Runtime's executions do.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sfn_notebook.asl.cache import parse_cached
from sfn_notebook.asl.model import Definition
from sfn_notebook.engine import compile_machine, make_clock
from sfn_notebook.engine.clock import Clock
from sfn_notebook.engine.execution import ExecutionRecord, input_text, parse_input
from sfn_notebook.engine.observe import Observers, StageObserver
from sfn_notebook.engine.resources import ResourceRegistry
from sfn_notebook.limits import Limits
from sfn_notebook.runtime.contexts import ContextFactory, recording, stage_log
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
    if recording(record_stages):
        log = stage_log(the_limits)
        observer = log if observer is None else Observers(observer, log)
    the_clock = make_clock(clock, start_time)
    compiled = compile_machine(model)
    registry = ResourceRegistry(functions=dict(functions or {}))
    options = (mock_config, test_case, boto3_session, aws_endpoint_url, buckets)
    if not compiled.sync_only or any(option is not None for option in options):
        # Pass, Choice, Succeed and Fail states call nothing: the integrations (callbacks,
        # activities, AWS, buckets) are made for the machines that may, or when asked for (so
        # that their options are checked all the same).
        from sfn_notebook.integrations import Integrations

        hub = Integrations(
            region=region,
            account=account,
            boto3_session=boto3_session,
            aws_endpoint_url=aws_endpoint_url,
            mocks=mock_config,
            buckets=buckets,
        )
        registry = hub.for_execution(hub.install(registry), machine_name, test_case)
    contexts = ContextFactory(the_clock, account, region, registry, the_limits)
    machine_arn = state_machine_arn(machine_name, region, account)
    context = contexts.new(
        arn=execution_arn(machine_name, name, region, account, state_machine_type),
        name=name,
        machine_arn=machine_arn,
        machine_name=machine_name,
        role_arn=role_arn or f"arn:aws:iam::{account}:role/sfn-notebook",
        machine_type=state_machine_type,
        input_text=text,
        input_value=value,
        # The seed's own stream, as sfn.run always drew from: seeded runs stay as they were.
        rng=None if seed is None else random.Random(seed),
        observer=observer,
    )
    record = ExecutionRecord(context)
    execution = Execution(record, machine_arn, model)
    Launcher(the_clock).run_here(record, execution, compiled, model.timeout_seconds)
    return execution
