# ruff: noqa: E501, RUF001 - the JavaScript snippets are kept whole; the graphs write a times sign
"""The coverage and fault views on the graph in real Chromium (JupyterLab and Notebook 7, light
and dark theme): the counts and "never" marks are there, never-taken edges are dotted, and the
states never entered take the theme's colours. Screenshots go to test-output/. Skips without
/usr/bin/chromium or the playwright package (see browser_support.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import browser_support as support
from browser_support import OUTPUT, notebook_page, theme

server = support.server  # a JupyterLab or Notebook 7 server with a kernel
support.playwright_or_skip()  # the whole module skips without Chromium or playwright

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


def test_coverage_and_fault_graphs_in_light_and_dark(server: tuple[str, str, Path]) -> None:
    app = server[0]
    with notebook_page(
        server, "coverage.ipynb", CODE, height=2200, failure_shot=f"coverage-{app}-failed.png"
    ) as page:
        page.wait_for_function(
            """() => [...document.querySelectorAll('.jp-OutputArea-output svg')]
                .filter(s => s.querySelector('g.node')).length >= 2""",
            timeout=120_000,
        )
        light = _graphs(page)
        coverage, faults = light[0], light[1]
        assert "entered 3×" in coverage["text"] and "never entered" in coverage["text"], coverage
        assert "Retry 0: never" in coverage["text"], coverage
        assert "Default · 2×" in coverage["text"], coverage
        assert coverage["dotted"] == 1, coverage  # the Catch never taken
        assert "fails: " in faults["text"] and "caught: " in faults["text"], faults
        body = page.inner_text("body")
        assert "coverage: 8/11 items" in body and "faults injected" in body, body
        page.screenshot(path=str(OUTPUT / f"coverage-{app}-light.png"), full_page=True)
        theme(page, "JupyterLab Dark")
        dark = _graphs(page)[0]
        assert dark["never"]["fill"] != "rgb(255, 255, 255)", dark  # a blank state in the theme
        assert dark["never"]["text"] != "rgb(22, 25, 31)", dark  # its text turns light
        assert dark["page"] in ("none", "rgba(0, 0, 0, 0)"), dark  # no white page
        page.screenshot(path=str(OUTPUT / f"coverage-{app}-dark.png"), full_page=True)
