"""The widgets in a real browser: JupyterLab and Notebook 7 on 127.0.0.1, Debian's Chromium.

A notebook runs a real-clock execution with a Wait and a retrying Task; the test checks that the
graph appears, a state goes in progress then succeeded, and the timeline shows the retries, and it
saves a screenshot under ``test-output/``. It needs ``/usr/bin/chromium`` (apt-get install
chromium) and the ``playwright`` Python package (no ``playwright install``: the system Chromium is
used); without them it skips and says why.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import browser_support as support
import pytest
from browser_support import OUTPUT, notebook_page

server = support.server  # a JupyterLab or Notebook 7 server with a kernel
support.playwright_or_skip()  # the whole module skips without Chromium or playwright

NOTEBOOK_CODE = [
    """import json
import sfn_notebook as sfn
from sfn_notebook.runtime.runtime import Runtime
rt = Runtime(clock="real")
calls = {"n": 0}

@rt.function("flaky")
def flaky(event, context):
    calls["n"] += 1
    if calls["n"] < 3:
        raise ValueError("not yet")
    return {"ok": True, "calls": calls["n"]}
""",
    """definition = {
    "StartAt": "Nap",
    "States": {
        "Nap": {"Type": "Wait", "Seconds": 2, "Next": "Fetch"},
        "Fetch": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:flaky",
            "Retry": [{"ErrorEquals": ["ValueError"], "IntervalSeconds": 1, "BackoffRate": 1}],
            "Next": "Done",
        },
        "Done": {"Type": "Succeed"},
    },
}
arn = rt.create_state_machine(name="browser", definition=json.dumps(definition))["stateMachineArn"]
ex = rt.start(arn, {"n": 1})
ex.definition = ex.definition or sfn.parse(definition)
ex
""",
    """evil = "<img src=x onerror=alert(1)>"
