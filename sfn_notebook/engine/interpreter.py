"""The state loop: run a compiled state machine (the definition, a branch or a Map processor).

Each state is compiled once into a runner (see ``states.py``) that knows its history event types.
``run_machine`` enters a state (``<Type>StateEntered``), lets the runner do its work and emit its
own events, and follows the transition. Pass and Choice runners are synchronous, so chains of
them run without returning to the event loop; that is what makes them fast.

A failure that no Catch handles leaves ``run_machine`` as a :class:`Failure`; the caller (the
execution, a Parallel branch or a Map iteration) turns it into its own failure events.
"""

from __future__ import annotations

import asyncio
import functools
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import EllipsisType
from typing import TYPE_CHECKING, Any

from sfn_notebook.engine.frame import Frame
from sfn_notebook.engine.history import PAYLOAD_LIMIT, Cursor, EventLimitExceeded, dumps, payload
from sfn_notebook.engine.observe import Note
from sfn_notebook.engine.pipeline import assigned_details, variable_sizes
from sfn_notebook.errors import StatesError

if TYPE_CHECKING:
    from sfn_notebook.asl import model as m


class Failure(StatesError):
    """A workflow failure leaving a state machine: the error, the cause, and where it arose."""

    def __init__(
        self,
        error: str,
        cause: str | None,
        state: str | None = None,
        location: str | None = None,
        aliases: tuple[str, ...] = (),
        link_entry: bool = False,
        sent: bool = False,
    ) -> None:
        super().__init__(error, cause or "")
        self.cause_or_none = cause
        self.sent = sent  # error and cause as a worker sent them (SendTaskFailure)
        self.state = state
        self.location = location  # the field of a failed JSONata evaluation (EvaluationFailed)
        self.link_entry = link_entry  # EvaluationFailed links to the state's entry (Wait)
        self.reported = False  # its failure events have been written
        # Further names Retry and Catch match: a lapsed heartbeat is reported as States.Timeout
        # and matched by States.HeartbeatTimeout too.
        self.aliases = aliases

    def error_output(self) -> dict[str, Any]:
        """What a Catch passes on: ``{"Error": ..., "Cause": ...}``.

        AWS writes "" for a cause it has none of (a timeout), but passes on what SendTaskFailure
        left out as null (recorded: test_sqs_failure_in_wait_for_task_tok_no_error_field).
        """
        if self.sent:
            return {"Error": self.error or None, "Cause": self.cause_or_none}
        return {"Error": self.error, "Cause": self.cause_or_none or ""}


class Stopped(Exception):
    """The execution was stopped (StopExecution) or timed out while this frame ran."""


@dataclass
class Transition:
    output: Any
    next: str | None  # None: the machine ends here
    text: str | None = None  # the output as JSON text, when already serialised


class Visit:
    """One state's visit: what its runner needs besides the frame and the input."""

    __slots__ = (
        "entered_at",
        "entered_id",
        "entered_prev",
        "frame",
        "input",
        "input_text",
        "key",
        "note",
        "retry_count",
    )

    def __init__(
        self,
        frame: Frame,
        data: Any,
        text: str,
        entered_id: int,
        entered_prev: int,
        entered_at: datetime,
    ) -> None:
        self.frame = frame
        self.input = data
        self.input_text = text
        self.entered_id = entered_id
        self.entered_prev = entered_prev  # EvaluationFailed links where the entry linked
        self.entered_at = entered_at
        self.retry_count = 0
        self.key: str | None = None  # the replay key, when the execution is a redrive
        self.note: Note | None = None  # reports each I/O stage, when an observer is set


