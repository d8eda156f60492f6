# ruff: noqa: E501 - the JavaScript snippets are kept whole
"""Big graphs in a real JupyterLab and Chromium: zoom, pan, fit and follow-the-cursor in the ASL
editor's graph pane, export as SVG and PNG from its context menu and palette; the execution
graph widget's zoom/fit/export buttons in JupyterLab and Notebook 7 (light and dark).

Readable means: after "fit", a state's name is drawn at least 8.5 CSS pixels tall on screen (it
was 6 px for 10 parallel branches when graphs were shrunk to the pane's width). Uses
test_labextension_browser.py's JupyterLab and browser_support.py's Chromium and kernel servers
(same skips); screenshots go to test-output/.
"""

from __future__ import annotations

import json
import re
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import browser_support as support
import pytest
import test_labextension_browser as shared
from browser_support import (
    OUTPUT,
    LabServer,
    open_and_run,
    open_lab,
    screenshot,
    theme,
    wait_ready,
    write_notebook,
)

from sfn_notebook.render.svgsafe import sanitize_svg

lab = shared.lab
browser = support.browser
page = support.page
server = support.server  # a JupyterLab or Notebook 7 server with a kernel, for the widgets


SVG = "{http://www.w3.org/2000/svg}"
MIN_LABEL_PX = 8.5
PANEL = ".jp-MainAreaWidget:not(.lm-mod-hidden) .sfn-GraphPanel"
LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"


def chain(count: int, tasks: bool = True) -> dict[str, Any]:
    """A chain of `count` states: Tasks (or Passes with a result) and Passes, a Succeed last."""
    names = [f"Step {i:03d}" for i in range(1, count + 1)]
    states: dict[str, Any] = {}
    for i, name in enumerate(names):
        if i == count - 1:
            states[name] = {"Type": "Succeed"}
        elif i % 3 == 0 and not tasks:
            states[name] = {
                "Type": "Pass",
                "Result": {"step": i},
                "ResultPath": "$.last",
                "Next": names[i + 1],
            }
        elif i % 3 == 0:
            states[name] = {"Type": "Task", "Resource": f"{LAMBDA}work-{i}", "Next": names[i + 1]}
        else:
            states[name] = {"Type": "Pass", "Next": names[i + 1]}
    return {"Comment": f"{count} states", "StartAt": names[0], "States": states}


def branches(count: int) -> dict[str, Any]:
    """A Parallel state with `count` branches of three states each."""
    return {
        "StartAt": "Fan out",
        "States": {
            "Fan out": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": f"Fetch {b}",
                        "States": {
                            f"Fetch {b}": {
                                "Type": "Task",
                                "Resource": f"{LAMBDA}fetch-region-{b}",
                                "Next": f"Check {b}",
                            },
                            f"Check {b}": {"Type": "Pass", "Next": f"Store {b}"},
                            f"Store {b}": {
                                "Type": "Task",
                                "Resource": f"{LAMBDA}store-{b}",
                                "End": True,
                            },
                        },
                    }
                    for b in range(1, count + 1)
                ],
                "Next": "Done",
            },
            "Done": {"Type": "Succeed"},
        },
    }


def view_state(page: Any) -> dict[str, Any]:
    """The editor's graph box: scale, scroll, sizes, and the smallest state label on screen."""
    return page.evaluate(
        """(sel) => {
            const panel = [...document.querySelectorAll(sel)].find(el => el.offsetParent !== null);
            const box = panel.querySelector('.sfn-GraphPanel-canvas');
            const svg = box.querySelector('svg');
            const heights = [...svg.querySelectorAll('g.node.sfn-mod-state text')]
                .slice(0, 40).map(t => t.getBoundingClientRect().height);
            return {scale: Number(box.dataset.scale), overflows: box.dataset.overflows,
                    left: box.scrollLeft, top: box.scrollTop,
                    boxWidth: box.clientWidth, boxHeight: box.clientHeight,
                    svgWidth: svg.getBoundingClientRect().width, svgHeight: svg.getBoundingClientRect().height,
                    label: Math.min(...heights), level: panel.querySelector('.sfn-zoom-level').textContent};
        }""",
        PANEL,
    )


