"""Record an execution as a MockConfigFile test case, so it can be replayed locally.

:func:`record` reads any execution's history (a local run, one from a store, or one imported
from AWS) and writes what each Task's invocations returned or raised as Step Functions Local's
``MockedResponses``: one test case mapping every Task state that ran to its responses, in the
order the state was invoked. Retries become successive responses (``"0"``, ``"1-2"`` ...), and a
state inside a Map consumes its responses in order, iteration after iteration, as Step Functions
Local's counters do. The result is a plain MockConfigFile (``json.dump`` it for Step Functions
Local) that also carries what a replay needs: the execution input, its history and definition.

>>> import sfn_notebook as sfn
>>> def price(event, context):
...     return {"total": 12.5}
>>> flow = {"StartAt": "Price", "States": {"Price": {"Type": "Task", "End": True,
...         "Resource": "arn:aws:lambda:us-east-1:123456789012:function:price"}}}
>>> ex = sfn.run(flow, {"items": 1}, functions={"price": price}, state_machine_name="orders")
>>> recorded = record(ex)
>>> recorded["StateMachines"]
{'orders': {'TestCases': {'Recorded': {'Price': 'Recorded.Price'}}}}
>>> recorded["MockedResponses"]
{'Recorded.Price': {'0': {'Return': {'total': 12.5}}}}
>>> recorded.input
{'items': 1}

A Map's iterations may invoke a Task in any order on AWS; the responses follow the order AWS
scheduled them, which a local replay with the same concurrency usually repeats.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sfn_notebook.engine.placement import EventTree
from sfn_notebook.errors import SfnNotebookError

Event = dict[str, Any]

#: The events that end one invocation of a Task: what the mocked response returns or throws.
_RESULTS = {
    "TaskSucceeded": "Return",
    "LambdaFunctionSucceeded": "Return",
    "ActivitySucceeded": "Return",
    "TaskFailed": "Throw",
    "TaskStartFailed": "Throw",
    "TaskSubmitFailed": "Throw",
    "TaskTimedOut": "Throw",
    "LambdaFunctionFailed": "Throw",
    "LambdaFunctionStartFailed": "Throw",
    "LambdaFunctionScheduleFailed": "Throw",
    "LambdaFunctionTimedOut": "Throw",
    "ActivityFailed": "Throw",
    "ActivityScheduleFailed": "Throw",
    "ActivityTimedOut": "Throw",
}
_SCHEDULED = {"TaskScheduled", "LambdaFunctionScheduled", "ActivityScheduled"}


class RecordingError(SfnNotebookError):
    """What was given to record or replay is not an execution, a history or a recording."""

    code = "InvalidRecording"


class Recording(dict[str, Any]):
    """A MockConfigFile (the dict itself) with the recorded execution beside it.

    ``state_machine`` and ``case`` name the test case; ``input_json`` is the execution input as
    StartExecution got it; ``events`` the recorded history; ``definition`` the definition that
    ran (None when unknown); ``execution_arn`` where it came from.
    """

    def __init__(
        self,
        config: Mapping[str, Any],
        *,
        state_machine: str,
        case: str,
        input_json: str,
        events: list[Event],
        definition: Any = None,
        execution_arn: str | None = None,
    ) -> None:
        super().__init__(config)
        self.state_machine = state_machine
        self.case = case
        self.input_json = input_json
        self.events = events
        self.definition = definition
        self.execution_arn = execution_arn

    @property
    def input(self) -> Any:
        return json.loads(self.input_json)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the recording as JSON (the MockConfigFile under ``MockConfig``)."""
        raw = getattr(self.definition, "raw", self.definition)
        document = {
            "StateMachine": self.state_machine,
            "TestCase": self.case,
            "ExecutionArn": self.execution_arn,
            "Input": self.input_json,
            "Definition": raw,
            "MockConfig": dict(self),
            "Events": self.events,
        }
        with open(path, "w", encoding="utf-8") as out:
            json.dump(document, out, indent=1, default=_json_default)
            out.write("\n")

    def __repr__(self) -> str:
        tasks = len(self["StateMachines"][self.state_machine]["TestCases"][self.case])
        return (
            f"<Recording {self.state_machine}#{self.case}: {len(self.events)} events, "
            f"{tasks} mocked Task state{'' if tasks == 1 else 's'}>"
        )


