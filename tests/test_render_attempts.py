"""render.attempts: history events → state visits, attempts, statuses (shared with analysis)."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone

import sfn_notebook as sfn
from sfn_notebook.render import AttemptTracker, graph_statuses, map_counts, state_attempts
from sfn_notebook.runtime.runtime import Runtime

START = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)


def lam(name: str) -> str:
    return f"arn:aws:lambda:us-east-1:123456789012:function:{name}"


def branch(name: str, state: dict) -> dict:
    return {"StartAt": name, "States": {name: state}}


def brief(visits):
    return [(v.name, v.status, v.error, [(a.status, a.error) for a in v.attempts]) for v in visits]


def test_retries_then_catch() -> None:
    calls = {"n": 0}

    def flaky(event, context):
        calls["n"] += 1
        if calls["n"] < 2:
            raise TimeoutError("slow")
        raise KeyError("gone")

    definition = {
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": lam("flaky"),
                "Retry": [{"ErrorEquals": ["TimeoutError"], "IntervalSeconds": 3}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handle"}],
                "End": True,
            },
            "Handle": {"Type": "Pass", "End": True},
        },
    }
    ex = sfn.run(definition, functions={"flaky": flaky}, start_time=START)
    visits = state_attempts(ex.history, sfn.parse(definition))
    assert brief(visits) == [
        ("T", "CAUGHT_ERROR", "KeyError", [("FAILED", "TimeoutError"), ("FAILED", "KeyError")]),
        ("Handle", "SUCCEEDED", None, []),
    ]
    first, second = visits[0].attempts
    assert (second.started - first.ended).total_seconds() >= 3
    assert visits[0].retries == 1 and visits[0].pointer == "/States/T"
    assert visits[0].cause is not None and "gone" in visits[0].cause
    assert graph_statuses(visits) == {"/States/T": "CAUGHT_ERROR", "/States/Handle": "SUCCEEDED"}


def test_parallel_failure_marks_the_culprit_failed_and_siblings_cancelled() -> None:
    def boom(event, context):
        raise ValueError("nope")

    definition = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [
                    # The Wait cannot end while the task runs: it is cancelled when Boom fails.
                    branch("Slow", {"Type": "Wait", "Seconds": 3600, "End": True}),
                    branch(
                        "Boom",
                        {"Type": "Task", "Resource": lam("boom"), "TimeoutSeconds": 5, "End": True},
                    ),
                ],
                "End": True,
            }
        },
    }
    ex = sfn.run(definition, functions={"boom": boom})
    assert ex.status == "FAILED"
    visits = state_attempts(ex.history, sfn.parse(definition))
    by_name = {v.name: v for v in visits}
    assert by_name["Slow"].status == "CANCELLED"
    assert by_name["Boom"].status == "FAILED" and by_name["Boom"].error == "ValueError"
    assert by_name["P"].status == "FAILED" and by_name["P"].error == "ValueError"
    assert [(v.name, v.parallel_branch, v.path, v.parent) for v in visits[1:]] == [
        ("Slow", 0, (("P", 0),), visits[0].key),
        ("Boom", 1, (("P", 1),), visits[0].key),
    ]


def test_fail_state_in_a_branch_fails_at_once_and_a_catch_takes_over() -> None:
    definition = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [
                    branch("Slow", {"Type": "Wait", "Seconds": 10, "End": True}),
                    branch("Bad", {"Type": "Fail", "Error": "E1", "Cause": "why"}),
                ],
                "Catch": [{"ErrorEquals": ["E1"], "Next": "After"}],
                "End": True,
            },
            "After": {"Type": "Succeed"},
        },
    }
    ex = sfn.run(definition)
    assert ex.status == "SUCCEEDED"
    visits = state_attempts(ex.history, sfn.parse(definition))
    assert brief(visits) == [
        ("P", "CAUGHT_ERROR", "E1", [("FAILED", "E1")]),
        ("Slow", "CANCELLED", None, []),
        ("Bad", "FAILED", "E1", []),
        ("After", "SUCCEEDED", None, []),
    ]
    # Without the definition, branches are numbered in the order they started and a Fail state's
    # error is unknown until something reports it.
    bare = state_attempts(ex.history)
    assert [v.parallel_branch for v in bare[1:3]] == [0, 1]
    assert bare[2].error is None and bare[0].status == "CAUGHT_ERROR"


def test_map_iterations_nested_in_parallel_with_tolerated_failures() -> None:
    def item(event, context):
        if event % 3 == 0:
            raise RuntimeError(f"item {event}")
        return event

    definition = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "Idle", "States": {"Idle": {"Type": "Pass", "End": True}}},
                    {
                        "StartAt": "M",
                        "States": {
                            "M": {
                                "Type": "Map",
                                "MaxConcurrency": 2,
                                "ToleratedFailureCount": 5,
                                "ItemProcessor": {
                                    "StartAt": "Work",
                                    "States": {
                                        "Work": {
                                            "Type": "Task",
                                            "Resource": lam("item"),
                                            "End": True,
                                        }
                                    },
                                },
                                "End": True,
                            }
                        },
                    },
                ],
                "End": True,
            }
        },
    }
    ex = sfn.run(definition, [1, 2, 3, 4, 5, 6], functions={"item": item})
    assert ex.status == "SUCCEEDED"
    visits = state_attempts(ex.history, sfn.parse(definition))
    work = [v for v in visits if v.name == "Work"]
    assert sorted((v.map_iteration, v.status) for v in work) == [
        (0, "SUCCEEDED"), (1, "SUCCEEDED"), (2, "FAILED"),
        (3, "SUCCEEDED"), (4, "SUCCEEDED"), (5, "FAILED"),
    ]  # fmt: skip
    assert all(v.parallel_branch == 1 and v.path[0] == ("P", 1) for v in work)
    assert {v.path[1] for v in work} == {("M", i) for i in range(6)}
    m = next(v for v in visits if v.name == "M")
    assert [(i.index, i.status) for i in m.iterations] == [
        (0, "SUCCEEDED"), (1, "SUCCEEDED"), (2, "FAILED"),
        (3, "SUCCEEDED"), (4, "SUCCEEDED"), (5, "FAILED"),
    ]  # fmt: skip
    assert m.status == "SUCCEEDED"
    assert map_counts(visits) == {"/States/P/Branches/1/States/M": (4, 2, 0)}
    statuses = graph_statuses(visits)
    assert statuses["/States/P/Branches/1/States/M/ItemProcessor/States/Work"] == "FAILED"


def test_map_failure_without_tolerance_cancels_running_iterations() -> None:
    gate = threading.Event()

    def item(event, context):
        if event == 1:
            raise RuntimeError("one")
        gate.wait(5)
        return event

    definition = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "ItemProcessor": {
                    "StartAt": "Work",
                    "States": {"Work": {"Type": "Task", "Resource": lam("item"), "End": True}},
                },
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Recover"}],
                "End": True,
            },
            "Recover": {"Type": "Succeed"},
        },
    }
    timer = threading.Timer(0.5, gate.set)
    timer.start()
    ex = sfn.run(definition, [0, 1, 2], functions={"item": item})
    timer.cancel()
    gate.set()
    visits = state_attempts(ex.history, sfn.parse(definition))
    m = visits[0]
    assert m.status == "CAUGHT_ERROR" and m.error == "RuntimeError"
    work = {v.map_iteration: v.status for v in visits if v.name == "Work"}
    assert work[1] == "FAILED"
    assert {work[0], work[2]} <= {"CANCELLED", "SUCCEEDED"}


def test_stopped_execution_cancels_the_running_state() -> None:
    with Runtime(clock="real") as rt:
        arn = rt.create_state_machine(
            name="stop-me",
            definition={
                "StartAt": "W",
                "States": {"W": {"Type": "Wait", "Seconds": 60, "End": True}},
            },
        )["stateMachineArn"]
        ex = rt.start(arn)
        deadline = time.monotonic() + 5
        while len(ex.history) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        live = state_attempts(ex.history)
        assert [(v.name, v.status) for v in live] == [("W", "RUNNING")]
        rt.stop_execution(executionArn=ex.arn, error="Stop", cause="user")
        ex.wait(5)
    assert ex.status == "ABORTED"
    assert [(v.name, v.status) for v in state_attempts(ex.history)] == [("W", "CANCELLED")]


def test_tracker_is_incremental_and_reports_changes() -> None:
    definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Next": "B"},
            "B": {"Type": "Wait", "Seconds": 1, "End": True},
        },
    }
    ex = sfn.run(definition, start_time=START)
    tracker = AttemptTracker(sfn.parse(definition))
    seen = 0
    changes = []
    for event in ex.history:
        tracker.add(event)
        changed = tracker.visits_changed_after(seen)
        seen = tracker.seq
        changes.append([(v.name, v.status) for v in changed])
    assert changes == [
        [],  # ExecutionStarted
        [("A", "RUNNING")],
        [("A", "SUCCEEDED")],
        [("B", "RUNNING")],
        [("B", "SUCCEEDED")],
        [],  # ExecutionSucceeded
    ]
    assert tracker.visits() == state_attempts(ex.history, sfn.parse(definition))
    assert tracker.status == "SUCCEEDED" and tracker.started == START
    assert (tracker.ended - START).total_seconds() == 1