def node_visible(page: Any, state: str) -> bool:
    return bool(
        page.evaluate(
            """([sel, state]) => {
                const panel = [...document.querySelectorAll(sel)].find(el => el.offsetParent !== null);
                const box = panel.querySelector('.sfn-GraphPanel-canvas').getBoundingClientRect();
                const g = panel.querySelector(`g.node[data-state="${state}"]`);
                if (!g) return false;
                const r = g.getBoundingClientRect();
                return r.top >= box.top && r.bottom <= box.bottom && r.left >= box.left && r.right <= box.right;
            }""",
            [PANEL, state],
        )
    )


def put_cursor_on(page: Any, text: str, needle: str) -> None:
    line = next(i for i, row in enumerate(text.splitlines()) if needle in row)
    page.evaluate(
        """([line]) => { const e = jupyterapp.shell.currentWidget.content.editor;
            e.setCursorPosition({line, column: 6}); e.focus(); }""",
        [line],
    )


def test_500_states_zoom_fit_pan_and_follow_the_cursor(page: Any, lab: LabServer) -> None:
    text = json.dumps(chain(500), indent=2)
    (lab.root / "big.asl.json").write_text(text)
    open_lab(page, lab, "big.asl.json")
    started = time.monotonic()
    wait_ready(page, "Valid state machine")
    drawn_in = time.monotonic() - started
    assert drawn_in < 60, drawn_in
    fitted = view_state(page)
    # Fit keeps the names readable: the chain fits the pane's width and scrolls down.
    assert fitted["label"] >= MIN_LABEL_PX, fitted
    assert fitted["overflows"] == "true" and fitted["top"] == 0, fitted
    assert fitted["svgHeight"] > 10 * fitted["boxHeight"], fitted
    screenshot(page, "nav-editor-500-fit.png")
    _metrics("editor-500-states", drawn_s=round(drawn_in, 2), **fitted)

    # The toolbar's + button, and the keys - and 0 on the focused graph.
    panel = page.locator(PANEL).first
    panel.locator(".sfn-zoom-in").click()
    zoomed = view_state(page)
    assert zoomed["scale"] == pytest.approx(fitted["scale"] * 1.25, rel=0.01), zoomed
    assert zoomed["level"] == f"{round(zoomed['scale'] * 100)}%"
    panel.locator(".sfn-GraphPanel-canvas").focus()
    for _ in range(25):
        page.keyboard.press("-")
    overview = view_state(page)
    # The user may zoom out to an overview of the whole graph (and no further).
    assert overview["svgHeight"] == pytest.approx(overview["boxHeight"], abs=20), overview
    screenshot(page, "nav-editor-500-overview.png")
    page.keyboard.press("0")
    assert view_state(page)["scale"] == pytest.approx(fitted["scale"], rel=0.01)

    # Ctrl + wheel zooms around the pointer: the point under it stays put.
    box = panel.locator(".sfn-GraphPanel-canvas").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + 150
    before = view_state(page)
    page.mouse.move(x, y)
    page.keyboard.down("Control")
    page.mouse.wheel(0, -200)
    page.keyboard.up("Control")
    page.wait_for_function(
        "([sel, s]) => Number(document.querySelector(sel + ' .sfn-GraphPanel-canvas').dataset.scale) > s",
        arg=[PANEL, before["scale"] * 1.1],
    )
    after = view_state(page)
    ratio = after["scale"] / before["scale"]
    # Content y under the pointer, in natural units, before and after.
    assert (after["top"] + 150) / after["scale"] == pytest.approx(
        (before["top"] + 150) / before["scale"], abs=3
    )
    assert ratio > 1.1
    # A plain wheel scrolls (pans) without zooming.
    page.mouse.wheel(0, 400)
    page.wait_for_function(
        "([sel, t]) => document.querySelector(sel + ' .sfn-GraphPanel-canvas').scrollTop > t",
        arg=[PANEL, after["top"] + 100],
    )
    assert view_state(page)["scale"] == pytest.approx(after["scale"])

    # Drag to pan, and the drag does not click the state it ends on.
    line_before = page.evaluate(
        "() => jupyterapp.shell.currentWidget.content.editor.getCursorPosition().line"
    )
    dragged_from = view_state(page)
    page.mouse.move(x, y + 200)
    page.mouse.down()
    page.mouse.move(x - 20, y + 50, steps=8)
    page.mouse.up()
    dragged = view_state(page)
    assert dragged["top"] == pytest.approx(dragged_from["top"] + 150, abs=4), dragged
    assert (
        page.evaluate(
            "() => jupyterapp.shell.currentWidget.content.editor.getCursorPosition().line"
        )
        == line_before
    )

    # Follow the cursor: the caret in state 412 scrolls the graph to it; then back to 007.
    put_cursor_on(page, text, '"Step 412": {')
    page.wait_for_function(
        """([sel]) => document.querySelector(sel + ' g.node.sfn-mod-current')?.dataset.state === 'Step 412'""",
        arg=[PANEL],
    )
    deadline = time.monotonic() + 10
    while not node_visible(page, "Step 412") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert node_visible(page, "Step 412")
    screenshot(page, "nav-editor-500-follow.png")
    put_cursor_on(page, text, '"Step 007": {')
    deadline = time.monotonic() + 10
    while not node_visible(page, "Step 007") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert node_visible(page, "Step 007")

    # An edit redraws the graph and keeps the zoom and the scroll position.
    time.sleep(1)  # the smooth scroll ends
    kept = view_state(page)
    page.keyboard.press("End")
    page.keyboard.type(" ")  # after the `{`: the same graph
    page.wait_for_function(
        "() => jupyterapp.shell.currentWidget.context.model.toString().includes('\"Step 007\": { ')"
    )
    time.sleep(1.5)
    wait_ready(page)
    again = view_state(page)
    assert again["scale"] == pytest.approx(kept["scale"]) and again["top"] == pytest.approx(
        kept["top"], abs=2
    )

    # The whole 37,600 px chain as a PNG: scaled down to the browser's canvas limits.
    png = lab.root / "big.png"
    page.evaluate("() => jupyterapp.commands.execute('sfn-notebook:export-graph-png')")
    wait_for_file(png, timeout=30)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert 10_000 < height <= 16_384 and width * height <= 16_777_216, (width, height)
    assert page.errors == []


