# ruff: noqa: E501, RUF001 - the JavaScript snippets are kept whole; the graphs write a times sign
"""The coverage and fault views on the graph in real Chromium (JupyterLab and Notebook 7, light
and dark theme): the counts and "never" marks are there, never-taken edges are dotted, and the
states never entered take the theme's colours. Screenshots go to test-output/. Skips without
/usr/bin/chromium or the playwright package (see test_widgets_browser.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_views_browser import _browser, _notebook, _open_and_run, _theme, server  # noqa: F401
from test_widgets_browser import OUTPUT

playwright = pytest.importorskip("playwright.sync_api", reason="pip install playwright")

CODE = [
    """import sfn_notebook as sfn
from sfn_notebook import analysis, testing

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"
flow = {
    "StartAt": "Route",
    "States": {
        "Route": {"Type": "Choice", "Default": "Small",
                  "Choices": [{"Variable": "$.n", "NumericGreaterThan": 10, "Next": "Charge"}]},
        "Charge": {"Type": "Task", "Resource": LAMBDA + "charge",
                   "Retry": [{"ErrorEquals": ["Lambda.TooManyRequestsException"], "MaxAttempts": 2}],
                   "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "Refund"}], "Next": "Done"},
        "Small": {"Type": "Pass", "Next": "Done"},
        "Refund": {"Type": "Pass", "End": True},
        "Done": {"Type": "Succeed"},
    },
}
functions = {"charge": lambda event, context: event}
runs = [sfn.run(flow, {"n": n}, functions=functions) for n in (1, 2, 30)]
analysis.coverage(runs, definition=flow).graph("coverage")""",
    """testing.fault_graph(flow, testing.inject_faults(flow, {"n": 30}, functions=functions), title="faults")""",
]


def _graphs(page: Any) -> list[dict[str, Any]]:
    return page.evaluate(  # type: ignore[no-any-return]
        """() => [...document.querySelectorAll('.jp-OutputArea-output svg')].filter(s => s.querySelector('g.node')).map(svg => ({
            text: svg.textContent,
            dotted: [...svg.querySelectorAll('g.edge path')].filter(p => p.getAttribute('stroke-dasharray')).length,
            never: (() => { const g = [...svg.querySelectorAll('g.node')].find(n => n.textContent.includes('never entered'));
                            if (!g) return null; const shape = g.querySelector('path, polygon, ellipse');
                            return {fill: getComputedStyle(shape).fill, text: getComputedStyle(g.querySelector('text')).fill}; })(),
            page: (() => { const p = svg.querySelector('g.graph > polygon, g.graph > g > a > polygon'); return p ? getComputedStyle(p).fill : null; })(),
        }))"""
    )


def test_coverage_and_fault_graphs_in_light_and_dark(server: tuple[str, str, Path]) -> None:  # noqa: F811
    app, base, root = server
    _notebook(root / "coverage.ipynb", CODE)
    OUTPUT.mkdir(exist_ok=True)
    with playwright.sync_playwright() as p:
        browser = _browser(p)
        page = browser.new_page(viewport={"width": 1300, "height": 2200})
        page.set_default_timeout(60_000)
        try:
            _open_and_run(page, base, app, "coverage.ipynb")
            page.wait_for_function(
                """() => [...document.querySelectorAll('.jp-OutputArea-output svg')]
                    .filter(s => s.querySelector('g.node')).length >= 2""",
                timeout=120_000,
            )
            light = _graphs(page)
            coverage, faults = light[0], light[1]
            assert "entered 3×" in coverage["text"] and "never entered" in coverage["text"], (
                coverage
            )
            assert "Retry 0: never" in coverage["text"], coverage
            assert "Default · 2×" in coverage["text"], coverage
            assert coverage["dotted"] == 1, coverage  # the Catch never taken
            assert "fails: " in faults["text"] and "caught: " in faults["text"], faults
            body = page.inner_text("body")
            assert "coverage: 8/11 items" in body and "faults injected" in body, body
            page.screenshot(path=str(OUTPUT / f"coverage-{app}-light.png"), full_page=True)
            _theme(page, "JupyterLab Dark")
            dark = _graphs(page)[0]
            assert dark["never"]["fill"] != "rgb(255, 255, 255)", dark  # a blank state in the theme
            assert dark["never"]["text"] != "rgb(22, 25, 31)", dark  # its text turns light
            assert dark["page"] in ("none", "rgba(0, 0, 0, 0)"), dark  # no white page
            page.screenshot(path=str(OUTPUT / f"coverage-{app}-dark.png"), full_page=True)
        except Exception:
            page.screenshot(path=str(OUTPUT / f"coverage-{app}-failed.png"), full_page=True)
            raise
        finally:
            browser.close()
