# ruff: noqa: E501 - the JavaScript snippets are kept whole
"""The debugger panel of the live execution view in real Chromium (JupyterLab and Notebook 7):
toggling a breakpoint, stepping, continuing and the time-travel slider (arrow keys), with the
graph following. Screenshots go to test-output/. Skips without /usr/bin/chromium or playwright.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import browser_support as support
from browser_support import OUTPUT, notebook_page, theme

server = support.server  # a JupyterLab or Notebook 7 server with a kernel
support.playwright_or_skip()  # the whole module skips without Chromium or playwright

CODE = [
    """import sfn_notebook as sfn
from sfn_notebook.notebook.widgets import ExecutionView

chain = {
    "StartAt": "Load",
    "States": {
        "Load": {"Type": "Pass", "Assign": {"rate": 2}, "Next": "Price"},
        "Price": {"Type": "Pass", "Parameters": {"total.$": "States.MathAdd($.amount, $rate)"}, "Next": "Ship"},
        "Ship": {"Type": "Pass", "End": True},
    },
}
ex = sfn.run(chain, {"amount": 10}, breakpoints=["Price"])
ExecutionView(ex, definition=sfn.parse(chain))""",
]


def _status(page: Any, node: str) -> str:
    return str(page.evaluate("(id) => document.getElementById(id)?.dataset.status", node))


def test_breakpoint_toggle_step_continue_and_time_travel(server: tuple[str, str, Path]) -> None:
    app = server[0]
    with notebook_page(server, "debug.ipynb", CODE, height=1800) as page:
        page.wait_for_selector(".sfn-debugger[data-paused='Price']", timeout=90_000)
        # The paused state is marked on the graph, its pending input shown.
        page.wait_for_function(
            "() => document.getElementById('/States/Price')?.textContent.includes('paused')"
        )
        assert '"amount":10' in page.inner_text(".sfn-debugger details")
        # Clicking a state on the graph toggles its breakpoint (and opens no details).
        page.locator('[id="/States/Ship"]').click()
        page.wait_for_selector(".sfn-debug-chip.sfn-debug-on[data-state='Ship']")
        page.wait_for_selector('[id="/States/Ship"].sfn-breakpoint')
        assert page.locator(".sfn-graph-details").first.is_hidden()
        # A chip toggles too: on and off again.
        page.locator(".sfn-debug-chip[data-state='Load']").click()
        page.wait_for_selector('[id="/States/Load"].sfn-breakpoint')
        page.locator(".sfn-debug-chip[data-state='Load']").click()
        page.wait_for_selector(".sfn-debug-chip:not(.sfn-debug-on)[data-state='Load']")
        page.screenshot(path=str(OUTPUT / f"debugger-{app}-paused.png"), full_page=True)
        # Step: Price runs, the execution pauses before Ship.
        page.locator(".sfn-debug-step").click()
        page.wait_for_selector(".sfn-debugger[data-paused='Ship']")
        page.wait_for_function(
            "() => document.getElementById('/States/Price')?.dataset.status === 'SUCCEEDED'"
        )
        assert '"total":12' in page.inner_text(".sfn-debugger details")
        # Time travel: focus the slider, three right-arrow presses go to event 3 (Load exited).
        slider = page.locator(".sfn-debug-slider")
        slider.focus()
        for _ in range(3):
            page.keyboard.press("ArrowRight")
            time.sleep(0.3)
        page.wait_for_function(
            "() => document.querySelector('.sfn-debug-moment')?.textContent.startsWith('event 3 ')"
        )
        page.wait_for_function(
            "() => document.getElementById('/States/Price')?.dataset.status === 'NOT_REACHED'"
        )
        assert _status(page, "/States/Load") == "SUCCEEDED"
        assert "PassStateExited" in page.inner_text(".sfn-debug-moment")
        page.keyboard.press("ArrowLeft")
        page.wait_for_function(
            "() => document.querySelector('.sfn-debug-moment')?.textContent.startsWith('event 2 ')"
        )
        page.wait_for_function(
            "() => document.getElementById('/States/Load')?.dataset.status === 'RUNNING'"
        )
        page.wait_for_selector(
            ".sfn-timeline-svg line.sfn-cursor", state="attached"
        )  # the timeline follows
        page.screenshot(path=str(OUTPUT / f"debugger-{app}-travel.png"), full_page=True)
        # Back to live, then Continue: the execution ends.
        page.locator(".sfn-debug-live").click()
        page.wait_for_function(
            "() => document.getElementById('/States/Price')?.dataset.status === 'SUCCEEDED'"
        )
        page.wait_for_selector(".sfn-timeline-svg line.sfn-cursor", state="detached")
        page.locator(".sfn-debug-resume").click()
        page.wait_for_selector(".sfn-header[data-status='SUCCEEDED']")
        page.wait_for_function(
            "() => document.getElementById('/States/Ship')?.dataset.status === 'SUCCEEDED'"
        )
        theme(page, "JupyterLab Dark")
        page.screenshot(path=str(OUTPUT / f"debugger-{app}-done-dark.png"), full_page=True)
