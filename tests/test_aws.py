"""The AWS backend against moto's server over real HTTP: running, following, errors.

moto runs state machines (``stepfunctions.execute_state_machine`` through ``/moto-api/config``)
and pages GetExecutionHistory as AWS does (:class:`~sfn_notebook.aws.MotoServer` patches that),
so what the follower fetches can be counted per event.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request

import pytest

import sfn_notebook as sfn
from sfn_notebook import analysis
from sfn_notebook.aws import (
    AwsAccessDenied,
    AwsConnectionError,
    AwsCredentialsError,
    AwsNotFound,
    AwsRegionError,
    AwsRuntime,
    MotoServer,
    RateLimiter,
    RemoteExecution,
)
from sfn_notebook.errors import SfnNotebookError

pytest.importorskip("moto.server")

WAITS = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Pass", "Result": {"n": 1}, "Next": "First"},
        "First": {"Type": "Wait", "Seconds": 1, "Next": "Middle"},
        "Middle": {"Type": "Pass", "Next": "Second"},
        "Second": {"Type": "Wait", "Seconds": 1, "Next": "Pick"},
        "Pick": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.n", "NumericEquals": 1, "Next": "Done"}],
            "Default": "Nope",
        },
        "Nope": {"Type": "Fail", "Error": "Nope"},
        "Done": {"Type": "Succeed"},
    },
}
QUICK = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": "hi", "End": True}}}


def _machine(aws, role, name, definition):
    return aws.create_state_machine(name=name, definition=json.dumps(definition), roleArn=role)[
        "stateMachineArn"
    ]


def _count_history_calls(aws):
    """Every GetExecutionHistory response's event ids, seen by a botocore hook (the wire)."""
    pages: list[list[int]] = []

    def seen(parsed, **_):
        pages.append([int(e["id"]) for e in parsed.get("events", [])])

    aws.client.meta.events.register("after-call.sfn.GetExecutionHistory", seen)
    return pages


# Running and reading ----------------------------------------------------------------------------


def test_run_follow_and_analyse_like_a_local_run(aws, role):
    arn = _machine(aws, role, "waits", WAITS)
    execution = aws.start(arn, {"n": 1})
    assert isinstance(execution, RemoteExecution)
    assert execution.status == "RUNNING"
    execution.wait(20)
    assert (execution.status, execution.output, execution.error) == ("SUCCEEDED", {"n": 1}, None)
    assert execution.state_machine_arn == arn
    assert execution.stop_date > execution.start_date

    local = sfn.run(WAITS, {"n": 1})
    remote_frame = analysis.events_frame(execution)
    local_frame = analysis.events_frame(local)
    assert list(remote_frame.columns) == list(local_frame.columns)
    assert [d.name for d in remote_frame.dtypes] == [d.name for d in local_frame.dtypes]
    assert list(remote_frame["type"]) == list(local_frame["type"])
    assert list(remote_frame["state_name"]) == list(local_frame["state_name"])
    assert len(analysis.executions_frame(execution)) == 1
    # The connection itself is a source too, like a local Runtime or a boto3 client.
    listed = analysis.executions_frame(aws, state_machine="waits")
    assert list(listed["execution_arn"]) == [execution.arn]
    assert list(listed["status"]) == ["SUCCEEDED"]
    assert set(execution.definition.states) == set(WAITS["States"])


