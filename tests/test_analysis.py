"""Analysis frames from Execution objects, raw GetExecutionHistory events and runtimes."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest

import sfn_notebook as sfn
from sfn_notebook import analysis
from sfn_notebook.errors import SfnNotebookError

START = datetime(2024, 5, 1, tzinfo=timezone.utc)
LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:{}"


def _flaky(fail_times: int):
    calls = {"n": 0}

    def handler(event, context):
        calls["n"] += 1
        if calls["n"] <= fail_times:
            raise TimeoutError("slow backend")
        return {"ok": event}

    return handler


FLOW = {
    "StartAt": "Fetch",
    "States": {
        "Fetch": {
            "Type": "Task",
            "Resource": LAMBDA.format("fetch"),
            "Retry": [{"ErrorEquals": ["TimeoutError"], "IntervalSeconds": 3, "BackoffRate": 2}],
            "Next": "Each",
        },
        "Each": {
            "Type": "Map",
            "ItemsPath": "$.ok.items",
            "ItemProcessor": {
                "StartAt": "Wait",
                "States": {"Wait": {"Type": "Wait", "SecondsPath": "$", "End": True}},
            },
            "End": True,
        },
    },
}


def _run(fail_times: int = 2, items=(1, 2)):
    return sfn.run(
        FLOW,
        {"items": list(items)},
        start_time=START,
        functions={"fetch": _flaky(fail_times)},
    )


def test_events_frame_columns_and_dtypes():
    ex = _run()
    frame = analysis.events_frame(ex)
    assert list(frame.columns) == list(analysis.frames.EVENT_COLUMNS)
    assert len(frame) == len(ex.history)
    assert str(frame["timestamp"].dtype) == "datetime64[ns, UTC]"
    assert str(frame["elapsed"].dtype) == "timedelta64[ns]"
    assert frame["id"].dtype == "int64" and frame["previous_event_id"].dtype == "int64"
    assert frame["execution_arn"].dtype == "category"
    failed = frame[frame["type"] == "LambdaFunctionFailed"]
    assert failed["state_name"].tolist() == ["Fetch", "Fetch"]
    assert failed["error"].tolist() == ["TimeoutError", "TimeoutError"]
    ends = frame[frame["type"].isin(["MapIterationSucceeded", "MapStateSucceeded"])]
    assert set(ends["state_name"]) == {"Each"}
    # Virtual time jumps over waits but runs at wall speed while a task function runs.
    assert abs(frame["elapsed"].iloc[-1] - timedelta(seconds=3 + 6 + 2)) < timedelta(seconds=1)


def test_events_frame_parses_data_on_request():
    ex = _run(0, items=[0])
    frame = analysis.events_frame(ex, include_data=True)
    exited = frame[frame["type"] == "MapStateExited"]
    assert exited["output"].iloc[0] == [0]
    assert "input" not in analysis.events_frame(ex).columns


def _as_boto3(history):
    """What boto3's get_execution_history returns: the same dicts, datetimes included."""
    return {"events": [dict(e) for e in history], "ResponseMetadata": {}}


def test_raw_event_lists_analyse_like_local_runs():
    ex = _run()
    local = analysis.events_frame(ex)
    raw = analysis.events_frame(_as_boto3(ex.history))
    columns = ["id", "type", "state_name", "error", "elapsed"]
    pd.testing.assert_frame_equal(local[columns], raw[columns])
    runs = analysis.executions_frame({"arn:aws:states:x:1:execution:m:a": ex.history})
    row = runs.iloc[0]
    assert (row["status"], row["event_count"], row["name"]) == ("SUCCEEDED", len(ex.history), "a")
    assert row["duration"] == ex.stop_date - ex.start_date
    assert row["input"] == {"items": [1, 2]}


