"""The virtual clock skips only time that nothing else could fill; Runtime.advance skips on purpose.

The rule: virtual time jumps to the next timer only when every running execution waits on timers
alone; while external work is in flight (a Python function, an SDK call, a callback or activity
awaiting its answer) it runs with real time, so timers fire in AWS's order.
"""

from __future__ import annotations

import asyncio
import itertools
import socket
import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

import sfn_notebook as sfn
from sfn_notebook.errors import SfnNotebookError
from sfn_notebook.runtime.runtime import Runtime

FN = "arn:aws:lambda:us-east-1:123456789012:function:{}"
CALLBACK = "arn:aws:states:::lambda:invoke.waitForTaskToken"
START = datetime(2025, 1, 1, tzinfo=timezone.utc)


def task(name: str, **fields: Any) -> dict[str, Any]:
    return {"Type": "Task", "Resource": FN.format(name), "End": True, **fields}


def waiting_for_token(**fields: Any) -> dict[str, Any]:
    """A Task that hands its token to the Python function "notify", then waits for it."""
    return {
        "Type": "Task",
        "Resource": CALLBACK,
        "Parameters": {"FunctionName": "notify", "Payload": {"token.$": "$$.Task.Token"}},
        "End": True,
        **fields,
    }


@pytest.fixture
def rt() -> Any:
    runtime = Runtime(clock="virtual", start_time=START)
    runtime.tokens_seen = []

    @runtime.function("notify")
    def notify(event: Any, context: Any) -> dict[str, Any]:
        runtime.tokens_seen.append(event["token"])
        return {}

    yield runtime
    runtime.close()


def next_token(rt: Any, timeout: float = 5.0) -> str:
    end = time.monotonic() + timeout
    while not rt.tokens_seen:
        assert time.monotonic() < end, "no task token was handed out"
        time.sleep(0.005)
    return str(rt.tokens_seen[-1])


def start(rt: Runtime, definition: dict[str, Any], name: str = "m") -> Any:
    arn = rt.create_state_machine(name=name, definition=definition)["stateMachineArn"]
    return rt.start(arn, {})


def at(ex: Any, event_type: str) -> float:
    """Seconds from the execution's start to its first event of ``event_type``."""
    event = next(e for e in ex.history if e["type"] == event_type)
    return float((event["timestamp"] - ex.history[0]["timestamp"]).total_seconds())


def test_execution_timeout_does_not_fire_while_a_python_task_runs() -> None:
    definition = {"TimeoutSeconds": 3600, "StartAt": "T", "States": {"T": task("quick")}}

    def quick(event: Any, context: Any) -> str:
        time.sleep(0.001)
        return "done"

    outcomes = [sfn.run(definition, functions={"quick": quick}) for _ in range(20)]
    assert [ex.status for ex in outcomes] == ["SUCCEEDED"] * 20
    assert all(ex.output == "done" for ex in outcomes)


def test_wait_in_one_branch_ends_after_a_short_task_in_the_other() -> None:
    definition = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "End": True,
                "Branches": [
                    {
                        "StartAt": "W",
                        "States": {"W": {"Type": "Wait", "Seconds": 600, "End": True}},
                    },
                    {"StartAt": "T", "States": {"T": task("short")}},
                ],
            }
        },
    }

    def short(event: Any, context: Any) -> str:
        time.sleep(0.05)
        return "ok"

    began = time.monotonic()
    ex = sfn.run(definition, functions={"short": short}, start_time=START)
    assert time.monotonic() - began < 5  # the Wait itself took no wall time
    assert ex.status == "SUCCEEDED", ex.cause
    types = [e["type"] for e in ex.history]
    assert types.index("LambdaFunctionSucceeded") < types.index("WaitStateExited")
    assert 0.04 < at(ex, "LambdaFunctionSucceeded") < 3  # real time, while the function ran
    assert at(ex, "WaitStateExited") - at(ex, "WaitStateEntered") == pytest.approx(600, abs=1e-3)


def test_callback_under_a_long_execution_timeout_waits_for_its_answer(rt: Any) -> None:
    ask = waiting_for_token()
    definition = {"TimeoutSeconds": 86_400, "StartAt": "Ask", "States": {"Ask": ask}}
    ex = start(rt, definition)
    token = next_token(rt)
    time.sleep(2)
    assert ex.status == "RUNNING"
    rt.send_task_success(taskToken=token, output='{"approved": true}')
    assert ex.wait(10).status == "SUCCEEDED", ex.cause
    assert ex.output == {"approved": True}
    assert 1.9 < at(ex, "TaskSucceeded") < 10  # the two real seconds, on the virtual clock