def load_recording(path: str | os.PathLike[str]) -> Recording:
    """A recording written by :meth:`Recording.save`."""
    from sfn_notebook.textfile import read_text

    try:
        document = json.loads(read_text(os.fspath(path), 64 * 1024 * 1024, what="a recording"))
        definition = document.get("Definition")
        if definition is not None:
            from sfn_notebook.asl.parse import parse

            definition = parse(definition)
        return Recording(
            document["MockConfig"],
            state_machine=document["StateMachine"],
            case=document["TestCase"],
            input_json=document["Input"],
            events=document["Events"],
            definition=definition,
            execution_arn=document.get("ExecutionArn"),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise RecordingError(f"{os.fspath(path)} is not a saved recording ({exc})") from None


def record(
    source: Any,
    *,
    definition: Any = None,
    state_machine: str | None = None,
    case: str = "Recorded",
) -> Recording:
    """A MockConfigFile test case reproducing ``source``'s Task results (see the module
    docstring).

    ``source`` is an execution (``sfn.run``'s, a Runtime's or store's, an AWS one) or its
    history (a list of events, then give ``definition``). ``state_machine`` defaults to the
    name in the execution's ARN.
    """
    if isinstance(source, Recording):
        return source
    events, found_definition, arn = _history(source)
    if definition is None:
        definition = found_definition
    if definition is not None and not hasattr(definition, "walk"):
        from sfn_notebook.asl.parse import parse

        definition = parse(definition)
    started = next((e for e in events if e["type"] == "ExecutionStarted"), None)
    if started is None:
        raise RecordingError("the history has no ExecutionStarted event: nothing to record")
    details = started.get("executionStartedEventDetails") or {}
    arn = arn or details.get("stateMachineArn")
    machine = state_machine or _machine_name(arn) or "Recorded"
    responses = _responses(events, definition)
    mocked: dict[str, str] = {}
    bodies: dict[str, dict[str, Any]] = {}
    for state, answers in responses.items():
        name = f"{case}.{state}"
        mocked[state] = name
        bodies[name] = _ranges(answers)
    config = {"StateMachines": {machine: {"TestCases": {case: mocked}}}, "MockedResponses": bodies}
    return Recording(
        config,
        state_machine=machine,
        case=case,
        input_json=str(details.get("input") or "{}"),
        events=events,
        definition=definition,
        execution_arn=arn if arn and ":execution:" in arn else None,
    )


def _history(source: Any) -> tuple[list[Event], Any, str | None]:
    """(events in id order, the definition if known, the execution ARN if known)."""
    if isinstance(source, (list, tuple)):
        events = list(source)
        definition, arn = None, None
    elif hasattr(source, "history"):
        events = list(source.history)
        definition = getattr(source, "definition", None)
        arn = getattr(source, "arn", None)
    else:
        raise RecordingError(
            f"cannot record {type(source).__name__}: give an execution, a list of history "
            "events or a Recording"
        )
    if not all(isinstance(e, Mapping) and "type" in e and "id" in e for e in events):
        raise RecordingError("a history is a list of events with 'id' and 'type'")
    return sorted(events, key=lambda e: int(e["id"])), definition, arn


def _machine_name(arn: str | None) -> str | None:
    if not arn:
        return None
    if ":execution:" in arn:
        return arn.split(":execution:", 1)[1].rsplit(":", 1)[0]
    if ":stateMachine:" in arn:
        return arn.split(":stateMachine:", 1)[1].split(":", 1)[0]
    return None


def _responses(events: list[Event], definition: Any) -> dict[str, list[dict[str, Any]]]:
    """Per Task state, the response of each invocation in the order it was scheduled."""
    return {
        state: [body for _, body in answers]
        for state, answers in invocations(events, definition).items()
    }


def invocations(
    events: list[Event], definition: Any
) -> dict[str, list[tuple[Any, dict[str, Any]]]]:
    """Per Task state, ``(what it was called with, the mocked response body)`` for each
    invocation, in the order the invocations were scheduled."""
    tree = EventTree(definition)
    pending: dict[int, tuple[int, Any]] = {}  # id(visit) -> its attempt's Scheduled id, payload
    found: dict[str, list[tuple[int, Any, dict[str, Any]]]] = {}
    for event in events:
        visit = tree.add(event)
        kind = event["type"]
        if visit is None:
            continue
        if kind in _SCHEDULED:
            details = _details(event)
            sent = details.get("parameters", details.get("input"))
            pending[id(visit)] = (int(event["id"]), _value(sent))
        elif kind in _RESULTS:
            details = _details(event)
            if _RESULTS[kind] == "Return":
                body: dict[str, Any] = {"Return": _value(details.get("output"))}
            else:
                thrown = {"Error": details.get("error") or _default_error(kind)}
                if details.get("cause") is not None:
                    thrown["Cause"] = details["cause"]
                body = {"Throw": thrown}
            order, sent = pending.pop(id(visit), (int(event["id"]), None))
            found.setdefault(visit.name, []).append((order, sent, body))
    return {
        state: [(sent, body) for _, sent, body in sorted(answers, key=lambda a: a[0])]
        for state, answers in found.items()
    }


def _ranges(answers: list[dict[str, Any]]) -> dict[str, Any]:
    """Successive responses keyed ``"0"``, ``"1-2"`` ... (equal neighbours share a range)."""
    keyed: dict[str, Any] = {}
    start = 0
    for index, body in enumerate(answers):
        if index + 1 < len(answers) and answers[index + 1] == body:
            continue
        keyed[str(start) if start == index else f"{start}-{index}"] = body
        start = index + 1
    return keyed


def _default_error(kind: str) -> str:
    return "States.Timeout" if kind.endswith("TimedOut") else "States.TaskFailed"


def _details(event: Mapping[str, Any]) -> Mapping[str, Any]:
    found = next((v for k, v in event.items() if k.endswith("EventDetails")), None)
    return found if isinstance(found, Mapping) else {}


def _value(text: Any) -> Any:
    """A recorded JSON payload as its value (text that is not JSON, e.g. truncated, as is)."""
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)
