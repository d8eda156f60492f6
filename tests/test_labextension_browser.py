"""The JupyterLab extension in a real JupyterLab and a real (headless Debian) Chromium.

One JupyterLab server per module, on 127.0.0.1 with a random port and token, serving a temporary
directory. The HTTP tests need only the server; the browser tests also need ``/usr/bin/chromium``
(``apt-get install -y chromium``) and the Python ``playwright`` package, and skip with that
reason otherwise. Never ``playwright install``: it downloads a browser, which fails offline.
Screenshots go to test-output/.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import browser_support as support
import pytest
import yaml
from browser_support import LabServer, open_lab, running_lab, screenshot, theme, wait_ready

import sfn_notebook
from sfn_notebook.labext import GRAPH_MIME_TYPE

SAMPLE = """\
# An order workflow: every state type the graph draws.
Comment: Orders
StartAt: Validate
States:
  Validate:
    Type: Task
    Resource: arn:aws:lambda:us-east-1:123456789012:function:validate
    Retry:
      - ErrorEquals: [States.TaskFailed]
        MaxAttempts: 2
    Catch:
      - ErrorEquals: [States.ALL]
        Next: Rejected
    Next: In stock?
  In stock?:
    Type: Choice
    Choices:
      - Variable: $.inStock
        BooleanEquals: true
        Next: Charge
    Default: Backorder
  Backorder:
    Type: Wait
    Seconds: 60
    Next: Charge
  Charge:
    Type: Parallel
    Branches:
      - StartAt: Card
        States:
          Card: {Type: Pass, End: true}
      - StartAt: Points
        States:
          Points: {Type: Pass, End: true}
    Next: Ship items
  Ship items:
    Type: Map
    ItemProcessor:
      StartAt: Ship one
      States:
        Ship one: {Type: Pass, End: true}
    Next: Done
  Rejected: {Type: Fail, Error: Rejected}
  Done: {Type: Succeed}