def test_following_a_running_execution_fetches_each_event_once(aws, role):
    arn = _machine(aws, role, "follow-once", WAITS)
    pages = _count_history_calls(aws)
    execution = aws.start(arn, {"n": 1})
    delivered: list[int] = []
    done = threading.Event()

    def listener(event):
        delivered.append(int(event["id"]))
        if event["type"] == "ExecutionSucceeded":
            done.set()

    execution.listen(listener)
    assert done.wait(20)
    total = len(execution.history)
    follower = execution.live_history
    assert follower.paginates is True
    assert delivered == list(range(1, total + 1))  # every event once, in order
    # On the wire: the first read pages forward, then each poll asks for the newest event
    # only; an answer already known means "nothing new" (its one event is the only repeat).
    received: dict[int, int] = {}
    idle = 0
    for page in pages:
        fresh = [i for i in page if i not in received]
        if not fresh:
            assert len(page) == 1
            idle += 1
        for i in page:
            received[i] = received.get(i, 0) + 1
    assert sorted(received) == list(range(1, total + 1))
    assert sum(len(page) for page in pages) == total + idle
    assert follower.stats.calls == len(pages)
    assert follower.stats.repeats == idle
    # Reading the history again costs nothing once the terminal event is in.
    before = len(pages)
    assert len(execution.history) == total
    assert len(pages) == before


def test_a_server_that_ignores_max_results_still_delivers_each_event_once():
    from sfn_notebook.aws.moto_server import patch_history_pagination

    # The patches are process-wide: this server takes AWS-style paging away until it stops.
    with MotoServer(aws_pagination=False) as plain:
        try:
            aws = plain.connect(poll_interval=0.1, max_poll_interval=0.3)
            arn = _machine(aws, plain.role(), "plain", WAITS)
            execution = aws.start(arn, {"n": 1})
            delivered: list[int] = []
            execution.listen(lambda e: delivered.append(int(e["id"])))
            execution.wait(20)
            deadline = time.monotonic() + 5
            while len(delivered) < len(execution.history) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert delivered == list(range(1, len(execution.history) + 1))
            assert execution.live_history.paginates is False
        finally:
            patch_history_pagination(True)


def test_the_widget_feed_follows_a_remote_execution(aws, role):
    from sfn_notebook.notebook.feed import ExecutionFeed

    arn = _machine(aws, role, "feed", WAITS)
    execution = aws.start(arn, {"n": 1})
    feed = ExecutionFeed.of(execution)
    deadline = time.monotonic() + 20
    while feed.header()["status"] != "SUCCEEDED" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert feed.header()["status"] == "SUCCEEDED"
    assert [e["id"] for e in feed.events] == [e["id"] for e in execution.history]
    assert feed.nodes()["/States/Done"]["status"] == "SUCCEEDED"


def test_attach_by_arn_and_run_helpers(aws, role):
    arn = _machine(aws, role, "attach-me", QUICK)
    started = aws.start_execution(stateMachineArn=arn, name="from-elsewhere", input="{}")
    attached = aws.attach(started["executionArn"]).wait(10)
    assert (attached.name, attached.status, attached.output) == (
        "from-elsewhere",
        "SUCCEEDED",
        "hi",
    )
    assert aws.execution(started["executionArn"]) is attached
    assert aws.run("attach-me", {"a": 1}, timeout=10).output == "hi"
    assert "status='SUCCEEDED'" in repr(attached)
    with pytest.raises(AwsNotFound, match=r"does not exist|Does Not Exist"):
        aws.attach(started["executionArn"].replace("from-elsewhere", "nobody"))


def test_wait_times_out_and_stop_aborts(aws, role):
    arn = _machine(
        aws,
        role,
        "long",
        {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 30, "End": True}}},
    )
    execution = aws.start(arn)
    began = time.monotonic()
    assert execution.wait(0.3).status == "RUNNING"
    assert time.monotonic() - began < 3
    execution.stop(error="Enough", cause="test")
    assert execution.wait(10).status == "ABORTED"


def test_rate_limiter_spaces_calls():
    limiter = RateLimiter(rate=50.0, burst=1)
    began = time.monotonic()
    for _ in range(6):
        limiter.acquire()
    assert time.monotonic() - began >= 0.09  # 5 calls past the burst at 50/s


def test_boto3_dialect_and_call_counts(aws, role):
    arn = _machine(aws, role, "dialect", QUICK)
    assert arn in [m["stateMachineArn"] for m in aws.list_state_machines()["stateMachines"]]
    assert aws.calls["ListStateMachines"] >= 1
    assert "describe_execution" in dir(aws)
    with pytest.raises(AttributeError):
        aws.no_such_operation  # noqa: B018