def test_advance_lapses_a_pending_heartbeat(rt: Any) -> None:
    definition = {
        "StartAt": "Ask",
        "States": {
            "Ask": waiting_for_token(
                HeartbeatSeconds=3600,
                Catch=[
                    {
                        "ErrorEquals": ["States.HeartbeatTimeout"],
                        "ResultPath": "$.lapsed",
                        "Next": "Lapsed",
                    }
                ],
            ),
            "Lapsed": {"Type": "Pass", "End": True},
        },
    }
    ex = start(rt, definition)
    next_token(rt)
    time.sleep(0.2)
    assert ex.status == "RUNNING"
    began = time.monotonic()
    now = rt.advance(3601)
    assert time.monotonic() - began < 2
    assert ex.status == "SUCCEEDED"  # advance returns once the execution has reacted
    assert ex.output["lapsed"]["Error"] == "States.Timeout"  # as AWS records a lapsed heartbeat
    assert at(ex, "TaskTimedOut") - at(ex, "TaskSubmitted") == pytest.approx(3600, abs=1)
    assert now - START >= timedelta(seconds=3601)


def test_advance_fires_timers_in_order_each_at_its_instant(rt: Any) -> None:
    """Two Waits in a row beside a pending callback: each ends at its own virtual instant."""
    waits = {
        "StartAt": "W10",
        "States": {
            "W10": {"Type": "Wait", "Seconds": 10, "Next": "W20"},
            "W20": {"Type": "Wait", "Seconds": 20, "End": True},
        },
    }
    definition = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "End": True,
                "Branches": [waits, {"StartAt": "Ask", "States": {"Ask": waiting_for_token()}}],
            }
        },
    }
    ex = start(rt, definition)
    token = next_token(rt)
    time.sleep(0.1)
    exits = [e for e in ex.history if e["type"] == "WaitStateExited"]
    assert exits == []  # the pending callback keeps the Waits on real time
    rt.advance(100)
    exits = [e for e in ex.history if e["type"] == "WaitStateExited"]
    start_time = ex.history[0]["timestamp"]
    offsets = [(e["timestamp"] - start_time).total_seconds() for e in exits]
    assert offsets == [pytest.approx(10, abs=0.5), pytest.approx(30, abs=0.5)]
    assert ex.status == "RUNNING"  # the callback still waits for its answer
    rt.send_task_success(taskToken=token, output="{}")
    assert ex.wait(10).status == "SUCCEEDED"


def test_waits_and_backoff_alone_still_take_no_wall_time(rt: Any) -> None:
    definition = {
        "StartAt": "W",
        "States": {
            "W": {"Type": "Wait", "Seconds": 3600, "Next": "F"},
            "F": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:sfn:sendTaskSuccess",
                "Parameters": {"TaskToken": "NoSuchTaskToken", "Output": "{}"},
                "Retry": [
                    {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 60, "BackoffRate": 2.0}
                ],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}],
                "End": True,
            },
            "Done": {"Type": "Succeed"},
        },
    }
    began = time.monotonic()
    ex = start(rt, definition).wait(10)
    assert time.monotonic() - began < 3
    assert ex.status == "SUCCEEDED", ex.cause
    scheduled = [e["timestamp"] for e in ex.history if e["type"] == "TaskScheduled"]
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(scheduled)]
    assert gaps == [pytest.approx(g, abs=0.5) for g in (60, 120, 240)]
    assert at(ex, "WaitStateExited") == pytest.approx(3600, abs=1e-3)


def test_advance_needs_the_virtual_clock() -> None:
    with Runtime(clock="real") as real, pytest.raises(SfnNotebookError, match="virtual clock"):
        real.advance(60)


def test_advance_rejects_negative_and_non_numbers(rt: Any) -> None:
    for bad in (-1, float("nan"), "1h", None, True):
        with pytest.raises(SfnNotebookError, match="seconds must be"):
            rt.advance(bad)


def test_advance_before_any_execution_moves_the_clock(rt: Any) -> None:
    assert rt.advance(90) == START + timedelta(seconds=90)
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    ex = start(rt, definition).wait(10)
    assert ex.history[0]["timestamp"] == START + timedelta(seconds=90)


