"""One execution from ExecutionStarted to its terminal event.

:func:`execute` is the coroutine the runtime schedules; it records the outcome on an
:class:`ExecutionRecord` (status, output, error, cause, stop time) and in the history.
:func:`run_inline` drives it in the calling thread instead, as far as it goes without an event
loop: a machine of Pass, Choice, Succeed and Fail states never needs one, and handing it to a loop
(another thread's, or a new one) costs more than running it.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
from collections.abc import Coroutine, Generator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sfn_notebook.engine.frame import ExecutionContext, Frame
from sfn_notebook.engine.history import (
    Cursor,
    EventLimitExceeded,
    dumps,
    payload,
    unencodable,
)
from sfn_notebook.engine.interpreter import CompiledMachine, Failure, Stopped, run_machine
from sfn_notebook.engine.observe import StageLog, stage_log_of
from sfn_notebook.errors import ExecutionInputError, StatesError
from sfn_notebook.limits import ACTIVE, CAUSE_LIMIT, EXPRESS_DURATION

TERMINAL = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")


@dataclass
class ExecutionRecord:
    """The mutable outcome of one execution; the runtime's Execution objects read it."""

    context: ExecutionContext
    status: str = "RUNNING"
    output_text: str | None = None
    error: str | None = None
    cause: str | None = None
    stop_date: datetime | None = None
    done: asyncio.Event | None = None
    abort_reason: tuple[str | None, str | None] | None = None
    task: asyncio.Task[None] | None = field(default=None, repr=False)
    # The stage record the execution started with (engine/observe.py), kept here so it stays
    # readable after its observer is detached or replaced.
    stages: StageLog | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.stages is None:
            self.stages = stage_log_of(self.context.observer)


def input_text(value: Any) -> str:
    """A Python value as execution input text; one JSON cannot hold is an input error."""
    try:
        text = dumps(value)
    except (TypeError, ValueError, RecursionError) as exc:
        raise ExecutionInputError(
            f"Invalid State Machine Execution Input: '{exc}' (the input must be a JSON value)"
        ) from None
    problem = unencodable(text)
    if problem is not None:  # AWS takes UTF-8 JSON only (see history.unencodable)
        raise ExecutionInputError(
            f"Invalid State Machine Execution Input: 'the input holds {problem}'"
        )
    return text


def parse_input(input_json: str) -> Any:
    """Execution input text into a value, with AWS's (Jackson's) wording on malformed input."""
    if not isinstance(input_json, str):
        raise ExecutionInputError(
            "Invalid State Machine Execution Input: the input must be JSON text (a str), "
            f"not {type(input_json).__name__}"
        )
    if not input_json.strip():
        raise ExecutionInputError(
            "Invalid State Machine Execution Input: 'Invalid execution input.'"
        )
    try:
        value = _DECODE(input_json)
    except json.JSONDecodeError as exc:
        raise ExecutionInputError(
            f"Invalid State Machine Execution Input: '{_jackson_message(input_json, exc)}'"
        ) from None
    except (ValueError, RecursionError) as exc:  # NaN, a 5,000-digit number, deep nesting
        problem = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise ExecutionInputError(f"Invalid State Machine Execution Input: '{problem}'") from None
    # 1e999 parses to infinity, which no JSON payload can carry on, and "\ud800" to a lone
    # surrogate, which UTF-8 cannot: input_text says so. Short ASCII text with no exponent and
    # no escape can hold neither (overflowing a float takes an exponent or 309 digits).
    if (
        len(input_json) > 300
        or "e" in input_json
        or "E" in input_json
        or "\\" in input_json
        or not input_json.isascii()
    ):
        input_text(value)
    return value


def _non_standard(token: str) -> Any:
    raise ValueError(f"Non-standard token '{token}'")


_DECODE = json.JSONDecoder(parse_constant=_non_standard).decode  # json.loads makes one a call


def _jackson_message(text: str, exc: json.JSONDecodeError) -> str:
    char = text[exc.pos] if exc.pos < len(text) else ""
    if exc.msg.startswith("Expecting property name"):
        return (
            f"Unexpected character ('{char}' (code {ord(char)})): was expecting double-quote "
            "to start field name"
            if char
            else "Unexpected end-of-input: expected close marker for Object"
        )
    if exc.msg == "Expecting value" and char.isalpha():
        token = ""
        for c in text[exc.pos :]:
            if not (c.isalnum() or c == "_"):
                break
            token += c
        return (
            f"Unrecognized token '{token}': was expecting (JSON String, Number, Array, Object "
            "or token 'null', 'true' or 'false')"
        )
    if char:
        return f"Unexpected character ('{char}' (code {ord(char)})): {exc.msg}"
    return f"Unexpected end-of-input: {exc.msg}"