def test_ten_parallel_branches_stay_readable(page: Any, lab: LabServer) -> None:
    (lab.root / "fan.asl.json").write_text(json.dumps(branches(10), indent=2))
    open_lab(page, lab, "fan.asl.json")
    wait_ready(page, "Valid state machine")
    fitted = view_state(page)
    assert fitted["label"] >= MIN_LABEL_PX, fitted
    screenshot(page, "nav-editor-10-branches.png")
    _metrics("editor-10-branches", **fitted)
    # "1:1" shows the natural size.
    page.locator(PANEL).first.locator(".sfn-zoom-actual").click()
    assert view_state(page)["scale"] == 1
    # The dark theme: the toolbar and the graph take the theme's colours.
    theme(page, "JupyterLab Dark")
    page.locator(PANEL).first.locator(".sfn-zoom-fit").click()
    time.sleep(0.5)
    button = page.evaluate(
        "(sel) => getComputedStyle(document.querySelector(sel + ' .sfn-zoom-fit')).backgroundColor",
        PANEL,
    )
    assert button != "rgb(255, 255, 255)", button
    screenshot(page, "nav-editor-10-branches-dark.png")
    theme(page, "JupyterLab Light")
    assert page.errors == []


def test_saved_graph_output_of_100_states_zooms_too(page: Any, lab: LabServer) -> None:
    from sfn_notebook.render import Graph

    notebook = json.loads(json.dumps(shared.NOTEBOOK))
    bundle = Graph(chain(100), title="hundred")._repr_mimebundle_()
    notebook["cells"][0]["outputs"] = [
        {"data": bundle, "metadata": {}, "output_type": "display_data"}
    ]
    (lab.root / "hundred.ipynb").write_text(json.dumps(notebook))
    open_lab(page, lab, "hundred.ipynb")
    canvas = page.locator(".sfn-GraphOutput-canvas svg g.node").first
    canvas.wait_for()
    found = page.evaluate(
        """() => {
            const box = document.querySelector('.sfn-GraphOutput-canvas');
            const texts = [...box.querySelectorAll('g.node text')].slice(2, 20)
                .map(t => t.getBoundingClientRect().height);
            return {scale: Number(box.dataset.scale), height: box.clientHeight,
                    window: window.innerHeight, label: Math.min(...texts),
                    toolbar: !!box.previousElementSibling?.classList.contains('sfn-zoom-toolbar')};
        }"""
    )
    # Before: squeezed into 80 % of the window, 7,665 px of graph made its names 1 px tall.
    assert found["toolbar"] and found["label"] >= MIN_LABEL_PX, found
    assert found["height"] <= 0.8 * found["window"] + 2, found
    page.locator(".sfn-GraphOutput .sfn-zoom-in").click()
    assert (
        page.evaluate(
            "() => Number(document.querySelector('.sfn-GraphOutput-canvas').dataset.scale)"
        )
        > found["scale"]
    )
    screenshot(page, "nav-saved-output-100.png")
    assert page.errors == []


