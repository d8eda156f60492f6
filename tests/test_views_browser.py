# ruff: noqa: E501 - the JavaScript snippets are kept whole
"""The rough edges of the execution views, checked in real Chromium (JupyterLab and Notebook 7,
light and dark theme): event table follow, timeline scrolling, legends, round ticks, "not taken",
theme colours, Fail shapes and the approval rows of tutorial 04. Screenshots go to test-output/.
Skips without /usr/bin/chromium or the playwright package (see browser_support.py).
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import browser_support as support
from browser_support import OUTPUT, notebook_page, theme

server = support.server  # a JupyterLab or Notebook 7 server with a kernel
support.playwright_or_skip()  # the whole module skips without Chromium or playwright
ROOT = Path(__file__).resolve().parents[1]

VIEW_CODE = [
    """import sfn_notebook as sfn
from sfn_notebook.notebook.widgets import ExecutionView

definition = {
    "StartAt": "Long",
    "States": {
        "Long": {"Type": "Wait", "Seconds": 360000, "Next": "Each"},
        "Each": {
            "Type": "Map",
            "ItemProcessor": {
                "StartAt": "Check",
                "States": {"Check": {"Type": "Pass", "End": True}},
            },
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Broken"}],
            "Next": "Done",
        },
        "Broken": {"Type": "Fail", "Error": "SomethingBroke", "Cause": "x"},
        "Done": {"Type": "Succeed"},
    },
}
ex = sfn.run(definition, list(range(46)), execution_name="many")
view = ExecutionView(ex, definition=sfn.parse(definition))
view""",
]


def test_execution_view_fixes_in_light_and_dark(server: tuple[str, str, Path]) -> None:
    app = server[0]
    with notebook_page(server, "views.ipynb", VIEW_CODE, height=2400) as page:
        page.wait_for_selector(".sfn-header[data-status='SUCCEEDED']", timeout=90_000)
        page.wait_for_selector(".sfn-events tbody tr.sfn-event")
        page.wait_for_function(
            """() => document.querySelector('.sfn-table-widget .sfn-muted')
                ?.textContent.includes(' of ')"""
        )
        time.sleep(1)
        # 1. Follow: the scroll box is at its end and the last event, ExecutionSucceeded,
        # is inside the visible part of the box.
        table = page.evaluate(
            """() => {
                const box = document.querySelector('.sfn-table-scroll');
                const rows = [...box.querySelectorAll('tr.sfn-event')];
                const last = rows[rows.length - 1];
                const b = box.getBoundingClientRect(), r = last.getBoundingClientRect();
                return {end: box.scrollTop + box.clientHeight >= box.scrollHeight - 2,
                        scrolls: box.scrollHeight > box.clientHeight,
                        last: last.textContent, inside: r.top >= b.top && r.bottom <= b.bottom + 1};
            }"""
        )
        assert table["scrolls"] and table["end"] and table["inside"], table
        assert "ExecutionSucceeded" in table["last"], table
        # 2. Timeline: unfold the Map's iterations; whole rows in the box, and a line saying
        # more rows lie below.
        page.locator(".sfn-timeline-svg text.sfn-toggle").first.click()
        page.wait_for_function(
            "() => document.querySelectorAll('.sfn-timeline-svg g.sfn-row').length > 30"
        )
        timeline = page.evaluate(
            """() => {
                const c = document.querySelector('.sfn-timeline-canvas');
                const more = document.querySelector('.sfn-timeline-more');
                return {height: c.clientHeight, scroll: c.scrollHeight, more: more.hidden ? '' : more.textContent,
                        ticks: [...document.querySelectorAll('.sfn-timeline-svg text.sfn-axis')].map(t => t.textContent)};
            }"""
        )
        assert timeline["scroll"] > timeline["height"], timeline
        assert (timeline["height"] - 30) % 18 in (0, 17, 1), timeline  # 24 + n*18 + 6
        assert "scroll for more" in timeline["more"], timeline
        # 6. Round ticks: one unit each ("4d", "12h"), never "13h 53m".
        assert all(re.fullmatch(r"\d+(\.\d+)? ?(ms|s|m|h|d)", t) for t in timeline["ticks"]), (
            timeline
        )
        assert page.locator(".sfn-legend").count() >= 2
        assert "Catch" in page.inner_text(".sfn-graph-widget + div .sfn-legend")
        # 5. Finished run: the states it skipped are not taken.
        header = page.inner_text(".sfn-header")
        assert "not taken" in header and "states done" not in header, header
        # 4. Fail is a compact box (no octagon wider than the Map header).
        widths = page.evaluate(
            """() => Object.fromEntries([...document.querySelectorAll('.sfn-graph-svg g.node.sfn-state')]
                .map(g => [g.id, g.getBBox().width]))"""
        )
        assert widths["/States/Broken"] <= widths["/States/Each"], widths
        page.screenshot(path=str(OUTPUT / f"views-{app}-light.png"), full_page=True)
        # 7. Dark theme: no white blocks; the NOT_REACHED Broken node takes the theme's colour.
        theme(page, "JupyterLab Dark")
        colours = page.evaluate(
            """() => {
                const bg = getComputedStyle(document.body).getPropertyValue('--jp-layout-color1').trim();
                const page = document.querySelector('.sfn-graph-svg g.graph polygon');
                const broken = document.getElementById('/States/Broken').querySelector('polygon');
                const label = document.querySelector('.sfn-timeline-svg .sfn-row-label');
                return {bg, page: page.getAttribute('fill'), broken: getComputedStyle(broken).fill,
                        label: getComputedStyle(label).fill,
                        cluster: getComputedStyle(document.querySelector('.sfn-graph-svg g.cluster path')).fill,
                        timeline: getComputedStyle(document.querySelector('.sfn-timeline-svg')).backgroundColor};
            }"""
        )
        assert colours["page"] == "none" and colours["cluster"] == "none", colours
        assert colours["timeline"] in ("rgba(0, 0, 0, 0)", "transparent"), colours
        assert colours["broken"] != "rgb(255, 255, 255)", colours
        assert colours["label"] not in ("rgb(22, 25, 31)",), colours  # light-theme text
        page.screenshot(path=str(OUTPUT / f"views-{app}-dark.png"), full_page=True)
        # High contrast (shipped with JupyterLab 4): the same checks hold.
        if page.evaluate("() => window.jupyterapp.commands.hasCommand('apputils:change-theme')"):
            theme(page, "JupyterLab Dark High Contrast")
            label = page.evaluate(
                """() => getComputedStyle(document.querySelector('.sfn-timeline-svg .sfn-row-label')).fill"""
            )
            assert label not in ("rgb(22, 25, 31)",), label
            page.screenshot(path=str(OUTPUT / f"views-{app}-high-contrast.png"), full_page=True)


def test_tutorial_04_rows_follow_the_token(server: tuple[str, str, Path]) -> None:
    app, _base, root = server
    shutil.copy(ROOT / "notebooks" / "04-human-approval.ipynb", root / "approval.ipynb")
    with notebook_page(server, "approval.ipynb", height=1600) as page:
        # The last cell re-enables E-1's Reject and clicks it: refused, E-1 stays approved.
        page.wait_for_function(
            """() => [...document.querySelectorAll('.widget-hbox')]
                .some(r => r.textContent.includes('refused'))""",
            timeout=120_000,
        )
        rows = page.evaluate(
            """() => [...document.querySelectorAll('.widget-hbox')]
                .filter(r => r.textContent.includes('EUR'))
                .map(r => ({text: r.textContent,
                            live: [...r.querySelectorAll('button')].filter(b => !b.disabled).length}))"""
        )
        texts = {r["text"].split(" ")[0]: r for r in rows}
        assert "approved by notebook (answer refused: TaskTimedOut)" in texts["E-1"]["text"], rows
        assert "rejected: Rejected" in texts["E-2"]["text"], rows
        assert "approved by magic" in texts["E-3"]["text"], rows
        assert "waiting" not in " ".join(r["text"] for r in rows), rows
        # E-1's reject button was re-enabled by the notebook to show a refused second answer.
        assert texts["E-2"]["live"] == 0 and texts["E-3"]["live"] == 0, rows
        page.locator(".widget-hbox", has_text="E-1 Ada").first.scroll_into_view_if_needed()
        page.screenshot(path=str(OUTPUT / f"approval-{app}-light.png"))
        theme(page, "JupyterLab Dark")
        page.screenshot(path=str(OUTPUT / f"approval-{app}-dark.png"))
