"""The SVG sanitizer and the DOT the browser lays out, checked against what the browser side does.

``tests/fixtures/svg_sanitize.json`` holds sanitizer cases that this module and
``labextension/test/svgsafe.test.ts`` both run; ``tests/fixtures/graph_dot.json`` holds DOT our
renderers write, which ``labextension/test/dotguard.test.ts`` checks the browser's attribute guard
lets through untouched. Regenerate the latter with ``PYTHONPATH=. python tests/test_svgsafe.py``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

import sfn_notebook as sfn
from sfn_notebook.labext.graph import document_dot, fallback_dot
from sfn_notebook.render import Graph, to_dot
from sfn_notebook.render.svg import RenderError, _render, find_dot
from sfn_notebook.render.svgsafe import (
    SVG_ATTRIBUTES,
    SVG_ELEMENTS,
    SvgError,
    parse_safe_svg,
    sanitize_svg,
    svg_tree,
)

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
CASES = json.loads((FIXTURES / "svg_sanitize.json").read_text())["cases"]
TS_SOURCE = ROOT / "labextension" / "src" / "svgsafe.ts"


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_sanitizer_cases_shared_with_the_browser(case: dict[str, Any]) -> None:
    if case["expect"] is None:
        with pytest.raises(SvgError):
            parse_safe_svg(case["svg"])
    else:
        assert svg_tree(parse_safe_svg(case["svg"])) == case["expect"]


def ts_set(name: str) -> set[str]:
    found = re.search(
        rf"export const {name}[^=]*= new Set\(\[(.*?)\]\);", TS_SOURCE.read_text(), re.S
    )
    assert found, name
    return set(re.findall(r"'([^']+)'", found.group(1)))


def test_allowlists_are_the_browsers() -> None:
    assert ts_set("SVG_ELEMENTS") == SVG_ELEMENTS
    assert ts_set("SVG_ATTRIBUTES") == SVG_ATTRIBUTES


def test_sanitized_text_reparses_to_the_same_tree() -> None:
    for case in CASES:
        if case["expect"] is not None:
            again = parse_safe_svg(sanitize_svg(case["svg"]))
            assert svg_tree(again) == case["expect"], case["name"]


HOSTILE_DOT = (
    'digraph { stylesheet="x.css\\"?><meta http-equiv=\\"refresh\\" content=\\"0\\"/><x a=\\""; '
    'a [fontname="Helvetica\\" style=\\"background:url(http://127.0.0.1:9/beacon)", '
    'URL="javascript:alert(1)"]; '
    'b [fontname="Helvetica\\"><meta xmlns=\\"http://www.w3.org/1999/xhtml\\" '
    'http-equiv=\\"refresh\\" content=\\"0\\"/></text><text x=\\""]; a -> b; }'
)


def test_graphviz_output_for_hostile_attributes_comes_out_inert() -> None:
    # Graphviz writes fontname and stylesheet unescaped; what reaches HTML outputs is rebuilt.
    svg = _render(find_dot(), HOSTILE_DOT)
    assert svg.startswith("<svg")
    for needle in ("meta", "url(", "javascript:", "stylesheet", "style="):
        assert needle not in svg, needle
    assert re.findall(r">([^<>]+)</text>", svg) == ["a", "b"]


def test_graph_outputs_keep_their_drawing_and_escape_names() -> None:
    evil = "<img src=x onerror=alert(1)>"
    graph = Graph({"StartAt": evil, "States": {evil: {"Type": "Succeed"}}}, title="t")
    bundle = graph._repr_mimebundle_()
    svg = bundle["image/svg+xml"]
    assert "&lt;img src=x onerror=alert(1)&gt;" in svg and "<img" not in svg
    tree = svg_tree(parse_safe_svg(svg))
    assert tree[0] == "svg" and tree[1]["viewBox"]
    assert 'class="node sfn-state sfn-Succeed"' in svg
    assert bundle["text/html"] == f'<div class="sfn-graph">{svg}</div>'


def test_unusable_graphviz_output_is_a_render_error(tmp_path: Path) -> None:
    fake = tmp_path / "dot"
    fake.write_text("#!/bin/sh\ncat >/dev/null\necho '<html><body>no svg</body></html>'\n")
    fake.chmod(0o755)
    with pytest.raises(RenderError, match="no usable SVG"):
        _render(str(fake), "digraph { a }")


# ------------------------------------------------------------------------------------------------
# DOT our renderers write, for the browser's attribute guard

EVERY_STATE = {
    "StartAt": "Validate <b>",
    "States": {
        "Validate <b>": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:validate",
            "Retry": [{"ErrorEquals": ["States.TaskFailed"], "MaxAttempts": 2}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Rejected"}],
            "Next": 'In "stock"?',
        },
        'In "stock"?': {
            "Type": "Choice",
            "Choices": [{"Variable": "$.inStock", "BooleanEquals": True, "Next": "Charge"}],
            "Default": "Backorder",
        },
        "Backorder": {"Type": "Wait", "Seconds": 60, "Next": "Charge"},
        "Charge": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "Card", "States": {"Card": {"Type": "Pass", "End": True}}},
                {"StartAt": "Points", "States": {"Points": {"Type": "Pass", "End": True}}},
            ],
            "Next": "Ship",
        },
        "Ship": {
            "Type": "Map",
            "ItemProcessor": {
                "StartAt": "One",
                "States": {"One": {"Type": "Pass", "End": True}},
            },
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Rejected"}],
            "Next": "Done",
        },
        "Rejected": {"Type": "Fail", "Error": "Rejected"},
        "Done": {"Type": "Succeed"},
    },
}


def dot_samples() -> dict[str, str]:
    """DOT text from each of our DOT writers, every state type and status included."""
    draft = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}}
    return {
        "to_dot": to_dot(
            EVERY_STATE,
            {"Validate <b>": "SUCCEEDED", "Charge": "RUNNING", "Rejected": "FAILED"},
            counts={"Ship": (3, 1, 2)},
            title="every state",
            reserve=True,
        ),
        "draft": document_dot(draft, "draft"),
        "fallback": fallback_dot(
            {**EVERY_STATE, "States": {**EVERY_STATE["States"], "Odd": {"Next": "Gone"}}}, "raw"
        ),
    }


def test_dot_fixture_is_what_the_renderers_write() -> None:
    stored = json.loads((FIXTURES / "graph_dot.json").read_text())
    assert stored == dot_samples(), "stale: run `PYTHONPATH=. python tests/test_svgsafe.py`"
    sfn.parse(EVERY_STATE)  # the sample is a valid definition


if __name__ == "__main__":
    (FIXTURES / "graph_dot.json").write_text(json.dumps(dot_samples(), indent=1) + "\n")


def test_a_state_name_with_a_lone_surrogate_still_draws() -> None:
    # "\ud800" is legal JSON text, so a definition can carry it; UTF-8 cannot.
    definition = {"StartAt": "\ud800", "States": {"\ud800": {"Type": "Pass", "End": True}}}
    svg = Graph(definition).svg()
    assert 'id="/States/_xed_xa0_x80"' in svg
    assert 'xlink:title="? (Pass)"' in svg
