"""Callbacks (.waitForTaskToken): tokens answered from other threads, heartbeats, token errors."""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import random
import threading
import time
from typing import Any

import pytest

from sfn_notebook.integrations import InvalidOutput, InvalidToken, TaskDoesNotExist, TaskTimedOut
from sfn_notebook.runtime.runtime import Runtime

CALLBACK = "arn:aws:states:::lambda:invoke.waitForTaskToken"


def waiting(extra: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    """A Task that hands its token to the Python function "notify", then waits for it."""
    state = {
        "Type": "Task",
        "Resource": CALLBACK,
        "Parameters": {"FunctionName": "notify", "Payload": {"token.$": "$$.Task.Token"}},
        "End": True,
        **fields,
    }
    return {"StartAt": "Wait", "States": {"Wait": state, **(extra or {})}}


@pytest.fixture
def rt() -> Any:
    runtime = Runtime(clock="virtual")
    runtime.tokens_seen = []

    @runtime.function("notify")
    def notify(event: Any, context: Any) -> dict[str, Any]:
        runtime.tokens_seen.append(event["token"])
        return {"notified": True}

    yield runtime
    runtime.close()


def next_token(rt: Any, count: int = 1, timeout: float = 5.0) -> str:
    end = time.monotonic() + timeout
    while len(rt.tokens_seen) < count:
        assert time.monotonic() < end, "no task token was handed out"
        time.sleep(0.005)
    return str(rt.tokens_seen[count - 1])


def start(rt: Runtime, definition: dict[str, Any], value: Any = None, name: str = "m") -> Any:
    arn = rt.create_state_machine(name=name, definition=definition)["stateMachineArn"]
    return rt.start(arn, value if value is not None else {"order": 7})


def test_task_token_answered_from_another_thread(rt: Any) -> None:
    ex = start(rt, waiting(TimeoutSeconds=600))
    token = next_token(rt)
    answer = threading.Thread(
        target=rt.send_task_success,
        kwargs={"taskToken": token, "output": json.dumps({"approved": True})},
    )
    answer.start()
    answer.join()
    ex.wait(10)
    assert ex.status == "SUCCEEDED"
    assert ex.output == {"approved": True}
    types = [e["type"] for e in ex.history]
    assert types[2:7] == [
        "TaskScheduled",
        "TaskStarted",
        "TaskSubmitted",
        "TaskSucceeded",
        "TaskStateExited",
    ]
    scheduled = ex.history[2]["taskScheduledEventDetails"]
    assert scheduled["resource"] == "invoke.waitForTaskToken"
    assert json.loads(scheduled["parameters"])["Payload"]["token"] == token
    submitted = ex.history[4]["taskSubmittedEventDetails"]
    assert json.loads(submitted["output"])["Payload"] == {"notified": True}
    # The token is spent now.
    with pytest.raises(TaskTimedOut) as spent:
        rt.send_task_success(taskToken=token, output="{}")
    assert spent.value.code == "TaskTimedOut"


def test_heartbeat_lapse_is_caught_as_heartbeat_timeout(rt: Any) -> None:
    definition = waiting(
        {"Lapsed": {"Type": "Pass", "End": True}},
        HeartbeatSeconds=1,
        TimeoutSeconds=600,
        Catch=[{"ErrorEquals": ["States.HeartbeatTimeout"], "ResultPath": "$.e", "Next": "Lapsed"}],
    )
    began = time.monotonic()
    ex = start(rt, definition).wait(20)
    assert ex.status == "SUCCEEDED", ex.cause
    assert 0.9 < time.monotonic() - began < 10  # the heartbeat's second passes in real time
    assert ex.output["e"]["Error"] == "States.Timeout"  # as AWS records a lapsed heartbeat
    timed_out = next(e for e in ex.history if e["type"] == "TaskTimedOut")
    assert timed_out["taskTimedOutEventDetails"]["error"] == "States.Timeout"
    assert [e["type"] for e in ex.history][-3:] == [
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]


def test_heartbeats_keep_the_task_alive(rt: Any) -> None:
    ex = start(rt, waiting(HeartbeatSeconds=1, TimeoutSeconds=600))
    token = next_token(rt)
    for _ in range(4):  # 1.6 s in all: longer than one heartbeat period
        time.sleep(0.4)
        rt.send_task_heartbeat(taskToken=token)
    rt.send_task_success(taskToken=token, output='"done"')
    assert ex.wait(10).status == "SUCCEEDED"
    assert ex.output == "done"


def test_send_task_failure_fails_the_task_with_its_error(rt: Any) -> None:
    ex = start(rt, waiting(TimeoutSeconds=600))
    rt.send_task_failure(taskToken=next_token(rt), error="Rejected", cause="by a human")
    ex.wait(10)
    assert (ex.status, ex.error, ex.cause) == ("FAILED", "Rejected", "by a human")
    failed = next(e for e in ex.history if e["type"] == "TaskFailed")["taskFailedEventDetails"]
    assert failed == {
        "resourceType": "lambda",
        "resource": "invoke.waitForTaskToken",
        "error": "Rejected",
        "cause": "by a human",
    }


def test_timeout_seconds_ends_the_wait(rt: Any) -> None:
    ex = start(rt, waiting(TimeoutSeconds=1)).wait(10)
    assert (ex.status, ex.error) == ("FAILED", "States.Timeout")
    assert ex.history[-2]["type"] == "TaskTimedOut"


def test_token_errors_are_aws_errors(rt: Any) -> None:
    with pytest.raises(InvalidToken) as invalid:
        rt.send_task_success(taskToken="not-a-token", output="{}")
    assert invalid.value.code == "InvalidToken"
    assert str(invalid.value) == "Invalid Token: 'Invalid token'"
    well_formed = "AQ" + "A" * 128
    with pytest.raises(TaskDoesNotExist):
        rt.send_task_heartbeat(taskToken=well_formed)
    with pytest.raises(TaskDoesNotExist):
        rt.send_task_failure(taskToken=well_formed, error="E")
    ex = start(rt, waiting(TimeoutSeconds=600))
    token = next_token(rt)
    with pytest.raises(InvalidOutput):
        rt.send_task_success(taskToken=token, output="not json")
    rt.send_task_success(taskToken=token, output="1")
    assert ex.wait(10).output == 1


def test_tokens_are_unguessable_and_single_use(rt: Any) -> None:
    definition = waiting(TimeoutSeconds=600)
    first = start(rt, definition, name="a")
    second = start(rt, definition, name="b")
    one, two = next_token(rt, 1), next_token(rt, 2)
    assert one != two and len(one) > 100
    rt.send_task_success(taskToken=two, output='"second"')
    rt.send_task_success(taskToken=one, output='"first"')
    assert first.wait(10).output == "first"
    assert second.wait(10).output == "second"
    for token in (one, two):
        with pytest.raises(TaskTimedOut):
            rt.send_task_heartbeat(taskToken=token)


def test_token_of_a_stopped_execution_has_timed_out(rt: Any) -> None:
    ex = start(rt, waiting(TimeoutSeconds=600))
    token = next_token(rt)
    rt.stop_execution(executionArn=ex.arn, error="Stop", cause="test")
    assert ex.wait(10).status == "ABORTED"
    with pytest.raises(TaskTimedOut):
        rt.send_task_success(taskToken=token, output="{}")


def test_virtual_time_waits_for_the_answer_not_beyond_the_timeout(rt: Any) -> None:
    """While a token is pending, virtual time passes as real time (it cannot skip the wait)."""
    ex = start(rt, waiting(TimeoutSeconds=600))
    token = next_token(rt)
    time.sleep(0.3)
    rt.send_task_success(taskToken=token, output="{}")
    ex.wait(10)
    waited = ex.history[5]["timestamp"] - ex.history[4]["timestamp"]
    assert 0.2 < waited.total_seconds() < 5


def test_aws_sdk_send_task_success_answers_local_tokens(rt: Any) -> None:
    """A workflow can answer another's token with aws-sdk:sfn:sendTaskSuccess, as on AWS."""
    waiter = start(rt, waiting(TimeoutSeconds=600), name="waiter")
    token = next_token(rt)
    answer = {
        "StartAt": "Answer",
        "States": {
            "Answer": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:sfn:sendTaskSuccess",
                "Parameters": {"TaskToken.$": "$.token", "Output": {"from": "workflow"}},
                "ResultPath": None,
                "Next": "Again",
            },
            "Again": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:sfn:sendTaskSuccess",
                "Parameters": {"TaskToken.$": "$.token", "Output": "{}"},
                "Catch": [{"ErrorEquals": ["Sfn.TaskTimedOutException"], "Next": "Done"}],
                "End": True,
            },
            "Done": {"Type": "Succeed"},
        },
    }
    answerer = start(rt, answer, {"token": token}, name="answerer").wait(10)
    assert answerer.status == "SUCCEEDED", answerer.cause
    assert waiter.wait(10).output == {"from": "workflow"}
    bogus = start(rt, answer, {"token": "NoSuchTaskToken"}, name="bogus").wait(10)
    assert (bogus.status, bogus.error) == ("FAILED", "Sfn.InvalidTokenException")
    assert bogus.cause.startswith("Invalid Token: 'Invalid token' (Service: Sfn, Status Code: 400")