def test_executions_frame_columns():
    frames = analysis.executions_frame([_run(), _run(0), _run(5)])
    assert list(frames.columns) == list(analysis.frames.EXECUTION_COLUMNS)
    assert frames["status"].tolist() == ["SUCCEEDED", "SUCCEEDED", "FAILED"]
    assert frames["error"].isna().tolist() == [True, True, False]
    assert frames["redrive_count"].dtype == "int64"
    assert str(frames["duration"].dtype) == "timedelta64[ns]"


def test_state_attempts_and_retries():
    ex = _run(2, items=[1, 4])
    visits = analysis.state_attempts_frame(ex)
    fetch = visits[visits["state_name"] == "Fetch"].iloc[0]
    assert (fetch["attempts"], fetch["retries"], fetch["status"]) == (3, 2, "SUCCEEDED")
    waits = visits[visits["state_name"] == "Wait"].sort_values("map_iteration")
    assert waits["map_iteration"].tolist() == [0, 1]
    assert waits["path"].tolist() == ["Each[0]", "Each[1]"]
    assert waits["duration"].dt.round("1s").tolist() == [timedelta(seconds=1), timedelta(seconds=4)]
    assert str(visits["map_iteration"].dtype) == "Int64"
    retries = analysis.retries_frame(ex)
    assert retries["attempt"].tolist() == [1, 2]
    assert retries["error"].tolist() == ["TimeoutError", "TimeoutError"]
    assert retries["backoff"].dt.round("1s").tolist() == [
        timedelta(seconds=3),
        timedelta(seconds=6),
    ]


def test_cross_run_helpers():
    runs = [_run(0, items=[1]), _run(1, items=[5]), _run(5, items=[1]), _run(0, items=[2])]
    durations = analysis.state_durations(runs)
    assert durations.index[0] == "Fetch"  # 3 s + 6 s + 12 s of backoff in the failed run
    assert durations.loc["Wait", "count"] == 3
    assert durations.loc["Wait", "max"] == timedelta(seconds=5)
    rates = analysis.failure_rates(runs)
    top = rates.iloc[0]
    assert (top["state_name"], top["error"], top["failures"]) == ("Fetch", "TimeoutError", 1 + 4)
    assert top["attempts"] == 1 + 2 + 4 + 1 and top["visits_failed"] == 1
    slow = analysis.slowest_executions(runs, 2)
    assert slow["duration"].dt.round("1s").tolist()[0] == timedelta(seconds=3 + 6 + 12)
    diff = analysis.compare_executions(runs[0], runs[1])
    assert diff.loc["Fetch", "visits_a"] == 1
    assert diff.loc["Wait", "duration_diff"].round("1s") == timedelta(seconds=4)
    assert not diff.loc["Each", "same_output"]


def test_runtime_source_with_filters():
    with sfn.Runtime(clock="virtual", functions={"fetch": _flaky(0)}) as rt:
        arn = rt.create_state_machine(name="flow", definition=json.dumps(FLOW))["stateMachineArn"]
        other = rt.create_state_machine(
            name="other",
            definition={"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
        )["stateMachineArn"]
        for items in ([1], [2], "bad"):
            rt.start(arn, {"items": items}).wait(10)
        rt.start(other, {}).wait(10)
        assert len(analysis.executions_frame(rt)) == 4
        assert len(analysis.executions_frame(rt, state_machine="flow")) == 3
        failed = analysis.executions_frame(rt, state_machine="flow", status="FAILED")
        assert failed["error"].tolist() == ["States.Runtime"]
        assert set(analysis.events_frame(rt, state_machine="other")["execution_arn"].unique()) == {
            rt.list_executions(stateMachineArn=other)["executions"][0]["executionArn"]
        }


def test_bad_source_is_a_clear_error():
    with pytest.raises(SfnNotebookError, match="cannot analyse int"):
        analysis.events_frame(42)


def test_analysis_and_store_import_no_pandas():
    code = "import sys, sfn_notebook.analysis, sfn_notebook.store; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
