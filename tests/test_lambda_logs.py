"""``lambda:invoke`` with ``LogType: Tail``: the function's log as Lambda returns it (LogResult)."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import threading
import time
from typing import Any

import pytest

import sfn_notebook as sfn
from sfn_notebook.analysis import state_attempts_frame
from sfn_notebook.notebook.feed import ExecutionFeed
from sfn_notebook.render.attempts import state_attempts

INVOKE = "arn:aws:states:::lambda:invoke"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def invoke(function: str, log_type: str | None = "Tail", **fields: Any) -> dict[str, Any]:
    params: dict[str, Any] = {"FunctionName": function, "Payload.$": "$"}
    if log_type is not None:
        params["LogType"] = log_type
    return {
        "StartAt": "T",
        "States": {
            "T": {"Type": "Task", "Resource": INVOKE, "Parameters": params, "End": True, **fields}
        },
    }


def decoded(result: dict[str, Any]) -> str:
    return base64.b64decode(result["LogResult"]).decode("utf-8")


def test_prints_and_logging_records_come_back_as_lambdas_log_tail(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    def greet(event: Any, context: Any) -> Any:
        print("hello", event["name"])
        logging.getLogger("greeter").warning("careful with %s", event["name"])
        return {"greeted": event["name"]}

    ex = sfn.run(invoke("greet"), {"name": "Ada"}, functions={"greet": greet})
    assert ex.status == "SUCCEEDED", ex.cause
    out = ex.output
    lines = decoded(out).split("\n")
    request_id = out["SdkResponseMetadata"]["RequestId"]
    assert lines[0] == f"START RequestId: {request_id} Version: $LATEST"
    assert lines[1] == "hello Ada"
    level, stamp, rid, message = lines[2].split("\t")
    assert (level, rid, message) == ("[WARNING]", request_id, "careful with Ada")
    assert stamp.endswith("Z") and len(stamp) == len("2024-01-01T00:00:00.000Z")
    assert lines[3] == f"END RequestId: {request_id}"
    report = lines[4].split("\t")
    assert report[0] == f"REPORT RequestId: {request_id}"
    assert report[1].startswith("Duration: ") and report[1].endswith(" ms")
    assert report[2].startswith("Billed Duration: ") and report[3] == "Memory Size: 128 MB"
    assert report[4].startswith("Max Memory Used: ") and lines[5:] == [""]
    # The result as Step Functions returns it: LogResult in name order, and its header.
    assert list(out) == [
        "ExecutedVersion",
        "LogResult",
        "Payload",
        "SdkHttpMetadata",
        "SdkResponseMetadata",
        "StatusCode",
    ]
    http = out["SdkHttpMetadata"]
    assert http["HttpHeaders"]["X-Amz-Log-Result"] == out["LogResult"]
    assert http["AllHttpHeaders"]["X-Amz-Log-Result"] == [out["LogResult"]]
    headers = list(http["HttpHeaders"])
    assert headers == sorted(headers, key=str.lower)
    # Capturing is an observer: the notebook still shows what the function printed.
    assert "hello Ada" in capsys.readouterr().out and "careful with Ada" in caplog.text
    assert "careful with Ada" not in decoded(out).split("\n", 3)[1]  # not twice in the log
    assert all(type(h).__name__ != "_LambdaLogHandler" for h in logging.getLogger().handlers)


def test_without_log_type_tail_there_is_no_log_result() -> None:
    def quiet(event: Any, context: Any) -> Any:
        print("not asked for")
        return 1

    for log_type in (None, "None"):
        ex = sfn.run(invoke("quiet", log_type), {}, functions={"quiet": quiet})
        assert "LogResult" not in ex.output
        assert "X-Amz-Log-Result" not in ex.output["SdkHttpMetadata"]["HttpHeaders"]
        assert state_attempts_frame(ex)["log"].isna().all()


def test_concurrent_map_iterations_each_get_only_their_own_lines(
    capsys: pytest.CaptureFixture[str],
) -> None:
    together = threading.Barrier(10, timeout=20)

    def work(event: Any, context: Any) -> Any:
        print(f"item {event} starts")
        together.wait()  # all ten run at once, printing between each other's lines
        for step in range(20):
            print(f"item {event} step {step}")
            time.sleep(0.001)
        logging.getLogger("work").error("item %s done", event)
        return event

    stop = threading.Event()

    def notebook() -> None:
        while not stop.is_set():
            print("the notebook's own print")
            time.sleep(0.002)

    chatter = threading.Thread(target=notebook)
    chatter.start()
    definition = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "MaxConcurrency": 10,
                "ItemProcessor": invoke("work") | {"StartAt": "T"},
                "ResultSelector": {"logs.$": "$[*].LogResult"},
                "End": True,
            }
        },
    }
    try:
        ex = sfn.run(definition, list(range(10)), functions={"work": work})
    finally:
        stop.set()
        chatter.join()
    assert ex.status == "SUCCEEDED", ex.cause
    logs = [base64.b64decode(text).decode() for text in ex.output["logs"]]
    for index, log in enumerate(logs):
        own = [line for line in log.split("\n") if line.startswith("item ")]
        assert own == [f"item {index} starts"] + [f"item {index} step {s}" for s in range(20)]
        assert "[ERROR]" in log and log.count("done") == 1 and f"item {index} done" in log
        assert "notebook" not in log
    assert "the notebook's own print" in capsys.readouterr().out


def test_the_log_is_cut_to_its_last_4_kb() -> None:
    def chatty(event: Any, context: Any) -> Any:
        for i in range(500):
            print(f"line {i:04d} " + "é" * 20)
        return None

    ex = sfn.run(invoke("chatty"), {}, functions={"chatty": chatty})
    raw = base64.b64decode(ex.output["LogResult"])
    assert len(raw) == 4096
    text = raw.decode("utf-8", "replace")
    assert not text.startswith("START") and "line 0499" in text and "line 0001" not in text
    assert text.rstrip("\t\n").split("\n")[-1].startswith("REPORT RequestId: ")


def test_async_functions_are_captured_too() -> None:
    async def later(event: Any, context: Any) -> Any:
        print("before the await")
        await asyncio.sleep(0.01)
        print("after the await")
        return "ok"

    ex = sfn.run(invoke("later"), {}, functions={"later": later})
    assert "before the await\nafter the await\n" in decoded(ex.output)

    async def interleaved(event: Any, context: Any) -> Any:
        print(f"{event} before")
        await asyncio.sleep(0.01)  # the other iterations print meanwhile, on the same thread
        print(f"{event} after")
        return event

    definition = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "ItemProcessor": invoke("interleaved") | {"StartAt": "T"},
                "ResultSelector": {"logs.$": "$[*].LogResult"},
                "End": True,
            }
        },
    }
    ex = sfn.run(definition, list(range(5)), functions={"interleaved": interleaved})
    for index, text in enumerate(ex.output["logs"]):
        lines = base64.b64decode(text).decode().split("\n")
        assert lines[1:3] == [f"{index} before", f"{index} after"]


def test_frame_and_attempts_carry_the_log_and_a_failed_try_keeps_its_own() -> None:
    calls = []

    def flaky(event: Any, context: Any) -> Any:
        calls.append(1)
        print(f"try {len(calls)}")
        if len(calls) == 1:
            raise ValueError("boom")
        return "fine"

    definition = invoke("flaky", Retry=[{"ErrorEquals": ["ValueError"], "IntervalSeconds": 1}])
    ex = sfn.run(definition, {}, functions={"flaky": flaky})
    assert ex.status == "SUCCEEDED", ex.cause
    failed = next(e for e in ex.history if e["type"] == "TaskFailed")
    cause = json.loads(failed["taskFailedEventDetails"]["cause"])
    # The cause stays Lambda's error payload, as AWS records it.
    assert set(cause) == {"errorMessage", "errorType", "requestId", "stackTrace"}
    [visit] = state_attempts(ex.history, logs=ex.live_history.task_logs)
    first, second = (a.log or "" for a in visit.attempts)
    assert "try 1\n[ERROR] ValueError: boom\nTraceback (most recent call last):\n" in first
    assert first.split("\n")[-2].startswith("REPORT") and "try 2" not in first
    assert "try 2\nEND RequestId" in second and "try 1" not in second
    frame = state_attempts_frame(ex)
    assert frame.loc[0, "log"] == second
    # From the events alone (as fetched from AWS) the success's log still reads from LogResult.
    assert state_attempts_frame(ex.history).loc[0, "log"] == second


def test_a_failing_functions_log_is_in_the_frame_of_a_local_run() -> None:
    def broken(event: Any, context: Any) -> Any:
        print("about to fail")
        raise KeyError("missing")

    ex = sfn.run(invoke("broken"), {}, functions={"broken": broken})
    assert ex.status == "FAILED" and ex.error == "KeyError"
    log = str(state_attempts_frame(ex).loc[0, "log"])
    assert log.startswith("START RequestId: ")
    assert "about to fail\n[ERROR] KeyError: 'missing'\n" in log
    assert "LogResult" not in str(ex.cause)


def test_a_function_arn_resource_has_no_log() -> None:
    def plain(event: Any, context: Any) -> Any:
        print("plain")
        return 1

    definition = {
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:plain",
                "End": True,
            }
        },
    }
    ex = sfn.run(definition, {}, functions={"plain": plain})
    assert ex.output == 1
    assert state_attempts_frame(ex)["log"].isna().all()


def test_the_event_table_shows_the_decoded_log() -> None:
    def hello(event: Any, context: Any) -> Any:
        print("shown in the table")
        raise RuntimeError("then failed")

    ex = sfn.run(invoke("hello"), {}, functions={"hello": hello})
    _, rows = ExecutionFeed.of(ex).page(0, 50, None)  # what the event table is sent
    by_type = {row["type"]: row for row in rows}
    assert "shown in the table\n[ERROR] RuntimeError: then failed" in by_type["TaskFailed"]["log"]
    assert by_type["TaskStarted"]["log"] is None

    def hi(event: Any, context: Any) -> Any:
        print("hi there")
        return 1

    ex = sfn.run(invoke("hi"), {}, functions={"hi": hi})
    _, rows = ExecutionFeed.of(ex).page(0, 50, ["TaskSucceeded"])
    assert "\nhi there\nEND RequestId" in rows[0]["log"]
