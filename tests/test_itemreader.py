"""A Distributed Map's ItemReader: items read from S3 objects in local-folder buckets.

The cases marked "recorded" replay executions recorded on AWS (LocalStack's validated snapshots,
``tests/aws/services/stepfunctions/v2/scenarios/test_base_scenarios.py``, Apache 2.0): the same
definition and object, AWS's output or error.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import sfn_notebook as sfn

CSV_FILE = (
    "Col1,Col2,Col3\nValue1,Value2,Value3\nValue4,Value5,Value6\n,,,\n"
    "true,1,'HelloWorld'\nNull,None,\n   \n"
)
DECL_FILE = (
    "Value1,Value2,Value3\nValue4,Value5,Value6\n,,,\ntrue,1,'HelloWorld'\nNull,None,\n   \n"
)
FOUR_ROWS = "Col1,Col2\nValue1,Value2\nValue3,Value4\nValue5,Value6\nValue7,Value8\n"
VERDICTS = [
    {"verdict": "true", "statement_date": "6/11/2008", "statement_source": "speech"},
    {"verdict": "false", "statement_date": "6/7/2022", "statement_source": "television"},
    {"verdict": "mostly-true", "statement_date": "5/18/2016", "statement_source": "news"},
]


def distributed_map(reader: dict[str, Any], **extra: Any) -> dict[str, Any]:
    state = {
        "Type": "Map",
        "MaxConcurrency": 1,
        "ItemReader": reader,
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "PassItem",
            "States": {"PassItem": {"Type": "Pass", "End": True}},
        },
        "End": True,
        **extra,
    }
    return {"StartAt": "MapState", "States": {"MapState": state}}


def get_object(config: dict[str, Any]) -> dict[str, Any]:
    return {
        "ReaderConfig": config,
        "Resource": "arn:aws:states:::s3:getObject",
        "Parameters": {"Bucket.$": "$.Bucket", "Key.$": "$.Key"},
    }


def run_reader(tmp_path: Path, reader: dict[str, Any], body: str | bytes, **extra: Any) -> Any:
    folder = tmp_path / "bucket"
    folder.mkdir(exist_ok=True)
    data = body.encode("utf-8") if isinstance(body, str) else body
    (folder / "file").write_bytes(data)
    max_items = extra.pop("max_items", None)
    return sfn.run(
        distributed_map(reader, **extra),
        {"Bucket": "my-bucket", "Key": "file", "MaxItems": max_items},
        buckets={"my-bucket": str(folder)},
    )


def rows(*values: str, headers: tuple[str, ...] = ("Col1", "Col2", "Col3")) -> list[Any]:
    return [dict(zip(headers, row.split("|"), strict=True)) for row in values]


RECORDED = {
    "csv_headers_first_line": (
        {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
        CSV_FILE,
        rows(
            "Value1|Value2|Value3",
            "Value4|Value5|Value6",
            "||",
            "true|1|'HelloWorld'",
            "Null|None|",
            "   ||",
        ),
    ),
    "csv_headers_decl": (
        {"InputType": "CSV", "CSVHeaderLocation": "GIVEN", "CSVHeaders": ["H1", "H2", "H3"]},
        DECL_FILE,
        rows(
            "Value1|Value2|Value3",
            "Value4|Value5|Value6",
            "||",
            "true|1|'HelloWorld'",
            "Null|None|",
            "   ||",
            headers=("H1", "H2", "H3"),
        ),
    ),
    "csv_headers_decl_extra_fields": (
        {"InputType": "CSV", "CSVHeaderLocation": "GIVEN", "CSVHeaders": ["H1"]},
        DECL_FILE,
        [{"H1": v} for v in ("Value1", "Value4", "", "true", "Null", "   ")],
    ),
    "csv_headers_first_row_typed_headers": (
        {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
        "0,True,{}\nValue4,Value5,Value6\n,,,\ntrue,1,'HelloWorld'\nNull,None,\n   \n",
        rows(
            "Value4|Value6|Value5",
            "||",
            "true|'HelloWorld'|1",
            "Null||None",
            "   ||",
            headers=("0", "{}", "True"),
        ),
    ),
    "csv_first_row_extra_fields": (
        {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
        "H1,\nValue4,Value5,Value6\n,,,\ntrue,1,'HelloWorld'\nNull,None,\n   \n",
        rows("Value5|Value4", "|", "1|true", "None|Null", "|   ", headers=("", "H1")),
    ),
    "csv_max_items_0": (
        {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "MaxItems": 0},
        FOUR_ROWS,
        rows(
            "Value1|Value2",
            "Value3|Value4",
            "Value5|Value6",
            "Value7|Value8",
            headers=("Col1", "Col2"),
        ),
    ),
    "csv_max_items_2": (
        {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "MaxItems": 2},
        FOUR_ROWS,
        rows("Value1|Value2", "Value3|Value4", headers=("Col1", "Col2")),
    ),
    "json": ({"InputType": "JSON"}, json.dumps(VERDICTS), VERDICTS),
    "json_max_items": ({"InputType": "JSON", "MaxItems": 2}, json.dumps(VERDICTS), VERDICTS[:2]),
}


@pytest.mark.parametrize("name", sorted(RECORDED))
def test_recorded_items(tmp_path: Path, name: str) -> None:
    config, body, expected = RECORDED[name]
    ex = run_reader(tmp_path, get_object(config), body)
    assert ex.status == "SUCCEEDED", ex.cause
    # The key order is AWS's too: json.dumps keeps it.
    assert json.dumps(ex.output) == json.dumps(expected)
    started = [e for e in ex.history if e["type"] == "MapStateStarted"]
    assert started[0]["mapStateStartedEventDetails"] == {"length": 0}  # AWS (recorded)


@pytest.mark.parametrize(
    ("config", "body", "cause"),
    [
        (
            {"InputType": "CSV", "CSVHeaderLocation": "GIVEN", "CSVHeaders": ["H1", "H1", "H3"]},
            DECL_FILE,
            "CSV headers cannot contain duplicates.",
        ),
        ({"InputType": "JSON"}, '{"Hello": "world"}', "Attempting to map over non-iterable node."),
        (
            {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "MaxItemsPath": "$.MaxItems"},
            FOUR_ROWS,
            "field MaxItems must be positive",
        ),
    ],
    ids=["duplicate_headers", "json_not_a_list", "max_items_negative"],
)
def test_recorded_reader_failures(
    tmp_path: Path, config: dict[str, Any], body: str, cause: str
) -> None:
    ex = run_reader(tmp_path, get_object(config), body, max_items=-1)
    assert (ex.status, ex.error, ex.cause) == ("FAILED", "States.ItemReaderFailed", cause)
    # AWS (recorded): MapRunStarted, then MapRunFailed with the error, then MapStateFailed.
    types = [e["type"] for e in ex.history]
    assert types[2:] == [
        "MapStateStarted",
        "MapRunStarted",
        "MapRunFailed",
        "MapStateFailed",
        "ExecutionFailed",
    ]
    failed = ex.history[4]
    assert failed["mapRunFailedEventDetails"] == {
        "error": "States.ItemReaderFailed",
        "cause": cause,
    }
    assert [e["previousEventId"] for e in ex.history[4:]] == [4, 5, 6]


@pytest.mark.parametrize(("value", "count"), [(0, 4), (2, 2), (100_000_001, 4), ("3", 3)])
def test_max_items_path(tmp_path: Path, value: Any, count: int) -> None:
    config = {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "MaxItemsPath": "$.MaxItems"}
    ex = run_reader(tmp_path, get_object(config), FOUR_ROWS, max_items=value)
    assert ex.status == "SUCCEEDED", ex.cause
    assert len(ex.output) == count


def test_max_items_path_not_an_integer(tmp_path: Path) -> None:
    # AWS (recorded): States.Runtime right after MapStateStarted, before the map run starts.
    config = {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "MaxItemsPath": "$.MaxItems"}
    ex = run_reader(tmp_path, get_object(config), FOUR_ROWS, max_items=1.5)
    assert (ex.status, ex.error) == ("FAILED", "States.Runtime")
    assert ex.cause == (
        "An error occurred while executing the state 'MapState' (entered at the event id #2). "
        'The MaxItemsPath field refers to value "1.5" which is not a valid integer: $.MaxItems'
    )
    assert [e["type"] for e in ex.history][2:] == ["MapStateStarted", "ExecutionFailed"]


def test_items_path_is_ignored_with_a_reader(tmp_path: Path) -> None:
    # AWS (recorded): ItemsPath selects nothing when an ItemReader reads the items.
    ex = run_reader(
        tmp_path,
        get_object({"InputType": "JSON"}),
        '[["from-bucket-item-0"]]',
        ItemsPath="$.no_such_path_in_bucket_result",
    )
    assert ex.output == [["from-bucket-item-0"]]


def test_jsonata_arguments_and_max_items(tmp_path: Path) -> None:
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / "file.json").write_text(json.dumps(VERDICTS))
    definition = distributed_map(
        {
            "ReaderConfig": {"InputType": "JSON", "MaxItems": "{% $maxItems := 2 %}"},
            "Resource": "arn:aws:states:::s3:getObject",
            "Arguments": {"Bucket": "{% $states.input.Bucket %}", "Key": "{% $states.input.Key %}"},
        }
    )
    definition["QueryLanguage"] = "JSONata"
    ex = sfn.run(definition, {"Bucket": "b", "Key": "file.json"}, buckets={"b": str(folder)})
    assert ex.output == VERDICTS[:2]  # AWS (recorded)


def test_list_objects_v2(tmp_path: Path) -> None:
    folder = tmp_path / "b"
    (folder / "logs").mkdir(parents=True)
    for i in range(3):
        (folder / "logs" / f"file_{i}.txt").write_text(f"{i}HelloWorld!")
    (folder / "other.txt").write_text("not listed")
    reader = {
        "Resource": "arn:aws:states:::s3:listObjectsV2",
        "Parameters": {"Bucket": "b", "Prefix": "logs/"},
    }
    ex = sfn.run(distributed_map(reader), {}, buckets={"b": str(folder)})
    assert ex.status == "SUCCEEDED", ex.cause
    assert [list(item) for item in ex.output] == [
        ["Etag", "Key", "LastModified", "Size", "StorageClass"]  # the developer guide's order
    ] * 3
    assert [item["Key"] for item in ex.output] == [f"logs/file_{i}.txt" for i in range(3)]
    assert {item["Size"] for item in ex.output} == {12}
    md5 = hashlib.md5(b"0HelloWorld!", usedforsecurity=False).hexdigest()
    assert ex.output[0]["Etag"] == f'"{md5}"'  # S3's ETag: the quoted MD5
    # LastModified in whole epoch seconds, as the developer guide's child input shows it
    # ("LastModified": 1668699881): the file's modification time.
    mtime = int((folder / "logs" / "file_0.txt").stat().st_mtime)
    assert ex.output[0]["LastModified"] == mtime


def test_list_objects_v2_load_and_flatten(tmp_path: Path) -> None:
    # The developer guide's ItemReader with "Transformation": "LOAD_AND_FLATTEN": the items are
    # the records of every listed object, parsed by InputType, not the objects' metadata.
    folder = tmp_path / "b"
    (folder / "in").mkdir(parents=True)
    (folder / "in" / "a.jsonl").write_text('{"n": 1}\n{"n": 2}\n')
    (folder / "in" / "b.jsonl").write_text('{"n": 3}\n')
    (folder / "other.jsonl").write_text('{"n": 99}\n')
    reader = {
        "Resource": "arn:aws:states:::s3:listObjectsV2",
        "ReaderConfig": {"InputType": "JSONL", "Transformation": "LOAD_AND_FLATTEN"},
        "Arguments": {"Bucket": "b", "Prefix": "in/"},
    }
    definition = distributed_map(reader)
    definition["QueryLanguage"] = "JSONata"
    assert sfn.validate(definition) == []
    ex = sfn.run(definition, {}, buckets={"b": str(folder)})
    assert ex.status == "SUCCEEDED", ex.cause
    assert ex.output == [{"n": 1}, {"n": 2}, {"n": 3}]


def test_jsonl_delimiters_selector_and_batcher(tmp_path: Path) -> None:
    body = "\n".join(json.dumps({"n": i}) for i in range(7)) + "\n\n"
    ex = run_reader(
        tmp_path,
        get_object({"InputType": "JSONL"}),
        body,
        ItemSelector={"value.$": "$$.Map.Item.Value.n", "index.$": "$$.Map.Item.Index"},
        ItemBatcher={"MaxItemsPerBatch": 3, "BatchInput": {"from.$": "$.Key"}},
    )
    assert ex.status == "SUCCEEDED", ex.cause
    assert ex.output == [
        {"BatchInput": {"from": "file"}, "Items": [{"value": i, "index": i} for i in b]}
        for b in ([0, 1, 2], [3, 4, 5], [6])
    ]


@pytest.mark.parametrize(
    ("name", "sep"), [("PIPE", "|"), ("SEMICOLON", ";"), ("SPACE", " "), ("TAB", "\t")]
)
def test_csv_delimiters(tmp_path: Path, name: str, sep: str) -> None:
    body = f'a{sep}b\n1{sep}"x{sep}y"\n'
    config = {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "CSVDelimiter": name}
    ex = run_reader(tmp_path, get_object(config), body)
    assert ex.output == [{"a": "1", "b": f"x{sep}y"}]


def test_json_items_pointer(tmp_path: Path) -> None:
    config = {"InputType": "JSON", "ItemsPointer": "/data/items"}
    ex = run_reader(tmp_path, get_object(config), json.dumps({"data": {"items": [1, 2]}}))
    assert ex.output == [1, 2]


def test_s3_inventory_manifest(tmp_path: Path) -> None:
    folder = tmp_path / "inv"
    (folder / "data").mkdir(parents=True)
    inventory = '"src","a.txt","10"\n"src","b/c.txt","20"\n'
    (folder / "data" / "part-1.csv.gz").write_bytes(gzip.compress(inventory.encode()))
    manifest = {
        "sourceBucket": "src",
        "destinationBucket": "arn:aws:s3:::inv",
        "fileFormat": "CSV",
        "fileSchema": "Bucket, Key, Size",
        "files": [{"key": "data/part-1.csv.gz", "size": 1, "MD5checksum": "x"}],
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))
    reader = {
        "ReaderConfig": {"InputType": "MANIFEST"},
        "Resource": "arn:aws:states:::s3:getObject",
        "Parameters": {"Bucket": "inv", "Key": "manifest.json"},
    }
    ex = sfn.run(distributed_map(reader), {}, buckets={"inv": str(folder)})
    assert ex.output == [
        {"Bucket": "src", "Key": "a.txt", "Size": "10"},
        {"Bucket": "src", "Key": "b/c.txt", "Size": "20"},
    ]


def test_missing_key_fails_the_reader(tmp_path: Path) -> None:
    reader = get_object({"InputType": "JSON"})
    folder = tmp_path / "empty"
    folder.mkdir()
    ex = sfn.run(
        distributed_map(reader), {"Bucket": "b", "Key": "nope.json"}, buckets={"b": str(folder)}
    )
    assert (ex.status, ex.error) == ("FAILED", "States.ItemReaderFailed")
    assert "The specified key does not exist." in (ex.cause or "")


def test_parquet(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(pa.table({"id": [1, 2], "name": ["a", "b"]}), buffer)
    ex = run_reader(tmp_path, get_object({"InputType": "PARQUET"}), buffer.getvalue())
    assert ex.output == [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]


def test_parquet_without_pyarrow_names_the_extra(tmp_path: Path) -> None:
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / "file.parquet").write_bytes(b"PAR1")
    script = textwrap.dedent(
        f"""
        import sys
        sys.modules["pyarrow"] = None  # as if the extra were not installed
        import sfn_notebook as sfn
        reader = {get_object({"InputType": "PARQUET"})!r}
        definition = {distributed_map({})!r}
        definition["States"]["MapState"]["ItemReader"] = reader
        ex = sfn.run(definition, {{"Bucket": "b", "Key": "file.parquet"}},
                     buckets={{"b": {str(folder)!r}}})
        print(ex.error, ex.cause)
        """
    )
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout.strip() == (
        "States.ItemReaderFailed Reading PARQUET needs pyarrow: pip install 'sfn-notebook[parquet]'"
    )


def test_a_million_lines_are_streamed(tmp_path: Path) -> None:
    """Reading stops at MaxItems without reading the rest: the reader is lazy."""
    folder = tmp_path / "big"
    folder.mkdir()
    with open(folder / "big.jsonl", "w") as handle:
        line = json.dumps({"payload": "x" * 40}) + "\n"
        handle.writelines(line for _ in range(1_000_000))
    reader = {
        "ReaderConfig": {"InputType": "JSONL", "MaxItems": 3},
        "Resource": "arn:aws:states:::s3:getObject",
        "Parameters": {"Bucket": "big", "Key": "big.jsonl"},
    }
    import time

    began = time.perf_counter()
    ex = sfn.run(distributed_map(reader), {}, buckets={"big": str(folder)})
    assert len(ex.output) == 3
    assert time.perf_counter() - began < 2  # parsing 1,000,000 lines would take longer


def test_runtime_buckets(tmp_path: Path) -> None:
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / "f.json").write_text("[1, 2, 3]")
    with sfn.Runtime(clock="virtual", buckets={"b": folder}) as rt:
        definition = distributed_map(get_object({"InputType": "JSON"}))
        rt.create_state_machine(name="reader", definition=definition)
        ex = rt.start("reader", {"Bucket": "b", "Key": "f.json"}).wait()
        assert ex.output == [1, 2, 3]


def test_buckets_must_be_a_mapping() -> None:
    with pytest.raises(sfn.SfnNotebookError, match="bucket names to local folders"):
        sfn.run({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, buckets=["data"])  # type: ignore[arg-type]


def test_tolerated_percentage_counts_the_items_read(tmp_path: Path) -> None:
    body = "\n".join(json.dumps(v) for v in [1, 2, "bad", 4]) + "\n"
    definition = distributed_map(get_object({"InputType": "JSONL"}))
    state = definition["States"]["MapState"]
    state["ToleratedFailurePercentage"] = 25
    state["ItemProcessor"]["StartAt"] = "Check"
    state["ItemProcessor"]["States"] = {
        "Check": {
            "Type": "Choice",
            "Choices": [{"Variable": "$", "IsString": True, "Next": "Fail"}],
            "Default": "Done",
        },
        "Fail": {"Type": "Fail", "Error": "Bad"},
        "Done": {"Type": "Succeed"},
    }
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / "f.jsonl").write_text(body)
    ex = sfn.run(definition, {"Bucket": "b", "Key": "f.jsonl"}, buckets={"b": str(folder)})
    assert ex.status == "SUCCEEDED", ex.cause  # 1 of 4 failed: 25 % is tolerated
    (folder / "f.jsonl").write_text(body + '"bad"\n')
    ex = sfn.run(definition, {"Bucket": "b", "Key": "f.jsonl"}, buckets={"b": str(folder)})
    assert ex.error == "States.ExceedToleratedFailureThreshold"  # 2 of 5 is 40 %


def _codes(definition: dict[str, Any]) -> list[tuple[str, str]]:
    return [(d.code, d.location) for d in sfn.validate(definition)]


def test_validation_of_item_reader_and_result_writer() -> None:
    reader = get_object({"InputType": "CSV", "CSVHeaderLocation": "GIVEN"})
    assert _codes(distributed_map(reader)) == [
        ("SCHEMA_VALIDATION_FAILED", "/States/MapState/ItemReader/ReaderConfig")
    ]
    unknown = {"Resource": "arn:aws:states:::dynamodb:scan", "Parameters": {"TableName": "t"}}
    assert _codes(distributed_map(unknown)) == [
        ("SCHEMA_VALIDATION_FAILED", "/States/MapState/ItemReader/Resource")
    ]
    no_type = {**get_object({}), "ReaderConfig": {"CSVDelimiter": "TAB"}}
    assert _codes(distributed_map(no_type)) == [
        ("SCHEMA_VALIDATION_FAILED", "/States/MapState/ItemReader/ReaderConfig")
    ]
    too_many = get_object({"InputType": "JSON", "MaxItems": 100_000_001})
    assert _codes(distributed_map(too_many)) == [
        ("SCHEMA_VALIDATION_FAILED", "/States/MapState/ItemReader/ReaderConfig/MaxItems")
    ]
    inline = distributed_map(get_object({"InputType": "JSON"}))
    inline["States"]["MapState"]["ItemProcessor"]["ProcessorConfig"] = {"Mode": "INLINE"}
    assert _codes(inline) == [("SCHEMA_VALIDATION_FAILED", "/States/MapState/ItemReader")]
    for writer, where in [
        ({}, "/States/MapState/ResultWriter"),
        ({"Resource": "arn:aws:states:::s3:putObject"}, "/States/MapState/ResultWriter"),
        (
            {"Resource": "arn:aws:states:::s3:getObject", "Parameters": {"Bucket": "b"}},
            "/States/MapState/ResultWriter/Resource",
        ),
        (
            {"WriterConfig": {"OutputType": "CSV"}},
            "/States/MapState/ResultWriter/WriterConfig/OutputType",
        ),
    ]:
        definition = distributed_map(get_object({"InputType": "JSON"}), ResultWriter=writer)
        assert _codes(definition) == [("SCHEMA_VALIDATION_FAILED", where)], writer
    with pytest.raises(sfn.DefinitionError):
        sfn.run(distributed_map(unknown))


def test_line_separators_inside_values_stay(tmp_path: Path) -> None:
    body = json.dumps({"text": "a\u2028b"}, ensure_ascii=False) + "\r\n" + '{"text": "c"}'
    ex = run_reader(tmp_path, get_object({"InputType": "JSONL"}), body)
    assert ex.output == [{"text": "a\u2028b"}, {"text": "c"}]
    csv_body = 'k,v\n1,"two\nlines"\r\n2,x'
    config = {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"}
    ex = run_reader(tmp_path, get_object(config), csv_body)
    assert ex.output == [{"k": "1", "v": "two\nlines"}, {"k": "2", "v": "x"}]


def test_athena_data_manifest(tmp_path: Path) -> None:
    folder = tmp_path / "athena"
    (folder / "out").mkdir(parents=True)
    (folder / "out" / "part-1.jsonl").write_text('{"n": 1}\n')
    (folder / "out" / "part-2.jsonl").write_text('{"n": 2}\n{"n": 3}\n')
    (folder / "manifest.csv").write_text(
        "s3://athena/out/part-1.jsonl\ns3://athena/out/part-2.jsonl\n"
    )
    reader = {
        "ReaderConfig": {"ManifestType": "ATHENA_DATA", "InputType": "JSONL"},
        "Resource": "arn:aws:states:::s3:getObject",
        "Parameters": {"Bucket": "athena", "Key": "manifest.csv"},
    }
    ex = sfn.run(distributed_map(reader), {}, buckets={"athena": str(folder)})
    assert ex.output == [{"n": 1}, {"n": 2}, {"n": 3}]


def test_unknown_manifest_layout_fails_clearly(tmp_path: Path) -> None:
    config = {"InputType": "JSON", "ManifestType": "S3_INVENTORY"}
    ex = run_reader(tmp_path, get_object(config), "[]")
    assert (ex.status, ex.error) == ("FAILED", "States.ItemReaderFailed")
    assert "does not read ManifestType S3_INVENTORY with InputType JSON" in (ex.cause or "")


def test_engine_reads_buckets_without_importing_boto3() -> None:
    """boto3 stays behind the integrations layer: the engine's reader and writer never load it.
    (``botocore.exceptions`` alone is loaded by ``sfn_notebook.errors``: the Runtime's AWS-coded
    errors are botocore ``ClientError``s, as a boto3 client's are.)"""
    code = (
        "import sys, sfn_notebook.engine.items, sfn_notebook.engine.results,"
        " sfn_notebook.engine.concurrent, sfn_notebook.engine.mapstate;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'boto3', 'pyarrow'}"
        " or m in {'botocore.client', 'botocore.session', 'botocore.endpoint'}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_list_objects_v2_start_after_and_unsupported_options(tmp_path: Path) -> None:
    folder = tmp_path / "b"
    folder.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (folder / name).write_text(name)
    reader = {
        "Resource": "arn:aws:states:::s3:listObjectsV2",
        "Parameters": {"Bucket": "b", "StartAfter": "a.txt"},
    }
    ex = sfn.run(distributed_map(reader), {}, buckets={"b": str(folder)})
    assert [item["Key"] for item in ex.output] == ["b.txt", "c.txt"]
    reader["Parameters"] = {"Bucket": "b", "Delimiter": "/"}
    ex = sfn.run(distributed_map(reader), {}, buckets={"b": str(folder)})
    assert (ex.status, ex.error) == ("FAILED", "States.ItemReaderFailed")
    assert "Delimiter is not available for a local bucket" in (ex.cause or "")


def test_item_selector_failing_on_a_read_item_fails_the_execution(tmp_path: Path) -> None:
    body = '{"a": {"b": 1}}\n{"a": 2}\n'
    ex = run_reader(
        tmp_path,
        get_object({"InputType": "JSONL"}),
        body,
        ItemSelector={"b.$": "$$.Map.Item.Value.a.b"},
    )
    assert (ex.status, ex.error) == ("FAILED", "States.Runtime")
    assert "MapState" in (ex.cause or "")
