"""A Distributed Map's ResultWriter (local-folder buckets), and both ends against moto's S3."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

import sfn_notebook as sfn
from sfn_notebook.engine import results

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
# The fields of a child's record in AWS's documented SUCCEEDED_0.json / FAILED_0.json samples.
SUCCEEDED_FIELDS = [
    "ExecutionArn",
    "Input",
    "InputDetails",
    "Name",
    "Output",
    "OutputDetails",
    "RedriveCount",
    "RedriveStatus",
    "RedriveStatusReason",
    "StartDate",
    "StateMachineArn",
    "Status",
    "StopDate",
]
FAILED_FIELDS = [
    "ExecutionArn",
    "Input",
    "InputDetails",
    "Name",
    "Error",
    "Cause",
    "RedriveCount",
    "RedriveStatus",
    "StartDate",
    "StateMachineArn",
    "Status",
    "StopDate",
]


def writer_map(writer: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """Children return [item, item] and fail for the item "bad"."""
    return {
        "StartAt": "MapState",
        "States": {
            "MapState": {
                "Type": "Map",
                "Label": "TestMap",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "Check",
                    "States": {
                        "Check": {
                            "Type": "Choice",
                            "Choices": [{"Variable": "$", "StringEquals": "bad", "Next": "Fail"}],
                            "Default": "Twice",
                        },
                        "Fail": {"Type": "Fail", "Error": "Bad", "Cause": "a bad item"},
                        "Twice": {
                            "Type": "Pass",
                            "Parameters": {"pair.$": "States.Array($, $)"},
                            "OutputPath": "$.pair",
                            "End": True,
                        },
                    },
                },
                "ResultWriter": writer,
                "End": True,
                **extra,
            }
        },
    }


S3_WRITER = {
    "Resource": "arn:aws:states:::s3:putObject",
    "Parameters": {"Bucket": "result-bucket", "Prefix": "mapJobs"},
}


def read(folder: Path, key: str) -> Any:
    return json.loads((folder / key).read_text())


def test_manifest_and_result_files(tmp_path: Path) -> None:
    ex = sfn.run(
        writer_map(S3_WRITER, ToleratedFailureCount=1),
        ["Hello", "bad", "World"],
        state_machine_name="machine",
        buckets={"result-bucket": tmp_path},
    )
    assert ex.status == "SUCCEEDED", ex.cause
    # AWS (recorded): the state's result names the map run and the manifest.
    arn = ex.output["MapRunArn"]
    run_id = arn.rsplit(":", 1)[1]
    assert arn.startswith("arn:aws:states:us-east-1:123456789012:mapRun:machine/TestMap:")
    assert ex.output == {
        "MapRunArn": arn,
        "ResultWriterDetails": {
            "Bucket": "result-bucket",
            "Key": f"mapJobs/{run_id}/manifest.json",
        },
    }
    manifest = read(tmp_path, f"mapJobs/{run_id}/manifest.json")
    assert list(manifest) == ["DestinationBucket", "MapRunArn", "ResultFiles"]
    assert manifest["DestinationBucket"] == "result-bucket"
    assert manifest["MapRunArn"] == arn
    files = manifest["ResultFiles"]
    assert list(files) == ["FAILED", "PENDING", "SUCCEEDED"]
    assert files["PENDING"] == []
    for status in ("FAILED", "SUCCEEDED"):
        [entry] = files[status]
        assert entry["Key"] == f"mapJobs/{run_id}/{status}_0.json"
        assert entry["Size"] == (tmp_path / entry["Key"]).stat().st_size
    succeeded = read(tmp_path, files["SUCCEEDED"][0]["Key"])
    assert [list(record) for record in succeeded] == [SUCCEEDED_FIELDS] * 2
    first = succeeded[0]
    assert (first["Input"], first["Output"], first["Status"]) == (
        '"Hello"',
        '["Hello","Hello"]',
        "SUCCEEDED",
    )
    assert first["InputDetails"] == first["OutputDetails"] == {"Included": True}
    assert first["StateMachineArn"] == arn.replace(":mapRun:", ":stateMachine:")
    assert first["ExecutionArn"] == (arn.replace(":mapRun:", ":execution:") + ":" + first["Name"])
    assert first["StartDate"].endswith("Z") and first["StopDate"].endswith("Z")
    [failed] = read(tmp_path, files["FAILED"][0]["Key"])
    assert list(failed) == FAILED_FIELDS
    assert (failed["Input"], failed["Error"], failed["Cause"], failed["Status"]) == (
        '"bad"',
        "Bad",
        "a bad item",
        "FAILED",
    )


@pytest.mark.parametrize(
    ("transformation", "expected"),
    [
        ("COMPACT", [["Hello", "Hello"], ["World", "World"]]),
        ("FLATTEN", ["Hello", "Hello", "World", "World"]),
    ],
)
def test_writer_config_preview(transformation: str, expected: list[Any]) -> None:
    # A WriterConfig without a Resource shapes the state's result and writes nothing.
    writer = {"WriterConfig": {"Transformation": transformation, "OutputType": "JSON"}}
    ex = sfn.run(writer_map(writer), ["Hello", "World"])
    assert ex.output == expected


def test_writer_config_none_preview_gives_records() -> None:
    writer = {"WriterConfig": {"Transformation": "NONE", "OutputType": "JSON"}}
    ex = sfn.run(writer_map(writer), ["Hello"])
    assert [list(record) for record in ex.output] == [SUCCEEDED_FIELDS]


def test_failed_children_stay_records_whatever_the_transformation(tmp_path: Path) -> None:
    writer = {**S3_WRITER, "WriterConfig": {"Transformation": "COMPACT", "OutputType": "JSONL"}}
    ex = sfn.run(
        writer_map(writer, ToleratedFailurePercentage=50),
        ["Hello", "bad"],
        buckets={"result-bucket": tmp_path},
    )
    manifest = read(tmp_path, ex.output["ResultWriterDetails"]["Key"])
    succeeded = (tmp_path / manifest["ResultFiles"]["SUCCEEDED"][0]["Key"]).read_text()
    assert succeeded == '["Hello","Hello"]\n'  # JSONL: a line per result
    failed = (tmp_path / manifest["ResultFiles"]["FAILED"][0]["Key"]).read_text()
    assert [list(json.loads(line)) for line in failed.splitlines()] == [FAILED_FIELDS]


def test_flatten_written_as_json(tmp_path: Path) -> None:
    writer = {**S3_WRITER, "WriterConfig": {"Transformation": "FLATTEN", "OutputType": "JSON"}}
    ex = sfn.run(writer_map(writer), ["a", "b"], buckets={"result-bucket": tmp_path})
    manifest = read(tmp_path, ex.output["ResultWriterDetails"]["Key"])
    assert read(tmp_path, manifest["ResultFiles"]["SUCCEEDED"][0]["Key"]) == ["a", "a", "b", "b"]


def test_large_results_split_over_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(results, "RESULT_FILE_BYTES", 700)  # AWS splits at 5 GB
    items = [f"item-{i}" for i in range(6)]
    ex = sfn.run(writer_map(S3_WRITER), items, buckets={"result-bucket": tmp_path})
    manifest = read(tmp_path, ex.output["ResultWriterDetails"]["Key"])
    keys = [entry["Key"] for entry in manifest["ResultFiles"]["SUCCEEDED"]]
    assert len(keys) > 1
    assert [key.rsplit("/", 1)[1] for key in keys] == [
        f"SUCCEEDED_{n}.json" for n in range(len(keys))
    ]
    records = [record for key in keys for record in read(tmp_path, key)]
    assert [json.loads(record["Input"]) for record in records] == items
    assert all((tmp_path / key).stat().st_size <= 700 for key in keys)


def test_writer_without_bucket_folder_fails_the_map_run(tmp_path: Path) -> None:
    ex = sfn.run(writer_map(S3_WRITER), ["a"], buckets={"result-bucket": tmp_path / "missing"})
    assert (ex.status, ex.error) == ("FAILED", "States.ResultWriterFailed")
    assert "The specified bucket does not exist" in (ex.cause or "")
    assert [e["type"] for e in ex.history][-3:] == [
        "MapRunFailed",
        "MapStateFailed",
        "ExecutionFailed",
    ]


# -- moto's S3 over real HTTP -----------------------------------------------------------------


@pytest.fixture
def s3(server: Any) -> Any:
    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    return session, session.client("s3", endpoint_url=server.url)


def test_reader_and_writer_on_moto_s3(server: Any, s3: Any) -> None:
    session, client = s3
    client.create_bucket(Bucket="data-bucket")
    client.create_bucket(Bucket="result-bucket")
    client.put_object(Bucket="data-bucket", Key="in/items.csv", Body=b"name\nHello\nWorld\n")
    for i in range(2):
        client.put_object(Bucket="data-bucket", Key=f"logs/{i}.txt", Body=f"{i}HelloWorld!")
    definition = writer_map(S3_WRITER)
    definition["States"]["MapState"]["ItemReader"] = {
        "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
        "Resource": "arn:aws:states:::s3:getObject",
        "Parameters": {"Bucket": "data-bucket", "Key": "in/items.csv"},
    }
    definition["States"]["MapState"]["ItemSelector"] = {"name.$": "$$.Map.Item.Value.name"}
    definition["States"]["MapState"]["ItemProcessor"]["States"]["Check"]["Choices"][0][
        "Variable"
    ] = "$.name"
    ex = sfn.run(definition, {}, boto3_session=session, aws_endpoint_url=server.url)
    assert ex.status == "SUCCEEDED", ex.cause
    details = ex.output["ResultWriterDetails"]
    body = client.get_object(Bucket=details["Bucket"], Key=details["Key"])["Body"].read()
    manifest = json.loads(body)
    [entry] = manifest["ResultFiles"]["SUCCEEDED"]
    records = json.loads(client.get_object(Bucket="result-bucket", Key=entry["Key"])["Body"].read())
    assert [json.loads(r["Input"]) for r in records] == [{"name": "Hello"}, {"name": "World"}]

    listing = {
        "Resource": "arn:aws:states:::s3:listObjectsV2",
        "Parameters": {"Bucket": "data-bucket", "Prefix": "logs/"},
    }
    lister = writer_map({"WriterConfig": {"Transformation": "COMPACT"}})
    state = lister["States"]["MapState"]
    state["ItemReader"] = listing
    state["ItemProcessor"]["States"] = {"P": {"Type": "Pass", "End": True}}
    state["ItemProcessor"]["StartAt"] = "P"
    ex = sfn.run(lister, {}, boto3_session=session, aws_endpoint_url=server.url)
    assert [item["Key"] for item in ex.output] == ["logs/0.txt", "logs/1.txt"]
    assert list(ex.output[0]) == [
        "Etag",
        "Key",
        "LastModified",
        "Size",
        "StorageClass",
    ]
    assert ex.output[0]["Size"] == 12 and ex.output[0]["Etag"].startswith('"')
    assert isinstance(ex.output[0]["LastModified"], int)  # epoch seconds (developer guide)


def test_missing_object_on_moto_s3(server: Any, s3: Any) -> None:
    session, client = s3
    client.create_bucket(Bucket="empty-bucket")
    definition = writer_map({"WriterConfig": {"Transformation": "COMPACT"}})
    definition["States"]["MapState"]["ItemReader"] = {
        "ReaderConfig": {"InputType": "JSONL"},
        "Resource": "arn:aws:states:::s3:getObject",
        "Parameters": {"Bucket": "empty-bucket", "Key": "nothing.jsonl"},
    }
    ex = sfn.run(definition, {}, boto3_session=session, aws_endpoint_url=server.url)
    assert (ex.status, ex.error) == ("FAILED", "States.ItemReaderFailed")
    assert "NoSuchKey" in (ex.cause or "")


def test_s3_sdk_tasks_on_a_local_bucket(tmp_path: Path) -> None:
    """aws-sdk:s3 Tasks read and write a local-folder bucket as they would S3."""

    def task(api: str, params: dict[str, Any], nxt: str | None) -> dict[str, Any]:
        state: dict[str, Any] = {
            "Type": "Task",
            "Resource": f"arn:aws:states:::aws-sdk:s3:{api}",
            "Parameters": {"Bucket": "b", **params},
            "ResultPath": f"$.{api}",
        }
        state.update({"Next": nxt} if nxt else {"End": True})
        return state

    definition = {
        "StartAt": "Put",
        "States": {
            "Put": task("putObject", {"Key": "x/a.json", "Body": {"a": 1}}, "Get"),
            "Get": task("getObject", {"Key": "x/a.json"}, "List"),
            "List": task("listObjectsV2", {"Prefix": "x/"}, "Missing"),
            "Missing": task("getObject", {"Key": "nope"}, None),
        },
    }
    ex = sfn.run(definition, {}, buckets={"b": tmp_path})
    assert (tmp_path / "x" / "a.json").read_text() == '{"a":1}'
    outputs = [
        json.loads(e["taskSucceededEventDetails"]["output"])
        for e in ex.history
        if e["type"] == "TaskSucceeded"
    ]
    assert outputs[1]["Body"] == '{"a":1}'
    assert outputs[1]["ETag"] == outputs[0]["ETag"]
    assert [c["Key"] for c in outputs[2]["Contents"]] == ["x/a.json"]
    assert (ex.status, ex.error) == ("FAILED", "S3.NoSuchKeyException")
    assert ex.cause is not None and ex.cause.startswith("The specified key does not exist.")