def test_answers_racing_a_heartbeat_lapse_leave_no_unretrieved_future(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A failure sent just as the heartbeat lapses may reach the loop after the Task stopped
    waiting; it must not leave a future whose exception nobody retrieves (asyncio then logs
    "Future exception was never retrieved"). A busy loop widens the race to many per hundred."""
    caplog.set_level(logging.ERROR, logger="asyncio")
    with Runtime(clock="virtual") as runtime:

        def answer(token: str) -> None:
            with contextlib.suppress(TaskTimedOut):
                runtime.send_task_failure(taskToken=token, error="Late")

        @runtime.function("notify")
        def notify(event: Any, context: Any) -> dict[str, Any]:
            delay = 1.0 + random.uniform(-0.02, 0.02)  # about when the heartbeat lapses
            threading.Timer(delay, answer, [event["token"]]).start()
            return {}

        chain = {f"P{i}": {"Type": "Pass", "Next": f"P{i + 1}"} for i in range(1999)}
        busy = {"StartAt": "P0", "States": {**chain, "P1999": {"Type": "Pass", "End": True}}}
        waiting_arn = start_machine(runtime, waiting(HeartbeatSeconds=1), "hb")
        busy_arn = start_machine(runtime, busy, "busy")
        executions = [runtime.start(waiting_arn) for _ in range(200)]
        until = time.monotonic() + 2
        while time.monotonic() < until:  # keeps the loop busy across the lapses
            runtime.start(busy_arn)
            time.sleep(0.002)
        for ex in executions:
            assert ex.wait(10).status == "FAILED"
        assert {ex.error for ex in executions} <= {"Late", "States.Timeout"}
    gc.collect()
    unretrieved = [r for r in caplog.records if "never retrieved" in r.getMessage()]
    assert unretrieved == []


def start_machine(rt: Runtime, definition: dict[str, Any], name: str) -> str:
    return str(rt.create_state_machine(name=name, definition=definition)["stateMachineArn"])
