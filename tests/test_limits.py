"""Limits against runaway work (sfn_notebook/limits.py), through the public API.

The runaway cases that, unguarded, kill the process (a native allocation abort, a MemoryError)
run in a subprocess, so a missing guard fails the test instead of the test run.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

import sfn_notebook as sfn
from sfn_notebook.limits import Limits, LimitsError

ROOT = Path(__file__).resolve().parents[1]
SELF = "arn:aws:states:us-east-1:123456789012:stateMachine:self"


def _in_subprocess(code: str, timeout: float = 60) -> str:
    """Run ``code`` in a fresh interpreter with this checkout first on the path; its stdout."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert done.returncode == 0, f"exit {done.returncode}: {done.stderr[-2000:]}"
    return done.stdout


def _self_starting(pattern: str) -> dict[str, Any]:
    return {
        "StartAt": "Again",
        "States": {
            "Again": {
                "Type": "Task",
                "Resource": f"arn:aws:states:::states:startExecution{pattern}",
                "Parameters": {"StateMachineArn": SELF, "Input": {}},
                "End": True,
            }
        },
    }


@pytest.mark.parametrize("pattern", [".sync:2", ".sync"])
def test_a_machine_that_starts_itself_and_waits_stops_at_the_nesting_depth(pattern: str) -> None:
    with sfn.Runtime(clock="virtual", limits={"nesting_depth": 5}) as rt:
        rt.create_state_machine(name="self", definition=_self_starting(pattern))
        began = time.monotonic()
        ex = rt.start(SELF).wait(10)
        assert time.monotonic() - began < 5
        assert ex.status == "FAILED"
        # the root, 5 nested levels, and no more
        runs = rt.list_executions(stateMachineArn=SELF)["executions"]
        assert len(runs) == 6
        deepest = [rt.execution(r["executionArn"]) for r in runs]
        refused = [e for e in deepest if e.error == "StepFunctions.ExecutionLimitExceededException"]
        assert len(refused) == 1
        assert "Limits.nesting_depth=5" in refused[0].cause
        assert "Error Code: ExecutionLimitExceeded" in refused[0].cause
        failed = [e for e in ex.history if e["type"] == "TaskFailed"]
        assert failed[0]["taskFailedEventDetails"]["error"] == "States.TaskFailed"


def test_the_default_depth_stops_a_self_starting_machine_quickly() -> None:
    with sfn.Runtime(clock="real") as rt:
        rt.create_state_machine(name="self", definition=_self_starting(".sync:2"))
        began = time.monotonic()
        ex = rt.start(SELF).wait(30)
        assert time.monotonic() - began < 5
        assert ex.status == "FAILED"
        runs = rt.list_executions(stateMachineArn=SELF)["executions"]
        assert len(runs) == Limits().nesting_depth + 1


def test_fire_and_forget_self_starts_stop_at_the_nested_executions_limit() -> None:
    with sfn.Runtime(clock="virtual", limits=Limits(nested_executions=200)) as rt:
        rt.create_state_machine(name="self", definition=_self_starting(""))
        began = time.monotonic()
        rt.start(SELF)
        refused: list[Any] = []
        while not refused and time.monotonic() - began < 10:
            runs = rt.list_executions(stateMachineArn=SELF, statusFilter="FAILED")["executions"]
            refused = [rt.execution(r["executionArn"]) for r in runs]
            time.sleep(0.05)
        assert time.monotonic() - began < 5
        assert refused[0].error == "StepFunctions.ExecutionLimitExceededException"
        assert "Limits.nested_executions=200" in refused[0].cause
        time.sleep(0.2)  # nothing starts after the refusal
        assert len(rt.list_executions(stateMachineArn=SELF, maxResults=1000)["executions"]) == 201


