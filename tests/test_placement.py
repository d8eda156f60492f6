"""engine/placement: where each history event belongs, the one reading redrive, the attempts
view, the analysis frames and the store share.

The histories here are the ones the two earlier readings (``engine/replay.py``'s tree and
``render/attempts.py``'s lanes) disagreed on: a failing Map iteration nested in a Parallel that
ends its siblings (every end event links to the failing event), and a Parallel retry, whose
``ParallelStateStarted`` links to the failed attempt's last event with no
``ParallelStateFailed`` in between (as AWS records Map and Parallel retries).
"""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone

import pytest

import sfn_notebook as sfn
from sfn_notebook import analysis
from sfn_notebook.engine.placement import EventTree
from sfn_notebook.engine.replay import replay_from_events
from sfn_notebook.render import state_attempts


def wait(seconds: int, then: str | None = None) -> dict:
    return {"Type": "Wait", "Seconds": seconds, **({"Next": then} if then else {"End": True})}


NESTED = {
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
                                "StartAt": "Pick",
                                "States": {
                                    "Pick": {
                                        "Type": "Choice",
                                        "Choices": [
                                            {"Variable": "$", "NumericEquals": 1, "Next": "Pause"},
                                            {"Variable": "$", "NumericEquals": 2, "Next": "P2"},
                                        ],
                                        "Default": "W",
                                    },
                                    "Pause": wait(1, "Bad"),
                                    "Bad": {"Type": "Fail", "Error": "Bad", "Cause": "item 1"},
                                    "W": wait(10),
                                    "P2": {
                                        "Type": "Parallel",
                                        "End": True,
                                        "Branches": [
                                            {"StartAt": "X", "States": {"X": wait(20)}},
                                            {"StartAt": "Y", "States": {"Y": wait(30)}},
                                        ],
                                    },
                                },
                            },
                            "End": True,
                        }
                    },
                },
                {"StartAt": "Long", "States": {"Long": wait(60)}},
            ],
            "Retry": [{"ErrorEquals": ["Bad"], "MaxAttempts": 1, "IntervalSeconds": 2}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}],
            "Next": "Done",
        },
        "Done": {"Type": "Pass", "End": True},
    },
}

B0, B1 = ("P", 0), ("P", 1)
I0, I1, I2 = ("M", 0), ("M", 1), ("M", 2)

# One attempt of P: (event type, the visit's key, the line's path); the first attempt and its
# retry are placed alike.
ATTEMPT = [
    ("MapStateEntered", "/P#0/M#0", (B0,)),
    ("MapStateStarted", "/P#0/M#0", (B0,)),
    ("WaitStateEntered", "/P#0/Long#0", (B1,)),
    ("MapIterationStarted", "/P#0/M#0", (B0, I0)),
    ("ChoiceStateEntered", "/P#0/M#0[0]/Pick#0", (B0, I0)),
    ("ChoiceStateExited", "/P#0/M#0[0]/Pick#0", (B0, I0)),
    ("WaitStateEntered", "/P#0/M#0[0]/W#0", (B0, I0)),
    ("MapIterationStarted", "/P#0/M#0", (B0, I1)),
    ("ChoiceStateEntered", "/P#0/M#0[1]/Pick#0", (B0, I1)),
    ("ChoiceStateExited", "/P#0/M#0[1]/Pick#0", (B0, I1)),
    ("WaitStateEntered", "/P#0/M#0[1]/Pause#0", (B0, I1)),
    ("MapIterationStarted", "/P#0/M#0", (B0, I2)),
    ("ChoiceStateEntered", "/P#0/M#0[2]/Pick#0", (B0, I2)),
    ("ChoiceStateExited", "/P#0/M#0[2]/Pick#0", (B0, I2)),
    ("ParallelStateEntered", "/P#0/M#0[2]/P2#0", (B0, I2)),
    ("ParallelStateStarted", "/P#0/M#0[2]/P2#0", (B0, I2)),
    ("WaitStateEntered", "/P#0/M#0[2]/P2#0/X#0", (B0, I2, ("P2", 0))),
    ("WaitStateEntered", "/P#0/M#0[2]/P2#0/Y#0", (B0, I2, ("P2", 1))),
    ("WaitStateExited", "/P#0/M#0[1]/Pause#0", (B0, I1)),
    ("FailStateEntered", "/P#0/M#0[1]/Bad#0", (B0, I1)),
    # Everything below links to FailStateEntered (the Map's end) or to MapStateFailed (the
    # Parallel's): the link alone would put it all in iteration 1.
    ("MapIterationFailed", "/P#0/M#0", (B0, I1)),
    ("MapIterationAborted", "/P#0/M#0", (B0, I0)),
    ("WaitStateAborted", "/P#0/M#0[0]/W#0", (B0, I0)),
    ("MapIterationAborted", "/P#0/M#0", (B0, I2)),
    ("ParallelStateAborted", "/P#0/M#0[2]/P2#0", (B0, I2)),
    ("WaitStateAborted", "/P#0/M#0[2]/P2#0/X#0", (B0, I2, ("P2", 0))),
    ("WaitStateAborted", "/P#0/M#0[2]/P2#0/Y#0", (B0, I2, ("P2", 1))),
    ("MapStateFailed", "/P#0/M#0", (B0,)),
    ("WaitStateAborted", "/P#0/Long#0", (B1,)),
]