def _metrics(name: str, **values: Any) -> None:
    """Numbers for the closing note, in test-output/nav-metrics.json."""
    OUTPUT.mkdir(exist_ok=True)
    path = OUTPUT / "nav-metrics.json"
    found = json.loads(path.read_text()) if path.exists() else {}
    found[name] = values
    path.write_text(json.dumps(found, indent=1))


def wait_for_file(path: Path, timeout: float = 15) -> None:
    """Until the server has written `path` whole (its size stops changing)."""
    deadline = time.monotonic() + timeout
    size = -1
    while time.monotonic() < deadline:
        now = path.stat().st_size if path.exists() else -1
        if now > 0 and now == size:
            return
        size = now
        time.sleep(0.2)
    raise AssertionError(f"{path} was not written")


def _check_svg_file(path: Path, state: str) -> ET.Element:
    text = path.read_text()
    assert text.startswith("<?xml")
    root = ET.fromstring(text)  # well-formed XML
    assert root.tag == f"{SVG}svg"
    assert re.fullmatch(r"[\d.]+pt", root.get("width", "")), root.attrib
    names = [t.text for t in root.iter(f"{SVG}text")]
    assert state in names
    # Only what the shared allowlist keeps: the Python sanitizer changes nothing.
    body = text[text.index("<svg") :]
    assert ET.tostring(ET.fromstring(sanitize_svg(body))) == ET.tostring(ET.fromstring(body))
    assert not any(el.tag.endswith(("script", "foreignObject", "style")) for el in root.iter())
    assert not any(k.startswith(("on", "data-")) for el in root.iter() for k in el.attrib)
    return root


