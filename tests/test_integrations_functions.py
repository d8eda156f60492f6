"""Python functions as Lambda: sync and async, the context argument, the pool, timeouts."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

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
