"""The JupyterLab extension's Python side and its wiring: replies, DOT, packaging, front-end tests.

The browser itself is exercised in test_labextension_browser.py; the front-end's unit tests
(vitest, labextension/test/) run from here so ``make test`` covers them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import sfn_notebook
from sfn_notebook import render
from sfn_notebook.asl.parse import build_definition
from sfn_notebook.labext import GRAPH_MIME_TYPE, _jupyter_server_extension_points
from sfn_notebook.labext.graph import (
    INTERNAL_ERROR,
    fallback_dot,
    graph_reply,
    iter_states,
    node_id,
    validate_reply,
)

ROOT = Path(__file__).resolve().parents[1]
LABEXT = ROOT / "labextension"
VENV_BIN = Path(sys.executable).parent

FLOW = """\
StartAt: Fetch
States:
  Fetch:
    Type: Task
    Resource: arn:aws:lambda:us-east-1:123456789012:function:fetch
    Catch: [{ErrorEquals: [States.ALL], Next: Oops}]
    Next: Route
  Route:
    Type: Choice
    Choices:
      - {Variable: $.n, NumericGreaterThan: 1, Next: Fan}
    Default: Done
  Fan:
    Type: Parallel
    Branches:
      - StartAt: Left
        States: {Left: {Type: Pass, End: true}}
      - StartAt: Right
        States: {Right: {Type: Pass, End: true}}
    Next: Each
  Each:
    Type: Map
    ItemProcessor:
      StartAt: One
      States: {One: {Type: Succeed}}
    Next: Done
  Oops: {Type: Fail, Error: Boom}
  Done: {Type: Succeed}
"""


# ------------------------------------------------------------------------------------------------
# Replies


def test_valid_definition_has_no_diagnostics_and_every_state() -> None:
    reply = graph_reply(FLOW, "flow.asl.yaml")
    assert reply["diagnostics"] == []
    assert reply["title"] == "flow.asl.yaml"
    names = [s["name"] for s in reply["states"]]
    assert names == ["Fetch", "Route", "Fan", "Left", "Right", "Each", "One", "Oops", "Done"]
    pointers = {s["name"]: s["pointer"] for s in reply["states"]}
    assert pointers["Right"] == "/States/Fan/Branches/1/States/Right"
    assert pointers["One"] == "/States/Each/ItemProcessor/States/One"
    for state in reply["states"]:
        assert f'"{state["node"]}"' in reply["dot"], state


def test_reply_is_json_and_matches_sfn_validate() -> None:
    text = FLOW.replace("Default: Done", "Default: Nowhere")
    reply = json.loads(json.dumps(validate_reply(text)))
    expected = [(d.code, d.location) for d in sfn_notebook.validate(text)]
    assert [(d["code"], d["location"]) for d in reply["diagnostics"]] == expected
    assert ("MISSING_TRANSITION_TARGET", "/States/Route/Default") in expected
    assert set(reply["diagnostics"][0]) == {
        "severity",
        "code",
        "message",
        "location",
        "column",
        "snippet",
        "line",
    }


def test_invalid_definition_still_draws_with_the_missing_target() -> None:
    reply = graph_reply(FLOW.replace("Next: Route", "Next: Rout"))
    assert "MISSING_TRANSITION_TARGET" in [d["code"] for d in reply["diagnostics"]]
    assert '"/States/Fetch" -> "missing:/Rout"' in reply["dot"]
    assert len(reply["states"]) == 9


def test_the_graph_is_the_notebook_renderers() -> None:
    """Valid or draft, the editor's DOT comes from sfn_notebook.render, not a drawing of its own."""
    assert graph_reply(FLOW, "t")["dot"] == render.to_dot(sfn_notebook.parse(FLOW), title="t")
    draft = FLOW.replace("Default: Done", "Default: Nowhere")
    assert graph_reply(draft)["dot"] == render.to_dot(build_definition(yaml.safe_load(draft)))


def test_drafts_the_model_cannot_hold_are_drawn_plainly() -> None:
    draft = FLOW.replace("  Oops: {Type: Fail, Error: Boom}", "  Oops: {Error: Boom}")
    reply = graph_reply(draft)
    assert reply["dot"] == fallback_dot(yaml.safe_load(draft))
    assert '"/States/Oops" [label="Oops"' in reply["dot"]


def test_text_that_is_not_a_document_has_no_graph() -> None:
    reply = graph_reply('{"StartAt": ')
    assert reply["dot"] == "" and reply["states"] == []
    assert [d["code"] for d in reply["diagnostics"]] == ["INVALID_JSON_DESCRIPTION"]
    assert graph_reply("- just\n- a list\n")["dot"] == ""


def test_garbage_shapes_do_not_break_the_state_walk() -> None:
    doc = {"States": {"A": 3, "B": {"Type": 7, "Branches": "x", "ItemProcessor": []}}}
    assert [(s["name"], s["type"]) for s in iter_states(doc)] == [("A", ""), ("B", "")]
    assert "digraph" in fallback_dot(doc)
    assert list(iter_states([1, 2])) == []


