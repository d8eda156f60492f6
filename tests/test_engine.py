"""The interpreter: states, history shape, clock, retries, quotas."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

import sfn_notebook as sfn

START = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)


def types(ex: sfn.Execution) -> list[str]:
    return [e["type"] for e in ex.history]


def links(ex: sfn.Execution) -> list[tuple[int, int]]:
    return [(e["id"], e["previousEventId"]) for e in ex.history]


def test_pass_chain_history_matches_aws_shape() -> None:
    ex = sfn.run(
        {
            "StartAt": "A",
            "States": {
                "A": {"Type": "Pass", "Result": {"x": 1}, "ResultPath": "$.a", "Next": "B"},
                "B": {"Type": "Succeed"},
            },
        },
        {"in": True},
    )
    assert ex.status == "SUCCEEDED"
    assert ex.output == {"in": True, "a": {"x": 1}}
    assert types(ex) == [
        "ExecutionStarted",
        "PassStateEntered",
        "PassStateExited",
        "SucceedStateEntered",
        "SucceedStateExited",
        "ExecutionSucceeded",
    ]
    # AWS links the first state to event 0: ExecutionStarted does not move the cursor.
    assert links(ex) == [(1, 0), (2, 0), (3, 2), (4, 3), (5, 4), (6, 5)]
    exited = ex.history[2]["stateExitedEventDetails"]
    assert exited == {
        "name": "A",
        "output": '{"in":true,"a":{"x":1}}',
        "outputDetails": {"truncated": False},
    }


def test_wait_and_retry_run_on_virtual_time_with_exact_spacing() -> None:
    attempts: list[int] = []

    def flaky(event: Any, context: Any) -> Any:
        attempts.append(1)
        if len(attempts) < 6:
            raise ConnectionError("try again")
        return {"ok": len(attempts)}

    definition = {
        "StartAt": "Hour",
        "States": {
            "Hour": {"Type": "Wait", "Seconds": 3600, "Next": "Call"},
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:flaky",
                "Retry": [
                    {
                        "ErrorEquals": ["ConnectionError"],
                        "IntervalSeconds": 2,
                        "BackoffRate": 2,
                        "MaxAttempts": 5,
                        "JitterStrategy": "NONE",
                    }
                ],
                "End": True,
            },
        },
    }
    began = time.perf_counter()
    ex = sfn.run(definition, functions={"flaky": flaky}, start_time=START)
    assert time.perf_counter() - began < 1.0
    assert ex.status == "SUCCEEDED", ex.cause
    assert ex.output == {"ok": 6}
    stamps = {e["id"]: e["timestamp"] for e in ex.history}
    wait_entered = next(e for e in ex.history if e["type"] == "WaitStateEntered")
    wait_exited = next(e for e in ex.history if e["type"] == "WaitStateExited")
    assert wait_exited["timestamp"] - wait_entered["timestamp"] == timedelta(seconds=3600)
    # The backoff is the gap between a failure and the next attempt; the function's own run
    # (real time, as it runs in a thread) is not part of it.
    failed = [e["timestamp"] for e in ex.history if e["type"] == "LambdaFunctionFailed"]
    scheduled = [e["timestamp"] for e in ex.history if e["type"] == "LambdaFunctionScheduled"]
    gaps = [(b - a).total_seconds() for a, b in zip(failed, scheduled[1:], strict=True)]
    assert gaps == [2, 4, 8, 16, 32]
    assert stamps[1] == START


def test_task_failure_is_reported_like_lambda() -> None:
    def boom(event: Any, context: Any) -> Any:
        raise ValueError("bad input")

    ex = sfn.run(
        {
            "StartAt": "T",
            "States": {
                "T": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "Parameters": {"FunctionName": "boom", "Payload.$": "$"},
                    "End": True,
                }
            },
        },
        functions={"boom": boom},
    )
    assert ex.status == "FAILED"
    assert ex.error == "ValueError"
    import json

    cause = json.loads(ex.cause or "")
    assert cause["errorMessage"] == "bad input"
    assert cause["errorType"] == "ValueError"
    assert types(ex)[-2] == "TaskFailed"


def test_lambda_invoke_returns_invoke_response() -> None:
    ex = sfn.run(
        {
            "StartAt": "T",
            "States": {
                "T": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "Parameters": {"FunctionName": "double", "Payload": {"n": 21}},
                    "ResultSelector": {"n.$": "$.Payload.n", "code.$": "$.StatusCode"},
                    "End": True,
                }
            },
        },
        functions={"double": lambda event, context: {"n": event["n"] * 2}},
    )
    assert ex.output == {"n": 42, "code": 200}
    assert types(ex)[2:5] == ["TaskScheduled", "TaskStarted", "TaskSucceeded"]


def test_catch_routes_error_output_through_result_path() -> None:
    ex = sfn.run(
        {
            "StartAt": "F",
            "States": {
                "F": {
                    "Type": "Parallel",
                    "Branches": [
                        {
                            "StartAt": "X",
                            "States": {"X": {"Type": "Fail", "Error": "E", "Cause": "c"}},
                        }
                    ],
                    "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "Ok"}],
                    "End": True,
                },
                "Ok": {"Type": "Pass", "End": True},
            },
        },
        {"keep": 1},
    )
    assert ex.status == "SUCCEEDED"
    assert ex.output == {"keep": 1, "err": {"Error": "E", "Cause": "c"}}


def test_map_runs_items_with_item_selector_and_context() -> None:
    ex = sfn.run(
        {
            "StartAt": "M",
            "States": {
                "M": {
                    "Type": "Map",
                    "ItemsPath": "$.items",
                    "ItemSelector": {"i.$": "$$.Map.Item.Index", "v.$": "$$.Map.Item.Value"},
                    "ItemProcessor": {
                        "StartAt": "P",
                        "States": {"P": {"Type": "Pass", "End": True}},
                    },
                    "End": True,
                }
            },
        },
        {"items": ["a", "b"]},
    )
    assert ex.output == [{"i": 0, "v": "a"}, {"i": 1, "v": "b"}]


def test_map_tolerated_failures() -> None:
    definition = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "ToleratedFailureCount": 1,
                "ItemProcessor": {
                    "StartAt": "C",
                    "States": {
                        "C": {
                            "Type": "Choice",
                            "Choices": [{"Variable": "$", "NumericEquals": 0, "Next": "Bad"}],
                            "Default": "Good",
                        },
                        "Bad": {"Type": "Fail", "Error": "Zero"},
                        "Good": {"Type": "Succeed"},
                    },
                },
                "End": True,
            }
        },
    }
    assert sfn.run(definition, [0, 1, 2]).status == "SUCCEEDED"
    failed = sfn.run(definition, [0, 0, 2])
    assert failed.status == "FAILED"
    assert failed.error == "States.ExceedToleratedFailureThreshold"


def test_payload_over_256_kib_is_data_limit_exceeded() -> None:
    ex = sfn.run(
        {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": "x" * 300_000, "End": True}}}
    )
    assert ex.status == "FAILED"
    assert ex.error == "States.DataLimitExceeded"


def test_history_quota_fails_the_execution() -> None:
    ex = sfn.run(
        {
            "StartAt": "Loop",
            "States": {
                "Loop": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$.go", "BooleanEquals": True, "Next": "Loop"}],
                    "Default": "End",
                },
                "End": {"Type": "Succeed"},
            },
        },
        {"go": True},
    )
    assert ex.status == "FAILED"
    assert ex.error == "States.Runtime"
    assert len(ex.history) == 25_000
    assert ex.history[-1]["type"] == "ExecutionFailed"


QUOTA_CAUSE = "The execution reached the maximum number of history events (25000)."
LOOP = {
    "StartAt": "L",
    "States": {
        "L": {"Type": "Pass", "Next": "C"},
        "C": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.stop", "IsPresent": True, "Next": "E"}],
            "Default": "L",
        },
        "E": {"Type": "Succeed"},
    },
}


@pytest.mark.parametrize(
    "definition",
    [
        # A Task whose Catch would loop: the full history is not a catchable error.
        {
            "StartAt": "T",
            "States": {
                "T": {
                    "Type": "Task",
                    "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
                    "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Z"}],
                    "Next": "T",
                },
                "Z": {"Type": "Succeed"},
            },
        },
        {"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": [LOOP], "End": True}}},
        {
            "StartAt": "M",
            "States": {"M": {"Type": "Map", "ItemProcessor": LOOP, "End": True}},
        },
    ],
    ids=["task-with-catch", "parallel-branch", "map-iteration"],
)
def test_history_quota_cause_names_no_state(definition: dict[str, Any]) -> None:
    # AWS (floci-io/floci#2734, a recorded history): ExecutionFailed is event 25,000 with
    # States.Runtime and the quota's cause alone -- whichever state was running, however deep.
    ex = sfn.run(definition, [1, 2], functions={"f": lambda event, context: event})
    assert (ex.status, ex.error, ex.cause) == ("FAILED", "States.Runtime", QUOTA_CAUSE)
    assert len(ex.history) == 25_000
    assert ex.history[-1]["type"] == "ExecutionFailed"


def test_invalid_input_json_is_an_execution_input_error() -> None:
    with pytest.raises(sfn.ExecutionInputError, match="Unrecognized token 'not'"):
        sfn.run({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}, input_json="not json")


def test_execution_timeout() -> None:
    ex = sfn.run(
        {
            "TimeoutSeconds": 5,
            "StartAt": "W",
            "States": {"W": {"Type": "Wait", "Seconds": 60, "End": True}},
        }
    )
    assert ex.status == "TIMED_OUT"
    assert types(ex)[-1] == "ExecutionTimedOut"


def test_jsonata_state_with_variables() -> None:
    ex = sfn.run(
        {
            "QueryLanguage": "JSONata",
            "StartAt": "A",
            "States": {
                "A": {"Type": "Pass", "Assign": {"n": "{% $states.input.n + 1 %}"}, "Next": "B"},
                "B": {"Type": "Pass", "Output": {"n": "{% $n %}"}, "End": True},
            },
        },
        {"n": 1},
    )
    assert ex.status == "SUCCEEDED", ex.cause
    assert ex.output == {"n": 2}
    exited = ex.history[2]["stateExitedEventDetails"]
    assert exited["assignedVariables"] == {"n": "2"}


def test_run_works_inside_a_running_event_loop() -> None:
    """A Jupyter kernel runs an asyncio loop in the main thread; sfn.run must still work there."""
    import asyncio

    async def inside() -> sfn.Execution:
        return sfn.run({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}, [1])

    assert asyncio.run(inside()).output == [1]


@pytest.mark.parametrize("seconds", [86_401, 20_000_000, 99_999_999])
def test_very_long_waits_finish_at_once_on_the_virtual_clock(seconds: int) -> None:
    began = time.perf_counter()
    ex = sfn.run(
        {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": seconds, "End": True}}},
        start_time=START,
    )
    assert time.perf_counter() - began < 1.0
    assert ex.history[-1]["timestamp"] - START == timedelta(seconds=seconds)


def test_wait_beyond_int32_seconds_is_too_long() -> None:
    ex = sfn.run(
        {"StartAt": "W", "States": {"W": {"Type": "Wait", "TimestampPath": "$.t", "End": True}}},
        {"t": "2093-01-20T12:00:00Z"},
        start_time=datetime(2025, 1, 1, 12, tzinfo=timezone.utc),
    )
    assert ex.status == "FAILED"
    assert ex.cause and ex.cause.endswith("Wait state delay is too long.")


def test_item_batcher_groups_items_with_batch_input() -> None:
    ex = sfn.run(
        {
            "StartAt": "M",
            "States": {
                "M": {
                    "Type": "Map",
                    "ItemsPath": "$.items",
                    "ItemBatcher": {
                        "MaxItemsPerBatchPath": "$.size",
                        "BatchInput": {"job.$": "$.job"},
                    },
                    "ItemProcessor": {
                        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                        "StartAt": "Count",
                        "States": {
                            "Count": {
                                "Type": "Pass",
                                "Parameters": {
                                    "job.$": "$.BatchInput.job",
                                    "n.$": "States.ArrayLength($.Items)",
                                },
                                "End": True,
                            }
                        },
                    },
                    "End": True,
                }
            },
        },
        {"items": list(range(5)), "size": 2, "job": "j1"},
    )
    assert ex.status == "SUCCEEDED", ex.cause
    assert ex.output == [{"job": "j1", "n": 2}, {"job": "j1", "n": 2}, {"job": "j1", "n": 1}]


def test_a_result_json_cannot_hold_fails_like_lambdas_marshal_error() -> None:
    ex = sfn.run(
        {
            "StartAt": "T",
            "States": {
                "T": {
                    "Type": "Task",
                    "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
                    "End": True,
                }
            },
        },
        functions={"f": lambda event, context: {1, 2}},
    )
    assert ex.status == "FAILED"
    assert ex.error == "Runtime.MarshalError"
    assert "Unable to marshal response" in (ex.cause or "")


def test_an_internal_error_ends_the_execution_instead_of_hanging_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sfn_notebook.engine import states

    def broken(self: Any, visit: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(states.PassRunner, "run_sync", broken)
    ex = sfn.run({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    assert ex.status == "FAILED"
    assert ex.error == "States.Runtime"
    assert "internal error (RuntimeError): boom" in (ex.cause or "")


def test_input_json_cannot_hold_is_an_input_error() -> None:
    with pytest.raises(sfn.ExecutionInputError, match="JSON"):
        sfn.run({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}, {"when": object()})
