"""Workflow coverage (analysis.coverage) and fault injection (testing.inject_faults), through the
public API, on a workflow with Choice, Map, Parallel, Retry and Catch."""

from __future__ import annotations

import json
import time

import pytest

import sfn_notebook as sfn
from sfn_notebook import analysis, testing
from sfn_notebook.analysis.coverage import COVERAGE_COLUMNS
from sfn_notebook.errors import SfnNotebookError

LAMBDA = "arn:aws:states:::lambda:invoke"
FLOW = {
    "StartAt": "Route",
    "States": {
        "Route": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.kind", "StringEquals": "map", "Next": "Fan"},
                {"Variable": "$.kind", "StringEquals": "par", "Next": "Both"},
                {"Variable": "$.kind", "StringEquals": "both", "Next": "Both"},
            ],
            "Default": "Charge",
        },
        "Fan": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemProcessor": {
                "StartAt": "Double",
                "States": {"Double": {"Type": "Pass", "End": True}},
            },
            "Next": "Done",
        },
        "Both": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "Left", "States": {"Left": {"Type": "Pass", "End": True}}},
                {
                    "StartAt": "Right",
                    "States": {
                        "Right": {
                            "Type": "Task",
                            "Resource": LAMBDA,
                            "Retry": [{"ErrorEquals": ["Busy"], "IntervalSeconds": 1}],
                            "End": True,
                        }
                    },
                },
            ],
            "Catch": [{"ErrorEquals": ["Boom"], "Next": "Rescue"}],
            "Next": "Done",
        },
        "Charge": {
            "Type": "Task",
            "Resource": LAMBDA,
            "Retry": [{"ErrorEquals": ["Busy"], "IntervalSeconds": 2, "MaxAttempts": 3}],
            "Catch": [
                {"ErrorEquals": ["Declined"], "Next": "Rescue"},
                {"ErrorEquals": ["States.ALL"], "Next": "Rescue2"},
            ],
            "Next": "Done",
        },
        "Rescue": {"Type": "Pass", "Next": "Done"},
        "Rescue2": {"Type": "Pass", "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}
OK = {"Return": {"Payload": {"ok": True}}}
MOCKS = {
    "StateMachines": {
        "flow": {
            "TestCases": {
                "RightBusyOnce": {"Right": "BusyOnce"},
                "ChargeDeclined": {"Charge": "BusyTwiceThenDeclined"},
                "RightBoom": {"Right": "Boom"},
            }
        }
    },
    "MockedResponses": {
        "BusyOnce": {"0": {"Throw": {"Error": "Busy", "Cause": "try later"}}, "1": OK},
        "Boom": {"0": {"Throw": {"Error": "Boom", "Cause": "broken"}}},
        "BusyTwiceThenDeclined": {
            "0-1": {"Throw": {"Error": "Busy", "Cause": "try later"}},
            "2": {"Throw": {"Error": "Declined", "Cause": "card declined"}},
        },
    },
}


def three_runs() -> list[sfn.Execution]:
    return [
        sfn.run(FLOW, {"kind": "map", "items": [1, 2, 3]}, state_machine_name="flow"),
        sfn.run(FLOW, {"kind": "par"}, mocks=MOCKS, test_case="RightBusyOnce"),
        sfn.run(FLOW, {"kind": "card"}, mocks=MOCKS, test_case="ChargeDeclined"),
    ]


def counts(cov: analysis.Coverage) -> dict[str, int]:
    return {item.label: item.count for item in cov.items}


def test_coverage_counts_states_transitions_rules_retries_and_catches() -> None:
    runs = three_runs()
    assert [ex.status for ex in runs] == ["SUCCEEDED"] * 3
    cov = analysis.coverage(runs)
    assert cov.executions == 3
    assert counts(cov) == {
        "Route": 3,
        "Route: rule 0 -> Fan": 1,
        # The history says Both came next, not which rule matched: rules 1 and 2 count together.
        "Route: rule 1 -> Both": 1,
        "Route: rule 2 -> Both": 1,
        "Route: Default -> Charge": 1,
        "Fan": 1,
        "Fan -> Done": 1,
        "Double": 3,  # once per Map iteration
        "Both": 1,
        "Both -> Done": 1,
        "Both: Catch 0 -> Rescue": 0,
        "Left": 1,
        "Right": 1,
        "Right: Retry 0": 1,
        "Charge": 1,
        "Charge -> Done": 0,
        "Charge: Retry 0": 2,
        "Charge: Catch 0 -> Rescue": 1,
        "Charge: Catch 1 -> Rescue2": 0,
        "Rescue": 1,
        "Rescue -> Done": 1,
        "Rescue2": 0,
        "Rescue2 -> Done": 0,
        "Done": 3,
    }
    shared = {i.label: i.shared for i in cov.items if i.shared}
    assert shared == {"Route: rule 1 -> Both": ("rule 2",), "Route: rule 2 -> Both": ("rule 1",)}
    errors = {i.label: i.errors for i in cov.items if i.errors}
    assert errors == {
        "Right: Retry 0": {"Busy": 1},
        "Charge: Retry 0": {"Busy": 2},
        "Charge: Catch 0 -> Rescue": {"Declined": 1},
    }
    missed = [i.label for i in cov.missed()]
    assert missed == [
        "Both: Catch 0 -> Rescue",
        "Charge -> Done",
        "Charge: Catch 1 -> Rescue2",
        "Rescue2",
        "Rescue2 -> Done",
    ]
    assert cov.percent == round(100 * 19 / 24, 1)
    report = cov.report("flow")
    assert report.startswith("flow: coverage: 19/24 items (79.2%) over 3 executions")
    assert "  not covered: Charge: Catch 1 -> Rescue2" in report


def test_coverage_is_the_same_from_events_alone_a_runtime_and_a_store(tmp_path) -> None:
    runs = three_runs()
    expected = counts(analysis.coverage(runs))
    # Histories as AWS's GetExecutionHistory returns them (no Execution objects, no definition
    # attached): the definition is given.
    imported = {ex.arn: json.loads(json.dumps(ex.history, default=str)) for ex in runs}
    for events in imported.values():
        for event in events:
            event["timestamp"] = sfn_time(event["timestamp"])
    assert counts(analysis.coverage(imported, definition=FLOW)) == expected
    with sfn.Runtime(tmp_path / "runs.sqlite", clock="virtual", mocks=MOCKS) as rt:
        arn = rt.create_state_machine(
            name="flow", definition=json.dumps(FLOW), roleArn="arn:aws:iam::1:role/r"
        )["stateMachineArn"]
        for case, value in [
            ("", {"kind": "map", "items": [1, 2, 3]}),
            ("#RightBusyOnce", {"kind": "par"}),
            ("#ChargeDeclined", {"kind": "card"}),
        ]:
            started = rt.start_execution(stateMachineArn=arn + case, input=json.dumps(value))
            rt.execution(started["executionArn"]).wait(30)
        assert counts(analysis.coverage(rt, state_machine="flow")) == expected
        store_cov = analysis.coverage(rt.store, definition=FLOW, state_machine="flow")
        assert counts(store_cov) == expected
        frame = analysis.coverage_frame(rt, state_machine="flow")
    assert list(frame.columns) == list(COVERAGE_COLUMNS)
    row = frame[(frame.kind == "retry") & (frame.state == "Charge")].iloc[0]
    assert (row["index"], row["count"], row["covered"], row["errors"]) == (0, 2, True, {"Busy": 2})
    assert frame["covered"].sum() == 19


def sfn_time(text: str):
    from datetime import datetime

    return datetime.fromisoformat(text)


def test_graph_data_has_per_state_and_per_edge_counts() -> None:
    data = analysis.coverage(three_runs()).graph_data()
    assert json.loads(json.dumps(data)) == data  # JSON-ready for a widget
    assert data["states"]["Double"] == {
        "pointer": "/States/Fan/ItemProcessor/States/Double",
        "count": 3,
    }
    edges = {(e["source"], e["target"], e["kind"], e["index"]): e["count"] for e in data["edges"]}
    assert edges[("Charge", "Rescue", "catch", 0)] == 1
    assert edges[("Route", "Charge", "default", None)] == 1
    assert edges[("Fan", "Done", "next", None)] == 1
    assert {"state": "Charge", "index": 0, "count": 2, "pointer": "/States/Charge/Retry/0"} in data[
        "retries"
    ]


def test_a_catch_on_a_parallel_and_a_second_execution_add_up() -> None:
    cov = analysis.coverage(three_runs())
    boom = sfn.run(FLOW, {"kind": "both"}, mocks=MOCKS, test_case="RightBoom")
    assert boom.status == "SUCCEEDED"
    cov.add(boom)
    found = counts(cov)
    assert found["Both: Catch 0 -> Rescue"] == 1
    assert found["Route: rule 1 -> Both"] == found["Route: rule 2 -> Both"] == 2
    assert (found["Right: Retry 0"], found["Rescue -> Done"], found["Both -> Done"]) == (1, 2, 1)
    caught = next(i for i in cov.items if i.label == "Both: Catch 0 -> Rescue")
    assert caught.errors == {"Boom": 1}
    assert cov.executions == 4


def test_coverage_without_a_definition_says_what_it_needs() -> None:
    with pytest.raises(SfnNotebookError, match="coverage needs the definition"):
        analysis.coverage({"arn": three_runs()[0].history})


# Fault injection --------------------------------------------------------------------------------

SEEDED = {
    "StartAt": "Reserve",
    "States": {
        "Reserve": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:reserve",
            "Retry": [
                {"ErrorEquals": ["Lambda.TooManyRequestsException"], "MaxAttempts": 2},
            ],
            "Catch": [{"ErrorEquals": ["OutOfStock"], "Next": "Backorder"}],
            "Next": "Ship",
        },
        "Backorder": {"Type": "Pass", "End": True},
        "Ship": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage",
            "Parameters": {"QueueUrl": "q", "MessageBody.$": "$"},
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Backorder"}],
            "End": True,
        },
    },
}


