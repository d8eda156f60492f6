"""Every start goes through the launcher: a machine that needs no event loop (Pass, Choice,
Succeed, Fail) runs in the thread that starts it, up to its end or its first 256 steps; the rest,
and every other machine, runs on the Runtime's loop, with the same outcome and history."""

from __future__ import annotations

import threading
import time
from typing import Any

import sfn_notebook as sfn

SMALL = {
    "StartAt": "A",
    "States": {
        "A": {"Type": "Pass", "Result": 1, "ResultPath": "$.a", "Next": "B"},
        "B": {
            "Type": "Choice",
            "Default": "C",
            "Choices": [{"Variable": "$.x", "NumericEquals": 2, "Next": "F"}],
        },
        "C": {"Type": "Succeed"},
        "F": {"Type": "Fail", "Error": "Two"},
    },
}


def count_to(n: int, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "StartAt": "Init",
        "States": {
            "Init": {"Type": "Pass", "Result": 0, "ResultPath": "$.i", "Next": "Add"},
            "Add": {
                "Type": "Pass",
                "Parameters": {"i.$": "States.MathAdd($.i, 1)"},
                "Next": "Check",
            },
            "Check": {
                "Type": "Choice",
                "Default": "Done",
                "Choices": [{"Variable": "$.i", "NumericLessThan": n, "Next": "Add"}],
            },
            "Done": {"Type": "Succeed"},
        },
        **(extra or {}),
    }


def _loop_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "sfn-runtime"]


def test_a_machine_needing_no_loop_runs_in_the_starting_thread() -> None:
    before = len(_loop_threads())
    with sfn.Runtime(clock="virtual") as rt:
        arn = rt.create_state_machine(name="small", definition=SMALL)["stateMachineArn"]
        ex = rt.start(arn, {"x": 1})
        # Finished before start returned, without the loop thread ever starting.
        assert ex.done and ex.status == "SUCCEEDED"
        assert len(_loop_threads()) == before
        assert rt.launcher.running_loop() is None
        failed = rt.start(arn, {"x": 2})
        assert (failed.status, failed.error) == ("FAILED", "Two")
        events = rt.get_execution_history(executionArn=ex.arn)["events"]
        assert [e["type"] for e in events] == [
            "ExecutionStarted",
            "PassStateEntered",
            "PassStateExited",
            "ChoiceStateEntered",
            "ChoiceStateExited",
            "SucceedStateEntered",
            "SucceedStateExited",
            "ExecutionSucceeded",
        ]
        assert len({e["timestamp"] for e in events}) == 1  # virtual time stood still
    assert rt.describe_execution(executionArn=ex.arn)["status"] == "SUCCEEDED"


def test_a_long_loop_is_handed_to_the_loop_and_ends_there() -> None:
    with sfn.Runtime(clock="virtual") as rt:
        arn = rt.create_state_machine(name="count", definition=count_to(5000))["stateMachineArn"]
        ex = rt.start(arn)
        # The first 256 steps ran here; the rest runs on the loop among the others.
        assert rt.launcher.running_loop() is not None
        assert ex.wait(30).status == "SUCCEEDED"
        assert ex.output == {"i": 5000}
        direct = sfn.run(count_to(5000))
        assert [e["type"] for e in ex.history] == [e["type"] for e in direct.history]


def test_an_endless_loop_started_on_a_runtime_returns_at_once_and_stops() -> None:
    forever = count_to(10**12)
    with sfn.Runtime(clock="virtual") as rt:
        arn = rt.create_state_machine(name="forever", definition=forever)["stateMachineArn"]
        began = time.monotonic()
        ex = rt.start(arn)
        assert time.monotonic() - began < 5
        assert ex.status == "RUNNING"
        rt.stop_execution(executionArn=ex.arn, error="Enough", cause="stopped by the test")
        assert ex.wait(10).status == "ABORTED"
        assert (ex.error, ex.cause) == ("Enough", "stopped by the test")
        assert ex.history[-1]["type"] == "ExecutionAborted"


def test_express_sync_execution_runs_inline_with_its_timeout_in_force() -> None:
    with sfn.Runtime(clock="virtual") as rt:
        arn = rt.create_state_machine(name="fast", definition=SMALL, type="EXPRESS")[
            "stateMachineArn"
        ]
        response = rt.start_sync_execution(stateMachineArn=arn, input='{"x": 2}')
        assert (response["status"], response["error"]) == ("FAILED", "Two")
        assert rt.launcher.running_loop() is None


def test_a_machine_with_a_wait_still_runs_on_the_loop() -> None:
    waits = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 60, "End": True}}}
    with sfn.Runtime(clock="virtual") as rt:
        arn = rt.create_state_machine(name="waits", definition=waits)["stateMachineArn"]
        ex = rt.start(arn).wait(10)
        assert ex.status == "SUCCEEDED"
        assert rt.launcher.running_loop() is not None
        stamps = [e["timestamp"] for e in ex.history]
        assert (stamps[-1] - stamps[0]).total_seconds() == 60


def test_sfn_run_times_out_a_synchronous_loop_past_its_deadline_on_the_real_clock() -> None:
    # A loop of Pass and Choice states never suspends but every 256 steps: it is timed out at
    # the first of them past TimeoutSeconds, as wait_for's timer would have been.
    slow = count_to(10**12, {"TimeoutSeconds": 1})
    slow["States"]["Add"]["Parameters"]["pad.$"] = "States.ArrayRange(1, 400, 1)"
    began = time.monotonic()
    ex = sfn.run(slow, clock="real", state_machine_type="EXPRESS")
    assert time.monotonic() - began < 30
    assert ex.status == "TIMED_OUT"
    assert ex.history[-1]["type"] == "ExecutionTimedOut"


def test_virtual_time_stands_still_during_an_inline_run_while_the_loop_has_timers() -> None:
    # An execution of many one-second Waits keeps the loop leaping from timer to timer; the
    # executions run inline meanwhile must each see one instant, as they would on the loop.
    ticks = {
        "StartAt": "W",
        "States": {
            "W": {"Type": "Wait", "Seconds": 1, "Next": "C"},
            "C": {
                "Type": "Choice",
                "Default": "W",
                "Choices": [{"Variable": "$.stop", "IsPresent": True, "Next": "E"}],
            },
            "E": {"Type": "Succeed"},
        },
    }
    with sfn.Runtime(clock="virtual") as rt:
        rt.create_state_machine(name="ticks", definition=ticks)
        small = rt.create_state_machine(name="small", definition=count_to(100))["stateMachineArn"]
        ticking = rt.start("ticks")
        for _ in range(100):
            ex = rt.start(small)
            assert ex.done
            assert len({e["timestamp"] for e in ex.history}) == 1
        rt.stop_execution(executionArn=ticking.arn)
        assert ticking.wait(10).status == "ABORTED"


def test_stopping_an_execution_at_once_after_its_start_aborts_it() -> None:
    # start returns without waiting for the loop to take the execution: a StopExecution right
    # after it still aborts it, whether the loop has started its task yet or not.
    waits = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": True}}}
    with sfn.Runtime(clock="real") as rt:
        arn = rt.create_state_machine(name="waits", definition=waits)["stateMachineArn"]
        for _ in range(20):
            ex = rt.start(arn)
            rt.stop_execution(executionArn=ex.arn, error="Now")
            assert ex.wait(10).status == "ABORTED"
            assert ex.error == "Now"
            assert ex.history[-1]["type"] == "ExecutionAborted"