async def execute(
    record: ExecutionRecord,
    machine: CompiledMachine,
    timeout_seconds: int | None,
    *,
    redrive: bool = False,
) -> None:
    """Run the machine, then write the terminal event and the record's outcome.

    ``redrive`` continues a finished history (AWS's RedriveExecution): an ``ExecutionRedriven``
    event instead of ``ExecutionStarted``, and the visits in ``context.replay`` are skipped.
    An EXPRESS execution times out after 5 minutes at most, as on AWS.
    """
    ctx = record.context
    history = ctx.history
    ACTIVE.set(ctx.limits)  # read by JSONata's host functions; this task's context only
    ctx.lineage.running = True
    if ctx.state_machine_type == "EXPRESS":
        timeout_seconds = min(timeout_seconds or EXPRESS_DURATION, EXPRESS_DURATION)
    if redrive:
        cursor = Cursor(len(history))
        details = {"redriveCount": ctx.redrive_count}
        history.add(cursor, "ExecutionRedriven", "executionRedrivenEventDetails", details)
    else:
        cursor = Cursor()
        text, started = payload(ctx.input_text)
        history.add(
            cursor,
            "ExecutionStarted",
            "executionStartedEventDetails",
            {"input": text, "inputDetails": started, "roleArn": ctx.role_arn},
            advance=False,
        )
    frame = Frame(ctx, cursor, {})
    try:
        run = run_machine(machine, frame, ctx.input_value)
        if timeout_seconds:
            output = await _bounded(run, timeout_seconds, ctx)
        else:
            output = await run
    except (asyncio.TimeoutError, TimeoutError):
        _finish(record, cursor, "TIMED_OUT")
    except (Stopped, asyncio.CancelledError):
        error, cause = record.abort_reason or (None, None)
        _finish(record, cursor, "ABORTED", error=error, cause=cause)
    except EventLimitExceeded as exc:
        _finish(record, cursor, "FAILED", error=exc.error, cause=exc.cause)
    except Failure as failure:
        _finish(record, cursor, "FAILED", error=failure.error or None, cause=failure.cause_or_none)
    except StatesError as exc:
        _finish(record, cursor, "FAILED", error=exc.error, cause=exc.cause)
    except Exception as exc:  # a bug of ours must still end the execution, never hang it
        _finish(
            record,
            cursor,
            "FAILED",
            error="States.Runtime",
            cause=f"sfn-notebook internal error ({type(exc).__name__}): {exc}. Please report it.",
        )
    else:
        _finish(record, cursor, "SUCCEEDED", output=output)
    finally:
        ctx.lineage.ended()
        if ctx.debugger is not None:
            ctx.debugger.ended()


async def _bounded(run: Coroutine[Any, Any, Any], seconds: float, ctx: ExecutionContext) -> Any:
    """``asyncio.wait_for(run, seconds)``, except that the part of ``run`` needing no event loop
    runs here: a machine of synchronous states (which suspends only at bare yields, every 256
    steps) needs no loop, task or timer, and is timed out at the first yield past its deadline,
    when a loop would have run wait_for's timer. Only a wait on a future brings in wait_for."""
    began = ctx.clock.now()
    while True:
        try:
            yielded = run.send(None)
        except StopIteration as done:
            return done.value
        if yielded is not None:  # a future: the loop's timer bounds the rest
            left = seconds - (ctx.clock.now() - began).total_seconds()
            return await asyncio.wait_for(_Resumed(run, yielded), max(left, 0))
        if (ctx.clock.now() - began).total_seconds() >= seconds:
            run.close()  # where wait_for would cancel it: between two states, no event
            raise TimeoutError
        try:
            await asyncio.sleep(0)  # the bare yield, passed on
        except BaseException:
            run.close()
            raise