def placements(events, definition=None):
    tree = EventTree(definition)
    out = []
    for event in events:
        visit = tree.add(event)
        line = tree.line_of(event["id"])
        out.append((event["type"], visit.key if visit else None, line.path if line else None))
    return out


@pytest.mark.parametrize("with_definition", [True, False])
def test_every_event_of_a_retried_parallel_with_a_failing_nested_map(with_definition) -> None:
    ex = sfn.run(NESTED, [0, 1, 2])
    assert ex.status == "SUCCEEDED"
    definition = sfn.parse(NESTED) if with_definition else None
    assert placements(ex.history, definition) == [
        ("ExecutionStarted", None, ()),
        ("ParallelStateEntered", "/P#0", ()),
        ("ParallelStateStarted", "/P#0", ()),
        *ATTEMPT,
        ("ParallelStateStarted", "/P#0", ()),  # the retry, linked to MapStateFailed
        *ATTEMPT,
        ("ParallelStateFailed", "/P#0", ()),
        ("ParallelStateExited", "/P#0", ()),
        ("PassStateEntered", "/Done#0", ()),
        ("PassStateExited", "/Done#0", ()),
        ("ExecutionSucceeded", None, ()),
    ]
    # The retry's Started links to the failed attempt's last event: no ParallelStateFailed.
    starts = [e for e in ex.history[3:] if e["type"] == "ParallelStateStarted"]
    assert [ex.history[e["previousEventId"] - 1]["type"] for e in starts] == [
        "ParallelStateEntered",  # P2
        "MapStateFailed",  # P's retry
        "ParallelStateEntered",
    ]


