"""Replay a recorded execution locally and compare it, state visit by state visit.

:func:`replay` runs a definition (the one being developed, or the recorded one) with the
recording's Task results mocked (:func:`~sfn_notebook.testing.recording.record`) and the same
input, then places both histories' events on state visits (:class:`EventTree`, so a Map
iteration or Parallel branch is compared with its own counterpart) and compares each visit's
errors (each attempt's), how it ended, its output and the state entered after it (a Choice
that chose another branch). The report names the first visit, in the
recorded order, that differs: the parity check between a local definition and what AWS did.

Each invocation gets the recorded response of the invocation of that state with the same
input (a Lambda invoke's ``Payload``), else the next unused one: a Map's iterations finish in
an order the local run does not repeat, so a plain Step Functions Local counter would hand an
iteration another's response.

>>> import sfn_notebook as sfn
>>> flow = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"n": 1}, "Next": "B"},
...         "B": {"Type": "Pass", "End": True}}}
>>> replay(flow, sfn.run(flow)).ok
True
>>> changed = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"n": 2}, "Next": "B"},
...            "B": {"Type": "Pass", "End": True}}}
>>> report = replay(changed, sfn.run(flow))
>>> report.first_difference
<Difference at A (visit /A#0): output.n: recorded 1, local 2>
"""

from __future__ import annotations

import copy
import html
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sfn_notebook.engine.placement import EventTree
from sfn_notebook.engine.resources import ResourceRegistry, TaskCall, TaskResource
from sfn_notebook.errors import StatesError
from sfn_notebook.integrations.callbacks import task_failure
from sfn_notebook.integrations.mocks import (
    MockConfig,
    MockedResource,
    MockedResponse,
    MockTestCase,
)
from sfn_notebook.testing.recording import (
    Recording,
    RecordingError,
    _details,
    _value,
    invocations,
    record,
)

_SHOWN = 60  # characters of a value shown in a difference


@dataclass
class VisitOutcome:
    """What one state visit did: its output (when it exited), errors raised inside it."""

    key: str
    state: str
    kind: str
    output: Any = None
    exited: bool = False
    aborted: bool = False
    errors: list[tuple[Any, Any]] = field(default_factory=list)
    last: int = 0  # the id of its last event: where a difference shows first
    next: str | None = None  # the state entered after it on the same line


@dataclass
class Difference:
    """The first way a local visit (or the execution) differs from the recorded one."""

    state: str | None  # None: the execution's own result
    key: str
    what: str  # "error", "ending", "output", "next", "missing", "extra" or "execution"
    detail: str
    recorded: Any = None
    local: Any = None

    def __repr__(self) -> str:
        where = "the execution" if self.state is None else f"{self.state} (visit {self.key})"
        return f"<Difference at {where}: {self.detail}>"


@dataclass
class ReplayReport:
    """The local execution and every difference from the recording, first difference first.

    ``assert report.ok, report.explain()`` fails a test with the differences listed.
    """

    state_machine: str
    case: str
    execution: Any  # the local Execution
    recorded_status: str
    compared: int  # recorded state visits compared
    differences: list[Difference]

    @property
    def ok(self) -> bool:
        return not self.differences

    @property
    def first_difference(self) -> Difference | None:
        return self.differences[0] if self.differences else None

    def explain(self, limit: int = 10) -> str:
        """The report, then up to ``limit`` differences, one a line."""
        lines = [repr(self)]
        lines.extend(f"  {d!r}" for d in self.differences[:limit])
        if len(self.differences) > limit:
            lines.append(f"  ... and {len(self.differences) - limit} more")
        return "\n".join(lines)

    def __repr__(self) -> str:
        head = f"Replay of {self.state_machine}#{self.case}: "
        if self.ok:
            return f"{head}{self.compared} state visits match, {self.execution.status} as recorded"
        first = self.differences[0]
        where = "the execution" if first.state is None else f"state {first.state!r}"
        return (
            f"{head}{len(self.differences)} difference{'' if len(self.differences) == 1 else 's'};"
            f" first at {where} (visit {first.key}): {first.detail}"
        )

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.ok else "#cf222e"
        head = html.escape(repr(self))
        rows = "".join(
            "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>".format(
                html.escape(d.state or "(execution)"),
                html.escape(d.key),
                html.escape(d.what),
                html.escape(d.detail),
            )
            for d in self.differences[:20]
        )
        table = (
            "<table><tr><th>state</th><th>visit</th><th>what</th><th>difference</th></tr>"
            f"{rows}</table>"
            if rows
            else ""
        )
        return f'<div><p style="color:{colour}">{head}</p>{table}</div>'