class StateRunner:
    """Base of the compiled states. Subclasses set ``sync`` and implement run or run_sync."""

    sync = True
    retryable = False  # whether the context object carries State.RetryCount
    failed_type: str | None = None  # <Type>StateFailed, for the states AWS gives one
    entered_type = ""
    exited_type = ""

    def __init__(self, state: m.State) -> None:
        self.state = state
        self.name = state.name
        self.next = None if state.end else state.next
        self.entered_type = f"{state.type}StateEntered"
        self.exited_type = f"{state.type}StateExited"

    def run_sync(self, visit: Visit) -> Transition:
        raise NotImplementedError

    async def run(self, visit: Visit) -> Transition:
        return self.run_sync(visit)

    # Helpers shared by the runners ------------------------------------------------------------

    def scope(self, visit: Visit, token: str | None = None) -> Any:
        retry_count = visit.retry_count if self.retryable else None
        return visit.frame.scope(self.name, visit.entered_at, retry_count, token)

    def runtime_error(self, visit: Visit, error: StatesError) -> Failure:
        """An expression or runtime failure, with AWS's prefix naming the state and event."""
        if isinstance(error, Failure):
            return error
        cause = (
            f"An error occurred while executing the state '{self.name}' "
            f"(entered at the event id #{visit.entered_id}). {error.cause}"
        )
        return Failure(
            error.error,
            cause,
            self.name,
            getattr(error, "location", None),
            link_entry=getattr(error, "link_entry", False),
        )

    def report(self, visit: Visit, failure: Failure) -> None:
        """The events of a failure that leaves this state: EvaluationFailed, <Type>StateFailed."""
        history = visit.frame.execution.history
        cursor = visit.frame.cursor
        if not failure.reported and failure.error == "States.QueryEvaluationError":
            # AWS links EvaluationFailed to the event the state's entry linked to; a Wait's bad
            # Timestamp (recorded later) to the entry itself.
            link = Cursor(cursor.source if failure.link_entry else visit.entered_prev)
            details = {"error": failure.error, "cause": failure.cause, "state": self.name}
            if failure.location:
                details["location"] = failure.location
            history.add(link, "EvaluationFailed", "evaluationFailedEventDetails", details)
            cursor.source = link.source
        failure.reported = True
        if self.failed_type is not None and failure.error != "States.Runtime":
            history.add(cursor, self.failed_type)

    def exit(
        self,
        visit: Visit,
        output: Any,
        assigned: Mapping[str, Any] | None = None,
        next_state: str | EllipsisType | None = ...,
    ) -> Transition:
        """Apply assigned variables, check the output's size, emit ``<Type>StateExited``."""
        note = visit.note
        text = dumps(output)
        if note is not None:
            if assigned is not None:
                note("variables", assigned)
            note("output", output, text)
        if len(text) > PAYLOAD_LIMIT // 4 and len(text.encode("utf-8")) > PAYLOAD_LIMIT:
            raise Failure(
                "States.DataLimitExceeded",
                f"The state/task '{self.name}' returned a result with a size exceeding "
                "the maximum number of bytes service limit.",
                self.name,
            )
        frame = visit.frame
        details: dict[str, Any] = {"name": self.name}
        if assigned:
            if frame.variable_sizes is None:
                frame.variable_sizes = variable_sizes(frame.variables)
            try:
                details.update(assigned_details(assigned, self.name, frame.variable_sizes))
            except StatesError as exc:
                raise Failure(exc.error, exc.cause, self.name) from None
            frame.variables.update(assigned)
        details["output"], details["outputDetails"] = payload(text)
        frame.execution.history.add(
            frame.cursor, self.exited_type, "stateExitedEventDetails", details
        )
        target = self.next if next_state is ... else next_state
        return Transition(output, target, text)


@dataclass
class CompiledMachine:
    start_at: str
    states: Mapping[str, StateRunner]
    #: Every state runs synchronously (Pass, Choice, Succeed, Fail): the machine needs no event
    #: loop, only the bare yields ``run_machine`` makes every 256 steps.
    sync_only: bool = False


RUNNERS: dict[str, type[StateRunner]] = {}


def runner(state_type: str) -> Callable[[type[StateRunner]], type[StateRunner]]:
    """Register the runner class of a state type (``@runner("Pass")``).

    >>> sorted(RUNNERS)[:3]  # the registered state types
    ['Choice', 'Fail', 'Map']
    """

    def register(cls: type[StateRunner]) -> type[StateRunner]:
        RUNNERS[state_type] = cls
        return cls

    return register


_COMPILED: dict[int, tuple[weakref.ref[m.StateMachine], CompiledMachine]] = {}