def test_the_views_read_the_same_placement() -> None:
    ex = sfn.run(NESTED, [0, 1, 2])
    visits = state_attempts(ex.history, sfn.parse(NESTED))
    p = visits[0]
    assert (p.name, p.status, [a.status for a in p.attempts]) == (
        "P",
        "CAUGHT_ERROR",
        ["FAILED", "FAILED"],
    )
    assert p.error == "Bad"
    second = visits[len(visits) // 2 :]
    brief = [(v.name, v.status, v.path) for v in second if v.name != "Pick"]
    assert brief == [
        ("M", "FAILED", (B0,)),
        ("Long", "CANCELLED", (B1,)),
        ("W", "CANCELLED", (B0, I0)),
        ("Pause", "SUCCEEDED", (B0, I1)),
        ("P2", "CANCELLED", (B0, I2)),
        ("X", "CANCELLED", (B0, I2, ("P2", 0))),
        ("Y", "CANCELLED", (B0, I2, ("P2", 1))),
        ("Bad", "FAILED", (B0, I1)),
        ("Done", "SUCCEEDED", ()),
    ]
    maps = [v for v in visits if v.name == "M"]
    assert [[(i.index, i.status) for i in m.iterations] for m in maps] == [
        [(0, "ABORTED"), (1, "FAILED"), (2, "ABORTED")]
    ] * 2
    assert all(i.ended is not None for m in maps for i in m.iterations)
    # The analysis layer's frames read the same visits and events.
    frame = analysis.state_attempts_frame(ex)
    assert frame["status"].tolist() == [v.status for v in visits]
    events = analysis.events_frame(ex)
    aborted = events[events["type"].str.endswith("StateAborted")]
    assert aborted["state_name"].tolist() == ["W", "P2", "X", "Y", "Long"] * 2


def test_the_store_names_the_state_each_sibling_abort_ends(tmp_path) -> None:
    path = tmp_path / "runs.db"
    with sfn.Runtime(store=path, clock="virtual") as rt:
        arn = rt.create_state_machine(name="nested", definition=json.dumps(NESTED))[
            "stateMachineArn"
        ]
        ex = rt.start(arn, [0, 1, 2]).wait(10)
        assert ex.status == "SUCCEEDED"
        store = rt.store
        rows = [
            (e["type"], name)
            for e, name in zip(ex.history, _stored_names(store, ex.arn), strict=True)
            if e["type"].endswith("StateAborted")
        ]
    assert [name for _, name in rows] == ["W", "P2", "X", "Y", "Long"] * 2


def _stored_names(store, arn):
    found = store.execution(arn)
    frame = analysis.events_frame(store)
    mine = frame[frame["execution_arn"] == arn] if found is not None else frame
    return mine["state_name"].tolist()


MAP_FLOW = {
    "StartAt": "Each",
    "States": {
        "Each": {
            "Type": "Map",
            "ItemProcessor": {
                "StartAt": "Work",
                "States": {
                    "Work": {
                        "Type": "Task",
                        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:work",
                        "End": True,
                    }
                },
            },
            "End": True,
        }
    },
}


def test_a_second_redrive_keeps_what_the_first_one_did() -> None:
    # The first redrive reruns items 3 and 7; 3 succeeds. The second reruns only 7: the events
    # of the first redrive's iterations are placed under the redriven Map, not the one before.
    failing = {3, 7}
    calls: list[int] = []
    # A failing item fails only once the run's other items succeeded: a Map aborts the items
    # still running when one fails, and a redrive would run those again too.
    succeeded = {"count": 0, "expected": 8}
    all_succeeded = threading.Event()
    lock = threading.Lock()

    def work(event, context):
        calls.append(event)
        if event in failing:
            all_succeeded.wait(5)
            raise RuntimeError(f"bad {event}")
        with lock:
            succeeded["count"] += 1
            if succeeded["count"] == succeeded["expected"]:
                all_succeeded.set()
        return event

    def expect(count: int) -> None:
        succeeded.update(count=0, expected=count)
        all_succeeded.clear()

    with sfn.Runtime(clock="virtual", functions={"work": work}) as rt:
        arn = rt.create_state_machine(name="each", definition=json.dumps(MAP_FLOW))[
            "stateMachineArn"
        ]
        ex = rt.start(arn, list(range(10))).wait(10)
        assert ex.status == "FAILED"
        failing.discard(3)
        calls.clear()
        expect(1)
        rt.redrive_execution(executionArn=ex.arn)
        assert ex.wait(10).status == "FAILED"
        assert sorted(calls) == [3, 7]
        failing.clear()
        calls.clear()
        rt.redrive_execution(executionArn=ex.arn)
        assert ex.wait(10).status == "SUCCEEDED"
        assert calls == [7]
        assert ex.output == list(range(10))


# AWS's history of a Map retried twice (LocalStack's snapshot test test_map_state_retry, recorded
# on AWS): each retry's MapStateStarted links to the failed iteration's FailStateEntered, and
# AWS writes MapStateFailed only after the last attempt.
RECORDED_MAP_RETRY = [
    (1, 0, "ExecutionStarted", None),
    (2, 0, "PassStateEntered", "StartState"),
    (3, 2, "PassStateExited", "StartState"),
    (4, 3, "MapStateEntered", "MapState"),
    (5, 4, "MapStateStarted", None),
    (6, 5, "MapIterationStarted", ("MapState", 0)),
    (7, 6, "FailStateEntered", "HandleItemFail"),
    (8, 7, "MapIterationFailed", ("MapState", 0)),
    (9, 7, "MapStateStarted", None),
    (10, 9, "MapIterationStarted", ("MapState", 0)),
    (11, 10, "FailStateEntered", "HandleItemFail"),
    (12, 11, "MapIterationFailed", ("MapState", 0)),
    (13, 11, "MapStateStarted", None),
    (14, 13, "MapIterationStarted", ("MapState", 0)),
    (15, 14, "FailStateEntered", "HandleItemFail"),
    (16, 15, "MapIterationFailed", ("MapState", 0)),
    (17, 15, "MapStateFailed", None),
    (18, 17, "ExecutionFailed", None),
]


def _recorded(rows):
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    events = []
    for event_id, prev, kind, about in rows:
        event = {
            "id": event_id,
            "previousEventId": prev,
            "type": kind,
            "timestamp": start + timedelta(seconds=event_id),
        }
        if isinstance(about, tuple):
            key = kind[0].lower() + kind[1:] + "EventDetails"
            event[key] = {"name": about[0], "index": about[1]}
        elif about is not None:
            key = (
                "stateEnteredEventDetails"
                if kind.endswith("Entered")
                else "stateExitedEventDetails"
            )
            event[key] = {"name": about}
        events.append(event)
    return events


def test_a_recorded_map_retry_starts_its_iterations_afresh() -> None:
    events = _recorded(RECORDED_MAP_RETRY)
    attempt = [
        ("MapIterationStarted", "/MapState#0", (("MapState", 0),)),
        ("FailStateEntered", "/MapState#0[0]/HandleItemFail#0", (("MapState", 0),)),
        ("MapIterationFailed", "/MapState#0", (("MapState", 0),)),
    ]
    assert placements(events) == [
        ("ExecutionStarted", None, ()),
        ("PassStateEntered", "/StartState#0", ()),
        ("PassStateExited", "/StartState#0", ()),
        ("MapStateEntered", "/MapState#0", ()),
        ("MapStateStarted", "/MapState#0", ()),
        *attempt,
        ("MapStateStarted", "/MapState#0", ()),
        *attempt,
        ("MapStateStarted", "/MapState#0", ()),
        *attempt,
        ("MapStateFailed", "/MapState#0", ()),
        ("ExecutionFailed", None, ()),
    ]
    visits = state_attempts(events)
    assert [(v.name, v.status, v.path) for v in visits] == [
        ("StartState", "SUCCEEDED", ()),
        ("MapState", "FAILED", ()),
        *[("HandleItemFail", "FAILED", (("MapState", 0),))] * 3,
    ]
    ended = [(a.started.second, a.ended.second, a.status) for a in visits[1].attempts]
    assert ended == [(5, 9, "FAILED"), (9, 13, "FAILED"), (13, 17, "FAILED")]


def test_the_state_after_a_choice_is_read_from_its_own_branch() -> None:
    # Branch 1 enters X between branch 0's Choice exit and its next state: a redrive must
    # still send C on to D, not to a state of another branch (each branch is its own line;
    # branches only share the key space).
    rows = [
        (1, 0, "ExecutionStarted", None),
        (2, 0, "ParallelStateEntered", "P"),
        (3, 2, "ParallelStateStarted", None),
        (4, 3, "ChoiceStateEntered", "C"),
        (5, 3, "PassStateEntered", "W"),
        (6, 5, "PassStateExited", "W"),
        (7, 4, "ChoiceStateExited", "C"),
        (8, 6, "TaskStateEntered", "X"),
        (9, 7, "TaskStateEntered", "D"),
        (10, 9, "ExecutionFailed", None),
    ]
    events = _recorded(rows)
    for event in events:
        if "stateExitedEventDetails" in event:
            event["stateExitedEventDetails"]["output"] = "{}"
    replay = replay_from_events(events)
    assert {key: kept.next for key, kept in replay.visits.items()} == {
        "/P#0/C#0": "D",
        "/P#0/W#0": "X",
    }
    assert [line for _, _, line in placements(events)][3:9] == [
        (("P", 0),),
        (("P", 1),),
        (("P", 1),),
        (("P", 0),),
        (("P", 1),),
        (("P", 0),),
    ]