def replay(
    definition: Any,
    recorded: Any,
    *,
    functions: Mapping[str, Callable[..., Any]] | None = None,
    definition_of_recording: Any = None,
) -> ReplayReport:
    """Run ``definition`` locally with ``recorded``'s Task results and input; compare.

    ``definition`` is a definition (dict, text, parsed) or a definition file's path (a
    ``pathlib.Path``); None replays the recorded definition. ``recorded`` is a
    :class:`Recording`, a saved one's path, an execution or a history (then
    ``definition_of_recording`` places its Parallel branches; by default ``definition``).
    Task states the recording never invoked call their real resource (``functions`` holds
    Python ones).
    """
    from sfn_notebook.runtime.run import run
    from sfn_notebook.testing.recording import load_recording

    if isinstance(recorded, (str, os.PathLike)):
        recorded = load_recording(recorded)
    if isinstance(definition, os.PathLike):
        from sfn_notebook.textfile import read_text

        definition = read_text(
            os.fspath(definition), 1024 * 1024, what="a state machine definition"
        )
    if isinstance(recorded, (list, tuple)) and definition_of_recording is None:
        definition_of_recording = definition
    recording = record(recorded, definition=definition_of_recording)
    if definition is None:
        definition = recording.definition
        if definition is None:
            raise RecordingError("the recording has no definition: give the one to replay")
    execution = run(
        definition,
        input_json=recording.input_json,
        mocks=_ReplayConfig(recording),
        test_case=recording.case,
        functions=functions,
        **_identity(recording),
    )
    old = _outcomes(recording.events, recording.definition)
    new = _outcomes(execution.history, execution.definition)
    differences = _compare(old, new)
    if not differences:
        differences = _compare_ends(recording.events, execution)
    status = _status(recording.events)
    return ReplayReport(
        recording.state_machine, recording.case, execution, status, len(old), differences
    )


class _ReplayConfig(MockConfig):
    """The recording's test case, answering each invocation with the recorded response of the
    invocation that had the same state and input (the next one in order if none had).

    Step Functions Local's counters hand a state's responses out in invocation order; when a
    Map's iterations run concurrently that order is a matter of timing, which a local run does
    not repeat, so matching by input is what puts each response in its own iteration.
    """

    def __init__(self, recording: Recording) -> None:
        super().__init__(recording)
        self.recording = recording

    def test_case(self, machine: str, case: str) -> MockTestCase:
        found = super().test_case(machine, case)  # raises for an unknown case
        answers = invocations(self.recording.events, self.recording.definition)
        return _ReplayCase(found.name, found.states, answers)


class _ReplayCase(MockTestCase):
    def __init__(
        self,
        name: str,
        states: dict[str, list[MockedResponse]],
        answers: dict[str, list[tuple[Any, dict[str, Any]]]],
    ) -> None:
        super().__init__(name, states)
        self.unused = {state: list(found) for state, found in answers.items()}
        self.last: dict[str, dict[str, Any]] = {}

    def respond(self, state: str, payload: Any) -> MockedResponse | None:
        unused = self.unused.get(state)
        if unused is None:
            return None
        if unused:
            wanted = _match_key(payload)
            index = next((i for i, (sent, _) in enumerate(unused) if _match_key(sent) == wanted), 0)
            self.last[state] = unused.pop(index)[1]
        body = self.last[state]  # used up: the last response answers again, as in a MockConfig
        kind, value = next(iter(body.items()))
        return MockedResponse(0, 0, kind, value)

    def install(self, registry: ResourceRegistry) -> ResourceRegistry:
        installed = super().install(registry)
        mocked = installed.resolvers[0]

        def resolve(arn: str, registry: ResourceRegistry) -> TaskResource:
            resource = mocked(arn, registry)
            assert isinstance(resource, MockedResource)
            return _ReplayResource(arn, self, resource.base, resource.problem)

        installed.resolvers[0] = resolve
        return installed


class _ReplayResource(MockedResource):
    case: _ReplayCase

    async def invoke(self, call: TaskCall) -> Any:
        response = self.case.respond(call.state_name, call.payload)
        if response is None:
            if self.base is None:
                assert isinstance(self.problem, StatesError)
                raise self.problem
            return await self.base.invoke(call)
        if response.kind == "Throw":
            raise task_failure(response.value.get("Error"), response.value.get("Cause"))
        return copy.deepcopy(response.value)