def test_export_svg_and_png_from_the_context_menu_and_palette(page: Any, lab: LabServer) -> None:
    (lab.root / "orders.asl.yaml").write_text(shared.SAMPLE)
    open_lab(page, lab, "orders.asl.yaml")
    wait_ready(page, "Valid state machine")
    target = lab.root / "orders.svg"
    target.unlink(missing_ok=True)
    # Right-click on the graph: the export items are in JupyterLab's context menu.
    page.locator(PANEL).first.locator("g.node.sfn-mod-state").first.click(button="right")
    item = page.locator(".lm-Menu-item", has_text="Export State Machine Graph as SVG")
    item.wait_for()
    screenshot(page, "nav-editor-export-menu.png")
    item.click()
    wait_for_file(target)
    root = _check_svg_file(target, "Ship items")
    assert root.find(f".//{SVG}g[@class='graph']//{SVG}polygon").get("fill") == "#ffffff"

    # The palette's command writes the PNG.
    png = lab.root / "orders.png"
    png.unlink(missing_ok=True)
    page.evaluate("() => jupyterapp.commands.execute('sfn-notebook:export-graph-png')")
    wait_for_file(png)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width > 200 and height > 400, (width, height)
    OUTPUT.mkdir(exist_ok=True)
    (OUTPUT / "nav-editor-export-orders.png").write_bytes(data)
    labels = page.evaluate("() => jupyterapp.commands.label('sfn-notebook:export-graph-svg')")
    assert labels == "Export State Machine Graph as SVG"
    # And the graph's toolbar button writes the SVG too.
    target.unlink()
    page.locator(PANEL).first.locator(".sfn-export-svg").click()
    wait_for_file(target)
    _check_svg_file(target, "Ship items")
    assert page.errors == []


# ------------------------------------------------------------------------------------------------
# The execution graph widget, in JupyterLab and Notebook 7

WIDGET_CODE = """import json
import sfn_notebook as sfn
from sfn_notebook.notebook.widgets import ExecutionView

definition = json.load(open("hundred.asl.json"))
ex = sfn.run(definition, {"order": 1}, execution_name="hundred")
view = ExecutionView(ex)
view"""


def widget_state(page: Any) -> dict[str, Any]:
    return page.evaluate(
        """() => {
            const box = document.querySelector('.sfn-graph-canvas');
            const svg = box.querySelector('svg');
            const heights = [...svg.querySelectorAll('g.node.sfn-state text')].slice(0, 20)
                .map(t => t.getBoundingClientRect().height);
            return {scale: Number(box.dataset.scale), overflows: box.dataset.overflows,
                    boxHeight: box.clientHeight, svgHeight: svg.getBoundingClientRect().height,
                    label: Math.min(...heights)};
        }"""
    )


def test_widget_zoom_fit_and_export_buttons(server: tuple[str, str, Path], browser: Any) -> None:
    app, base, root = server
    (root / "hundred.asl.json").write_text(json.dumps(chain(100, tasks=False)))
    write_notebook(root / "nav.ipynb", [WIDGET_CODE])
    # The module's browser: a second sync Playwright cannot start beside it.
    context = browser.new_context(viewport={"width": 1300, "height": 1400}, accept_downloads=True)
    try:
        page = context.new_page()
        page.set_default_timeout(60_000)
        open_and_run(page, base, app, "nav.ipynb")
        page.wait_for_selector(".sfn-header[data-status='SUCCEEDED']", timeout=90_000)
        page.wait_for_selector(".sfn-graph-widget svg g.node.sfn-state")
        time.sleep(0.5)
        fitted = widget_state(page)
        # A 100-state chain (7,650 px at natural size) fits the cell's width, readable,
        # in a box of at most 720 px that scrolls.
        assert fitted["label"] >= MIN_LABEL_PX, fitted
        assert fitted["overflows"] == "true" and fitted["boxHeight"] <= 722, fitted
        page.click(".sfn-zoom-in")
        assert widget_state(page)["scale"] == pytest.approx(fitted["scale"] * 1.25, rel=0.01)
        page.click(".sfn-zoom-fit")
        assert widget_state(page)["scale"] == pytest.approx(fitted["scale"], rel=0.01)
        page.locator(".sfn-graph-widget").screenshot(
            path=str(OUTPUT / f"nav-widget-{app}-light.png")
        )

        with page.expect_download() as svg_download:
            page.click(".sfn-export-svg")
        assert svg_download.value.suggested_filename.endswith(".svg")
        saved = root / f"nav-{app}.svg"
        svg_download.value.save_as(saved)
        exported = _check_svg_file(saved, "Step 050")
        # The colours of the run are in the file: every state succeeded (green fill).
        fills = {el.get("fill") for el in exported.iter(f"{SVG}path")}
        assert "#d8f0d5" in fills, fills

        with page.expect_download() as png_download:
            page.click(".sfn-export-png")
        data = Path(png_download.value.path()).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        height = int.from_bytes(data[20:24], "big")
        assert height > 5000, height  # the whole chain, not the visible part

        with page.expect_download() as json_download:
            page.click(".sfn-export-json")
        assert json_download.value.suggested_filename == "hundred.json"
        document = json.loads(Path(json_download.value.path()).read_text())
        assert document["name"] == "hundred" and document["status"] == "SUCCEEDED"
        assert document["executionArn"].startswith(
            "arn:aws:states:us-east-1:123456789012:execution:"
        )
        assert document["input"] == '{"order":1}'
        assert [e["type"] for e in document["events"]][-1] == "ExecutionSucceeded"
        assert len(document["events"]) == 2 + 2 * 100  # entered and exited, 100 times

        theme(page, "JupyterLab Dark")
        page.locator(".sfn-graph-widget").screenshot(
            path=str(OUTPUT / f"nav-widget-{app}-dark.png")
        )
        toolbar_bg = page.evaluate(
            "() => getComputedStyle(document.querySelector('.sfn-zoom-toolbar button')).backgroundColor"
        )
        assert toolbar_bg != "rgb(255, 255, 255)", toolbar_bg
    finally:
        context.close()