"""

XSS_NAME = "<img src=x onerror=window.__sfnXss=1>"
HTML_SAMPLE = json.dumps(
    {
        "StartAt": XSS_NAME,
        "States": {
            XSS_NAME: {"Type": "Pass", "Next": "<b>bold</b>"},
            "<b>bold</b>": {"Type": "Pass", "Next": "<script>window.__sfnXss=2</script>"},
        },
    },
    indent=2,
)

GRAPH_DOT = (
    'digraph { "a" [label="<img src=x onerror=window.__sfnXss=3>"]; "b" [label="Done"]; '
    '"a" -> "b"; }'
)
NOTEBOOK = {
    "cells": [
        {
            "cell_type": "code",
            "execution_count": 1,
            "id": "graph",
            "metadata": {},
            "outputs": [
                {
                    "data": {
                        GRAPH_MIME_TYPE: {"dot": GRAPH_DOT, "title": "<i>saved</i> graph"},
                        "text/plain": ["<graph>"],
                    },
                    "execution_count": 1,
                    "metadata": {},
                    "output_type": "execute_result",
                }
            ],
            "source": ["graph"],
        }
    ],
    "metadata": {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    },
    "nbformat": 4,
    "nbformat_minor": 5,
}


def render_output() -> dict[str, Any]:
    """A notebook output exactly as ``display(sfn_notebook.render.Graph(...))`` saves it."""
    from sfn_notebook.render import Graph

    name = "<script>window.__sfnXss=4</script>"
    definition = {  # a Map too: its container must not be a white block in dark themes
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemProcessor": {
                    "StartAt": "One",
                    "States": {"One": {"Type": "Pass", "End": True}},
                },
                "Next": name,
            },
            name: {"Type": "Succeed"},
        },
    }
    bundle = Graph(definition, title="from render.Graph")._repr_mimebundle_()
    return {"data": bundle, "metadata": {}, "output_type": "display_data"}


def state_names(machine: dict[str, Any]) -> list[str]:
    """Every state name of a definition, nested machines included."""
    names = []
    for name, state in machine.get("States", {}).items():
        names.append(name)
        for branch in state.get("Branches", []):
            names.extend(state_names(branch))
        for key in ("ItemProcessor", "Iterator"):
            if key in state:
                names.extend(state_names(state[key]))
    return names


# ------------------------------------------------------------------------------------------------
# The server


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    root = tmp_path_factory.mktemp("lab-root")
    (root / "orders.asl.yaml").write_text(SAMPLE)
    (root / "html.asl.json").write_text(HTML_SAMPLE)
    (root / "plain.json").write_text(json.dumps(yaml.safe_load(SAMPLE), indent=2))
    notebook = json.loads(json.dumps(NOTEBOOK))
    notebook["cells"][0]["outputs"].append(render_output())
    (root / "graph.ipynb").write_text(json.dumps(notebook))
    with running_lab(root, tmp_path_factory.mktemp("lab-home")) as server:
        yield server


# ------------------------------------------------------------------------------------------------
# HTTP routes (no browser needed)


def test_validate_route_runs_sfn_validate(lab: LabServer) -> None:
    text = SAMPLE.replace("Next: Done", "Next: Gone")
    reply = lab.request("POST", "/sfn-notebook/api/validate", {"text": text})
    found = [(d["code"], d["location"]) for d in reply["diagnostics"]]
    assert found == [(d.code, d.location) for d in sfn_notebook.validate(text)]
    assert ("MISSING_TRANSITION_TARGET", "/States/Ship items/Next") in found
    assert [s["name"] for s in reply["states"]] == state_names(yaml.safe_load(SAMPLE))


def test_graph_route_returns_dot_and_states(lab: LabServer) -> None:
    reply = lab.request("POST", "/sfn-notebook/api/graph", {"text": SAMPLE, "title": "orders"})
    assert reply["diagnostics"] == []
    assert reply["title"] == "orders"
    assert reply["dot"].startswith("digraph")
    assert all(state["node"] in reply["dot"] for state in reply["states"])


def test_routes_need_the_token_and_a_text(lab: LabServer) -> None:
    request = urllib.request.Request(
        lab.url + "/sfn-notebook/api/validate", data=b'{"text": ""}', method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as denied:
        urllib.request.urlopen(request, timeout=10)
    assert denied.value.code == 403
    with pytest.raises(urllib.error.HTTPError) as bad:
        lab.request("POST", "/sfn-notebook/api/graph", {"definition": {}})
    assert bad.value.code == 400


# ------------------------------------------------------------------------------------------------
# The browser

browser = support.browser  # one Chromium for the module (skips without it or playwright)
page = support.page


def test_sample_opens_as_graph_and_shows_a_missing_target(page: Any, lab: LabServer) -> None:
    open_lab(page, lab, "orders.asl.yaml")
    panel = wait_ready(page, "Valid state machine")
    # The server's DOT passes the browser's attribute guard whole (dotguard.ts).
    assert panel.locator(".sfn-GraphPanel-canvas svg").get_attribute("data-refused") is None

    # Every state of the definition is a node of the drawing, by name.
    expected = state_names(yaml.safe_load(SAMPLE))
    drawn = panel.locator("g.node.sfn-mod-state").evaluate_all(
        "nodes => nodes.map(n => n.dataset.state)"
    )
    assert sorted(drawn) == sorted(expected)
    texts = panel.locator("g.node text").all_text_contents()
    for name in expected:
        assert name in texts
    assert panel.locator(".sfn-GraphPanel-problemsHeader").text_content() == "No problems"

    # Clicking a state moves the editor's cursor to it.
    panel.locator('g.node[data-state="Charge"]').click()
    lines = SAMPLE.splitlines()
    assert page.evaluate(
        "() => jupyterapp.shell.currentWidget.content.editor.getCursorPosition().line"
    ) == lines.index("  Charge:")

    # Type a missing target over `Next: Charge` in Backorder, keystroke by keystroke.
    line = lines.index("    Seconds: 60") + 1
    assert lines[line] == "    Next: Charge"
    page.evaluate(
        """([line]) => {
            const editor = jupyterapp.shell.currentWidget.content.editor;
            editor.setSelection({start: {line, column: 10}, end: {line, column: 16}});
            editor.focus();
        }""",
        [line],
    )
    page.keyboard.type("Nowhere", delay=20)
    problem = panel.locator('.sfn-Problem[data-code="MISSING_TRANSITION_TARGET"]')
    problem.wait_for()
    assert problem.get_attribute("data-location") == "/States/Backorder/Next"
    assert "Nowhere" in problem.text_content()
    outlined = panel.locator('g.node[data-state="Backorder"]')
    page.wait_for_function(
        "() => document.querySelector('g.node[data-state=\"Backorder\"].sfn-mod-error')"
    )
    assert "sfn-mod-error" in outlined.get_attribute("class")
    assert panel.locator("g.node.sfn-mod-error").count() == 1
    shot = screenshot(page, "labextension-missing-target.png")
    assert shot.stat().st_size > 10_000

    # While the text is not a document at all, the last drawing stays (dimmed) and the parse
    # error is listed; fixing the text brings the graph back.
    set_text = "(text) => jupyterapp.shell.currentWidget.context.model.sharedModel.setSource(text)"
    edited = page.evaluate("() => jupyterapp.shell.currentWidget.context.model.toString()")
    page.evaluate(set_text, edited + "  Broken: [unclosed\n")
    page.wait_for_function("() => document.querySelector('.sfn-GraphPanel[data-status=\"stale\"]')")
    assert panel.locator(".sfn-GraphPanel-canvas svg").count() == 1
    panel.locator('.sfn-Problem[data-code="INVALID_JSON_DESCRIPTION"]').wait_for()
    page.evaluate(set_text, edited)
    problem.wait_for()

    # Clicking the finding puts the cursor on the offending line.
    page.locator(".sfn-GraphPanel-status").click()
    problem.click()
    assert (
        page.evaluate(
            "() => jupyterapp.shell.currentWidget.content.editor.getCursorPosition().line"
        )
        == line
    )
    assert page.errors == []


def test_state_names_with_html_render_as_text(page: Any, lab: LabServer) -> None:
    open_lab(page, lab, "html.asl.json")
    panel = wait_ready(page)
    texts = panel.locator("g.node text").all_text_contents()
    assert XSS_NAME in texts and "<b>bold</b>" in texts
    # Nothing the names spell out became an element, and nothing ran.
    for tag in ("img", "b", "script"):
        assert page.locator(f".sfn-GraphPanel {tag}").count() == 0, tag
    message = panel.locator('.sfn-Problem[data-code="MISSING_TRANSITION_TARGET"]').text_content()
    assert "<script>window.__sfnXss=2</script>" in message
    assert page.evaluate("() => window.__sfnXss") is None
    screenshot(page, "labextension-html-names.png")


def test_saved_notebook_graph_output_renders_as_text_safe_svg(page: Any, lab: LabServer) -> None:
    open_lab(page, lab, "graph.ipynb")
    outputs = page.locator(".sfn-GraphOutput")
    outputs.nth(1).locator("svg").wait_for()
    # Both outputs are ours, not the bundle's SVG/HTML fallbacks: the graph MIME type ranks first.
    assert outputs.count() == 2
    first, second = outputs.nth(0), outputs.nth(1)
    first.locator("svg").wait_for()
    assert first.locator(".sfn-GraphOutput-title").text_content() == "<i>saved</i> graph"
    assert "<img src=x onerror=window.__sfnXss=3>" in first.locator("svg text").all_text_contents()
    assert second.locator(".sfn-GraphOutput-title").text_content() == "from render.Graph"
    texts = second.locator("svg text").all_text_contents()
    assert "<script>window.__sfnXss=4</script>" in texts
    assert page.locator(".sfn-GraphOutput :is(img, i, script)").count() == 0
    assert page.evaluate("() => window.__sfnXss") is None
    screenshot(page, "labextension-mime-output.png")
    # Dark theme: no white page or white containers behind the graph; edge labels in the
    # theme's text colour.
    theme(page, "JupyterLab Dark")
    page.wait_for_selector("#jupyterlab-splash", state="detached")  # the theme's fade-in
    colours = page.evaluate(
        """() => {
            const svg = document.querySelectorAll('.sfn-GraphOutput svg')[1];
            const fill = (el) => el ? getComputedStyle(el).fill : null;
            const clusters = svg.querySelectorAll('g.cluster path, g.cluster polygon');
            const page = fill(svg.querySelector('g.graph polygon'));
            return {page, clusters: [...clusters].map(fill)};
        }"""
    )
    assert colours["page"] == "none", colours
    assert colours["clusters"] and all(fill == "none" for fill in colours["clusters"]), colours
    screenshot(page, "labextension-mime-output-dark.png")
    theme(page, "JupyterLab Light")


def test_open_with_and_commands(page: Any, lab: LabServer) -> None:
    # A plain .json file opens in the text editor by default and as a graph through Open With.
    open_lab(page, lab, "plain.json")
    page.evaluate(
        "() => { void jupyterapp.commands.execute('docmanager:open',"
        " {path: 'plain.json', factory: 'State Machine Graph'}); }"
    )
    wait_ready(page, "Valid state machine")

    # The launcher offers the two commands; "New state machine" makes a valid file from the
    # template and opens it in the split view.
    assert page.evaluate(
        "() => ['sfn-notebook:new-state-machine', 'sfn-notebook:validate']"
        ".every(id => jupyterapp.commands.hasCommand(id))"
    )
    page.evaluate(
        "() => { void jupyterapp.commands.execute('sfn-notebook:new-state-machine', {cwd: ''}); }"
    )
    page.wait_for_function(
        "() => jupyterapp.shell.currentWidget?.context?.path.endsWith('.asl.yaml')"
        " && jupyterapp.shell.currentWidget.context.path !== 'orders.asl.yaml'"
    )
    wait_ready(page, "Valid state machine")
    assert (lab.root / "untitled.asl.yaml").exists()

    # The launcher shows both commands; "Validate" from there checks the document that was
    # current before the launcher, and reports through a notification.
    page.evaluate("() => { void jupyterapp.commands.execute('launcher:create'); }")
    cards = page.locator(".jp-LauncherCard[data-category='Other'] .jp-LauncherCard-label")
    cards.filter(has_text="Validate State Machine").wait_for()
    assert "State Machine" in cards.all_text_contents()
    cards.filter(has_text="Validate State Machine").click()
    page.locator(".Toastify__toast", has_text="untitled.asl.yaml: valid state machine").wait_for()
    screenshot(page, "labextension-launcher.png")
    assert page.errors == []


# ------------------------------------------------------------------------------------------------
# Untrusted notebooks: hostile graph outputs


def _dq(text: str) -> str:
    """A DOT quoted string."""
    return '"' + text.replace('"', '\\"') + '"'


XHTML = "http://www.w3.org/1999/xhtml"


def hostile_dots(beacon: str) -> dict[str, str]:
    """DOT that, laid out unguarded, injects markup through the attributes Graphviz writes
    unescaped (fontname, stylesheet) or loads and links through others (URL, href, image, HTML
    labels); one graph per attack, so each one's drawing is checked on its own."""
    markup = {
        "meta refresh": (
            f'<meta xmlns="{XHTML}" http-equiv="refresh" content="0;url={beacon}/refresh"/>'
        ),
        "css beacon": (
            f'<div xmlns="{XHTML}" style="width:9px;height:9px;background:url({beacon}/css)">'
            "x</div>"
        ),
        "script": f'<script xmlns="{XHTML}">window.__sfnXss=8; fetch("{beacon}/script")</script>',
        "onload": (
            f'<img xmlns="{XHTML}" src="{beacon}/img" onerror="window.__sfnXss=9"/>'
            '<svg xmlns="http://www.w3.org/2000/svg" onload="window.__sfnXss=10"/>'
        ),
        "foreignObject": (
            f'<foreignObject width="9" height="9"><iframe xmlns="{XHTML}" src="{beacon}/frame"/>'
            "</foreignObject>"
        ),
    }

    # Graphviz writes `font-family="<fontname>"` into each <text>: close it, add the markup,
    # and open a new <text> so the SVG stays well-formed.
    def fontname(text: str) -> str:
        return _dq(f'Helvetica">{text}</text><text x="')

    dots = {
        name: f'digraph {{ a [label="A", fontname={fontname(text)}]; b [label="B"]; a -> b; }}'
        for name, text in markup.items()
    }
    sheet = _dq(f"{beacon}/sheet.css?>{markup['meta refresh']}<x a=")
    onload = _dq('x" onload="window.__sfnXss=7')
    dots["links and stylesheet"] = "\n".join([
        "digraph {",
        f"  stylesheet={sheet};",
        '  a [label="Start <script>window.__sfnXss=5</script>", URL="javascript:window.__sfnXss=6",'
        f" href={_dq(beacon + '/href')}, image={_dq(beacon + '/image.png')}, class={onload}];",
        '  b [label="Done"];',
        f'  c [label=<<img src="{beacon}/html-label.png"/>>, shape=box];',
        f'  a -> b [labelURL={_dq(beacon + "/edge")}, label="go"]; b -> c;',
        "}",
    ])  # fmt: skip
    return dots


