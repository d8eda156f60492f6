"""Files from graphs and executions: ``ex.graph().save(...)`` as SVG, PNG and DOT,
``ex.export_json(path)`` (DescribeExecution's fields and the history events), for local and
AWS executions, and the graph widget's JSON button over a mock comm."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from widget_comm import customs, from_browser, mock_comm  # noqa: F401 - the autouse fixture

import sfn_notebook as sfn
from sfn_notebook import testing
from sfn_notebook.errors import SfnNotebookError
from sfn_notebook.render import Graph
from sfn_notebook.render.export import execution_document
from sfn_notebook.render.svg import ExportError
from sfn_notebook.render.svgsafe import sanitize_svg

SVG = "{http://www.w3.org/2000/svg}"
CAUGHT = {
    "StartAt": "Try",
    "States": {
        "Try": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:boom",
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handle <b>"}],
            "Next": "Never",
        },
        "Never": {"Type": "Succeed"},
        "Handle <b>": {"Type": "Fail", "Error": "Broken", "Cause": "it broke"},
    },
}


def boom(event: Any, context: Any) -> Any:
    raise ValueError("no")


FUNCTIONS = {"boom": boom}


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_graph_saves_svg_png_and_dot(tmp_path: Path) -> None:
    ex = sfn.run(CAUGHT, {"x": 1}, execution_name="caught", functions=FUNCTIONS)
    graph = ex.graph()
    assert graph.title == "caught"

    svg = graph.save(tmp_path / "run.svg")
    text = svg.read_text()
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"')
    root = ET.fromstring(text)
    assert root.tag == f"{SVG}svg"
    # The colours of the run: Try caught an error (orange), the handler failed (red).
    fills = {g.get("id"): {s.get("fill") for s in g.iter() if s.get("fill")}
             for g in root.iter(f"{SVG}g") if "sfn-state" in (g.get("class") or "")}  # fmt: skip
    assert "#fdebc8" in fills["/States/Try"], fills
    assert "#fbdcd8" in fills["/States/Handle_x20_x3cb_x3e"], fills
    assert "#ffffff" in fills["/States/Never"], fills
    # Names stay text, and the file is what the shared sanitizer keeps.
    assert "Handle <b>" in [t.text for t in root.iter(f"{SVG}text")]
    body = text[text.index("<svg") :].rstrip("\n")
    assert sanitize_svg(body) == body

    small = _png_size(graph.save(tmp_path / "run.png", dpi=72).read_bytes())
    sharp = _png_size(graph.save(tmp_path / "sharp.PNG").read_bytes())
    assert sharp[0] == pytest.approx(2 * small[0], rel=0.05), (small, sharp)
    assert sharp[1] > sharp[0] > 100

    assert graph.save(tmp_path / "run.dot").read_text() == graph.dot


def test_saving_in_an_unknown_format_names_the_file(tmp_path: Path) -> None:
    graph = Graph({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}})
    with pytest.raises(ExportError, match=r"'\.pdf' \(a\.pdf\): use \.svg, \.png or \.dot"):
        graph.save(tmp_path / "a.pdf")
    assert issubclass(ExportError, SfnNotebookError)
    assert not (tmp_path / "a.pdf").exists()


def test_export_json_has_describe_execution_fields_and_the_history(tmp_path: Path) -> None:
    ex = sfn.run(CAUGHT, {"x": "é"}, execution_name="caught", functions=FUNCTIONS)
    path = tmp_path / "caught.json"
    text = ex.export_json(path)
    document = json.loads(path.read_text(encoding="utf-8"))
    assert json.loads(text) == document
    assert list(document) == [
        "executionArn", "stateMachineArn", "name", "status", "startDate", "stopDate",
        "input", "inputDetails", "error", "cause", "events",
    ]  # fmt: skip
    assert document["executionArn"] == ex.arn
    assert document["stateMachineArn"] == ex.state_machine_arn
    assert (document["name"], document["status"]) == ("caught", "FAILED")
    assert (document["error"], document["cause"]) == ("Broken", "it broke")
    assert json.loads(document["input"]) == {"x": "é"}
    assert "é" in text  # UTF-8, not \\u escapes
    assert document["startDate"] == ex.start_date.isoformat()
    assert document["stopDate"] == ex.stop_date.isoformat()
    # The events are GetExecutionHistory's, timestamps as ISO 8601 text.
    assert [e["type"] for e in document["events"]] == [e["type"] for e in ex.history]
    assert [e["id"] for e in document["events"]] == list(range(1, len(ex.history) + 1))
    assert document["events"][0]["timestamp"] == ex.history[0]["timestamp"].isoformat()
    # It reads back as a history (the testing helpers take {"events": [...]}).
    assert testing.path(document) == ["Try", "Handle <b>"]
    testing.assert_status(document, "FAILED")


def test_a_succeeded_export_has_the_output_and_events_alone_give_a_running_one() -> None:
    ex = sfn.run({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}, [1, 2])
    document = execution_document(ex)
    assert (document["status"], document["output"], document["outputDetails"]) == (
        "SUCCEEDED", "[1,2]", {"included": True},
    )  # fmt: skip
    running = execution_document(ex.history[:2])
    assert running["status"] == "RUNNING" and "stopDate" not in running
    assert "executionArn" not in running  # not in the events: not invented
    assert len(running["events"]) == 2


def test_the_graph_widgets_json_button_gets_the_execution_or_the_definition() -> None:
    from sfn_notebook.notebook.widgets import ExecutionGraph, ExecutionView

    ex = sfn.run(CAUGHT, execution_name="caught-1", functions=FUNCTIONS)
    view = ExecutionView(ex)
    from_browser(view.graph, {"type": "export"})
    reply = customs(view.graph)[-1]
    assert reply["type"] == "export" and reply["filename"] == "caught-1.json"
    assert json.loads(reply["json"]) == json.loads(ex.export_json())

    alone = ExecutionGraph(definition=sfn.parse(CAUGHT), name="orders")
    from_browser(alone, {"type": "export"})
    reply = customs(alone)[-1]
    assert reply["filename"] == "orders.asl.json"
    assert json.loads(reply["json"]) == CAUGHT


def test_an_aws_execution_exports_its_describe_execution(
    aws: Any, role: Any, tmp_path: Path
) -> None:
    definition = {
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Result": {"ok": True}, "End": True}},
    }
    arn = aws.create_state_machine(
        name="exported", definition=json.dumps(definition), roleArn=role
    )["stateMachineArn"]
    remote = aws.start(arn, {"n": 1}).wait(20)
    document = json.loads(remote.export_json(tmp_path / "remote.json"))
    described = remote.describe()
    assert document["executionArn"] == described["executionArn"] == remote.arn
    assert document["status"] == "SUCCEEDED" and json.loads(document["output"]) == {"ok": True}
    assert [e["type"] for e in document["events"]][-1] == "ExecutionSucceeded"
    assert (tmp_path / "remote.json").exists()
    assert remote.graph().save(tmp_path / "remote.png").read_bytes()[:4] == b"\x89PNG"
