"""The one place an execution's :class:`ExecutionContext` is built.

A new execution (StartExecution, a nested ``states:startExecution``, ``sfn.run``'s) and one
reopened from the store get their context here, so the clock, account, region, resources, limits
and random stream of a Runtime (or of one ``sfn.run``) reach every execution the same way.

>>> from sfn_notebook.engine import make_clock
>>> from sfn_notebook.engine.resources import ResourceRegistry
>>> from sfn_notebook.limits import Limits
>>> factory = ContextFactory(make_clock("virtual", None), "123456789012", "us-east-1",
...                          ResourceRegistry(), Limits(), seed=1)
>>> ctx = factory.new(arn="arn:x", name="e", machine_arn="arn:m", machine_name="m",
...                   role_arn="arn:r", machine_type="STANDARD", input_text='{"a":1}')
>>> ctx.input_value, ctx.history.events
({'a': 1}, [])
"""

from __future__ import annotations

import json
import random
import sys
from datetime import datetime
from typing import TYPE_CHECKING

from sfn_notebook.engine.execution import parse_input
from sfn_notebook.engine.frame import ExecutionContext
from sfn_notebook.engine.history import History
from sfn_notebook.engine.observe import StageLog

if TYPE_CHECKING:
    from sfn_notebook.engine.clock import Clock
    from sfn_notebook.engine.observe import StageObserver
    from sfn_notebook.engine.resources import ResourceRegistry
    from sfn_notebook.limits import Limits, Lineage


def recording(record_stages: bool | None) -> bool:
    """Whether executions record their stages for the state inspector: ``record_stages`` when
    given, else whether this is a Jupyter kernel (a run started in a notebook is one someone
    will want to inspect; a script, a test or the CLI pays nothing).

    >>> recording(True), recording(False)
    (True, False)
    """
    if record_stages is None:
        return in_kernel()
    return bool(record_stages)


def in_kernel() -> bool:
    """Whether this process is a Jupyter kernel (IPython's shell there has a ``kernel``), found
    without importing IPython."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and getattr(shell, "kernel", None) is not None


def stage_log(limits: Limits) -> StageLog:
    """A new execution's stage record, bounded by ``limits.recorded_stages``."""
    return StageLog(limit=limits.recorded_stages)


# The stream of every execution without a seed: nothing is to be reproduced, so one stream
# seeded from the OS serves them all (a Random each costs a visible share of a short run).
_UNSEEDED = random.Random()


class ContextFactory:
    """Execution contexts on one Runtime's clock, account, region, resources and limits.

    With a ``seed``, each execution draws its own random stream from the factory's seeded one
    (a Runtime's executions are reproducible in the order they start); without one, they share
    one stream seeded from the OS. ``record_stages`` gives each new execution a
    :class:`StageLog` as its observer (unless the caller passes its own ``observer``).
    """

    def __init__(
        self,
        clock: Clock,
        account: str,
        region: str,
        resources: ResourceRegistry,
        limits: Limits,
        seed: int | None = None,
        record_stages: bool = False,
    ) -> None:
        self.record_stages = record_stages
        self.clock = clock
        self.account = account
        self.region = region
        self.resources = resources
        self.limits = limits
        self._rng = None if seed is None else random.Random(seed)

    def _stream(self) -> random.Random:
        return _UNSEEDED if self._rng is None else random.Random(self._rng.random())

    def _context(
        self,
        *,
        arn: str,
        name: str,
        machine_arn: str,
        machine_name: str,
        role_arn: str,
        machine_type: str,
        input_text: str,
        input_value: object,
        start_time: datetime,
        history: History,
        redrive_count: int = 0,
        rng: random.Random | None = None,
    ) -> ExecutionContext:
        return ExecutionContext(
            clock=self.clock,
            history=history,
            execution_arn=arn,
            execution_name=name,
            state_machine_arn=machine_arn,
            state_machine_name=machine_name,
            role_arn=role_arn,
            account=self.account,
            region=self.region,
            input_text=input_text,
            input_value=input_value,
            start_time=start_time,
            resources=self.resources,
            state_machine_type=machine_type,
            redrive_count=redrive_count,
            rng=self._stream() if rng is None else rng,
            limits=self.limits,
        )

    def new(
        self,
        *,
        arn: str,
        name: str,
        machine_arn: str,
        machine_name: str,
        role_arn: str,
        machine_type: str,
        input_text: str,
        input_value: object = None,
        resources: ResourceRegistry | None = None,
        lineage: Lineage | None = None,
        rng: random.Random | None = None,
        observer: StageObserver | None = None,
    ) -> ExecutionContext:
        """The context of an execution starting now (``input_value`` parsed from the text when
        not given; ``resources`` a mock test case's registry instead of the factory's; ``rng``
        its random stream instead of one of the factory's; ``observer`` sees its I/O stages)."""
        ctx = self._context(
            arn=arn,
            name=name,
            machine_arn=machine_arn,
            machine_name=machine_name,
            role_arn=role_arn,
            machine_type=machine_type,
            input_text=input_text,
            input_value=parse_input(input_text) if input_value is None else input_value,
            start_time=self.clock.now(),
            history=History.for_execution(self.clock.now, machine_type, self.limits),
            rng=rng,
        )
        if observer is not None:
            ctx.observer = observer
        elif self.record_stages:
            ctx.observer = stage_log(self.limits)
        if resources is not None:
            ctx.resources = resources
        if lineage is not None:
            ctx.lineage = lineage
        return ctx

    def reopened(
        self,
        *,
        arn: str,
        name: str,
        machine_arn: str,
        role_arn: str,
        machine_type: str,
        input_text: str,
        start_time: datetime,
        redrive_count: int,
        history: History,
    ) -> ExecutionContext:
        """The context of an execution read back from the store, with its stored history."""
        return self._context(
            arn=arn,
            name=name,
            machine_arn=machine_arn,
            machine_name=machine_arn.rsplit(":", 1)[-1],
            role_arn=role_arn,
            machine_type=machine_type,
            input_text=input_text,
            input_value=json.loads(input_text),
            start_time=start_time,
            history=history,
            redrive_count=redrive_count,
        )