bad = {
    "StartAt": evil,
    "States": {
        evil: {"Type": "Pass", "Result": {"html": "<script>alert(2)</script>"}, "Next": "Boom"},
        "Boom": {"Type": "Fail", "Error": "<b>E</b>", "Cause": "<img src=y onerror=alert(3)>"},
    },
}
evil_ex = sfn.run(bad, execution_name="evil")
evil_ex.definition = evil_ex.definition or sfn.parse(bad)
evil_ex
""",
]
EVIL = "<img src=x onerror=alert(1)>"
EVIL_NODE = "/States/_x3cimg_x20src_x3dx_x20onerror_x3dalert_x281_x29_x3e"


def _status(page: Any, node: str) -> str | None:
    return page.evaluate(
        """(node) => {
            for (const g of document.querySelectorAll('.sfn-graph-widget g.node')) {
                if (g.id === node) return g.dataset.status || null;
            }
            return null;
        }""",
        node,
    )


def _wait_status(page: Any, node: str, wanted: str, seen: list[str], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = _status(page, node)
        if status is not None and (not seen or seen[-1] != status):
            seen.append(status)
        if status == wanted:
            return
        time.sleep(0.05)
    raise AssertionError(f"{node} never became {wanted}; saw {seen}")


def test_live_widgets_in_a_real_browser(server: tuple[str, str, Path]) -> None:
    app = server[0]
    errors: list[str] = []
    with notebook_page(
        server, "widgets.ipynb", NOTEBOOK_CODE, height=1800, errors=errors, console=True
    ) as page:
        page.wait_for_selector(".sfn-graph-widget svg g.node", timeout=90_000)
        nap: list[str] = []
        _wait_status(page, "/States/Nap", "RUNNING", nap)
        page.screenshot(path=str(OUTPUT / f"widgets-{app}-running.png"), full_page=True)
        _wait_status(page, "/States/Nap", "SUCCEEDED", nap)
        fetch: list[str] = []
        _wait_status(page, "/States/Fetch", "SUCCEEDED", fetch)
        _wait_status(page, "/States/Done", "SUCCEEDED", [])
        assert nap[-2:] == ["RUNNING", "SUCCEEDED"], nap
        assert "RUNNING" in fetch, fetch
        page.wait_for_function(
            """() => [...document.querySelectorAll('.sfn-timeline-widget text.sfn-row-label')]
                    .some(t => t.textContent.includes('Fetch \u00d73'))"""
        )
        bars = page.evaluate(
            """() => [...document.querySelectorAll('.sfn-timeline-widget g.sfn-row')]
                .filter(g => g.textContent.includes('Fetch'))
                .map(g => g.querySelectorAll('rect.sfn-bar').length)"""
        )
        assert bars == [3], bars
        page.wait_for_selector(".sfn-header[data-status='SUCCEEDED']")
        header = page.inner_text(".sfn-header")
        assert "3 states run" in header and "not taken" not in header, header
        # A click on a state inspects it, and the event table lists the events.
        page.click(".sfn-graph-widget g.node[id='/States/Fetch']")
        page.wait_for_selector(".sfn-graph-details .sfn-inspector-visit")
        assert "attempt" in page.inner_text(".sfn-graph-details").lower()
        assert page.locator(".sfn-events tbody tr.sfn-event").count() > 5
        page.screenshot(path=str(OUTPUT / f"widgets-{app}-done.png"), full_page=True)
        _check_html_names_are_text(page)
        page.screenshot(path=str(OUTPUT / f"widgets-{app}-html-names.png"), full_page=True)
    assert not [
        e for e in errors if "sfn" in e.lower() or "anywidget" in e.lower() or "dialog" in e
    ], errors


def _check_html_names_are_text(page: Any) -> None:
    """State names, payloads and errors that look like HTML show up as text, nothing runs."""
    selector = f".sfn-graph-widget g.node[id='{EVIL_NODE}']"
    page.wait_for_selector(f"{selector}[data-status='SUCCEEDED']")
    assert EVIL in page.text_content(selector)
    page.click(selector)
    page.wait_for_function(
        """() => [...document.querySelectorAll('.sfn-graph-details')]
                .some(d => d.textContent.includes('<script>alert(2)</script>'))"""
    )
    boom = ".sfn-graph-widget g.node[id='/States/Boom']"
    page.wait_for_selector(f"{boom}[data-status='FAILED']")
    assert "Fail: <b>E</b>" in page.text_content(boom)
    page.wait_for_function(
        """() => [...document.querySelectorAll('.sfn-timeline-widget text')]
                .some(t => t.textContent.includes('<img src=x'))"""
    )
    counts = page.evaluate(
        """() => ({
            img: document.querySelectorAll('.jp-OutputArea-output img').length,
            script: document.querySelectorAll('.jp-OutputArea-output script:not([type])').length,
            b: document.querySelectorAll('.jp-OutputArea-output b').length,
        })"""
    )
    assert counts == {"img": 0, "script": 0, "b": 0}, counts


XHTML = "http://www.w3.org/1999/xhtml"


def _hostile_markup(beacon: str, refresh: bool) -> str:
    """SVG/XHTML that runs script, loads from ``beacon`` or navigates the tab when not sanitized."""
    parts = [
        f"<style>@import url({beacon}/import.css); svg {{ background: url({beacon}/css) }}</style>",
        f'<script>window.__sfnXss = 1; fetch("{beacon}/svg-script")</script>',
        '<g onload="window.__sfnXss = 2">',
        f'<rect width="1" height="1" style="mask-image:url({beacon}/mask)"/></g>',
        '<a xlink:href="javascript:window.__sfnXss = 3"><text x="5" y="5">link</text></a>',
        f'<a href="{beacon}/href"><text x="5" y="15">out</text></a>',
        f'<image href="{beacon}/image.png" width="5" height="5"/>',
        '<foreignObject width="20" height="20">',
        f'<img xmlns="{XHTML}" src="{beacon}/fo-img" onerror="window.__sfnXss = 4"/>',
        "</foreignObject>",
        f'<div xmlns="{XHTML}" style="width:9px;height:9px;background:url({beacon}/div)">x</div>',
        f'<img xmlns="{XHTML}" src="{beacon}/img" onerror="window.__sfnXss = 5"/>',
    ]
    if refresh:
        parts.append(
            f'<meta xmlns="{XHTML}" http-equiv="refresh" content="0;url={beacon}/refresh"/>'
        )
    return "".join(parts)


HOSTILE_CELL = """import sfn_notebook as sfn
from sfn_notebook.notebook.widgets import ExecutionGraph
states = {{"A": {{"Type": "Pass", "Next": "B"}}, "B": {{"Type": "Succeed"}}}}
machine = {{"StartAt": "A", "States": states}}
run = sfn.run(machine, execution_name="hostile")
graph = ExecutionGraph(run, definition=sfn.parse(machine))
# A widget's state can come from anywhere (a saved notebook, another kernel): the browser side
# sanitizes what it is given, whatever Python did before.
graph.svg = graph.svg.replace('<g id="graph0"', {markup!r} + '<g id="graph0"', 1)
graph
"""


@pytest.mark.parametrize("server", ["lab"], indirect=True)
def test_hostile_svg_in_a_graph_widget_is_inert(server: tuple[str, str, Path], beacon: Any) -> None:
    code = HOSTILE_CELL.format(markup=_hostile_markup(beacon.url, refresh=True))
    errors: list[str] = []
    with notebook_page(
        server, "hostile.ipynb", [code], height=900, run=False, errors=errors
    ) as page:
        url = page.url
        support.run_all(page)
        # The graph is drawn and coloured as usual.
        page.wait_for_selector(
            ".sfn-graph-widget g.node[id='/States/B'][data-status='SUCCEEDED']",
            timeout=90_000,
        )
        page.wait_for_timeout(2000)  # every chance for a refresh, a load or a script
        assert page.url == url
        assert beacon.hits == []
        assert page.evaluate("() => window.__sfnXss") is None
        left = page.evaluate(
            """() => [...document.querySelectorAll('.sfn-graph-widget svg *')].filter(el =>
                el.namespaceURI !== 'http://www.w3.org/2000/svg'
                || ['script', 'style', 'foreignObject', 'image'].includes(el.localName)
                || [...el.attributes].some(a => /^on/i.test(a.name) || a.name === 'style'
                    || (/href$/.test(a.name) && !a.value.startsWith('#'))))
                .map(el => el.localName)"""
        )
        assert left == []
        page.locator(".sfn-graph-widget").screenshot(path=str(OUTPUT / "widgets-hostile-svg.png"))
        # Control: the same markup without the sanitizer does reach the beacon, so the
        # checks above could fail.
        page.evaluate(
            """(markup) => {
                const text = '<svg xmlns="http://www.w3.org/2000/svg" '
                    + 'xmlns:xlink="http://www.w3.org/1999/xlink">' + markup + '</svg>';
                const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
                document.body.append(document.importNode(doc.documentElement, true));
            }""",
            _hostile_markup(beacon.url, refresh=False),
        )
        deadline = time.monotonic() + 10
        while not beacon.hits and time.monotonic() < deadline:
            time.sleep(0.1)
        assert beacon.hits, "the unsanitized control markup loaded nothing"
    assert not [e for e in errors if "sfn" in e.lower() or "dialog" in e], errors