# Errors a user can cause ------------------------------------------------------------------------


def _no_traceback(err):
    assert err.__cause__ is None
    assert err.__context__ is None or err.__suppress_context__
    assert "Fix:" in str(err)


def test_missing_credentials_say_how_to_configure_them(server, monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/config")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    aws = AwsRuntime(region="us-east-1", endpoint_url=server.url)
    with pytest.raises(AwsCredentialsError, match="No AWS credentials") as caught:
        aws.list_state_machines()
    _no_traceback(caught.value)
    with pytest.raises(AwsCredentialsError, match="profile 'nope'") as caught:
        AwsRuntime(profile="nope", region="us-east-1")
    _no_traceback(caught.value)


def test_no_region_and_wrong_region(server, role, monkeypatch, aws):
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/config")
    with pytest.raises(AwsRegionError, match="No AWS region") as caught:
        AwsRuntime(endpoint_url=server.url, credentials=("a", "b"))
    _no_traceback(caught.value)

    arn = _machine(aws, role, "east", QUICK)
    west = server.connect(region="eu-west-1")
    execution = aws.start(arn)
    with pytest.raises(AwsRegionError, match=r"is in region us-east-1.*eu-west-1") as caught:
        west.attach(execution.arn)
    _no_traceback(caught.value)
    with pytest.raises(AwsNotFound, match="in region eu-west-1") as caught:
        west.start("east")
    _no_traceback(caught.value)


def test_an_unknown_region_is_named_with_a_guess():
    from botocore.config import Config

    aws = AwsRuntime(
        region="us-east-9",
        credentials=("a", "b"),
        config=Config(retries={"max_attempts": 1}, connect_timeout=2),
    )
    with pytest.raises(AwsConnectionError, match=r"us-east-9.*did you mean") as caught:
        aws.list_state_machines()
    _no_traceback(caught.value)


def test_access_denied_names_the_permission(server, role, aws):
    iam = aws.client_for("iam")
    iam.create_user(UserName="reader")
    key = iam.create_access_key(UserName="reader")["AccessKey"]
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["states:List*", "states:Describe*"], "Resource": "*"}
        ],
    }
    iam.put_user_policy(UserName="reader", PolicyName="list", PolicyDocument=json.dumps(policy))
    reader = server.connect(credentials=(key["AccessKeyId"], key["SecretAccessKey"]))

    def enforce(count: str) -> None:
        request = urllib.request.Request(
            f"{server.url}/moto-api/reset-auth",
            data=count.encode(),
            method="POST",
            headers={"Content-Type": "text/plain"},
        )
        urllib.request.urlopen(request, timeout=10).close()

    enforce("0")
    try:
        assert reader.list_state_machines()["stateMachines"] is not None
        with pytest.raises(AwsAccessDenied, match="states:CreateStateMachine") as caught:
            reader.deploy("denied", QUICK, role_arn=role)
        _no_traceback(caught.value)
        assert "user/reader" in str(caught.value)
    finally:
        enforce("1000000000")


def test_express_executions_cannot_be_attached(aws):
    with pytest.raises(SfnNotebookError, match="EXPRESS"):
        aws.attach("arn:aws:states:us-east-1:123456789012:express:m:e:1")


def test_listeners_may_read_the_history_and_may_fail(aws, role):
    arn = _machine(aws, role, "reentrant", WAITS)
    execution = aws.start(arn, {"n": 1})
    order: list[int] = []
    lengths: list[int] = []

    def reads_history(event):
        order.append(int(event["id"]))
        lengths.append(len(execution.history))  # re-enters the follower: no deadlock

    def broken(event):
        raise RuntimeError("a listener's bug")

    execution.listen(broken)
    execution.listen(reads_history)
    execution.wait(20)
    deadline = time.monotonic() + 5
    while len(order) < len(execution.history) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert order == list(range(1, len(execution.history) + 1))
    assert all(n >= i for n, i in zip(lengths, order, strict=True))
