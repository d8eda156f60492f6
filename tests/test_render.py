"""render/: exact DOT, labels, escaping, SVG through graphviz, the timeline and static HTML."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import datetime, timezone

import pytest

import sfn_notebook as sfn
from sfn_notebook import render
from sfn_notebook.render import ExecutionReport, Graph, state_attempts, to_dot, to_svg
from sfn_notebook.render.labels import condition_text, resource_text, rule_text
from sfn_notebook.render.timeline import timeline_rows, timeline_svg

START = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
WORK = "arn:aws:lambda:us-east-1:123456789012:function:work"

NESTED = {
    "StartAt": "Fan",
    "States": {
        "Fan": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "Left", "States": {"Left": {"Type": "Pass", "End": True}}},
                {
                    "StartAt": "Each",
                    "States": {
                        "Each": {
                            "Type": "Map",
                            "ItemProcessor": {
                                "StartAt": "Work",
                                "States": {"Work": {"Type": "Task", "Resource": WORK, "End": True}},
                            },
                            "End": True,
                        }
                    },
                },
            ],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Oops"}],
            "Next": "Done",
        },
        "Done": {"Type": "Succeed"},
        "Oops": {"Type": "Fail", "Error": "Broken"},
    },
}

NESTED_DOT = r"""digraph "state machine" {
  graph [rankdir=TB, nodesep=0.3, ranksep=0.35, pad=0.15, bgcolor="#ffffff", fontname="Helvetica", fontsize=10, tooltip=" "];
  node [fontname="Helvetica", fontsize=10, fontcolor="#16191f", margin="0.14,0.05", height=0.3, penwidth=1.2];
  edge [fontname="Helvetica", fontsize=9, color="#879196", fontcolor="#414d5c", arrowsize=0.6];
  "start:" [id="start:", class="sfn-marker", label="Start", shape=circle, style=filled, fillcolor="#414d5c", color="#414d5c", fontcolor="#ffffff", fontsize=8, width=0.45, fixedsize=true];
  subgraph "cluster:/States/Fan" {
    id="cluster:/States/Fan"; label=""; style="rounded,dashed"; color="#879196";
    "/States/Fan" [id="/States/Fan", class="sfn-state sfn-Parallel", label="Fan\nParallel", tooltip="Fan (Parallel)", shape=box, style="rounded,filled,bold", fillcolor="#ffffff", color="#879196"];
    subgraph "cluster:/States/Fan/Branches/0" {
      id="cluster:/States/Fan/Branches/0"; label=""; style="rounded,dotted"; color="#879196";
      "/States/Fan/Branches/0/States/Left" [id="/States/Fan/Branches/0/States/Left", class="sfn-state sfn-Pass", label="Left\nPass", tooltip="Left (Pass)", shape=box, style="rounded,filled,dashed", fillcolor="#d8f0d5", color="#1d8102"];
    }
    subgraph "cluster:/States/Fan/Branches/1" {
      id="cluster:/States/Fan/Branches/1"; label=""; style="rounded,dotted"; color="#879196";
      subgraph "cluster:/States/Fan/Branches/1/States/Each" {
        id="cluster:/States/Fan/Branches/1/States/Each"; label=""; style="rounded,dashed"; color="#879196";
        "/States/Fan/Branches/1/States/Each" [id="/States/Fan/Branches/1/States/Each", class="sfn-state sfn-Map", label="Each\nMap · 2 ok · 1 failed", tooltip="Each (Map)", shape=box, style="rounded,filled,bold", fillcolor="#ffffff", color="#879196"];
        subgraph "cluster:/States/Fan/Branches/1/States/Each/ItemProcessor" {
          id="cluster:/States/Fan/Branches/1/States/Each/ItemProcessor"; label=""; style="rounded,dotted"; color="#879196";
          "/States/Fan/Branches/1/States/Each/ItemProcessor/States/Work" [id="/States/Fan/Branches/1/States/Each/ItemProcessor/States/Work", class="sfn-state sfn-Task", label="Work\nLambda: work", tooltip="Work (Task)", shape=box, style="rounded,filled", fillcolor="#fbdcd8", color="#d91515"];
        }
        "join:/States/Fan/Branches/1/States/Each" [id="join:/States/Fan/Branches/1/States/Each", class="sfn-join", label="", shape=point, width=0.08, color="#879196"];
      }
    }
    "join:/States/Fan" [id="join:/States/Fan", class="sfn-join", label="", shape=point, width=0.08, color="#879196"];
  }
  "/States/Done" [id="/States/Done", class="sfn-state sfn-Succeed", label="Done\nSucceed", tooltip="Done (Succeed)", shape=ellipse, style=filled, fillcolor="#ffffff", color="#879196"];
  "/States/Oops" [id="/States/Oops", class="sfn-state sfn-Fail", label="Oops\nFail: Broken", tooltip="Oops (Fail)", shape=box, style="filled,diagonals", fillcolor="#ffffff", color="#879196"];
  "end:" [id="end:", class="sfn-marker", label="End", shape=doublecircle, style=filled, fillcolor="#414d5c", color="#414d5c", fontcolor="#ffffff", fontsize=8, width=0.4, fixedsize=true];
  "start:" -> "/States/Fan";
  "/States/Fan" -> "/States/Fan/Branches/0/States/Left";
  "/States/Fan/Branches/0/States/Left" -> "join:/States/Fan";
  "/States/Fan" -> "/States/Fan/Branches/1/States/Each";
  "/States/Fan/Branches/1/States/Each" -> "/States/Fan/Branches/1/States/Each/ItemProcessor/States/Work";
  "/States/Fan/Branches/1/States/Each/ItemProcessor/States/Work" -> "join:/States/Fan/Branches/1/States/Each";
  "join:/States/Fan/Branches/1/States/Each" -> "join:/States/Fan";
  "join:/States/Fan" -> "/States/Done";
  "join:/States/Fan" -> "/States/Oops" [label="States.ALL", class="sfn-catch", style=dashed, color="#c46c00", fontcolor="#c46c00", minlen=2];
  "/States/Done" -> "end:";
  "/States/Oops" -> "end:";
}
"""  # noqa: E501 - DOT lines are compared whole

EVIL = "<img src=x onerror=alert(1)>"


def test_dot_of_nested_parallel_map_and_catch_is_exact() -> None:
    dot = to_dot(
        NESTED,
        {
            "Left": "SUCCEEDED",  # by name
            "/States/Fan/Branches/1/States/Each/ItemProcessor/States/Work": "FAILED",  # by pointer
        },
        counts={"Each": (2, 1, 0)},
    )
    assert dot == NESTED_DOT


def test_dot_is_deterministic_and_uses_six_digit_colours() -> None:
    statuses = {"Fan": "RUNNING", "Left": "CAUGHT_ERROR", "Done": "IN_PROGRESS", "Oops": "ABORTED"}
    first = to_dot(NESTED, statuses)
    assert first == to_dot(sfn.parse(NESTED), dict(reversed(statuses.items())))
    colours = re.findall(r"#[0-9A-Fa-f]+\b", first)
    assert colours and all(len(c) == 7 for c in colours)
    assert 'fillcolor="#d3e5fb"' in first  # RUNNING, and IN_PROGRESS is its alias
    assert 'fillcolor="#e9ebed"' in first  # ABORTED drawn as cancelled


def test_live_graphs_keep_room_in_map_headers_for_iteration_counts() -> None:
    plain, reserved = to_dot(NESTED), to_dot(NESTED, reserve=True)
    assert 'label="Each\\nMap"' in plain
    assert 'label="Each\\n' + "\u00a0" * 15 + "Map" + "\u00a0" * 16 + '"' in reserved
    assert to_dot(NESTED, counts={"Each": (1, 0, 0)}, reserve=True).count("\u00a0") == 0


def test_choice_rules_default_and_jsonata_conditions_are_labelled() -> None:
    jsonpath = {
        "StartAt": "C",
        "States": {
            "C": {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$.kind", "StringEquals": "big", "Next": "A"},
                    {
                        "Or": [
                            {"Variable": "$.n", "NumericGreaterThanEqualsPath": "$.limit"},
                            {"Not": {"Variable": "$.flag", "IsPresent": True}},
                        ],
                        "Next": "B",
                    },
                ],
                "Default": "B",
            },
            "A": {"Type": "Succeed"},
            "B": {"Type": "Succeed"},
        },
    }
    dot = to_dot(jsonpath)
    assert '"/States/C" -> "/States/A" [label="$.kind == &quot;big&quot;"];' in dot
    assert (
        '"/States/C" -> "/States/B" [label="$.n &gt;= $.limit or not ($.flag is present)"];'
    ) in dot
    assert '"/States/C" -> "/States/B" [label="Default"];' in dot
    jsonata = {
        "QueryLanguage": "JSONata",
        "StartAt": "C",
        "States": {
            "C": {
                "Type": "Choice",
                "Choices": [
                    {"Condition": "{% $states.input.n   >\n 10 %}", "Next": "A"},
                    {"Condition": "{% $count($states.input.items) = 0 %}", "Next": "A"},
                ],
                "Default": "A",
            },
            "A": {"Type": "Succeed"},
        },
    }
    dot = to_dot(jsonata)
    assert '[label="$states.input.n &gt; 10"]' in dot
    assert '[label="$count($states.input.items) = 0"]' in dot


def test_label_helpers() -> None:
    assert rule_text({"Variable": "$.t", "TimestampLessThan": "2024-01-01T00:00:00Z"}) == (
        '$.t < "2024-01-01T00:00:00Z"'
    )
    assert rule_text({"Variable": "$.s", "StringMatches": "log-*.txt"}) == '$.s matches "log-*.txt"'
    assert rule_text({"Variable": "$.x", "IsNull": False}) == "$.x is not null"
    assert len(rule_text({"Variable": "$." + "a" * 80, "IsNull": True})) == 48
    assert condition_text(False) == "false"
    assert resource_text("arn:aws:states:::aws-sdk:s3:getObject") == "S3: GetObject"
    assert resource_text("arn:aws:states:::sns:publish") == "SNS: Publish"
    assert resource_text(None) == "Task"


def test_node_ids_come_from_pointers() -> None:
    odd = {"StartAt": 'a/b "c"', "States": {'a/b "c"': {"Type": "Pass", "End": True}}}
    dot = to_dot(odd)
    assert render.node_id('/States/a~1b "c"') == "/States/a~1b_x20_x22c_x22"
    assert '"/States/a~1b_x20_x22c_x22" [id="/States/a~1b_x20_x22c_x22"' in dot
    assert 'label="a/b &quot;c&quot;\\nPass"' in dot


def _evil_definition() -> dict:
    return {
        "StartAt": EVIL,
        "States": {
            EVIL: {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:evil",
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "</svg><script>x</script>"}],
                "End": True,
            },
            "</svg><script>x</script>": {"Type": "Fail", "Error": "<b>&amp;</b>"},
        },
    }


def test_a_state_named_like_html_renders_as_text_everywhere() -> None:
    definition = sfn.parse(_evil_definition())

    def evil(event, context):
        raise RuntimeError("<script>alert('cause')</script>")

    ex = sfn.run(definition, {"html": "<img src=y>"}, functions={"evil": evil}, start_time=START)
    assert ex.status == "FAILED"
    dot = to_dot(definition, {EVIL: "FAILED"})
    assert "<img" not in dot and "<script" not in dot
    assert "&lt;img src=x onerror=alert(1)&gt;" in dot
    svg = to_svg(dot)
    report = ExecutionReport(ex.history, definition, name="evil")
    rows = report.rows
    outputs = {
        "svg": svg,
        "timeline": timeline_svg(rows),
        "html": report.html(),
        "graph-html": Graph(definition)._repr_mimebundle_()["text/html"],
    }
    for where, text in outputs.items():
        assert "<img" not in text, where
        assert "<script" not in text, where
        assert "<b>" not in text, where
    # The SVGs are well-formed XML whose only elements are SVG's own; the name is text in them.
    for text in (svg, outputs["timeline"]):
        root = ET.fromstring(text)
        tags = {el.tag.split("}")[-1] for el in root.iter()}
        assert tags <= {
            "svg",
            "g",
            "title",
            "path",
            "polygon",
            "ellipse",
            "text",
            "a",
            "rect",
            "line",
            "polyline",
        }, tags
        assert EVIL in "".join(root.itertext())
    assert "&lt;img src=x onerror=alert(1)&gt;" in outputs["html"]


def test_svg_renders_through_graphviz_pure_when_there_is_no_dot(monkeypatch) -> None:
    pure = render.svg._find_dot()  # system dot or graphviz-pure, whichever this machine has
    monkeypatch.setenv("SFN_NOTEBOOK_DOT", pure)
    svg = to_svg(to_dot(NESTED))
    assert svg.startswith("<svg")
    assert 'id="/States/Fan/Branches/1/States/Each/ItemProcessor/States/Work"' in svg
    monkeypatch.setenv("SFN_NOTEBOOK_DOT", "/nonexistent/dot")
    with pytest.raises(render.RenderError):
        to_svg("digraph { changed }")


def test_graph_object_displays_svg_html_text_and_the_graph_mime_type() -> None:
    bundle = Graph(NESTED, title="nested")._repr_mimebundle_()
    assert bundle["image/svg+xml"].startswith("<svg")
    assert bundle["image/svg+xml"] in bundle["text/html"]
    assert bundle[render.GRAPH_MIME_TYPE] == {
        "dot": to_dot(NESTED, title="nested"),
        "title": "nested",
    }
    assert bundle["text/plain"] == "<Graph nested: 6 states>"


def test_timeline_rows_place_attempts_retries_and_iterations_in_virtual_time() -> None:
    calls = {"n": 0}

    def flaky(event, context):
        calls["n"] += 1
        if calls["n"] < 3:
            raise ValueError("not yet")
        return event

    definition = {
        "StartAt": "Fetch",
        "States": {
            "Fetch": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:flaky",
                "Retry": [{"ErrorEquals": ["ValueError"], "IntervalSeconds": 2}],
                "Next": "Each",
            },
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemProcessor": {
                    "StartAt": "Nap",
                    "States": {"Nap": {"Type": "Wait", "Seconds": 1, "End": True}},
                },
                "End": True,
            },
        },
    }
    ex = sfn.run(definition, {"items": [1, 2]}, functions={"flaky": flaky}, start_time=START)
    rows = timeline_rows(state_attempts(ex.history, sfn.parse(definition)), START)
    # Task functions take real time even on the virtual clock: compare times to within 250 ms.
    ms = pytest.approx
    summary = [(r["key"], r["parent"], r["label"], r["start"], r["end"]) for r in rows]
    assert summary == [
        ("v2", None, "Fetch", 0, ms(6000, abs=250)),
        ("v13", None, "Each", ms(6000, abs=250), ms(7000, abs=250)),
        ("i13.0", "v13", "#0", ms(6000, abs=250), ms(7000, abs=250)),
        ("v16", "i13.0", "Nap", ms(6000, abs=250), ms(7000, abs=250)),
        ("i13.1", "v13", "#1", ms(6000, abs=250), ms(7000, abs=250)),
        ("v18", "i13.1", "Nap", ms(6000, abs=250), ms(7000, abs=250)),
    ]
    assert rows[0]["attempts"] == [
        [0, ms(0, abs=250), "FAILED", "ValueError"],
        [ms(2000, abs=250), ms(2000, abs=250), "FAILED", "ValueError"],
        [ms(6000, abs=250), ms(6000, abs=250), "SUCCEEDED", None],
    ]
    assert rows[0]["node"] == "/States/Fetch"
    svg = timeline_svg(rows, 7000.0)
    gaps = [float(g) for g in re.findall(r"<title>backoff ([\d.]+) s</title>", svg)]
    assert gaps == [ms(2, abs=0.25), ms(4, abs=0.25)]
    assert "Fetch ×3" in svg  # noqa: RUF001 - the times sign is what the label shows


def test_static_timeline_folds_big_maps_but_keeps_failed_iterations() -> None:
    def item(event, context):
        if event == 17:
            raise KeyError("seventeen")
        return event

    definition = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ToleratedFailureCount": 1,
                "ItemProcessor": {
                    "StartAt": "Work",
                    "States": {
                        "Work": {
                            "Type": "Task",
                            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:item",
                            "End": True,
                        }
                    },
                },
                "End": True,
            }
        },
    }
    ex = sfn.run(definition, list(range(40)), functions={"item": item})
    report = ExecutionReport(ex.history, sfn.parse(definition), name="big")
    svg = report.timeline_svg()
    assert "… 29 more iterations" in svg
    assert ">#17<" in svg
    assert report.counts == {"/States/Each": (39, 1, 0)}


def test_report_header_text_and_event_table() -> None:
    ex = sfn.run(NESTED, [], functions={"work": lambda e, c: e}, start_time=START)
    report = ExecutionReport(ex.history, sfn.parse(NESTED), name="run-1")
    assert report.header == {
        "name": "run-1",
        "status": "SUCCEEDED",
        "duration": 0.0,
        "done": 4,
        "total": 6,
        "events": len(ex.history),
        "ticking": False,
    }
    assert report.text().startswith("<Execution run-1 SUCCEEDED in 0 ms: 4 states run, 2 not taken")
    table = report.events_html(max_events=4)
    assert "more events" in table and "ExecutionSucceeded" in table


def test_render_does_not_import_notebook_libraries() -> None:
    code = (
        "import sys, sfn_notebook.render, sfn_notebook.render.html;"
        "bad = {'IPython', 'ipywidgets', 'anywidget', 'pandas', 'graphviz'} & set(sys.modules);"
        "print(sorted(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _points(element: ET.Element) -> list[tuple[float, float]]:
    pairs = re.findall(r"-?\d+\.?\d*,-?\d+\.?\d*", element.get("d", ""))
    text = element.get("points") or " ".join(pairs)
    return [(float(x), float(y)) for x, y in (p.split(",") for p in text.split())]


BRANCHY = {
    "StartAt": "P",
    "States": {
        "P": {
            "Type": "Parallel",
            "Branches": [
                {
                    "StartAt": "C",
                    "States": {
                        "C": {
                            "Type": "Choice",
                            "Choices": [{"Variable": "$.x", "NumericGreaterThan": 3, "Next": "T"}],
                            "Default": "F",
                        },
                        "T": {
                            "Type": "Task",
                            "Resource": "arn:aws:states:::sqs:sendMessage",
                            "End": True,
                        },
                        "F": {"Type": "Fail", "Error": "TooSmallError"},
                    },
                },
                {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3, "End": True}}},
            ],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Oops"}],
            "Next": "Done",
        },
        "Oops": {"Type": "Fail", "Error": "BranchFailed"},
        "Done": {"Type": "Succeed"},
    },
}


def test_catch_label_of_a_container_lies_outside_it_and_fail_states_stay_compact() -> None:
    svg = ET.fromstring(to_svg(to_dot(BRANCHY)))
    ns = "{http://www.w3.org/2000/svg}"
    groups = {g.get("id"): g for g in svg.iter(f"{ns}g")}
    border = [
        pt for shape in groups["cluster:/States/P"].iter(f"{ns}path") for pt in _points(shape)
    ]
    bottom = max(y for _, y in border)
    edge = next(g for g in groups.values() if g.get("class") == "edge sfn-catch")
    label = next(edge.iter(f"{ns}text"))
    # The label's top (baseline minus its 9 pt font) is well clear of the Parallel's border.
    assert float(label.get("y", "0")) - 9 > bottom + 12, (label.get("y"), bottom)
    fail = groups["/States/Oops"]
    xs = [x for x, _ in _points(next(fail.iter(f"{ns}polygon")))]
    text = max(len(t.text or "") for t in fail.iter(f"{ns}text"))
    # "Fail: BranchFailed" at 10 pt: about 5 pt a character plus margins, not a wide octagon.
    assert max(xs) - min(xs) < text * 6 + 30, (max(xs) - min(xs), text)