def test_continue_as_new_chains_are_not_deep() -> None:
    """Each execution starts its successor and ends: the depth never grows."""
    chain = {
        "StartAt": "More?",
        "States": {
            "More?": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.n", "NumericGreaterThan": 0, "Next": "Next"}],
                "Default": "Done",
            },
            "Next": {
                "Type": "Task",
                "Resource": "arn:aws:states:::states:startExecution",
                "Parameters": {
                    "StateMachineArn": SELF,
                    "Input": {"n.$": "States.MathAdd($.n, -1)"},
                },
                "Next": "Done",
            },
            "Done": {"Type": "Succeed"},
        },
    }
    with sfn.Runtime(clock="virtual", limits={"nesting_depth": 2}) as rt:
        rt.create_state_machine(name="self", definition=chain)
        rt.start(SELF, {"n": 20})
        began = time.monotonic()
        while time.monotonic() - began < 10:
            runs = rt.list_executions(stateMachineArn=SELF)["executions"]
            if len(runs) == 21 and all(r["status"] != "RUNNING" for r in runs):
                break
            time.sleep(0.05)
        assert {r["status"] for r in runs} == {"SUCCEEDED"}
        assert len(runs) == 21


def test_express_pass_choice_loop_fails_at_the_event_limit_in_a_subprocess() -> None:
    out = _in_subprocess(
        """
        import time, sfn_notebook as sfn
        loop = {"StartAt": "A", "States": {
            "A": {"Type": "Pass", "Next": "B"},
            "B": {"Type": "Choice", "Default": "A",
                  "Choices": [{"Variable": "$.stop", "IsPresent": True, "Next": "E"}]},
            "E": {"Type": "Succeed"}}}
        for clock in ("virtual", "real"):
            began = time.monotonic()
            ex = sfn.run(loop, state_machine_type="EXPRESS", clock=clock)
            print(clock, ex.status, ex.error, len(ex.history), time.monotonic() - began)
            print(ex.cause)
        ex = sfn.run(loop, state_machine_type="EXPRESS", limits={"express_events": 500})
        print("small", ex.status, len(ex.history))
        """
    )
    lines = out.splitlines()
    for line, cause in ((lines[0], lines[1]), (lines[2], lines[3])):
        _clock, status, error, events, seconds = line.split()
        assert (status, error, int(events)) == ("FAILED", "States.Runtime", 100_000)
        assert float(seconds) < 10
        assert "Limits.express_events" in cause
    assert lines[4] == "small FAILED 500"


def _waits(*seconds: int) -> dict[str, Any]:
    names = [f"W{i}" for i in range(len(seconds))]
    states: dict[str, Any] = {
        name: {"Type": "Wait", "Seconds": wait, "Next": after}
        for name, wait, after in zip(names, seconds, [*names[1:], "Done"], strict=True)
    }
    return {"StartAt": "W0", "States": {**states, "Done": {"Type": "Succeed"}}}


@pytest.mark.parametrize("clock", ["virtual", "real"])
def test_an_express_execution_times_out_after_five_minutes(clock: str) -> None:
    if clock == "real":  # a real 5-minute run is too long for a test: a 1 s TimeoutSeconds
        machine = {**_waits(2), "TimeoutSeconds": 1}
        ex = sfn.run(machine, state_machine_type="EXPRESS", clock="real")
        assert ex.status == "TIMED_OUT"
        return
    ex = sfn.run(_waits(200, 200, 200), state_machine_type="EXPRESS")
    assert ex.status == "TIMED_OUT"
    assert ex.history[-1]["type"] == "ExecutionTimedOut"
    # Under the virtual clock the 5 minutes are checked as each state is entered.
    entered = [e for e in ex.history if e["type"] == "WaitStateEntered"]
    assert len(entered) == 2
    assert sfn.run(_waits(200, 200, 200)).status == "SUCCEEDED"  # STANDARD has no such limit
    assert sfn.run(_waits(200, 99), state_machine_type="EXPRESS").status == "SUCCEEDED"


