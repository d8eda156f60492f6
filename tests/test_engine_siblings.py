"""A failing Map iteration or Parallel branch ends its running siblings as AWS records it.

AWS (a recorded Map of four Lambda tasks whose first one timed out): ``MapIterationFailed`` for
the failing iteration, ``MapIterationAborted`` for each running sibling, each followed by
``TaskStateAborted`` for the state it was in, all linked to the failing event, then
``MapStateFailed`` linked to that event too.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import sfn_notebook as sfn

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:work"


def _work(finished: list[int], running: int) -> Any:
    """Item 0 fails once ``running`` other items are running in their threads (under load a
    worker may start late, and a function aborted before it began is never called)."""
    began = threading.Semaphore(0)

    def work(event: Any, context: Any) -> Any:
        if event == 0:
            for _ in range(running):
                began.acquire(timeout=5)
            raise ValueError("boom")
        began.release()
        time.sleep(0.2)
        finished.append(event)
        return event

    return work


def _summary(ex: sfn.Execution, start: int) -> list[tuple[str, int, Any]]:
    out = []
    for event in ex.history[start - 1 :]:
        detail = event.get("mapIterationFailedEventDetails") or event.get(
            "mapIterationAbortedEventDetails"
        )
        out.append((event["type"], event["previousEventId"], detail and detail["index"]))
    return out


def test_a_failing_iteration_aborts_the_running_ones_and_their_tasks() -> None:
    finished: list[int] = []
    definition = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "ItemProcessor": {
                    "StartAt": "T",
                    "States": {"T": {"Type": "Task", "Resource": LAMBDA, "End": True}},
                },
                "End": True,
            }
        },
    }
    began = time.monotonic()
    ex = sfn.run(definition, [0, 1, 2], functions={"work": _work(finished, running=2)})
    assert ex.status == "FAILED" and ex.error == "ValueError"
    failed = next(e for e in ex.history if e["type"] == "LambdaFunctionFailed")
    link = failed["id"]
    assert _summary(ex, link + 1) == [
        ("MapIterationFailed", link, 0),
        ("TaskStateAborted", link, None),
        ("MapIterationAborted", link, 1),
        ("TaskStateAborted", link, None),
        ("MapIterationAborted", link, 2),
        ("TaskStateAborted", link, None),
        ("MapStateFailed", link, None),
        ("ExecutionFailed", link + 7, None),
    ]
    assert time.monotonic() - began < 5
    count = len(ex.history)
    deadline = time.monotonic() + 5
    while len(finished) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.05)
    # The functions ran to their end in their threads, but their results write nothing.
    assert sorted(finished) == [1, 2]
    assert len(ex.history) == count
    assert [e["type"] for e in ex.history].count("LambdaFunctionSucceeded") == 0


def test_iterations_not_yet_started_get_no_events() -> None:
    finished: list[int] = []
    definition = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "MaxConcurrency": 2,
                "ItemProcessor": {
                    "StartAt": "T",
                    "States": {"T": {"Type": "Task", "Resource": LAMBDA, "End": True}},
                },
                "End": True,
            }
        },
    }
    ex = sfn.run(definition, [0, 1, 2, 3], functions={"work": _work(finished, running=1)})
    started = [
        e["mapIterationStartedEventDetails"]["index"]
        for e in ex.history
        if e["type"] == "MapIterationStarted"
    ]
    assert started == [0, 1]
    kinds = [e["type"] for e in ex.history]
    assert kinds.count("MapIterationAborted") == 1 and kinds.count("TaskStateAborted") == 2


def test_a_failing_branch_aborts_the_running_sibling_states() -> None:
    release = threading.Event()

    def slow(event: Any, context: Any) -> Any:
        release.wait(5)
        return event

    definition = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 5, "End": True}}},
                    {
                        "StartAt": "T",
                        "States": {
                            "T": {
                                "Type": "Task",
                                "Resource": LAMBDA.replace("work", "slow"),
                                "End": True,
                            }
                        },
                    },
                    {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Broke"}}},
                ],
                "End": True,
            }
        },
    }
    try:
        ex = sfn.run(definition, {}, functions={"slow": slow})
    finally:
        release.set()
    assert ex.status == "FAILED" and ex.error == "Broke"
    fail = next(e for e in ex.history if e["type"] == "FailStateEntered")
    tail = [(e["type"], e["previousEventId"]) for e in ex.history if e["id"] > fail["id"]]
    # A Fail state has ended already: only the running siblings are aborted.
    assert tail == [
        ("WaitStateAborted", fail["id"]),
        ("TaskStateAborted", fail["id"]),
        ("ParallelStateFailed", fail["id"]),
        ("ExecutionFailed", fail["id"] + 3),
    ]


def test_a_failing_branch_task_is_aborted_after_its_failure() -> None:
    # AWS (a recorded Parallel whose only branch's task failed): TaskFailed, TaskStateAborted
    # and ParallelStateFailed, both linked to TaskFailed.
    def broken(event: Any, context: Any) -> Any:
        raise RuntimeError("no")

    definition = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "T",
                        "States": {
                            "T": {
                                "Type": "Task",
                                "Resource": LAMBDA.replace("work", "broken"),
                                "End": True,
                            }
                        },
                    }
                ],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}],
                "End": True,
            },
            "Done": {"Type": "Pass", "End": True},
        },
    }
    ex = sfn.run(definition, {}, functions={"broken": broken})
    failed = next(e for e in ex.history if e["type"] == "LambdaFunctionFailed")
    tail = [(e["type"], e["previousEventId"]) for e in ex.history if e["id"] > failed["id"]][:3]
    assert tail == [
        ("TaskStateAborted", failed["id"]),
        ("ParallelStateFailed", failed["id"]),
        ("ParallelStateExited", failed["id"] + 2),
    ]
    assert ex.status == "SUCCEEDED"


def test_a_nested_map_that_failed_is_not_aborted_again() -> None:
    # MapStateFailed ends the inner Map; only a Task whose failure is a task event is aborted.
    definition = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "M",
                        "States": {
                            "M": {
                                "Type": "Map",
                                "ItemProcessor": {
                                    "StartAt": "F",
                                    "States": {"F": {"Type": "Fail", "Error": "Inner"}},
                                },
                                "End": True,
                            }
                        },
                    }
                ],
                "End": True,
            }
        },
    }
    ex = sfn.run(definition, [1])
    kinds = [e["type"] for e in ex.history]
    assert ex.error == "Inner"
    assert kinds[-4:] == [
        "MapIterationFailed",
        "MapStateFailed",
        "ParallelStateFailed",
        "ExecutionFailed",
    ]
    assert not any(kind.endswith("Aborted") for kind in kinds)


def test_a_running_nested_map_in_an_aborted_branch_ends_its_own_iterations() -> None:
    definition = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "M",
                        "States": {
                            "M": {
                                "Type": "Map",
                                "ItemProcessor": {
                                    "StartAt": "W",
                                    "States": {"W": {"Type": "Wait", "Seconds": 60, "End": True}},
                                },
                                "End": True,
                            }
                        },
                    },
                    {
                        "StartAt": "Pause",
                        "States": {
                            "Pause": {"Type": "Wait", "Seconds": 1, "Next": "F"},
                            "F": {"Type": "Fail", "Error": "Broke"},
                        },
                    },
                ],
                "End": True,
            }
        },
    }
    ex = sfn.run(definition, [1, 2])
    fail = next(e for e in ex.history if e["type"] == "FailStateEntered")["id"]
    assert _summary(ex, fail + 1) == [
        ("MapStateAborted", fail, None),
        ("MapIterationAborted", fail, 0),
        ("WaitStateAborted", fail, None),
        ("MapIterationAborted", fail, 1),
        ("WaitStateAborted", fail, None),
        ("ParallelStateFailed", fail, None),
        ("ExecutionFailed", fail + 6, None),
    ]