FOLLOW_CODE = """import json
import sfn_notebook as sfn
from sfn_notebook.notebook.widgets import ExecutionView

rt = sfn.Runtime(store=None, clock="real")
rt.create_state_machine(name="waits", definition=open("waits.asl.json").read(),
                        roleArn="arn:aws:iam::123456789012:role/r")
ex = rt.start("waits", {}, name="waiting")
ExecutionView(ex)"""


def test_widget_follows_the_running_state_of_a_big_run(
    server: tuple[str, str, Path], browser: Any
) -> None:
    app, base, root = server
    if app != "lab":
        pytest.skip("one front-end is enough for the scrolling logic")
    definition = chain(100, tasks=False)
    definition["States"]["Step 080"] = {"Type": "Wait", "Seconds": 600, "Next": "Step 081"}
    (root / "waits.asl.json").write_text(json.dumps(definition))
    write_notebook(root / "follow.ipynb", [FOLLOW_CODE])
    context = browser.new_context(viewport={"width": 1300, "height": 1400})
    try:
        page = context.new_page()
        page.set_default_timeout(60_000)
        open_and_run(page, base, app, "follow.ipynb")
        page.wait_for_selector(
            ".sfn-graph-widget g.node[id='/States/Step_x20080'][data-status='RUNNING']",
            timeout=90_000,
        )
        # The box scrolled down to the waiting state, some 6,000 px below the start.
        page.wait_for_function(
            """() => {
                const box = document.querySelector('.sfn-graph-canvas').getBoundingClientRect();
                const r = document.querySelector("g.node[id='/States/Step_x20080']").getBoundingClientRect();
                return r.top >= box.top && r.bottom <= box.bottom;
            }"""
        )
        assert page.evaluate("() => document.querySelector('.sfn-graph-canvas').scrollTop") > 3000
        page.locator(".sfn-graph-widget").screenshot(path=str(OUTPUT / "nav-widget-follow.png"))
        # Once the user scrolls the graph, it stays where the user put it, also when the
        # page is resized (which refits the graph).
        page.locator(".sfn-graph-canvas").hover()
        page.mouse.wheel(0, -2000)
        time.sleep(1)
        top = page.evaluate("() => document.querySelector('.sfn-graph-canvas').scrollTop")
        assert 1000 < top < 5000, top
        page.set_viewport_size({"width": 1100, "height": 1400})
        time.sleep(1)
        after = page.evaluate("() => document.querySelector('.sfn-graph-canvas').scrollTop")
        assert after == pytest.approx(top, rel=0.15), (top, after)
    finally:
        context.close()