def test_an_express_execution_with_a_task_function_does_not_time_out() -> None:
    """A task function runs outside the loop; the 5-minute limit must not fire meanwhile."""
    machine = {
        "StartAt": "Work",
        "States": {
            "Work": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "work", "Payload": {}},
                "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 3}],
                "End": True,
            }
        },
    }
    calls: list[int] = []

    def work(event: Any, context: Any) -> int:
        calls.append(1)
        time.sleep(0.05)
        if len(calls) < 3:
            raise ValueError("again")
        return len(calls)

    for _ in range(5):
        calls.clear()
        ex = sfn.run(machine, state_machine_type="EXPRESS", functions={"work": work})
        assert ex.status == "SUCCEEDED", ex.history[-1]


def _doubling(expression: str) -> dict[str, Any]:
    return {
        "QueryLanguage": "JSONata",
        "StartAt": "Init",
        "States": {
            "Init": {"Type": "Pass", "Assign": {"s": "ab", "n": 0}, "Next": "Grow"},
            "Grow": {
                "Type": "Pass",
                "Assign": {"s": expression, "n": "{% $n + 1 %}"},
                "Next": "Loop",
            },
            "Loop": {
                "Type": "Choice",
                "Choices": [{"Condition": "{% $n > 60 %}", "Next": "Done"}],
                "Default": "Grow",
            },
            "Done": {"Type": "Succeed"},
        },
    }


def test_a_variable_doubled_in_a_loop_fails_at_256_kib_in_a_subprocess() -> None:
    out = _in_subprocess(
        """
        import time, sfn_notebook as sfn
        from tests.test_limits import _doubling
        began = time.monotonic()
        ex = sfn.run(_doubling("{% $s & $s %}"))
        print(ex.status, ex.error, time.monotonic() - began)
        print(ex.cause)
        """
    )
    status_line, cause = out.splitlines()[:2]
    status, error, seconds = status_line.split()
    assert (status, error) == ("FAILED", "States.DataLimitExceeded")
    assert float(seconds) < 5
    assert "The variable 's' assigned by the state 'Grow'" in cause
    assert "262144 bytes" in cause


def test_variables_of_one_assign_together_are_limited_to_256_kib() -> None:
    half = "{% $pad('', 140000, 'x') %}"
    ex = sfn.run(
        {
            "QueryLanguage": "JSONata",
            "StartAt": "Two",
            "States": {"Two": {"Type": "Pass", "Assign": {"a": half, "b": half}, "End": True}},
        }
    )
    assert ex.error == "States.DataLimitExceeded"
    assert "The variables assigned by the state 'Two' together" in ex.cause
    one = sfn.run(
        {
            "QueryLanguage": "JSONata",
            "StartAt": "One",
            "States": {"One": {"Type": "Pass", "Assign": {"a": half}, "End": True}},
        }
    )
    assert one.status == "SUCCEEDED"


def test_all_variables_of_an_execution_are_limited_to_10_mib() -> None:
    states: dict[str, Any] = {}
    for i in range(60):
        value = "{% $pad('', 200000, 'x') %}"
        states[f"V{i}"] = {"Type": "Pass", "Assign": {f"v{i}": value}, "Next": f"V{i + 1}"}
    states["V60"] = {"Type": "Succeed"}
    ex = sfn.run({"QueryLanguage": "JSONata", "StartAt": "V0", "States": states})
    assert ex.error == "States.DataLimitExceeded"
    # 52 variables of 200,002 bytes fit in 10 MiB; the 53rd does not.
    assert "The variables in scope after the state 'V52' together" in ex.cause
    failed = [e for e in ex.history if e["type"] == "PassStateExited"]
    assert len(failed) == 52


def test_reassigning_a_variable_replaces_its_size() -> None:
    """A loop that reassigns one 200 kB variable 100 times stays far below 10 MiB."""
    loop = _doubling("{% $pad('', 200000, 'x') %}")
    assert sfn.run(loop).status == "SUCCEEDED"