def _match_key(payload: Any) -> str:
    """What an invocation is matched on: its input, or a Lambda invoke's Payload alone (a
    deployed definition names the function by its ARN, a local one by name)."""
    if isinstance(payload, Mapping) and "Payload" in payload and "FunctionName" in payload:
        payload = payload["Payload"]
    return json.dumps(payload, sort_keys=True, default=str)


def _identity(recording: Recording) -> dict[str, Any]:
    """The names, account, region and start time the recorded execution had (the context
    object shows them, so a state reading ``$$.Execution.Id`` must see the same)."""
    found: dict[str, Any] = {"state_machine_name": recording.state_machine}
    arn = recording.execution_arn
    if arn:
        parts = arn.split(":")
        if len(parts) >= 8:
            found.update(region=parts[3], account=parts[4], execution_name=parts[-1])
    started = next((e for e in recording.events if e["type"] == "ExecutionStarted"), None)
    stamp = started.get("timestamp") if started else None
    if isinstance(stamp, str):
        try:
            stamp = datetime.fromisoformat(stamp)
        except ValueError:
            stamp = None
    if isinstance(stamp, datetime) and stamp.tzinfo is not None:
        found["start_time"] = stamp
    return found


def _outcomes(events: list[Any], definition: Any) -> dict[str, VisitOutcome]:
    """Every state visit's outcome, by visit key."""
    tree = EventTree(definition if hasattr(definition, "walk") else None)
    found: dict[str, VisitOutcome] = {}
    visits: dict[str, Any] = {}
    for event in sorted(events, key=lambda e: int(e["id"])):
        visit = tree.add(event)
        kind = str(event["type"])
        if visit is None or kind.startswith("MapIteration"):
            continue
        outcome = found.get(visit.key)
        if outcome is None or kind.endswith("StateEntered"):
            if outcome is not None and visit.entered_id != int(event["id"]):
                continue
            outcome = found[visit.key] = VisitOutcome(visit.key, visit.name, visit.kind)
            visits[visit.key] = visit
        outcome.last = int(event["id"])
        details = _details(event)
        if kind.endswith("StateExited"):
            outcome.exited, outcome.output = True, _value(details.get("output"))
        elif kind.endswith("StateAborted"):
            outcome.aborted = True
        elif "error" in details:
            outcome.errors.append((details.get("error"), details.get("cause")))
    for key, visit in visits.items():
        found[key].next = visit.next
    return found


def _compare(old: dict[str, VisitOutcome], new: dict[str, VisitOutcome]) -> list[Difference]:
    """Differences, ordered by when each visit ended in the recording (a Map after the
    iteration that went wrong inside it); a visit only run locally comes after the recorded
    visit that ended before it locally."""
    placed: list[tuple[float, Difference]] = []
    position = {key: outcome.last for key, outcome in old.items()}
    for key, was in old.items():
        now = new.get(key)
        found = _differ(was, now)
        if found is not None:
            placed.append((position[key], found))
    last = -1.0
    for key, now in sorted(new.items(), key=lambda pair: pair[1].last):
        if key in position:
            last = float(position[key])
            continue
        extra = Difference(
            now.state, key, "extra", "entered locally, not in the recording", None, now.output
        )
        placed.append((last + 0.5, extra))
    placed.sort(key=lambda pair: pair[0])
    return [difference for _, difference in placed]


def _differ(was: VisitOutcome, now: VisitOutcome | None) -> Difference | None:
    if now is None:
        return Difference(was.state, was.key, "missing", "not entered locally", was.output)
    if was.errors != now.errors:
        detail = f"errors: recorded {_errors(was.errors)}, local {_errors(now.errors)}"
        return Difference(was.state, was.key, "error", detail, was.errors, now.errors)
    if (was.exited, was.aborted) != (now.exited, now.aborted):
        detail = f"recorded {_ending(was)}, local {_ending(now)}"
        return Difference(was.state, was.key, "ending", detail, _ending(was), _ending(now))
    if was.output != now.output:
        return Difference(
            was.state, was.key, "output", _diff(was.output, now.output), was.output, now.output
        )
    if was.next != now.next and was.next is not None:
        detail = f"next state: recorded {was.next!r}, local {now.next!r}"
        return Difference(was.state, was.key, "next", detail, was.next, now.next)
    return None


def _compare_ends(events: list[Any], execution: Any) -> list[Difference]:
    """The execution's own result, when every visit matched (a Fail state's error, say)."""
    recorded = _status(events), *_end(events)
    local = execution.status, execution.output, execution.error, execution.cause
    if recorded == local:
        return []
    detail = f"recorded {_short(recorded)}, local {_short(local)}"
    return [Difference(None, "/", "execution", detail, recorded, local)]


