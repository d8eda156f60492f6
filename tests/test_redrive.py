"""RedriveExecution: rerun what did not succeed, keep what did (Map iterations, branches)."""

from __future__ import annotations

import json
import threading
import time

import pytest

import sfn_notebook as sfn
from sfn_notebook.engine.replay import replay_from_events
from sfn_notebook.runtime.ledger import ExecutionNotRedrivable

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:{}"


class Flaky:
    """A task function that fails for chosen inputs until healed, counting every call."""

    def __init__(self, failing=(), delay=0.0):
        self.failing = set(failing)
        self.delay = delay
        self.calls: list = []
        self.lock = threading.Lock()

    def __call__(self, event, context):
        with self.lock:
            self.calls.append(event)
        if isinstance(event, str | int) and event in self.failing:
            time.sleep(self.delay)  # let the others finish first
            raise RuntimeError(f"bad {event}")
        return {"done": event}


def _runtime(**functions):
    return sfn.Runtime(clock="virtual", functions=functions)


def _create(rt, definition, name="flow"):
    return rt.create_state_machine(name=name, definition=json.dumps(definition))["stateMachineArn"]


MAP_FLOW = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Task", "Resource": LAMBDA.format("prepare"), "Next": "Each"},
        "Each": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemProcessor": {
                "StartAt": "Work",
                "States": {
                    "Work": {"Type": "Task", "Resource": LAMBDA.format("work"), "End": True}
                },
            },
            "ResultPath": "$.results",
            "End": True,
        },
    },
}


def test_redrive_of_a_failed_map_runs_only_the_failed_iterations():
    prepare = Flaky()
    work = Flaky(failing={3, 7}, delay=0.3)
    with _runtime(prepare=lambda e, c: prepare(e, c) and e, work=work) as rt:
        arn = _create(rt, MAP_FLOW)
        ex = rt.start(arn, {"items": list(range(10))}).wait(10)
        assert ex.status == "FAILED" and ex.error == "RuntimeError"
        assert sorted(work.calls) == list(range(10))  # all ran (no MaxConcurrency), two failed
        succeeded = {
            e["mapIterationSucceededEventDetails"]["index"]
            for e in ex.history
            if e["type"] == "MapIterationSucceeded"
        }
        assert succeeded == set(range(10)) - {3, 7}
        before = len(ex.history)
        work.failing.clear()
        work.calls.clear()
        prepare.calls.clear()
        response = rt.redrive_execution(executionArn=ex.arn)
        assert set(response) == {"redriveDate"}
        ex.wait(10)
        assert ex.status == "SUCCEEDED"
        assert sorted(work.calls) == [3, 7]
        assert prepare.calls == []
        assert [r["done"] for r in ex.output["results"]] == list(range(10))
        redriven = ex.history[before]
        assert redriven["type"] == "ExecutionRedriven"
        assert redriven["id"] == before + 1 and redriven["previousEventId"] == before
        assert redriven["executionRedrivenEventDetails"] == {"redriveCount": 1}
        started = [
            e["mapIterationStartedEventDetails"]["index"]
            for e in ex.history[before:]
            if e["type"] == "MapIterationStarted"
        ]
        assert started == [3, 7]
        described = rt.describe_execution(executionArn=ex.arn)
        assert described["redriveCount"] == 1
        assert described["redriveDate"] == response["redriveDate"]
        assert described["redriveStatus"] == "NOT_REDRIVABLE"
        listed = rt.list_executions(stateMachineArn=arn)["executions"][0]
        assert listed["redriveCount"] == 1


def test_redrive_keeps_succeeded_parallel_branches_and_the_variables():
    a, b = Flaky(), Flaky(failing={"b1"})
    flow = {
        "StartAt": "Init",
        "States": {
            "Init": {"Type": "Pass", "Assign": {"run": "first"}, "Next": "Both"},
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "A1",
                        "States": {
                            "A1": {
                                "Type": "Task",
                                "Resource": LAMBDA.format("a"),
                                "End": True,
                                "Parameters": {"x": "a"},
                                "OutputPath": "$.done",
                            }
                        },
                    },
                    {
                        "StartAt": "B1",
                        "States": {
                            "B1": {
                                "Type": "Task",
                                "Resource": LAMBDA.format("a"),
                                "Parameters": {"x": "b1"},
                                "Next": "B2",
                            },
                            "B2": {
                                "Type": "Task",
                                "Resource": LAMBDA.format("b"),
                                "InputPath": "$.done",
                                "End": True,
                            },
                        },
                    },
                ],
                "Next": "End",
            },
            "End": {
                "Type": "Pass",
                "Parameters": {
                    "out.$": "$",
                    "run.$": "$run",
                    "count.$": "$$.Execution.RedriveCount",
                },
                "End": True,
            },
        },
    }
    with _runtime(a=lambda e, c: a(e["x"], c) | {"x": e["x"]}, b=b) as rt:
        ex = rt.start(_create(rt, flow), {}).wait(10)
        assert ex.status == "FAILED"
        assert sorted(a.calls) == ["a", "b1"] and b.calls == ["b1"]
        a.calls.clear()
        b.calls.clear()
        b.failing.clear()
        rt.redrive_execution(executionArn=ex.arn)
        assert ex.wait(10).status == "SUCCEEDED"
        assert a.calls == [] and b.calls == ["b1"]  # branch A and B1 are kept; B2 reruns
        assert ex.output == {"out": ["a", {"done": "b1"}], "run": "first", "count": 1}