class _Resumed:
    """Awaits a coroutine already started and suspended at ``yielded`` (what ``await`` would
    have yielded to the task): ``yield from`` picking up in the middle."""

    def __init__(self, coro: Coroutine[Any, Any, Any], yielded: Any) -> None:
        self._coro = coro
        self._yielded = yielded

    def __await__(self) -> Generator[Any, Any, Any]:
        coro, yielded = self._coro, self._yielded
        while True:
            try:
                sent = yield yielded
            except GeneratorExit:  # noqa: PERF203  # yield from's protocol: one try per step
                coro.close()
                raise
            except BaseException as exc:  # cancellation and the like go to the coroutine
                try:
                    yielded = coro.throw(exc)
                except StopIteration as done:
                    return done.value
            else:
                try:
                    yielded = coro.send(sent)
                except StopIteration as done:
                    return done.value


async def _finish_resumed(coro: Coroutine[Any, Any, None], yielded: Any) -> None:
    await _Resumed(coro, yielded)


def inline_ready(record: ExecutionRecord, machine: CompiledMachine) -> bool:
    """Whether :func:`run_inline` may drive this execution in the calling thread: every state
    is synchronous and no debugger may pause it (a paused inline run would block the caller's
    thread). Stage observers are synchronous: they run inline as well."""
    return machine.sync_only and record.context.debugger is None


def run_inline(
    record: ExecutionRecord,
    machine: CompiledMachine,
    timeout_seconds: int | None,
    context: contextvars.Context,
    *,
    to_the_end: bool,
) -> Coroutine[Any, Any, None] | None:
    """Drive :func:`execute` in this thread, inside ``context``, as far as it goes without an
    event loop; None once the execution ended, else the coroutine that finishes it, to run as a
    task on a loop, in ``context`` (``context.run(loop.create_task, rest)``).

    An execution that :func:`inline_ready` refuses is handed back whole, not started. The others
    only ever suspend at the bare yields that let other executions run every 256 steps:
    ``to_the_end`` goes on past them (nothing else runs here: ``sfn.run``), otherwise the rest is
    handed back at the first one (a Runtime's loop runs it among the others).

    >>> from sfn_notebook.engine import compile_machine, make_clock
    >>> from sfn_notebook.engine.frame import ExecutionContext
    >>> from sfn_notebook.engine.history import History
    >>> from sfn_notebook.engine.resources import ResourceRegistry
    >>> from sfn_notebook.asl.parse import parse
    >>> model = parse({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
    >>> clock = make_clock("virtual")
    >>> ctx = ExecutionContext(clock, History(clock.now), "arn:e", "e", "arn:m", "m", "arn:r",
    ...     "123456789012", "us-east-1", "{}", {}, clock.now(), ResourceRegistry())
    >>> record = ExecutionRecord(ctx)
    >>> run_inline(record, compile_machine(model), None, contextvars.Context(), to_the_end=True)
    >>> record.status, [e["type"] for e in ctx.history.events][-1]
    ('SUCCEEDED', 'ExecutionSucceeded')
    """
    coro = execute(record, machine, timeout_seconds)
    if not inline_ready(record, machine):
        return coro
    send = coro.send
    while True:
        try:
            yielded = context.run(send, None)
        except StopIteration:
            return None
        except BaseException:
            coro.close()
            raise
        if yielded is not None or not to_the_end:
            return _finish_resumed(coro, yielded)


_TERMINAL_EVENTS = {
    "SUCCEEDED": ("ExecutionSucceeded", "executionSucceededEventDetails"),
    "FAILED": ("ExecutionFailed", "executionFailedEventDetails"),
    "TIMED_OUT": ("ExecutionTimedOut", "executionTimedOutEventDetails"),
    "ABORTED": ("ExecutionAborted", "executionAbortedEventDetails"),
}


def _finish(
    record: ExecutionRecord,
    cursor: Cursor,
    status: str,
    *,
    output: Any = None,
    error: str | None = None,
    cause: str | None = None,
) -> None:
    ctx = record.context
    details: dict[str, Any] = {}
    if status == "SUCCEEDED":
        text = dumps(output)
        details["output"], details["outputDetails"] = payload(text)
        record.output_text = text
    if error is not None:
        details["error"] = error
    if cause is not None:
        # DescribeExecution's cause holds at most 32,768 characters. Without the cut, a chain of
        # failed .sync children doubles the (escaped) cause at every level.
        cause = cause[:CAUSE_LIMIT]
        details["cause"] = cause
    event_type, key = _TERMINAL_EVENTS[status]
    ctx.history.add(cursor, event_type, key, details, force=True)
    record.status = status
    record.error = error
    record.cause = cause
    record.stop_date = ctx.clock.now()
    if record.done is not None:
        record.done.set()