def test_a_validator_crash_becomes_a_diagnostic(monkeypatch: pytest.MonkeyPatch) -> None:
    import sfn_notebook.asl.validate as validate_module

    def boom(document: object) -> list[object]:
        raise RuntimeError("bug")

    monkeypatch.setattr(validate_module, "validate_document", boom)
    reply = validate_reply(FLOW)
    assert [d["code"] for d in reply["diagnostics"]] == [INTERNAL_ERROR]


# ------------------------------------------------------------------------------------------------
# DOT text must survive any state name


@pytest.mark.parametrize(
    "name",
    ['Say "hi"', "back\\slash", "new\nline", "<img src=x onerror=alert(1)>", "a/b~c", "ünï"],
)
def test_node_ids_and_labels_survive_any_state_name(name: str) -> None:
    doc = {"StartAt": name, "States": {name: {"Type": "Succeed"}}}
    [state] = iter_states(doc)
    assert re.fullmatch(r"[A-Za-z0-9_./~-]+", state["node"])
    dot = fallback_dot(doc)
    # Every quoted string in the DOT closes: an odd count of unescaped quotes would mean a name
    # broke out of its string.
    unescaped = re.sub(r"\\.", "", dot)
    assert unescaped.count('"') % 2 == 0
    assert f'"{state["node"]}" [label=' in dot


def test_node_id_encodes_only_unsafe_characters() -> None:
    assert node_id("/States/Plain_Name-1.x") == "/States/Plain_Name-1.x"
    assert node_id("/States/a b") == "/States/a_x20b"
    assert node_id("/States/ü") == "/States/_xc3_xbc"


def test_fallback_dot_is_accepted_by_graphviz() -> None:
    binary = shutil.which("dot") or shutil.which("graphviz-pure", path=str(VENV_BIN))
    if binary is None:
        pytest.skip("neither graphviz 'dot' nor graphviz-pure is installed")
    svg = subprocess.run(
        [binary, "-Tsvg"],
        input=fallback_dot(yaml.safe_load(FLOW)),
        text=True,
        capture_output=True,
        check=True,
    ).stdout
    assert svg.count('class="node"') >= 9


# ------------------------------------------------------------------------------------------------
# Wiring between the two halves


def _package_json() -> dict[str, object]:
    return json.loads((LABEXT / "package.json").read_text())


def test_versions_agree() -> None:
    assert _package_json()["version"] == sfn_notebook.__version__


def test_mime_type_is_the_same_string_on_both_sides() -> None:
    tokens = (LABEXT / "src" / "tokens.ts").read_text()
    assert f"GRAPH_MIME_TYPE = '{GRAPH_MIME_TYPE}'" in tokens
    assert GRAPH_MIME_TYPE == render.GRAPH_MIME_TYPE


def test_server_extension_points_at_this_module() -> None:
    assert _jupyter_server_extension_points() == [{"module": "sfn_notebook.labext"}]
    config = json.loads((LABEXT / "jupyter-config" / "sfn_notebook.json").read_text())
    assert config["ServerApp"]["jpserver_extensions"] == {"sfn_notebook.labext": True}


def test_new_state_machine_template_is_valid() -> None:
    source = (LABEXT / "src" / "templates.ts").read_text()
    template = re.search(r"NEW_STATE_MACHINE = `(.*?)`;", source, re.DOTALL)
    assert template is not None
    assert sfn_notebook.validate(template.group(1)) == []


def test_labextension_is_installed_in_this_environment() -> None:
    """What `jupyter labextension list` reads: the prebuilt extension under share/jupyter."""
    installed = Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "sfn-notebook"
    if not (installed / "package.json").exists():
        pytest.fail(f"{installed} missing: run `pip install -e .` (it builds labextension/)")
    meta = json.loads((installed / "package.json").read_text())
    build = meta["jupyterlab"]["_build"]
    assert {"extension", "mimeExtension", "style"} <= set(build)
    assert (installed / build["load"]).exists()
    result = subprocess.run(
        [str(VENV_BIN / "jupyter"), "labextension", "list"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    listing = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)
    assert re.search(r"sfn-notebook v\S+ enabled\s+OK", listing), listing


# ------------------------------------------------------------------------------------------------
# Front-end unit tests (vitest)


def test_frontend_unit_tests() -> None:
    """`jlpm test` in labextension/: pointer → line mapping, diagnostics → states, parsing."""
    jlpm = shutil.which("jlpm", path=str(VENV_BIN)) or shutil.which("jlpm")
    if jlpm is None or shutil.which("node") is None:
        pytest.skip("jlpm/node not available: install jupyterlab and Node.js")
    if not (LABEXT / "node_modules" / "vitest").exists():
        pytest.skip("labextension/node_modules missing: run `pip install -e .` or `jlpm install`")
    result = subprocess.run(
        [jlpm, "test"],
        check=False,
        cwd=LABEXT,
        capture_output=True,
        text=True,
        timeout=110,
        env={**os.environ, "NO_COLOR": "1", "CI": "1"},
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert re.search(r"Tests\s+\d+ passed", result.stdout), result.stdout[-2000:]
