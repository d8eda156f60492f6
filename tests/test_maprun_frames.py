"""analysis.map_runs_frame and map_items_frame: map runs and their child executions."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pandas as pd

import sfn_notebook as sfn
from sfn_notebook import analysis
from sfn_notebook.store.sqlite import Store

FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:total"


def total(batch: dict[str, Any], context: Any) -> dict[str, Any]:
    """Sum a batch of rows; a row with a negative amount is refused."""
    amounts = [int(row["amount"]) for row in batch["Items"]]
    if any(amount < 0 for amount in amounts):
        raise ValueError(f"negative amount in {amounts}")
    return {"sum": sum(amounts)}


def pipeline(tolerated: int, writer: bool = False) -> dict[str, Any]:
    state: dict[str, Any] = {
        "Type": "Map",
        "Label": "Rows",
        "MaxConcurrency": 2,
        "ItemReader": {
            "Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
            "Parameters": {"Bucket": "data", "Key": "rows.csv"},
        },
        "ItemBatcher": {"MaxItemsPerBatch": 2},
        "ToleratedFailureCount": tolerated,
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "Total",
            "States": {"Total": {"Type": "Task", "Resource": FUNCTION, "End": True}},
        },
        "End": True,
    }
    if writer:
        state["ResultWriter"] = {
            "Resource": "arn:aws:states:::s3:putObject",
            "Parameters": {"Bucket": "data", "Prefix": "out"},
        }
    return {"StartAt": "Sum", "States": {"Sum": state}}


def write_rows(folder: Path, amounts: list[int]) -> None:
    lines = ["id,amount", *(f"{i},{amount}" for i, amount in enumerate(amounts))]
    (folder / "rows.csv").write_text("\n".join(lines) + "\n")


def run(tmp_path: Path, amounts: list[int], tolerated: int, **kwargs: Any) -> sfn.Execution:
    write_rows(tmp_path, amounts)
    return sfn.run(
        pipeline(tolerated, **kwargs),
        {},
        functions={"total": total},
        buckets={"data": tmp_path},
    )


def test_items_frame_one_row_per_child_with_index_status_and_error(tmp_path: Path) -> None:
    ex = run(tmp_path, [1, 2, 3, -4, 5], tolerated=1)
    assert ex.status == "SUCCEEDED"
    items = analysis.map_items_frame(ex)
    assert items["index"].tolist() == [0, 1, 2]
    assert items["items"].tolist() == [2, 2, 1]
    assert items["status"].tolist() == ["SUCCEEDED", "FAILED", "SUCCEEDED"]
    failed = items.iloc[1]
    assert failed["error"] == "ValueError"
    assert "negative amount in [3, -4]" in failed["cause"]
    assert items["error"].isna().tolist() == [True, False, True]
    assert str(items["duration"].dtype) == "timedelta64[ns]"
    assert (items["duration"] >= pd.Timedelta(0)).all()
    started = next(e for e in ex.history if e["type"] == "MapRunStarted")
    map_run_arn = started["mapRunStartedEventDetails"]["mapRunArn"]
    assert set(items["map_run_arn"]) == {map_run_arn}
    assert set(items["state_name"]) == {"Sum"}
    prefix = map_run_arn.replace(":mapRun:", ":execution:") + ":"
    assert all(arn.startswith(prefix) for arn in items["child_execution"])
    assert items["child_execution"].is_unique


def test_runs_frame_counts_children_and_items(tmp_path: Path) -> None:
    ex = run(tmp_path, [1, 2, 3, -4, 5], tolerated=1)
    runs = analysis.map_runs_frame(ex)
    assert len(runs) == 1
    row = runs.iloc[0]
    assert (row["state_name"], row["status"]) == ("Sum", "SUCCEEDED")
    counts = [row[c] for c in ("children", "items", "succeeded", "failed", "aborted", "running")]
    assert counts == [3, 5, 2, 1, 0, 0]
    assert row["execution_arn"] == ex.arn
    assert row["stop"] >= row["start"]
    assert pd.isna(row["error"])


def test_failed_map_run_over_tolerance(tmp_path: Path) -> None:
    ex = run(tmp_path, [-1, 2, -3, 4, 5, 6], tolerated=1)
    assert ex.status == "FAILED"
    assert ex.error == "States.ExceedToleratedFailureThreshold"
    row = analysis.map_runs_frame(ex).iloc[0]
    assert row["status"] == "FAILED"
    items = analysis.map_items_frame(ex)
    assert "FAILED" in set(items["status"])
    assert set(items["status"]) <= {"SUCCEEDED", "FAILED", "ABORTED"}
    assert row["children"] == len(items)
    assert row["failed"] == (items["status"] == "FAILED").sum()


def test_child_execution_arns_match_the_result_writer_records(tmp_path: Path) -> None:
    ex = run(tmp_path, [1, -2, 3], tolerated=1, writer=True)
    assert ex.status == "SUCCEEDED"
    manifest = json.loads((tmp_path / ex.output["ResultWriterDetails"]["Key"]).read_text())
    failed_key = manifest["ResultFiles"]["FAILED"][0]["Key"]
    records = json.loads((tmp_path / failed_key).read_text())
    items = analysis.map_items_frame(ex)
    failed = items.loc[items["status"] == "FAILED", "child_execution"].tolist()
    assert failed == [record["ExecutionArn"] for record in records]


def test_runtime_source_with_filters_and_no_map_runs(tmp_path: Path) -> None:
    write_rows(tmp_path, [1, -2, 3, 4])
    rt = sfn.Runtime(clock="virtual", functions={"total": total}, buckets={"data": tmp_path})
    try:
        rt.create_state_machine(name="sums", definition=json.dumps(pipeline(1)))
        rt.create_state_machine(
            name="plain",
            definition=json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}),
        )
        arn = rt.start("sums", {}).wait().arn
        rt.start("plain", {}).wait()
        second = rt.start("sums", {}, name="second").wait()
        runs = analysis.map_runs_frame(rt)
        assert runs["execution_arn"].tolist() == [arn, second.arn]
        assert analysis.map_runs_frame(rt, state_machine="plain").empty
        items = analysis.map_items_frame(rt, state_machine="sums")
        assert len(items) == 4 and set(items["execution_arn"]) == {arn, second.arn}
    finally:
        rt.close()


def test_store_source_has_map_runs_with_their_children(tmp_path: Path) -> None:
    write_rows(tmp_path, [1, 2, 3])
    path = tmp_path / "runs.sqlite"
    rt = sfn.Runtime(path, clock="virtual", functions={"total": total}, buckets={"data": tmp_path})
    try:
        rt.create_state_machine(name="sums", definition=json.dumps(pipeline(0)))
        rt.start("sums", {}).wait()
        assert analysis.map_runs_frame(rt)["children"].tolist() == [2]
    finally:
        rt.close()
    with Store(path, readonly=True) as store:
        runs = analysis.map_runs_frame(store)
        items = analysis.map_items_frame(store)
    assert runs["status"].tolist() == ["SUCCEEDED"]
    assert runs["children"].tolist() == [2]  # the store's map_runs table keeps them
    assert items["status"].tolist() == ["SUCCEEDED", "SUCCEEDED"]
    assert list(items.columns) == list(analysis.maprun.MAP_ITEM_COLUMNS)


def test_boto3_source_on_moto(server: Any, role: str) -> None:
    """A run on moto's Step Functions, read through boto3: DescribeMapRun gives the counts.

    moto 5 cannot list a map run's children (ListExecutions with mapRunArn answers a 500), so
    the items frame has no rows for it; the map run keeps its row.
    """
    import time

    import boto3

    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    client = session.client("stepfunctions", endpoint_url=server.url)
    check = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.x", "NumericGreaterThan": 2, "Next": "Big"}],
        "Default": "Ok",
    }
    definition = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "ToleratedFailureCount": 1,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "Check",
                    "States": {
                        "Check": check,
                        "Ok": {"Type": "Pass", "End": True},
                        "Big": {"Type": "Fail", "Error": "Big", "Cause": "too big"},
                    },
                },
                "End": True,
            }
        },
    }
    machine = client.create_state_machine(
        name="maprun-frames", definition=json.dumps(definition), roleArn=role
    )["stateMachineArn"]
    arn = client.start_execution(
        stateMachineArn=machine, input=json.dumps([{"x": i} for i in range(4)])
    )["executionArn"]
    deadline = time.monotonic() + 30
    while client.describe_execution(executionArn=arn)["status"] == "RUNNING":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    runs = analysis.map_runs_frame(client, state_machine="maprun-frames")
    assert len(runs) == 1
    row = runs.iloc[0]
    assert row["execution_arn"] == arn and row["state_name"] == "M"
    assert row["map_run_arn"].startswith("arn:aws:states:us-east-1:")
    counts = [row[c] for c in ("status", "items", "children", "succeeded", "failed")]
    assert counts == ["SUCCEEDED", 4, 4, 3, 1]
    items = analysis.map_items_frame(client, state_machine="maprun-frames")
    assert items.empty and list(items.columns) == list(analysis.maprun.MAP_ITEM_COLUMNS)


def test_children_still_running_when_the_map_run_fails_are_aborted() -> None:
    async def slow_or_bad(item: dict[str, Any], context: Any) -> int:
        if item["n"] == 0:
            raise ValueError("bad item")
        await asyncio.sleep(5)
        return int(item["n"])

    definition = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "MaxConcurrency": 3,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                    "StartAt": "T",
                    "States": {"T": {"Type": "Task", "Resource": FUNCTION, "End": True}},
                },
                "End": True,
            }
        },
    }
    ex = sfn.run(definition, [{"n": n} for n in range(5)], functions={"total": slow_or_bad})
    assert (ex.status, ex.error) == ("FAILED", "ValueError")
    items = analysis.map_items_frame(ex)
    assert items["status"].tolist() == ["FAILED", "ABORTED", "ABORTED"]
    assert items["stop"].notna().all()
    row = analysis.map_runs_frame(ex).iloc[0]
    assert [row[c] for c in ("status", "children", "failed", "aborted")] == ["FAILED", 3, 1, 2]
