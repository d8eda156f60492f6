# ruff: noqa: E501 - the JavaScript snippets are kept whole
"""The map-run panel of an execution view in real Chromium (JupyterLab and Notebook 7, light and
dark theme): live progress while children run, the failures with their error and cause, and a
click that opens a failed child's own execution view. Screenshots go to test-output/. Skips
without /usr/bin/chromium or the playwright package (see browser_support.py).
"""

from __future__ import annotations

import time
from pathlib import Path

import browser_support as support
from browser_support import OUTPUT, notebook_page, theme

server = support.server  # a JupyterLab or Notebook 7 server with a kernel
support.playwright_or_skip()  # the whole module skips without Chromium or playwright

CODE = [
    """import threading
import sfn_notebook as sfn
from sfn_notebook.notebook.widgets import ExecutionView

gate = threading.Event()

def work(event, context):
    if event % 10 == 7:
        raise ValueError(f"order {event} has no address")
    if event >= 12:
        assert gate.wait(60)
    return {"order": event}

definition = {
    "StartAt": "Orders",
    "States": {
        "Orders": {
            "Type": "Map",
            "MaxConcurrency": 6,
            "ToleratedFailureCount": 5,
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "Ship",
                "States": {"Ship": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:work", "End": True}},
            },
            "End": True,
        }
    },
}
rt = sfn.Runtime(clock="real", functions={"work": work})
arn = rt.create_state_machine(name="orders", definition=definition)["stateMachineArn"]
ex = rt.start(arn, list(range(30)))
view = ExecutionView(ex)
view""",
]


def _bar(page: object) -> dict[str, object]:
    return page.evaluate(  # type: ignore[attr-defined, no-any-return]
        """() => {
            const box = document.querySelector('.sfn-maprun');
            const bar = box.querySelector('.sfn-maprun-bar');
            return {status: box.dataset.status, done: box.querySelector('.sfn-maprun-done').textContent,
                    segments: [...bar.children].map(s => [s.className.replace('sfn-maprun-segment sfn-maprun-', ''), s.style.width]),
                    failures: [...box.querySelectorAll('.sfn-maprun-failures tbody tr')].map(r => r.textContent),
                    now: Number(bar.getAttribute('aria-valuenow')), max: Number(bar.getAttribute('aria-valuemax'))};
        }"""
    )


def test_map_run_panel_live_failures_and_a_child(server: tuple[str, str, Path]) -> None:
    app = server[0]
    with notebook_page(
        server, "maprun.ipynb", CODE, height=2000, failure_shot=f"maprun-{app}-failed.png"
    ) as page:
        # Live: children 12.. wait for the gate; the bar shows done, failed and running.
        page.wait_for_selector(".sfn-maprun[data-status='RUNNING']", timeout=90_000)
        page.wait_for_function(
            """() => document.querySelectorAll('.sfn-maprun-failures tbody tr').length === 2
                && document.querySelector('.sfn-maprun-running')"""
        )
        live = _bar(page)
        kinds = [kind for kind, _ in live["segments"]]  # type: ignore[attr-defined]
        assert kinds[:3] == ["succeeded", "failed", "running"], live
        assert live["max"] == 30 and 0 < live["now"] < 30, live  # type: ignore[operator]
        # 7 and 17 failed at once (17 before waiting): the latest first.
        assert "order 17 has no address" in live["failures"][0], live  # type: ignore[index]
        page.locator(".sfn-maprun").scroll_into_view_if_needed()
        page.screenshot(path=str(OUTPUT / f"maprun-{app}-live-light.png"), full_page=True)
        # The notebook opens the gate (the kernel is idle, so the panel keeps updating).
        page.evaluate(
            """() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel
                .requestExecute({code: 'gate.set()'})"""
        )
        page.wait_for_selector(".sfn-maprun[data-status='SUCCEEDED']", timeout=60_000)
        done = _bar(page)
        assert done["done"] == "30 / 30 items done", done
        assert [kind for kind, _ in done["segments"]] == ["succeeded", "failed"], done  # type: ignore[attr-defined]
        assert len(done["failures"]) == 3, done  # type: ignore[arg-type]
        assert "order 27 has no address" in done["failures"][0], done  # type: ignore[index]
        # A click on a failure: the child's details, and its own execution view below.
        headers = page.locator(".sfn-header").count()
        page.locator(".sfn-maprun-failures tbody tr").first.click()
        page.wait_for_selector(".sfn-maprun-child .sfn-details-title")
        child = page.inner_text(".sfn-maprun-child")
        assert "Child execution · item 27" in child, child
        assert "ValueError" in child and "order 27 has no address" in child, child
        assert "Its own execution view is open below." in child, child
        page.wait_for_function(
            "(n) => document.querySelectorAll('.sfn-header').length > n", arg=headers
        )
        opened = page.evaluate(
            """() => [...document.querySelectorAll('.sfn-header')].map(h => [h.dataset.status, h.textContent])"""
        )
        assert any(s == "FAILED" and "(item 27)" in t for s, t in opened), opened
        time.sleep(0.5)
        page.screenshot(path=str(OUTPUT / f"maprun-{app}-light.png"), full_page=True)
        theme(page, "JupyterLab Dark")
        colours = page.evaluate(
            """() => {
                const bar = document.querySelector('.sfn-maprun-bar');
                const head = document.querySelector('.sfn-maprun-head strong');
                const cause = document.querySelector('.sfn-maprun-cause');
                return {bar: getComputedStyle(bar).backgroundColor, head: getComputedStyle(head).color,
                        cause: getComputedStyle(cause).color,
                        bg: getComputedStyle(document.body).getPropertyValue('--jp-layout-color1').trim()};
            }"""
        )
        assert colours["bar"] != "rgb(255, 255, 255)", colours
        assert colours["head"] != "rgb(22, 25, 31)", colours  # not the light theme's text
        page.screenshot(path=str(OUTPUT / f"maprun-{app}-dark.png"), full_page=True)