def compile_machine(machine: m.StateMachine) -> CompiledMachine:
    """Compile every state of a machine (and, through Parallel and Map, of nested ones) once.

    The result is kept for as long as the model lives, so running one parsed definition many
    times compiles it once. Compiled runners hold no per-execution state.

    >>> from sfn_notebook.asl.parse import parse
    >>> model = parse({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
    >>> compiled = compile_machine(model)
    >>> compiled is compile_machine(model), compiled.sync_only, type(compiled.states["A"]).__name__
    (True, True, 'PassRunner')
    """
    key = id(machine)
    hit = _COMPILED.get(key)
    if hit is not None and hit[0]() is machine:
        return hit[1]
    runners = {name: RUNNERS[state.type](state) for name, state in machine.states.items()}
    compiled = CompiledMachine(
        machine.start_at, runners, all(runner.sync for runner in runners.values())
    )
    _COMPILED[key] = (weakref.ref(machine, functools.partial(_forget, key)), compiled)
    return compiled


def _forget(key: int, _ref: object, table: dict[int, Any] = _COMPILED) -> None:
    # Bound to the table itself: at interpreter exit the module's globals may already be None.
    table.pop(key, None)


async def run_machine(
    machine: CompiledMachine, frame: Frame, data: Any, text: str | None = None
) -> Any:
    """Run states from StartAt until one ends the machine; return the final output."""
    history = frame.execution.history
    clock = frame.execution.clock
    stopped = frame.execution.stopped
    replay = frame.execution.replay
    debugger = frame.execution.debugger
    runner = machine.states[machine.start_at]
    if text is None:
        text = dumps(data)
    steps = 0
    while True:
        if stopped.is_set():
            raise Stopped
        steps += 1
        if steps % 256 == 0:
            await asyncio.sleep(0)  # long Pass/Choice loops let other executions run too
        key = None
        if replay is not None:  # a redrive: a visit that exited before is not run again
            key = frame.visit_key(runner.name)
            kept = replay.visits.pop(key, None)
            if kept is not None and (kept.next is not None or runner.state.type != "Choice"):
                frame.variables.update(kept.variables())
                frame.variable_sizes = None  # measured again at the next Assign
                data, text = kept.value(), kept.output
                target = kept.next if kept.next is not None else runner.next
                if target is None:
                    return data
                runner = machine.states[target]
                continue
            if replay.starts:  # a fork begins here: its input and variables as given
                data, text = replay.start(key, frame, data, text)
        if debugger is not None:  # breakpoints: visits are keyed, and may pause here
            if key is None:
                key = frame.visit_key(runner.name)
            if debugger.stepping or runner.name in debugger.states:
                data, text = await debugger.before_state(frame, runner.name, key, data, text)
        entered_text, details = payload(text)
        entered_prev = frame.cursor.source
        entered_id = history.add(
            frame.cursor,
            runner.entered_type,
            "stateEnteredEventDetails",
            {"name": runner.name, "input": entered_text, "inputDetails": details},
        )
        visit = Visit(frame, data, text, entered_id, entered_prev, clock.now())
        visit.key = key
        if frame.execution.observer is not None:
            visit.note = Note(frame.execution, runner.name, visit)
            visit.note("input", data, text)
        try:
            if runner.sync:
                step = runner.run_sync(visit)
            else:
                frame.running = runner.state.type
                step = await runner.run(visit)
                frame.running = None
        except EventLimitExceeded:
            # The history is full: the execution fails as it stands (AWS: the cause alone, no
            # state named, no Retry or Catch, no further event but ExecutionFailed).
            raise
        except (StatesError, RecursionError) as raised:
            # A payload nested too deep for Python's stack fails the state, not the interpreter.
            error = (
                raised
                if isinstance(raised, StatesError)
                else StatesError("States.Runtime", "The payload is nested too deeply to process.")
            )
            failure = runner.runtime_error(visit, error)
            if visit.note is not None and not runner.retryable:  # Recoverable notes its own
                visit.note("error", failure.error_output())
            if debugger is not None and debugger.on_error and key is not None:
                await debugger.on_failure(frame, runner.name, key, failure)
            if not failure.reported and failure.state == runner.name:
                runner.report(visit, failure)
            if runner.failed_type is not None:
                frame.running = None  # <Type>StateFailed ended it: nothing left to abort
            raise failure from None
        except asyncio.CancelledError:
            if stopped.is_set() and not runner.sync:
                # StopExecution: the interrupted state reports it, as AWS does.
                history.add(frame.cursor, f"{runner.state.type}StateAborted", force=True)
            raise
        if step.next is None:
            return step.output
        data = step.output
        text = step.text if step.text is not None else dumps(data)
        runner = machine.states[step.next]