_REFUSED = "would build a string of"
_TIMED_OUT = "Expression evaluation timeout"  # measuring 229 GB of strings outlasts the 5 s


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("$pad('x', 2000000000)", f"$pad {_REFUSED}"),
        ("($s := $pad('', 262144, 'x'); $replace($s, 'x', $s))", f"$replace {_REFUSED}"),
        ("($s := $pad('', 262144, 'x'); $replace($s, /x/, $s))", f"$replace {_REFUSED}"),
        (
            "$join($map($range(1, 20000, 1), function($i){ $pad('', 1000, 'y') }))",
            "$join",
        ),  # 20 M chars
        (
            "($s := $pad('', 262144, 'x'); $string($map($range(1, 873782, 1), function($i){$s})))",
            _TIMED_OUT,
        ),
    ],
)
def test_jsonata_strings_beyond_the_limit_fail_cleanly_in_a_subprocess(
    expression: str, expected: str
) -> None:
    """Unguarded, each of these aborts the process (a failed native allocation)."""
    out = _in_subprocess(
        f"""
        import time, sfn_notebook as sfn
        machine = {{"QueryLanguage": "JSONata", "StartAt": "Big", "States": {{
            "Big": {{"Type": "Pass", "Output": {{"n": "{{% $length({expression}) %}}"}},
                    "End": True}}}}}}
        began = time.monotonic()
        ex = sfn.run(machine)
        print(ex.status, ex.error, time.monotonic() - began)
        print(ex.cause)
        """
    )
    status_line, cause = out.splitlines()[:2]
    status, error, seconds = status_line.split()
    assert (status, error) == ("FAILED", "States.QueryEvaluationError")
    assert float(seconds) < 15
    assert expected in cause
    if expected != _TIMED_OUT:
        assert "Limits.jsonata_string_length" in cause


def test_the_jsonata_string_limit_is_configurable() -> None:
    machine = {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Output": "{% $pad('x', 50) %}", "End": True}},
    }
    assert sfn.run(machine).output == "x" + " " * 49
    small = sfn.run(machine, limits={"jsonata_string_length": 10})
    assert small.error == "States.QueryEvaluationError"
    assert "limit of 10" in small.cause


def test_guarded_functions_keep_their_results() -> None:
    machine = {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Pass",
                "Output": {
                    "join": "{% $join(['a', 'b'], '-') %}",
                    "chain": "{% ['a', 'b'] ~> $join() %}",
                    "pad": "{% $pad('x', -3, '#') %}",
                    "replace": "{% $replace('abcabc', 'b', 'X', 1) %}",
                    "regex": "{% $replace('abc', /b/, 'Y') %}",
                    "string": "{% $string({'a': [1, 'x']}) %}",
                    "mapped": "{% $map([1, 2], $string) %}",
                    "context": "{% ['ab', 'c'].$pad(3, '.') %}",
                    "arity": "{% $join(['a'], ',', 'extra') %}",
                },
                "End": True,
            }
        },
    }
    ex = sfn.run(machine)
    assert ex.error == "States.QueryEvaluationError"
    assert "T0410: Argument count mismatch" in ex.cause  # as the built-in $join reports it
    del machine["States"]["P"]["Output"]["arity"]
    assert sfn.run(machine).output == {
        "join": "a-b",
        "chain": "ab",
        "pad": "##x",
        "replace": "aXcabc",
        "regex": "aYc",
        "string": '{"a":[1,"x"]}',
        "mapped": ["1", "2"],
        "context": ["ab.", "c.."],
    }


def test_limits_reject_nonsense() -> None:
    with pytest.raises(LimitsError, match="nesting_depth"):
        sfn.Runtime(limits={"nesting_depth": 0})
    with pytest.raises(LimitsError, match="Unknown limit 'depth'"):
        sfn.run(
            {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, limits={"depth": 3}
        )
    with pytest.raises(sfn.SfnNotebookError):
        Limits(express_events=True)  # type: ignore[arg-type]
