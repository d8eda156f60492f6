"""One execution from ExecutionStarted to its terminal event.

:func:`execute` is the coroutine the runtime schedules; it records the outcome on an
:class:`ExecutionRecord` (status, output, error, cause, stop time) and in the history.
"""

from __future__ import annotations

import asyncio
import json
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
        value = json.loads(input_json, parse_constant=_non_standard)
    except json.JSONDecodeError as exc:
        raise ExecutionInputError(
            f"Invalid State Machine Execution Input: '{_jackson_message(input_json, exc)}'"
        ) from None
    except (ValueError, RecursionError) as exc:  # NaN, a 5,000-digit number, deep nesting
        problem = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise ExecutionInputError(f"Invalid State Machine Execution Input: '{problem}'") from None
    # 1e999 parses to infinity, which no JSON payload can carry on.
    input_text(value)
    return value


def _non_standard(token: str) -> Any:
    raise ValueError(f"Non-standard token '{token}'")


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
            output = await asyncio.wait_for(run, timeout_seconds)
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
