"""Activities: the API, polling workers, Activity* history events, heartbeats and timeouts."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest

from sfn_notebook.integrations import ActivityDoesNotExist
from sfn_notebook.integrations.activities import InvalidArn, InvalidName
from sfn_notebook.runtime.runtime import Runtime


@pytest.fixture
def rt() -> Any:
    runtime = Runtime(clock="virtual")
    yield runtime
    runtime.close()


def machine(rt: Runtime, activity: str, name: str = "m", **fields: Any) -> str:
    state = {"Type": "Task", "Resource": activity, "End": True, **fields}
    definition = {"StartAt": "Work", "States": {"Work": state}}
    return str(rt.create_state_machine(name=name, definition=definition)["stateMachineArn"])


def test_activity_api(rt: Runtime) -> None:
    created = rt.create_activity(name="resize")
    arn = created["activityArn"]
    assert arn == "arn:aws:states:us-east-1:123456789012:activity:resize"
    assert rt.create_activity(name="resize")["activityArn"] == arn  # idempotent, as on AWS
    described = rt.describe_activity(activityArn=arn)
    assert described["name"] == "resize"
    assert described["encryptionConfiguration"] == {"type": "AWS_OWNED_KEY"}
    rt.create_activity(name="crop")
    assert [a["name"] for a in rt.list_activities()["activities"]] == ["resize", "crop"]
    page = rt.list_activities(maxResults=1)
    assert len(page["activities"]) == 1 and page["nextToken"]
    assert rt.get_activity_task(activityArn=arn, timeout=0.05) == {}  # nothing to do
    assert rt.delete_activity(activityArn=arn) == {}
    with pytest.raises(ActivityDoesNotExist) as missing:
        rt.describe_activity(activityArn=arn)
    assert missing.value.code == "ActivityDoesNotExist"
    with pytest.raises(InvalidArn):
        rt.get_activity_task(activityArn="no_an_activity_arn")
    with pytest.raises(InvalidName) as bad:
        rt.create_activity(name="activity name")
    assert str(bad.value) == "Invalid Name: 'activity name'"


def test_worker_polls_and_answers(rt: Runtime) -> None:
    arn = rt.create_activity(name="double")["activityArn"]
    sm = machine(rt, arn, TimeoutSeconds=60, HeartbeatSeconds=10)
    ex = rt.start(sm, {"n": 21})
    task = rt.get_activity_task(activityArn=arn, workerName="me", timeout=5)
    assert json.loads(task["input"]) == {"n": 21}
    rt.send_task_success(taskToken=task["taskToken"], output=json.dumps({"n": 42}))
    ex.wait(10)
    assert ex.status == "SUCCEEDED" and ex.output == {"n": 42}
    events = [(e["type"], e.get(_details(e["type"]))) for e in ex.history[2:5]]
    assert events == [
        (
            "ActivityScheduled",
            {
                "resource": arn,
                "input": '{"n":21}',
                "inputDetails": {"truncated": False},
                "timeoutInSeconds": 60,
                "heartbeatInSeconds": 10,
            },
        ),
        ("ActivityStarted", {"workerName": "me"}),
        ("ActivitySucceeded", {"output": '{"n":42}', "outputDetails": {"truncated": False}}),
    ]
    assert [e["previousEventId"] for e in ex.history[2:6]] == [2, 3, 4, 5]


def _details(event_type: str) -> str:
    return event_type[0].lower() + event_type[1:] + "EventDetails"


def test_worker_helper_success_failure_and_heartbeats(rt: Runtime) -> None:
    arn = rt.create_activity(name="work")["activityArn"]
    sm = machine(rt, arn, HeartbeatSeconds=1, TimeoutSeconds=60)

    def slow(value: Any, context: Any) -> Any:
        for _ in range(3):  # 1.5 s of work, kept alive by heartbeats
            time.sleep(0.5)
            context.heartbeat()
        if value == "fail":
            raise ValueError("cannot")
        return {"worked": value}

    with rt.activity_worker(arn, slow, worker_name="helper") as worker:
        good = rt.start(sm, "ok").wait(20)
        bad = rt.start(sm, "fail").wait(20)
    assert good.status == "SUCCEEDED" and good.output == {"worked": "ok"}
    assert (bad.status, bad.error, bad.cause) == ("FAILED", "ValueError", "cannot")
    failed = next(e for e in bad.history if e["type"] == "ActivityFailed")
    assert failed["activityFailedEventDetails"] == {"error": "ValueError", "cause": "cannot"}
    assert worker.processed == 2


def test_missed_heartbeat_times_out_the_activity(rt: Runtime) -> None:
    arn = rt.create_activity(name="silent")["activityArn"]
    definition = {
        "StartAt": "Work",
        "States": {
            "Work": {
                "Type": "Task",
                "Resource": arn,
                "HeartbeatSeconds": 1,
                "Retry": [{"ErrorEquals": ["States.HeartbeatTimeout"], "MaxAttempts": 1}],
                "End": True,
            }
        },
    }
    sm = rt.create_state_machine(name="hb", definition=definition)["stateMachineArn"]
    ex = rt.start(sm, {})
    for _ in range(2):  # take the task (and its retry) but never answer
        assert rt.get_activity_task(activityArn=arn, timeout=5)["taskToken"]
    ex.wait(20)
    assert (ex.status, ex.error) == ("FAILED", "States.Timeout")
    types = [e["type"] for e in ex.history]
    assert types.count("ActivityTimedOut") == 2  # retried once by States.HeartbeatTimeout
    timed_out = next(e for e in ex.history if e["type"] == "ActivityTimedOut")
    assert timed_out["activityTimedOutEventDetails"] == {"error": "States.Timeout"}


def test_unstarted_task_times_out_without_a_worker(rt: Runtime) -> None:
    arn = rt.create_activity(name="nobody")["activityArn"]
    ex = rt.start(machine(rt, arn, TimeoutSeconds=1), {}).wait(10)
    assert (ex.status, ex.error) == ("FAILED", "States.Timeout")
    assert [e["type"] for e in ex.history][2:4] == ["ActivityScheduled", "ActivityTimedOut"]
    # Its task is gone from the queue.
    assert rt.get_activity_task(activityArn=arn, timeout=0) == {}


def test_deleted_activity_fails_the_execution(rt: Runtime) -> None:
    arn = rt.create_activity(name="gone")["activityArn"]
    sm = machine(rt, arn)
    rt.delete_activity(activityArn=arn)
    ex = rt.start(sm, {}).wait(10)
    assert ex.status == "FAILED" and ex.error == "States.Runtime"
    assert ex.cause == (
        "An error occurred while executing the state 'Work' (entered at the event id #2). "
        f"The activity {arn} does not exist."
    )
    assert [e["type"] for e in ex.history] == [
        "ExecutionStarted",
        "TaskStateEntered",
        "ExecutionFailed",
    ]


def test_long_poll_returns_when_a_task_arrives(rt: Runtime) -> None:
    arn = rt.create_activity(name="later")["activityArn"]
    sm = machine(rt, arn)
    got: dict[str, Any] = {}
    poller = threading.Thread(
        target=lambda: got.update(rt.get_activity_task(activityArn=arn, timeout=10))
    )
    poller.start()
    time.sleep(0.2)
    ex = rt.start(sm, [1, 2])
    poller.join(10)
    assert json.loads(got["input"]) == [1, 2]
    rt.send_task_success(taskToken=got["taskToken"], output="3")
    assert ex.wait(10).output == 3
    started = next(e for e in ex.history if e["type"] == "ActivityStarted")
    assert started["activityStartedEventDetails"] == {}  # no workerName given