def test_inject_faults_finds_the_unhandled_fault() -> None:
    started = time.monotonic()
    frame = testing.inject_faults(
        SEEDED, {"sku": "x"}, functions={"reserve": lambda event, context: {"ok": True}}
    )
    assert time.monotonic() - started < 60
    rows = {(r.state, r.error): r for r in frame.itertuples()}
    reserve = {error for state, error in rows if state == "Reserve"}
    assert reserve == {
        "Lambda.TooManyRequestsException",
        "OutOfStock",
        "States.TaskFailed",
        "States.Timeout",
        "Lambda.ServiceException",
        "Lambda.AWSLambdaException",
        "Lambda.SdkClientException",
    }
    throttled = rows[("Reserve", "Lambda.TooManyRequestsException")]
    assert (throttled.outcome, throttled.retries, throttled.execution_status) == (
        "failed",
        2,
        "FAILED",
    )
    caught = rows[("Reserve", "OutOfStock")]
    assert (caught.outcome, caught.caught_by, caught.next_state) == (
        "caught",
        "Reserve",
        "Backorder",
    )
    # Ship catches everything; Reserve only OutOfStock: every other Reserve fault is unhandled.
    unhandled = sorted(e for (s, e), r in rows.items() if r.outcome == "failed")
    assert unhandled == sorted(reserve - {"OutOfStock"})
    ship = {error: r.outcome for (state, error), r in rows.items() if state == "Ship"}
    assert ship == {
        "States.TaskFailed": "caught",
        "States.Timeout": "caught",
        "SQS.AmazonSQSException": "caught",
    }


def test_fault_caught_by_an_enclosing_parallel_and_faults_not_reached() -> None:
    outcomes = testing.fault_outcomes(
        FLOW, {"kind": "par"}, mocks=MOCKS, test_case="RightBusyOnce", errors=["Boom"]
    )
    by_state = {o.state: o for o in outcomes}
    assert by_state["Right"].outcome == "caught"
    assert (by_state["Right"].caught_by, by_state["Right"].next_state) == ("Both", "Rescue")
    assert by_state["Charge"].outcome == "not reached"
    with pytest.raises(SfnNotebookError, match="no Task state named Nope"):
        testing.fault_outcomes(FLOW, states=["Nope"])
