"""TestState on a Distributed Map with an ItemReader: ``stateConfiguration.mapItemReaderData``.

The first case is AWS's own response, recorded by LocalStack's AWS-validated snapshot
(tests/aws/services/stepfunctions/v2/test_state/test_state_configuration.py::
test_state_machine_configuration_map_iteration_item_reader, Apache-2.0): the bucket and key do
not exist, the data given stands for the object, and the mock for the child executions.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import sfn_notebook as sfn
from sfn_notebook.integrations.teststate import TestStateValidationError
from sfn_notebook.runtime.runtime import Runtime

ROLE = "arn:aws:iam::111111111111:role/sfn-role"
READER_MACHINE = {  # map_item_reader_state_machine.json5
    "QueryLanguage": "JSONata",
    "StartAt": "State0",
    "States": {
        "State0": {
            "Type": "Map",
            "MaxConcurrency": 1,
            "ItemReader": {
                "ReaderConfig": {"InputType": "JSON"},
                "Resource": "arn:aws:states:::s3:getObject",
                "Arguments": {
                    "Bucket": "{% $states.input.Bucket %}",
                    "Key": "{% $states.input.Key %}",
                },
            },
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "HandleItem",
                "States": {"HandleItem": {"Type": "Pass", "End": True}},
            },
            "End": True,
        }
    },
}
WHERE = json.dumps({"Bucket": "test-bucket", "Key": "test-key"})


def _csv_map(**extra: Any) -> dict[str, Any]:
    return {
        "Type": "Map",
        "ItemReader": {
            "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
            "Resource": "arn:aws:states:::s3:getObject",
            "Parameters": {"Bucket": "orders", "Key.$": "$.key"},
        },
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
            "StartAt": "Handle",
            "States": {"Handle": {"Type": "Pass", "End": True}},
        },
        "End": True,
        **extra,
    }


CSV = "id,qty\na-1,2\na-2,5\na-3,1\n"


@pytest.mark.parametrize("level", ["INFO", "DEBUG", "TRACE"])
def test_reader_data_stands_for_the_object(level: str) -> None:
    response = sfn.test_state(
        json.dumps(READER_MACHINE),
        stateName="State0",
        roleArn=ROLE,
        input=WHERE,
        inspectionLevel=level,
        stateConfiguration={"mapItemReaderData": json.dumps([1, 2, 3])},
        mock={"result": json.dumps([1, 4, 9])},
    )
    expected: dict[str, Any] = {"output": [1, 4, 9], "status": "SUCCEEDED"}
    if level != "INFO":
        expected["inspectionData"] = {"input": json.loads(WHERE), "maxConcurrency": 1}
    assert _parsed(response) == expected


def _parsed(value: Any) -> Any:
    """The response with its JSON texts parsed (AWS's spacing differs from ours)."""
    if isinstance(value, dict):
        return {key: _parsed(item) for key, item in value.items()}
    return json.loads(value) if isinstance(value, str) and value[:1] in "[{" else value


def test_reader_data_with_a_mocked_error_fails_with_it() -> None:
    # The same snapshot's test_state_machine_configuration_item_reader_with_error (DEBUG).
    for failures in (0, 2):
        response = sfn.test_state(
            json.dumps(READER_MACHINE),
            stateName="State0",
            roleArn=ROLE,
            input=WHERE,
            stateConfiguration={
                "mapIterationFailureCount": failures,
                "errorCausedByState": "HandleItem",
                "mapItemReaderData": json.dumps([1, 2, 3]),
            },
            mock={"errorOutput": {"error": "MockException", "cause": "Mock the error cause."}},
        )
        assert (response["status"], response["error"], response["cause"]) == (
            "FAILED",
            "MockException",
            "Mock the error cause.",
        )
        assert json.loads(response["inspectionData"]["input"]) == json.loads(WHERE)


def test_csv_rows_go_through_item_selector_and_item_batcher() -> None:
    definition = _csv_map(
        ItemSelector={"order.$": "$$.Map.Item.Value.id", "index.$": "$$.Map.Item.Index"},
        ItemBatcher={"MaxItemsPerBatch": 2, "BatchInput": {"run": "r-1"}},
    )
    response = sfn.test_state(
        definition,
        input=json.dumps({"key": "in/orders.csv"}),
        stateConfiguration={"mapItemReaderData": CSV},
        mock={"result": "[[1, 2], [3]]"},
    )
    assert response["status"] == "SUCCEEDED"
    stages = response["inspectionData"]
    selected = [
        {"order": "a-1", "index": 0},
        {"order": "a-2", "index": 1},
        {"order": "a-3", "index": 2},
    ]
    assert json.loads(stages["afterItemSelector"]) == selected
    assert json.loads(stages["afterItemBatcher"]) == [
        {"BatchInput": {"run": "r-1"}, "Items": selected[:2]},
        {"BatchInput": {"run": "r-1"}, "Items": selected[2:]},
    ]
    assert json.loads(response["output"]) == [[1, 2], [3]]


def test_jsonl_data_and_max_items() -> None:
    definition = _csv_map(ItemSelector={"v.$": "$$.Map.Item.Value"})
    definition["ItemReader"]["ReaderConfig"] = {"InputType": "JSONL", "MaxItems": 2}
    response = sfn.test_state(
        definition,
        input=json.dumps({"key": "a.jsonl"}),
        stateConfiguration={"mapItemReaderData": '{"a": 1}\n{"a": 2}\n{"a": 3}\n'},
        mock={"result": "[]"},
    )
    assert json.loads(response["inspectionData"]["afterItemSelector"]) == [
        {"v": {"a": 1}},
        {"v": {"a": 2}},
    ]


def test_data_that_does_not_parse_fails_the_reader_and_a_catch_takes_it() -> None:
    definition = _csv_map(Catch=[{"ErrorEquals": ["States.ItemReaderFailed"], "Next": "Handled"}])
    definition["ItemReader"]["ReaderConfig"] = {"InputType": "JSON"}
    definition.pop("End")
    definition["Next"] = "Done"
    response = sfn.test_state(
        definition,
        input=json.dumps({"key": "a.json"}),
        stateConfiguration={"mapItemReaderData": "[1, 2"},
        mock={"result": "[]"},
    )
    assert response["status"] == "CAUGHT_ERROR"
    assert response["nextState"] == "Handled"
    assert json.loads(response["output"])["Error"] == "States.ItemReaderFailed"
    assert response["inspectionData"]["errorDetails"] == {"catchIndex": 0}


def test_without_data_the_reader_reads_the_runtime_buckets(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "orders.csv").write_text(CSV)
    rt = Runtime(clock="virtual", buckets={"orders": str(tmp_path)})
    try:
        response = rt.test_state(
            definition=json.dumps(_csv_map(ItemSelector={"id.$": "$$.Map.Item.Value.id"})),
            roleArn=ROLE,
            input=json.dumps({"key": "in/orders.csv"}),
            inspectionLevel="DEBUG",
            mock={"result": "[]"},
        )
        assert json.loads(response["inspectionData"]["afterItemSelector"]) == [
            {"id": "a-1"},
            {"id": "a-2"},
            {"id": "a-3"},
        ]
        missing = rt.test_state(
            definition=json.dumps(_csv_map()),
            roleArn=ROLE,
            input=json.dumps({"key": "in/none.csv"}),
            mock={"result": "[]"},
        )
        assert (missing["status"], missing["error"]) == ("FAILED", "States.ItemReaderFailed")
        assert "NoSuchKey" in missing["cause"]
    finally:
        rt.close()


@pytest.mark.parametrize(
    ("definition", "data", "problem"),
    [
        (_csv_map(), 7, "must be a string"),
        (_csv_map(), "x" * 262_145, "less than or equal to 262144"),
        ({**_csv_map(), "ItemReader": None}, "[]", "only for a Map state with an ItemReader"),
        (
            {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True},
            "[]",
            "only for a Map state with an ItemReader",
        ),
        (
            {
                **_csv_map(),
                "ItemReader": {
                    "Resource": "arn:aws:states:::s3:listObjectsV2",
                    "Parameters": {"Bucket": "orders"},
                },
            },
            "[]",
            "reads listObjectsV2",
        ),
    ],
)
def test_reader_data_refused(definition: dict[str, Any], data: Any, problem: str) -> None:
    definition = {k: v for k, v in definition.items() if v is not None}
    with pytest.raises(TestStateValidationError, match=problem):
        sfn.test_state(
            definition,
            stateConfiguration={"mapItemReaderData": data},
            mock={"result": "[]"},
        )
