# ruff: noqa: E501 - the JavaScript snippets are kept whole
"""The rough edges of the execution views, checked in real Chromium (JupyterLab and Notebook 7,
light and dark theme): event table follow, timeline scrolling, legends, round ticks, "not taken",
theme colours, Fail shapes and the approval rows of tutorial 04. Screenshots go to test-output/.
Skips without /usr/bin/chromium or the playwright package (see test_widgets_browser.py).
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_widgets_browser import BROWSER_ARGS, CHROMIUM, OUTPUT, TOKEN, _server

playwright = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
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


def _notebook(path: Path, cells: list[str]) -> None:
    path.write_text(
        json.dumps(
            {
                "cells": [
                    {"cell_type": "code", "metadata": {}, "source": c, "outputs": [],
                     "execution_count": None}
                    for c in cells
                ],
                "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                            "language": "python"}},
                "nbformat": 4,
                "nbformat_minor": 5,
            }
        )
    )  # fmt: skip


@pytest.fixture(params=["lab", "notebook"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    app = request.param
    found = shutil.which("jupyter-notebook", path=str(Path(sys.executable).parent))
    if app == "notebook" and found is None:
        pytest.skip("Notebook 7 is not installed (pip install notebook)")
    for base in _server(app, tmp_path):
        yield app, base, tmp_path / "root"


def _open_and_run(page: Any, base: str, app: str, name: str) -> None:
    path = f"lab/tree/{name}" if app == "lab" else f"notebooks/{name}"
    page.goto(f"{base}/{path}?token={TOKEN}")
    page.wait_for_function(
        """() => {
            const sc = window.jupyterapp?.shell?.currentWidget?.sessionContext;
            const k = sc?.session?.kernel;
            return sc?.isReady && k?.connectionStatus === 'connected' && k.status === 'idle';
        }""",
        timeout=90_000,
    )
    page.evaluate("() => { void window.jupyterapp.commands.execute('notebook:run-all-cells'); }")


def _theme(page: Any, theme: str) -> None:
    page.evaluate(
        "(t) => { void window.jupyterapp.commands.execute('apputils:change-theme', {theme: t}); }",
        theme,
    )
    page.wait_for_function(
        "(t) => document.body.dataset.jpThemeName === t", arg=theme, timeout=30_000
    )
    time.sleep(0.5)


def _browser(p: Any) -> Any:
    return p.chromium.launch(executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS)


def test_execution_view_fixes_in_light_and_dark(server: tuple[str, str, Path]) -> None:
    app, base, root = server
    _notebook(root / "views.ipynb", VIEW_CODE)
    OUTPUT.mkdir(exist_ok=True)
    with playwright.sync_playwright() as p:
        browser = _browser(p)
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 2400})
            page.set_default_timeout(60_000)
            _open_and_run(page, base, app, "views.ipynb")
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
            _theme(page, "JupyterLab Dark")
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
            if page.evaluate(
                "() => window.jupyterapp.commands.hasCommand('apputils:change-theme')"
            ):
                _theme(page, "JupyterLab Dark High Contrast")
                label = page.evaluate(
                    """() => getComputedStyle(document.querySelector('.sfn-timeline-svg .sfn-row-label')).fill"""
                )
                assert label not in ("rgb(22, 25, 31)",), label
                page.screenshot(path=str(OUTPUT / f"views-{app}-high-contrast.png"), full_page=True)
        finally:
            browser.close()


def test_tutorial_04_rows_follow_the_token(server: tuple[str, str, Path]) -> None:
    app, base, root = server
    shutil.copy(ROOT / "notebooks" / "04-human-approval.ipynb", root / "approval.ipynb")
    OUTPUT.mkdir(exist_ok=True)
    with playwright.sync_playwright() as p:
        browser = _browser(p)
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 1600})
            page.set_default_timeout(60_000)
            _open_and_run(page, base, app, "approval.ipynb")
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
            assert "approved by notebook (answer refused: TaskTimedOut)" in texts["E-1"]["text"], (
                rows
            )
            assert "rejected: Rejected" in texts["E-2"]["text"], rows
            assert "approved by magic" in texts["E-3"]["text"], rows
            assert "waiting" not in " ".join(r["text"] for r in rows), rows
            # E-1's reject button was re-enabled by the notebook to show a refused second answer.
            assert texts["E-2"]["live"] == 0 and texts["E-3"]["live"] == 0, rows
            page.locator(".widget-hbox", has_text="E-1 Ada").first.scroll_into_view_if_needed()
            page.screenshot(path=str(OUTPUT / f"approval-{app}-light.png"))
            _theme(page, "JupyterLab Dark")
            page.screenshot(path=str(OUTPUT / f"approval-{app}-dark.png"))
        finally:
            browser.close()
