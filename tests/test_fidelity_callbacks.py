"""Callback Tasks as AWS records them, from recordings beyond the public corpus
(callback/test_callback.snapshot.json in LocalStack's AWS-validated snapshots)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from sfn_notebook import Runtime

CALLBACK = "arn:aws:states:::lambda:invoke.waitForTaskToken"
CATCH_ALL = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.states_all_error", "Next": "Caught"}]


@pytest.fixture
def rt() -> Iterator[Any]:
    runtime = Runtime(clock="virtual")
    tokens: list[str] = []

    @runtime.function("notify")
    def notify(event: Any, context: Any) -> dict[str, Any]:
        tokens.append(event["token"])
        return {}

    runtime.tokens = tokens  # type: ignore[attr-defined]
    yield runtime
    runtime.close()


def _token(rt: Any) -> str:
    end = time.monotonic() + 10
    while not rt.tokens:
        assert time.monotonic() < end, "no task token was handed out"
        time.sleep(0.005)
    return str(rt.tokens[0])


def _wait_state(**fields: Any) -> dict[str, Any]:
    return {
        "Type": "Task",
        "Resource": CALLBACK,
        "Parameters": {"FunctionName": "notify", "Payload": {"token.$": "$$.Task.Token"}},
        **fields,
    }


def _caught_output(rt: Any, definition: dict[str, Any], **answer: str) -> Any:
    arn = rt.create_state_machine(name="cb", definition=definition)["stateMachineArn"]
    execution = rt.start(arn, {"Message": "test_message_txt"})
    rt.send_task_failure(taskToken=_token(rt), **answer)
    assert execution.wait(10).status == "SUCCEEDED"
    return execution


def test_a_failure_sent_without_error_or_cause_is_caught_as_nulls(rt: Any) -> None:
    # test_sqs_failure_in_wait_for_task_tok_no_error_field[SQS_WAIT_FOR_TASK_TOKEN_CATCH]:
    # the TaskFailed event has neither field, and the catcher sees {"Error": null, "Cause": null}.
    definition = {
        "StartAt": "Wait",
        "States": {
            "Wait": _wait_state(Catch=CATCH_ALL, Next="Done"),
            "Done": {"Type": "Succeed"},
            "Caught": {"Type": "Pass", "End": True},
        },
    }
    execution = _caught_output(rt, definition)
    (failed,) = [e for e in execution.history if e["type"] == "TaskFailed"]
    assert set(failed["taskFailedEventDetails"]) == {"resource", "resourceType"}
    assert execution.output == {
        "Message": "test_message_txt",
        "states_all_error": {"Error": None, "Cause": None},
    }


def test_a_failure_from_a_parallel_branch_keeps_the_nulls(rt: Any) -> None:
    # test_sqs_failure_in_wait_for_task_tok_no_error_field[SQS_PARALLEL_WAIT_FOR_TASK_TOKEN]
    branch = {"StartAt": "Wait", "States": {"Wait": _wait_state(End=True)}}
    definition = {
        "StartAt": "ParallelJob",
        "States": {
            "ParallelJob": {
                "Type": "Parallel",
                "Branches": [branch],
                "Catch": CATCH_ALL,
                "Next": "Done",
            },
            "Done": {"Type": "Succeed"},
            "Caught": {"Type": "Pass", "End": True},
        },
    }
    execution = _caught_output(rt, definition)
    assert execution.output["states_all_error"] == {"Error": None, "Cause": None}
    types = [e["type"] for e in execution.history]
    assert types[types.index("TaskFailed") :][:4] == [
        "TaskFailed",
        "TaskStateAborted",
        "ParallelStateFailed",
        "ParallelStateExited",
    ]


def test_a_failure_sent_with_an_error_keeps_it_and_a_missing_cause_stays_null(rt: Any) -> None:
    definition = {
        "StartAt": "Wait",
        "States": {
            "Wait": _wait_state(Catch=CATCH_ALL, Next="Done"),
            "Done": {"Type": "Succeed"},
            "Caught": {"Type": "Pass", "End": True},
        },
    }
    execution = _caught_output(rt, definition, error="Rejected")
    assert execution.output["states_all_error"] == {"Error": "Rejected", "Cause": None}


def test_a_timeout_is_still_caught_with_an_empty_cause() -> None:
    # error_handling/test_task_service_lambda: test_invoke_timeout (in the public corpus) — a
    # failure AWS has no cause for reads "" in the catcher, unlike a worker's missing one.
    with Runtime(clock="virtual") as runtime:

        @runtime.function("notify")
        def notify(event: Any, context: Any) -> dict[str, Any]:
            return {}

        definition = {
            "StartAt": "Wait",
            "States": {
                "Wait": _wait_state(TimeoutSeconds=5, Catch=CATCH_ALL, Next="Done"),
                "Done": {"Type": "Succeed"},
                "Caught": {"Type": "Pass", "End": True},
            },
        }
        arn = runtime.create_state_machine(name="t", definition=definition)["stateMachineArn"]
        execution = runtime.start(arn, {})
        assert execution.wait(30).status == "SUCCEEDED"
        assert execution.output["states_all_error"] == {"Error": "States.Timeout", "Cause": ""}