def test_redrive_continues_a_loop_from_the_visit_that_failed():
    attempts = {"n": 0}

    def step(event, context):
        attempts["n"] += 1
        if event == 3 and attempts["n"] < 10:
            raise RuntimeError("third pass")
        return event

    flow = {
        "StartAt": "Init",
        "States": {
            "Init": {"Type": "Pass", "Result": 0, "Next": "Add"},
            "Add": {
                "Type": "Pass",
                "Parameters": {"v.$": "States.MathAdd($, 1)"},
                "OutputPath": "$.v",
                "Next": "Step",
            },
            "Step": {"Type": "Task", "Resource": LAMBDA.format("step"), "Next": "More"},
            "More": {
                "Type": "Choice",
                "Choices": [{"Variable": "$", "NumericLessThan": 5, "Next": "Add"}],
                "Default": "Done",
            },
            "Done": {"Type": "Succeed"},
        },
    }
    with _runtime(step=step) as rt:
        ex = rt.start(_create(rt, flow), {}).wait(10)
        assert ex.status == "FAILED" and attempts["n"] == 3
        attempts["n"] = 100
        rt.redrive_execution(executionArn=ex.arn)
        assert ex.wait(10).status == "SUCCEEDED" and ex.output == 5
        assert attempts["n"] == 100 + 3  # passes 3, 4 and 5; passes 1 and 2 are kept


def test_redrive_twice_and_of_aborted_and_timed_out_executions():
    gate = threading.Event()
    work = Flaky(failing={"x"})
    flow = {
        "StartAt": "Wait",
        "States": {
            "Wait": {"Type": "Task", "Resource": LAMBDA.format("block"), "Next": "Work"},
            "Work": {"Type": "Task", "Resource": LAMBDA.format("work"), "End": True},
        },
    }
    with _runtime(block=lambda e, c: gate.wait(5) and "x", work=work) as rt:
        arn = _create(rt, flow)
        ex = rt.start(arn, {})
        rt.stop_execution(executionArn=ex.arn, error="Stop", cause="by hand")
        assert ex.wait(10).status == "ABORTED"
        gate.set()
        rt.redrive_execution(executionArn=ex.arn)
        assert ex.wait(10).status == "FAILED"  # Wait reran (it was aborted); Work failed
        work.failing.clear()
        rt.redrive_execution(executionArn=ex.arn)
        assert ex.wait(10).status == "SUCCEEDED" and ex.output == {"done": "x"}
        assert rt.describe_execution(executionArn=ex.arn)["redriveCount"] == 2
        assert [e["type"] for e in ex.history].count("ExecutionRedriven") == 2
        timed = rt.create_state_machine(
            name="slow",
            definition={
                "TimeoutSeconds": 5,
                "StartAt": "W",
                "States": {"W": {"Type": "Wait", "SecondsPath": "$.s", "End": True}},
            },
        )["stateMachineArn"]
        slow = rt.start(timed, {"s": 60}).wait(10)
        assert slow.status == "TIMED_OUT"
        rt.redrive_execution(executionArn=slow.arn)
        assert slow.wait(10).status == "TIMED_OUT"


def test_only_failed_timed_out_or_aborted_executions_can_be_redriven():
    with _runtime() as rt:
        arn = _create(rt, {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
        ex = rt.start(arn, {}).wait(10)
        with pytest.raises(ExecutionNotRedrivable, match="SUCCEEDED"):
            rt.redrive_execution(executionArn=ex.arn)
        described = rt.describe_execution(executionArn=ex.arn)
        assert described["redriveStatusReason"] == "Execution is SUCCEEDED and cannot be redriven"


def test_redrive_uses_the_definition_the_execution_ran():
    with _runtime() as rt:
        arn = _create(rt, {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Old"}}})
        ex = rt.start(arn, {}).wait(10)
        rt.update_state_machine(
            stateMachineArn=arn,
            definition=json.dumps({"StartAt": "F", "States": {"F": {"Type": "Succeed"}}}),
        )
        rt.redrive_execution(executionArn=ex.arn)
        assert ex.wait(10).error == "Old"


def test_replay_keys_name_iterations_and_loop_passes():
    ex = sfn.run(
        {
            "StartAt": "M",
            "States": {
                "M": {
                    "Type": "Map",
                    "ItemProcessor": {
                        "StartAt": "I",
                        "States": {"I": {"Type": "Pass", "End": True}},
                    },
                    "Next": "F",
                },
                "F": {"Type": "Fail", "Error": "E"},
            },
        },
        [1, 2],
    )
    replay = replay_from_events(ex.history)
    assert sorted(replay.visits) == ["/M#0"]
    assert replay.visits["/M#0"].next == "F"