def test_hostile_graph_outputs_in_an_untrusted_notebook_are_inert(
    page: Any, lab: LabServer, beacon: Any
) -> None:
    dots = hostile_dots(beacon.url)
    notebook = json.loads(json.dumps(NOTEBOOK))
    outputs = notebook["cells"][0]["outputs"]
    outputs.clear()
    for name, dot in dots.items():
        bundle = {GRAPH_MIME_TYPE: {"dot": dot, "title": name}, "text/plain": [name]}
        outputs.append({"data": bundle, "metadata": {}, "output_type": "display_data"})
    outputs.append(render_output())
    (lab.root / "hostile.ipynb").write_text(json.dumps(notebook))  # never trusted: no signature

    open_lab(page, lab, "hostile.ipynb")
    url = page.url
    drawn = page.locator(".sfn-GraphOutput")
    drawn.nth(len(dots)).locator("svg g.node").first.wait_for()
    # Give a refresh, a stylesheet, a script or an image every chance to fire.
    page.wait_for_timeout(2000)

    assert page.url == url
    assert beacon.hits == []
    assert page.evaluate("() => window.__sfnXss") is None
    inert = """(root) => [...root.querySelectorAll('*')].filter(el =>
        !(el.namespaceURI === 'http://www.w3.org/2000/svg' || el.closest('svg') === null)
        || ['script', 'style', 'foreignObject', 'image', 'use'].includes(el.localName)
        || [...el.attributes].some(a => /^on/i.test(a.name) || a.name === 'style'
            || (/href$/.test(a.name) && !a.value.startsWith('#')))).length"""
    assert page.locator(".jp-OutputArea").first.evaluate(inert) == 0
    # Every graph is still drawn, minus what was refused, and says what it left out.
    for i, name in enumerate(dots):
        output = drawn.nth(i)
        assert output.locator(".sfn-GraphOutput-title").text_content() == name
        assert output.locator("svg g.node").count() >= 2, name
        refused = output.locator(".sfn-GraphOutput-refused").text_content().split()
        if name == "links and stylesheet":
            for attribute in ("stylesheet", "URL", "href", "image", "class", "label", "labelURL"):
                assert attribute in refused, attribute
            texts = output.locator("svg text").all_text_contents()
            assert "Start <script>window.__sfnXss=5</script>" in texts
        else:
            assert refused == ["Ignored", "graph", "attributes:", "fontname"], name
    # The renderer's own graph next to them is drawn whole.
    assert drawn.nth(len(dots)).locator(".sfn-GraphOutput-refused").count() == 0
    screenshot(page, "labextension-hostile-outputs.png")
    assert page.errors == []
