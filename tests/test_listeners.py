"""Watchers can't break a run: a history listener that raises is logged and detached, and the
execution's outcome, history and status are those it has without watchers."""

from __future__ import annotations

import logging
import threading
from typing import Any

import pytest

import sfn_notebook as sfn
from sfn_notebook.engine.history import Cursor, History

RICH = {
    "StartAt": "Gate",
    "States": {
        "Gate": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Gate",
            "Next": "Flaky",
        },
        "Flaky": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Flaky",
            "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 5}],
            "Next": "W",
        },
        "W": {"Type": "Wait", "Seconds": 30, "Next": "M"},
        "M": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
            "ResultPath": "$.mapped",
            "Next": "Par",
        },
        "Par": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "B1", "States": {"B1": {"Type": "Pass", "End": True}}},
                {"StartAt": "B2", "States": {"B2": {"Type": "Succeed"}}},
            ],
            "ResultPath": "$.par",
            "Next": "C",
        },
        "C": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.fail", "BooleanEquals": True, "Next": "F"}],
            "Default": "S",
        },
        "S": {"Type": "Succeed"},
        "F": {"Type": "Fail", "Error": "Asked", "Cause": "the input said so"},
    },
}


class Raiser:
    """A listener that raises on the events of ``types`` (every event when None)."""

    def __init__(self, types: set[str] | None = None) -> None:
        self.types = types
        self.heard: list[str] = []

    def __call__(self, event: dict[str, Any]) -> None:
        self.heard.append(event["type"])
        if self.types is None or event["type"] in self.types:
            raise RuntimeError(f"listener bug on {event['type']}")


def _run(fail: bool, *listeners: Any) -> tuple[sfn.Execution, dict[str, Any], list[str]]:
    """Run RICH on a Runtime; ``listeners`` join the history while Gate holds the execution."""
    gate = threading.Event()
    attempts: list[int] = []
    with sfn.Runtime(clock="virtual") as rt:

        @rt.function("Gate")
        def _gate(value: Any, context: Any = None) -> Any:
            assert gate.wait(10)
            return value

        @rt.function("Flaky")
        def _flaky(value: Any, context: Any = None) -> Any:
            attempts.append(1)
            if len(attempts) == 1:
                raise ValueError("first attempt fails")
            return value

        arn = rt.create_state_machine(name="rich", definition=RICH)["stateMachineArn"]
        ex = rt.start(arn, {"items": [1, 2], "fail": fail})
        seen: list[str] = []
        ex.live_history.listen(lambda event: seen.append(event["type"]))
        for listener in listeners:
            ex.live_history.listen(listener)
        gate.set()
        ex.wait(10)
        described = rt.describe_execution(executionArn=ex.arn)
    return ex, described, seen


def _heard_the_rest(ex: sfn.Execution, seen: list[str]) -> None:
    """The well-behaved listener heard every event from when it joined to the end."""
    types = [e["type"] for e in ex.history]
    assert len(seen) > 10
    assert seen == types[len(types) - len(seen) :]


def _shape(ex: sfn.Execution) -> list[tuple[str, int]]:
    return [(e["type"], e["previousEventId"]) for e in ex.history]


@pytest.fixture(scope="module")
def baselines() -> dict[bool, tuple[sfn.Execution, dict[str, Any], list[str]]]:
    return {fail: _run(fail) for fail in (False, True)}


def _types(baselines: Any) -> list[str]:
    return sorted({e["type"] for fail in (False, True) for e in baselines[fail][0].history})


def test_baselines_cover_the_event_types(baselines: Any) -> None:
    types = set(_types(baselines))
    for kind in (
        "LambdaFunctionSucceeded",
        "LambdaFunctionFailed",
        "WaitStateExited",
        "MapIterationSucceeded",
        "ParallelStateSucceeded",
        "ExecutionSucceeded",
        "ExecutionFailed",
    ):
        assert kind in types
    ok, described, _ = baselines[False]
    assert (ok.status, described["status"]) == ("SUCCEEDED", "SUCCEEDED")
    assert baselines[True][0].error == "Asked"


def test_a_listener_raising_on_any_event_type_changes_nothing(
    baselines: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # Each event type in turn (ExecutionSucceeded once left describe_execution at RUNNING).
    for kind in _types(baselines):
        for fail in (False, True):
            base, base_described, _ = baselines[fail]
            if kind not in {e["type"] for e in base.history}:
                continue
            raiser = Raiser({kind})
            caplog.clear()
            with caplog.at_level(logging.ERROR, logger="sfn_notebook.listeners"):
                ex, described, seen = _run(fail, raiser)
            assert ex.done, kind
            assert (ex.status, ex.output, ex.error, ex.cause) == (
                base.status,
                base.output,
                base.error,
                base.cause,
            ), kind
            assert described["status"] == base_described["status"] == base.status, kind
            assert _shape(ex) == _shape(base), kind
            _heard_the_rest(ex, seen)
            if kind in raiser.heard:  # raised once, then detached: it heard nothing after that
                assert raiser.heard.index(kind) == len(raiser.heard) - 1, kind
                assert any(
                    kind in r.getMessage() and "detached" in r.getMessage() for r in caplog.records
                ), kind


def test_listeners_raising_on_every_event(baselines: Any) -> None:
    for fail in (False, True):
        base = baselines[fail][0]
        raisers = [Raiser(), Raiser(), Raiser()]
        ex, described, seen = _run(fail, *raisers)
        assert (ex.status, ex.output, ex.error) == (base.status, base.output, base.error)
        assert described["status"] == base.status
        _heard_the_rest(ex, seen)
        assert [len(r.heard) for r in raisers] == [1, 1, 1]


def test_a_raising_listener_on_a_stored_runtime_leaves_the_store_whole(tmp_path: Any) -> None:
    path = tmp_path / "h.sqlite"
    with sfn.Runtime(path, clock="virtual") as rt:
        arn = rt.create_state_machine(
            name="m",
            definition={
                "StartAt": "W",
                "States": {"W": {"Type": "Wait", "Seconds": 5, "End": True}},
            },
        )["stateMachineArn"]
        run = rt.start(arn)
        run.live_history.listen(Raiser())
        run.wait(10)
        stored_arn = run.arn
    with sfn.Runtime(path, clock="virtual") as reopened:
        again = reopened.describe_execution(executionArn=stored_arn)
        assert again["status"] == "SUCCEEDED"
        types = [e["type"] for e in reopened.execution(stored_arn).history]
        assert types[-1] == "ExecutionSucceeded"


def test_history_dispatch_is_guarded() -> None:
    from datetime import datetime, timezone

    history = History(lambda: datetime(2025, 1, 1, tzinfo=timezone.utc))
    heard: list[int] = []
    history.listen(Raiser())
    history.listen(lambda e: heard.append(e["id"]))
    cursor = Cursor()
    assert history.add(cursor, "ExecutionStarted") == 1
    assert history.add(cursor, "PassStateEntered") == 2
    assert heard == [1, 2]