def test_answer_from_another_thread_while_advancing(rt: Any) -> None:
    """advance() from one thread while another answers the token: both land, nothing hangs."""
    definition = {"StartAt": "Ask", "States": {"Ask": waiting_for_token(TimeoutSeconds=7200)}}
    ex = start(rt, definition)
    token = next_token(rt)
    answer = threading.Thread(
        target=rt.send_task_success, kwargs={"taskToken": token, "output": '"yes"'}
    )
    answer.start()
    rt.advance(60)
    answer.join()
    assert ex.wait(10).output == "yes"


def parallel_with_wait(seconds: int, branch_state: dict[str, Any]) -> dict[str, Any]:
    wait = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": seconds, "End": True}}}
    other = {"StartAt": "T", "States": {"T": branch_state}}
    return {
        "StartAt": "P",
        "States": {"P": {"Type": "Parallel", "End": True, "Branches": [wait, other]}},
    }


def test_async_function_threads_and_sockets_are_external_its_sleeps_are_timers() -> None:
    """An async function runs on the loop: ``asyncio.sleep`` is a timer like a Wait's (so
    tutorials stay reproducible), but a thread or a socket it awaits takes real time."""

    async def in_thread(event: Any, context: Any) -> str:
        await asyncio.to_thread(time.sleep, 0.05)
        return "thread"

    async def on_socket(event: Any, context: Any) -> str:
        ours, theirs = socket.socketpair()
        writer_thread = threading.Timer(0.05, theirs.sendall, [b"pong\n"])
        writer_thread.start()
        reader, writer = await asyncio.open_connection(sock=ours)
        line = await reader.readline()
        writer.close()
        theirs.close()
        return line.decode().strip()

    async def naps(event: Any, context: Any) -> str:
        await asyncio.sleep(30)
        return "rested"

    functions = {"in_thread": in_thread, "on_socket": on_socket, "naps": naps}
    for name, result in (("in_thread", "thread"), ("on_socket", "pong")):
        ex = sfn.run(parallel_with_wait(600, task(name)), functions=functions)
        assert ex.status == "SUCCEEDED", (name, ex.cause)
        assert ex.output[1] == result
        types = [e["type"] for e in ex.history]
        assert types.index("LambdaFunctionSucceeded") < types.index("WaitStateExited"), name
    began = time.monotonic()
    ex = sfn.run(parallel_with_wait(600, task("naps")), functions=functions)
    assert time.monotonic() - began < 3  # 30 s of asyncio.sleep and a 600 s Wait: no wall time
    assert at(ex, "LambdaFunctionSucceeded") == pytest.approx(30, abs=0.5)
    assert at(ex, "WaitStateExited") == pytest.approx(600, abs=0.5)


def test_sfn_run_waits_out_an_unanswerable_callback_in_real_time() -> None:
    """sfn.run cannot answer a callback: the execution's TimeoutSeconds ends it, in real time."""
    definition = {"TimeoutSeconds": 1, "StartAt": "Ask", "States": {"Ask": waiting_for_token()}}
    began = time.monotonic()
    ex = sfn.run(definition, functions={"notify": lambda event, context: {}})
    assert ex.status == "TIMED_OUT"
    assert 0.9 < time.monotonic() - began < 5


def test_a_local_child_answering_its_parents_token_keeps_virtual_time(rt: Any) -> None:
    """startExecution.waitForTaskToken of a local child: the child is an execution like any
    other, so its hour-long Wait still takes no wall time before it answers the token."""
    child = {
        "StartAt": "Rest",
        "States": {
            "Rest": {"Type": "Wait", "Seconds": 3600, "Next": "Answer"},
            "Answer": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:sfn:sendTaskSuccess",
                "Parameters": {"TaskToken.$": "$.token", "Output": {"rested": True}},
                "End": True,
            },
        },
    }
    child_arn = rt.create_state_machine(name="child", definition=child)["stateMachineArn"]
    parent = {
        "StartAt": "Delegate",
        "States": {
            "Delegate": {
                "Type": "Task",
                "Resource": "arn:aws:states:::states:startExecution.waitForTaskToken",
                "Parameters": {"StateMachineArn": child_arn, "Input": {"token.$": "$$.Task.Token"}},
                "End": True,
            }
        },
    }
    began = time.monotonic()
    ex = start(rt, parent, name="parent").wait(10)
    assert time.monotonic() - began < 3
    assert ex.status == "SUCCEEDED", ex.cause
    assert ex.output == {"rested": True}
    assert at(ex, "TaskSucceeded") == pytest.approx(3600, abs=1)
