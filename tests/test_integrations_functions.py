"""Python functions as Lambda: sync and async, the context argument, the pool, timeouts."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import sys
import threading
import time
from typing import Any

import pytest

import sfn_notebook as sfn
from sfn_notebook.runtime.runtime import Runtime

FN = "arn:aws:lambda:us-east-1:123456789012:function:{}"


def task(resource: str, **fields: Any) -> dict[str, Any]:
    return {
        "StartAt": "T",
        "States": {"T": {"Type": "Task", "Resource": resource, "End": True, **fields}},
    }


def test_sync_and_async_functions_with_lambda_context() -> None:
    seen: dict[str, Any] = {}

    def sync_fn(event: Any, context: Any) -> Any:
        seen["sync"] = (
            context.function_name,
            context.invoked_function_arn,
            context.aws_request_id,
            context.get_remaining_time_in_millis(),
        )
        return {"doubled": event["n"] * 2}

    async def async_fn(event: Any, context: Any) -> Any:
        await asyncio.sleep(0.01)
        seen["async"] = context.get_remaining_time_in_millis()
        return event["doubled"] + 1

    definition = {
        "StartAt": "Sync",
        "States": {
            "Sync": {
                "Type": "Task",
                "Resource": FN.format("sync_fn"),
                "TimeoutSeconds": 5,
                "Next": "Async",
            },
            "Async": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "async_fn", "Payload.$": "$"},
                "OutputPath": "$.Payload",
                "End": True,
            },
        },
    }
    ex = sfn.run(definition, {"n": 20}, functions={"sync_fn": sync_fn, "async_fn": async_fn})
    assert ex.status == "SUCCEEDED", ex.cause
    assert ex.output == 41
    name, arn, request_id, remaining = seen["sync"]
    assert (name, arn) == ("sync_fn", FN.format("sync_fn"))
    assert len(request_id) == 36
    assert 4000 < remaining <= 5000  # TimeoutSeconds, not Lambda's default
    assert seen["async"] == 900_000  # no TimeoutSeconds: Lambda's longest, 15 minutes


def test_timeout_interrupts_waiting_while_the_thread_runs_on() -> None:
    finished = threading.Event()

    def slow(event: Any, context: Any) -> Any:
        time.sleep(1.5)
        finished.set()
        return "late"

    began = time.monotonic()
    ex = sfn.run(task(FN.format("slow"), TimeoutSeconds=1), functions={"slow": slow})
    took = time.monotonic() - began
    assert (ex.status, ex.error) == ("FAILED", "States.Timeout")
    assert 0.9 < took < 1.45  # the Task timed out before the function returned
    assert not finished.is_set()
    assert [e["type"] for e in ex.history][2:5] == [
        "LambdaFunctionScheduled",
        "LambdaFunctionStarted",
        "LambdaFunctionTimedOut",
    ]
    assert finished.wait(5)  # the thread itself ran to its end


def test_async_function_timeout_and_virtual_sleeps() -> None:
    async def naps(event: Any, context: Any) -> Any:
        await asyncio.sleep(event)  # on the execution's clock
        return event

    quick = sfn.run(task(FN.format("naps"), TimeoutSeconds=10), 3, functions={"naps": naps})
    assert quick.status == "SUCCEEDED"  # three virtual seconds, no wall time
    spent = quick.history[-1]["timestamp"] - quick.history[0]["timestamp"]
    assert 3 <= spent.total_seconds() < 4
    began = time.monotonic()
    late = sfn.run(task(FN.format("naps"), TimeoutSeconds=1), 30, functions={"naps": naps})
    assert (late.status, late.error) == ("FAILED", "States.Timeout")
    assert time.monotonic() - began < 5


def test_errors_are_shaped_like_lambdas() -> None:
    def broken(event: Any, context: Any) -> Any:
        raise KeyError("missing")

    ex = sfn.run(task(FN.format("broken")), functions={"broken": broken})
    assert ex.error == "KeyError"
    cause = json.loads(ex.cause)
    assert cause["errorType"] == "KeyError" and cause["errorMessage"] == "'missing'"
    assert cause["stackTrace"]


def test_bounded_worker_pool() -> None:
    running = 0
    peak = 0
    lock = threading.Lock()

    def work(event: Any, context: Any) -> Any:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.1)
        with lock:
            running -= 1
        return event

    definition = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "ItemProcessor": {
                    "StartAt": "W",
                    "States": {"W": {"Type": "Task", "Resource": FN.format("work"), "End": True}},
                },
                "End": True,
            }
        },
    }
    with Runtime(clock="virtual", max_workers=2, functions={"work": work}) as rt:
        arn = rt.create_state_machine(name="pool", definition=definition)["stateMachineArn"]
        ex = rt.start(arn, list(range(6))).wait(20)
    assert ex.status == "SUCCEEDED" and ex.output == list(range(6))
    assert peak == 2


EXIT_CAUSE = re.compile(r"RequestId: [0-9a-f-]{36} Error: Runtime exited (.*)")


def test_exits_and_interrupts_fail_the_task_and_leave_the_runtime_running() -> None:
    """sys.exit or KeyboardInterrupt in a function ends a Lambda's process, not Step Functions:
    the Task fails with Runtime.ExitError and the Runtime serves the next execution at once."""

    def exits(event: Any, context: Any) -> Any:
        sys.exit(3)

    def interrupted(event: Any, context: Any) -> Any:
        raise KeyboardInterrupt

    async def quits(event: Any, context: Any) -> Any:
        raise SystemExit

    def says_why(event: Any, context: Any) -> Any:
        sys.exit("giving up")

    functions = {"exits": exits, "interrupted": interrupted, "quits": quits, "says_why": says_why}
    expected = {
        "exits": "with error: exit status 3",
        "interrupted": "with error: signal: interrupt",
        "quits": "without providing a reason",
        "says_why": "with error: exit status 1",
    }
    with Runtime(clock="virtual", functions=functions) as rt:
        hello = rt.create_state_machine(
            name="hello",
            definition={"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
        )["stateMachineArn"]
        for name, reason in expected.items():
            arn = rt.create_state_machine(name=name, definition=task(FN.format(name)))[
                "stateMachineArn"
            ]
            ex = rt.start(arn).wait(10)
            assert (ex.status, ex.error) == ("FAILED", "Runtime.ExitError"), name
            cause = json.loads(ex.cause)
            assert cause["errorType"] == "Runtime.ExitError"
            found = EXIT_CAUSE.fullmatch(cause["errorMessage"])
            assert found and found.group(1) == reason, cause
            failed = next(e for e in ex.history if e["type"] == "LambdaFunctionFailed")
            assert failed["lambdaFunctionFailedEventDetails"]["error"] == "Runtime.ExitError"
            began = time.monotonic()
            after = rt.start(hello, {"after": name}).wait(5)
            assert after.status == "SUCCEEDED" and after.output == {"after": name}
            assert time.monotonic() - began < 2
    lone = sfn.run(task(FN.format("exits")), functions=functions)  # sfn.run too
    assert (lone.status, lone.error) == ("FAILED", "Runtime.ExitError")


def test_ctrl_c_while_waiting_stops_the_waiting_not_the_runtime() -> None:
    release = threading.Event()

    def slow(event: Any, context: Any) -> Any:
        release.wait(10)
        return "finished"

    with Runtime(clock="virtual", functions={"slow": slow}) as rt:
        arn = rt.create_state_machine(name="slow", definition=task(FN.format("slow")))[
            "stateMachineArn"
        ]
        ex = rt.start(arn)
        main = threading.main_thread().ident
        assert main is not None
        threading.Timer(0.2, signal.pthread_kill, [main, signal.SIGINT]).start()  # Ctrl-C
        began = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            ex.wait(10)
        assert time.monotonic() - began < 5
        assert ex.status == "RUNNING"
        release.set()
        assert ex.wait(10).output == "finished"
        assert rt.start(arn).wait(10).output == "finished"


def test_exit_raised_by_a_loop_callback_leaves_the_runtime_serving(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """SystemExit from a callback an async function scheduled on the Runtime's loop (outside any
    Task) is logged and ignored: the loop thread goes on serving executions."""

    async def schedules_exit(event: Any, context: Any) -> str:
        asyncio.get_running_loop().call_soon(sys.exit, 4)
        return "scheduled"

    with Runtime(clock="virtual", functions={"f": schedules_exit}) as rt:
        arn = rt.create_state_machine(name="f", definition=task(FN.format("f")))["stateMachineArn"]
        assert rt.start(arn).wait(5).output == "scheduled"
        assert rt.start(arn).wait(5).output == "scheduled"
    assert any("SystemExit" in r.getMessage() for r in caplog.records)