def _status(events: list[Any]) -> str:
    for event in reversed(events):
        kind = str(event["type"])
        if kind.startswith("Execution") and kind != "ExecutionStarted":
            return kind.removeprefix("Execution").upper().replace("TIMEDOUT", "TIMED_OUT")
    return "RUNNING"


def _end(events: list[Any]) -> tuple[Any, Any, Any]:
    for event in reversed(events):
        if str(event["type"]).startswith("Execution"):
            details = _details(event)
            return _value(details.get("output")), details.get("error"), details.get("cause")
    return None, None, None


def _ending(outcome: VisitOutcome) -> str:
    if outcome.exited:
        return f"exited with {_short(outcome.output)}"
    ended = "aborted" if outcome.aborted else "failed"
    return f"{ended} after errors {_errors(outcome.errors)}" if outcome.errors else ended


def _errors(errors: list[tuple[Any, Any]]) -> str:
    return "[" + ", ".join(str(error) for error, _ in errors) + "]" if errors else "none"


def _diff(old: Any, new: Any, where: str = "output", limit: int = 3) -> str:
    """``output.total: recorded 24.0, local 30.0`` for up to ``limit`` differing leaves."""
    found: list[str] = []
    _walk(old, new, where, found, limit)
    return "; ".join(found) if found else f"{where}: differs"


def _walk(old: Any, new: Any, where: str, found: list[str], limit: int) -> None:
    if len(found) >= limit or old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for name in list(old) + [k for k in new if k not in old]:
            if name not in new:
                found.append(f"{where}.{name}: recorded {_short(old[name])}, missing locally")
            elif name not in old:
                found.append(f"{where}.{name}: not recorded, local {_short(new[name])}")
            else:
                _walk(old[name], new[name], f"{where}.{name}", found, limit)
            if len(found) >= limit:
                return
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            _walk(a, b, f"{where}[{index}]", found, limit)
    else:
        found.append(f"{where}: recorded {_short(old)}, local {_short(new)}")


def _short(value: Any) -> str:
    text = json.dumps(value, default=str) if not isinstance(value, tuple) else repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


_TEST_FILE = '''"""Replays {what} against {against}.

Written by sfn_notebook.testing.write_replay_test; the recording is {recording}.
"""

from pathlib import Path

from sfn_notebook import testing

HERE = Path(__file__).parent
DEFINITION = {definition}
RECORDING = HERE / {recording!r}


def test_{name}():
    report = testing.replay(DEFINITION, RECORDING)
    assert report.ok, report.explain()
'''


def write_replay_test(
    path: str | os.PathLike[str],
    recorded: Any,
    *,
    definition: str | os.PathLike[str] | None = None,
    name: str | None = None,
) -> str:
    """Write a pytest file that replays ``recorded`` (anything :func:`replay` takes) against
    the definition file ``definition`` (default: the recorded definition), with the recording
    saved beside it as ``<stem>.recording.json``. Returns the recording's path.

    >>> import os, tempfile, sfn_notebook as sfn
    >>> folder = tempfile.mkdtemp()
    >>> flow = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
    >>> saved = write_replay_test(os.path.join(folder, "test_replay_a.py"), sfn.run(flow))
    >>> os.path.basename(saved)
    'test_replay_a.recording.json'
    >>> replay(None, saved).ok
    True
    """
    from sfn_notebook.testing.recording import load_recording

    if isinstance(recorded, (str, os.PathLike)):
        recorded = load_recording(recorded)
    recording = record(recorded)
    target = os.path.abspath(os.fspath(path))
    folder, filename = os.path.split(target)
    stem = filename.removesuffix(".py")
    saved = os.path.join(folder, f"{stem}.recording.json")
    recording.save(saved)
    if definition is None:
        source, against = "None", "the recorded definition"
    else:
        where = os.path.relpath(os.path.abspath(os.fspath(definition)), folder)
        source = f"HERE / {where!r}"
        against = where
    test_name = name or "".join(c if c.isalnum() else "_" for c in stem.removeprefix("test_"))
    what = recording.execution_arn or f"{recording.state_machine}#{recording.case}"
    with open(target, "w", encoding="utf-8") as out:
        out.write(
            _TEST_FILE.format(
                what=what,
                against=against,
                recording=os.path.basename(saved),
                name=test_name or "replay",
                definition=source,
            )
        )
    return saved
