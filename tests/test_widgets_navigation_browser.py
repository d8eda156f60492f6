# ruff: noqa: E501, RUF001, RUF003 - the JavaScript snippets are kept whole; labels use – and ×
"""Navigating big runs in real Chromium (JupyterLab and Notebook 7, light and dark): the graph
coloured for one Map iteration, the timeline's grouped iterations, zoom and tooltips, the event
table's filters, search and expanded JSON (names that look like HTML stay text), and a live
10,000-event run with a 1,000-iteration Map whose first paint and per-update cost are measured
and written to test-output/navigation-scale-<app>.json. Screenshots go to test-output/.
Skips without /usr/bin/chromium or the playwright package (see browser_support.py).
"""

from __future__ import annotations

import json
import re
import statistics
from pathlib import Path
from typing import Any

import browser_support as support
from browser_support import OUTPUT, notebook_page, theme

server = support.server  # a JupyterLab or Notebook 7 server with a kernel
support.playwright_or_skip()  # the whole module skips without Chromium or playwright

EVIL = "<img src=x onerror=alert(1)>"
EVIL_NODE = "/States/Each/ItemProcessor/States/_x3cimg_x20src_x3dx_x20onerror_x3dalert_x281_x29_x3e"
KEEP_NODE = "/States/Each/ItemProcessor/States/Keep"

NAVIGATION_CODE = [
    """import sfn_notebook as sfn
from sfn_notebook.notebook.widgets import ExecutionView

evil = "<img src=x onerror=alert(1)>"
calls = {"n": 0}

def flaky(event, context):
    calls["n"] += 1
    if calls["n"] < 3:
        raise ValueError("not yet")
    return {"ok": True}

definition = {
    "StartAt": "Fetch",
    "States": {
        "Fetch": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:flaky",
            "Retry": [{"ErrorEquals": ["ValueError"], "IntervalSeconds": 2, "BackoffRate": 2}],
            "ResultPath": "$.fetched",
            "Next": "Each",
        },
        "Each": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemProcessor": {
                "StartAt": "Odd?",
                "States": {
                    "Odd?": {
                        "Type": "Choice",
                        "Choices": [{"Variable": "$", "NumericEquals": 1, "Next": evil}],
                        "Default": "Keep",
                    },
                    "Keep": {"Type": "Wait", "Seconds": 1, "End": True},
                    evil: {"Type": "Pass", "Result": {"html": "<script>alert(2)</script>"}, "End": True},
                },
            },
            "Next": "<i>Both</i>",
        },
        "<i>Both</i>": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "L", "States": {"L": {"Type": "Pass", "End": True}}},
                {"StartAt": "R", "States": {"R": {"Type": "Pass", "End": True}}},
            ],
            "End": True,
        },
    },
}
ex = sfn.run(definition, {"items": [i % 7 for i in range(120)]}, functions={"flaky": flaky},
             execution_name="navigate")
view = ExecutionView(ex, definition=sfn.parse(definition))
view""",
]

SCALE_CODE = [
    """import json, time
import sfn_notebook as sfn
from sfn_notebook.runtime.runtime import Runtime
from sfn_notebook.notebook.widgets import ExecutionView

rt = Runtime(clock="real")

@rt.function("work")
def work(event, context):
    time.sleep(0.25)
    return {"n": event["n"]}

definition = {
    "StartAt": "Each",
    "States": {
        "Each": {
            "Type": "Map",
            "MaxConcurrency": 25,  # ~10 s live: the measurements need a running execution
            "ItemProcessor": {
                "StartAt": "Prep",
                "States": {
                    "Prep": {"Type": "Pass", "Next": "Work"},
                    "Work": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:work", "Next": "Keep"},
                    "Keep": {"Type": "Pass", "End": True},
                },
            },
            "End": True,
        }
    },
}
arn = rt.create_state_machine(name="scale", definition=json.dumps(definition))["stateMachineArn"]
print(f"STARTED_AT={time.time()!r}")
ex = rt.start(arn, [{"n": i} for i in range(1000)])
view = ExecutionView(ex, definition=sfn.parse(definition))
view""",
    """ex.wait(120)
print(f"EVENTS={len(ex.history)} STATUS={ex.status}")""",
]


def _node_status(page: Any, node: str) -> str | None:
    return page.evaluate(
        "(id) => document.querySelector(`.sfn-graph-svg g.node[id='${id}']`)?.dataset.status ?? null",
        node,
    )


def _no_markup_from_names(page: Any) -> None:
    counts = page.evaluate(
        """() => ({
            img: document.querySelectorAll('.sfn-widget img').length,
            script: document.querySelectorAll('.sfn-widget script').length,
            b: document.querySelectorAll('.sfn-widget b').length,
            i: document.querySelectorAll('.sfn-widget i').length,
        })"""
    )
    assert counts == {"img": 0, "script": 0, "b": 0, "i": 0}, counts


def test_navigation_in_light_and_dark(server: tuple[str, str, Path]) -> None:
    app = server[0]
    errors: list[str] = []
    with notebook_page(
        server, "navigate.ipynb", NAVIGATION_CODE, height=2200, errors=errors
    ) as page:
        page.wait_for_selector(".sfn-header[data-status='SUCCEEDED']", timeout=90_000)
        page.wait_for_selector(f".sfn-graph-svg g.node[id='{KEEP_NODE}'][data-status='SUCCEEDED']")

        # 1. Scope: iteration #1 took the odd path, so Keep is not reached in it.
        options = page.eval_on_selector_all(
            ".sfn-scope-state option", "os => os.map(o => o.textContent)"
        )
        assert options == [
            "the whole run",
            "Each (Map, 120 iterations)",
            "<i>Both</i> (Parallel, 2 branches)",
        ], options
        page.select_option(".sfn-scope-state", "Each")
        page.fill(".sfn-scope-index", "1")
        page.wait_for_selector(
            f".sfn-graph-svg g.node[id='{KEEP_NODE}'][data-status='NOT_REACHED']"
        )
        assert _node_status(page, EVIL_NODE) == "SUCCEEDED"
        assert "iteration #1" in page.text_content(".sfn-graph-svg g.node[id='/States/Each']")
        page.click(".sfn-scope-next")  # iteration 2: even, Keep again
        page.wait_for_selector(f".sfn-graph-svg g.node[id='{KEEP_NODE}'][data-status='SUCCEEDED']")
        assert _node_status(page, EVIL_NODE) == "NOT_REACHED"
        page.click(".sfn-scope-prev")
        page.wait_for_selector(
            f".sfn-graph-svg g.node[id='{KEEP_NODE}'][data-status='NOT_REACHED']"
        )

        # 2. Timeline: the Map opens as 12 groups of 10; a group opens to its iterations.
        page.click(".sfn-timeline-svg g.sfn-row[data-key^='v'] text.sfn-toggle >> nth=0")
        labels = page.eval_on_selector_all(
            ".sfn-timeline-svg g.sfn-row-group text", "ts => ts.map(t => t.textContent)"
        )
        assert len(labels) == 12 and labels[0].startswith("▸ #0–#9"), labels
        page.click(".sfn-timeline-svg g.sfn-row-group text.sfn-toggle >> nth=0")
        page.wait_for_selector(".sfn-timeline-svg g.sfn-row-iteration")
        iterations = page.eval_on_selector_all(
            ".sfn-timeline-svg g.sfn-row-iteration text", "ts => ts.map(t => t.textContent)"
        )
        assert len(iterations) == 10, iterations
        # Tooltip of the retried Task's second attempt: attempt, start, end, duration.
        fetch = page.locator(".sfn-timeline-svg g.sfn-row", has_text="Fetch ×3")
        fetch.locator("rect.sfn-bar[data-attempt='1']").hover()
        tip = page.inner_text(".sfn-tip")
        assert "attempt 2 of 3" in tip and "start +2" in tip, tip
        assert "end +" in tip and "duration" in tip and "ValueError" in tip, tip
        # Zoom: the + button narrows the axis, ticks stay round, fit goes back.
        before = page.eval_on_selector_all(
            ".sfn-timeline-svg text.sfn-axis", "ts => ts.map(t => t.textContent)"
        )
        page.click(".sfn-timeline-toolbar .sfn-zoom-button:text-is('+')")
        page.click(".sfn-timeline-toolbar .sfn-zoom-button:text-is('+')")
        zoomed = page.eval_on_selector_all(
            ".sfn-timeline-svg text.sfn-axis", "ts => ts.map(t => t.textContent)"
        )
        assert (
            zoomed != before and page.get_attribute(".sfn-timeline-widget", "data-zoomed") == "true"
        )
        assert all(re.fullmatch(r"\d+(\.\d+)? ?(ms|s|m|h|d)", t) for t in zoomed), zoomed
        assert "+" in page.inner_text(".sfn-zoom-range")
        page.locator(".sfn-timeline-widget").screenshot(
            path=str(OUTPUT / f"navigation-{app}-timeline-zoomed.png")
        )
        # Ctrl + wheel over the chart zooms too; fit shows the whole run again.
        box = page.locator(".sfn-timeline-canvas").bounding_box()
        page.mouse.move(box["x"] + 500, box["y"] + 60)
        page.keyboard.down("Control")
        page.mouse.wheel(0, -200)
        page.keyboard.up("Control")
        after_wheel = page.inner_text(".sfn-zoom-range")
        page.click(".sfn-timeline-toolbar .sfn-zoom-button:text-is('Fit')")
        assert page.get_attribute(".sfn-timeline-widget", "data-zoomed") == "false", after_wheel
        # Names that look like HTML are text in the timeline and its tooltips.
        page.click(".sfn-timeline-toolbar .sfn-zoom-button:text-is('collapse all')")
        page.locator(".sfn-timeline-svg g.sfn-row", has_text="<i>Both</i>").locator(
            "rect.sfn-bar"
        ).first.hover()
        assert "<i>Both</i> (Parallel)" in page.inner_text(".sfn-tip")
        page.click(".sfn-timeline-toolbar .sfn-zoom-button:text-is('expand all')")
        page.wait_for_function(
            "(e) => [...document.querySelectorAll('.sfn-timeline-svg text')].some(t => t.textContent.includes(e.slice(0, 10)))",
            arg=EVIL,
        )
        page.locator(".sfn-timeline-svg g.sfn-row", has_text="<img src=x").locator(
            "rect.sfn-bar"
        ).first.hover()
        assert f"{EVIL[:25]}" in page.inner_text(".sfn-tip")
        _no_markup_from_names(page)

        # 3. Event table: filter by state (the HTML-looking one), search, expand a row.
        states = page.eval_on_selector_all(
            ".sfn-state-filter option", "os => os.map(o => o.textContent)"
        )
        assert EVIL in states, states
        page.select_option(".sfn-state-filter", EVIL)
        page.wait_for_function(
            "() => document.querySelector('.sfn-position').textContent.includes('matching')"
        )
        rows = page.eval_on_selector_all(
            ".sfn-events tr.sfn-event", "rs => rs.map(r => r.textContent)"
        )
        assert rows and all(EVIL in r for r in rows), rows
        assert "of 34 matching" in page.inner_text(".sfn-position")  # 17 odd items × 2 events
        page.fill(".sfn-search", "script>alert(2)")
        page.wait_for_function(
            "() => document.querySelector('.sfn-position').textContent.includes('of 17 matching')"
        )
        page.click(".sfn-events tr.sfn-event >> nth=0")
        detail = page.inner_text(".sfn-events tr.sfn-event-details:not([hidden]) pre")
        # AWS's shape: the payload is JSON text inside the details object.
        assert '"output": "{\\"html\\":\\"<script>alert(2)</script>\\"}"' in detail, detail
        assert f'"name": "{EVIL}"' in detail, detail
        _no_markup_from_names(page)
        page.screenshot(path=str(OUTPUT / f"navigation-{app}-light.png"), full_page=True)
        theme(page, "JupyterLab Dark")
        colours = page.evaluate(
            """() => ({select: getComputedStyle(document.querySelector('.sfn-scope-state')).backgroundColor,
                      axis: getComputedStyle(document.querySelector('.sfn-axis-back')).fill})"""
        )
        assert (
            colours["select"] != "rgb(255, 255, 255)" and colours["axis"] != "rgb(255, 255, 255)"
        ), colours
        page.screenshot(path=str(OUTPUT / f"navigation-{app}-dark.png"), full_page=True)
        # Paging with a filter: following lands on the last page of the filtered list; a
        # step back stops following and pages within the same filter.
        page.fill(".sfn-search", "")
        page.select_option(".sfn-state-filter", "")
        page.select_option(".sfn-filter:not(.sfn-state-filter)", "MapIterationStarted")
        page.wait_for_function(
            "() => document.querySelector('.sfn-position').textContent === '101–120 of 120 matching'"
        )
        last = page.eval_on_selector_all(
            ".sfn-events tr.sfn-event", "rs => rs[rs.length - 1].textContent"
        )
        assert "MapIterationStarted" in last and "Each #119" in last, last
        page.click(".sfn-table-widget .sfn-toolbar button:text-is('‹')")
        page.wait_for_function(
            "() => document.querySelector('.sfn-position').textContent === '51–100 of 120 matching'"
        )
        assert not page.is_checked(".sfn-table-widget input[type=checkbox]")
    assert not [e for e in errors if "sfn" in e.lower() or "dialog" in e], errors


PROBE = """() => {
    window.__sfnProbe = {frames: [], longtasks: []};
    new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__sfnProbe.longtasks.push([e.startTime, e.duration]);
    }).observe({type: 'longtask', buffered: true});
    let last = performance.now();
    const loop = (t) => {
        window.__sfnProbe.frames.push([t, t - last]);
        last = t;
        if (!window.__sfnProbe.stop) requestAnimationFrame(loop);
    };
    requestAnimationFrame(loop);
}"""

COLLECT = """([from, to]) => {
    const inside = (e) => e.startTime >= from && e.startTime <= to;
    const durations = (name) => performance.getEntriesByName(name).filter(inside).map(e => e.duration);
    const mark = (name) => performance.getEntriesByName(name)[0];
    const p = window.__sfnProbe;
    p.stop = true;
    return {
        timeline: durations('sfn-timeline-draw'),
        table: durations('sfn-table-draw'),
        frames: p.frames.filter(([t]) => t >= from && t <= to).map(([, gap]) => gap),
        longtasks: p.longtasks.filter(([t]) => t >= from && t <= to).map(([, d]) => d),
        firstTimeline: mark('sfn-timeline-first-rows') ? performance.timeOrigin + mark('sfn-timeline-first-rows').startTime : null,
        firstTable: mark('sfn-table-first-rows') ? performance.timeOrigin + mark('sfn-table-first-rows').startTime : null,
        rows: document.querySelectorAll('.sfn-timeline-svg g.sfn-row').length,
        visible: document.querySelector('.sfn-timeline-more')?.textContent ?? '',
    };
}"""


def _stats(values: list[float]) -> dict[str, float]:
    if not values:
        return {"count": 0}
    ordered = sorted(values)
    return {
        "count": len(values),
        "median_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], 2),
        "max_ms": round(ordered[-1], 2),
    }


def _since(mark: float | None, started_at: float) -> float | None:
    """Ms from the kernel's start of the run (epoch seconds) to a page mark (epoch ms)."""
    return None if mark is None else round(mark - started_at * 1000, 1)


def test_a_10000_event_run_stays_responsive(server: tuple[str, str, Path]) -> None:
    app = server[0]
    with notebook_page(server, "scale.ipynb", SCALE_CODE, height=1800, timeout=90_000) as page:
        page.evaluate(PROBE)
        # While it runs: open the Map and every group and iteration (4,000+ rows).
        page.wait_for_selector(".sfn-timeline-svg text.sfn-toggle", timeout=90_000)
        live_from = page.evaluate("() => performance.now()")
        page.click(".sfn-timeline-svg text.sfn-toggle >> nth=0")
        expand = page.locator(".sfn-timeline-toolbar .sfn-zoom-button:text-is('expand all')")
        if expand.count():
            expand.click()
        status = page.evaluate("() => document.querySelector('.sfn-header')?.dataset.status")
        page.wait_for_selector(".sfn-header[data-status='SUCCEEDED']", timeout=120_000)
        live_to = page.evaluate("() => performance.now()")
        page.wait_for_function(
            "() => [...document.querySelectorAll('.jp-OutputArea-output')].some(o => o.textContent.includes('EVENTS='))",
            timeout=120_000,
        )
        text = page.inner_text("body")
        started_at = float(re.search(r"STARTED_AT=([\d.]+)", text).group(1))
        events = int(re.search(r"EVENTS=(\d+)", text).group(1))
        measured = page.evaluate(COLLECT, [live_from, live_to])
        page.screenshot(path=str(OUTPUT / f"navigation-scale-{app}.png"), full_page=False)
    report = {
        "app": app,
        "events": events,
        "live_seconds": round((live_to - live_from) / 1000, 2),
        "status_when_opened": status,
        "first_timeline_paint_ms": _since(measured["firstTimeline"], started_at),
        "first_table_paint_ms": _since(measured["firstTable"], started_at),
        "timeline_draw": _stats(measured["timeline"]),
        "table_draw": _stats(measured["table"]),
        "frame_gap": _stats(measured["frames"]),
        "long_tasks": _stats(measured["longtasks"]),
        "svg_rows_drawn": measured["rows"],
        "rows_line": measured["visible"],
    }
    (OUTPUT / f"navigation-scale-{app}.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    assert events >= 10_000
    assert status == "RUNNING", report  # the measurements cover a live run
    assert report["timeline_draw"]["count"] > 10, report
    # Generous bounds (2 shared cores, other work running): the page stays interactive.
    assert report["first_timeline_paint_ms"] is not None, report
    assert report["first_table_paint_ms"] is not None, report
    assert report["first_timeline_paint_ms"] < 15_000, report
    assert report["first_table_paint_ms"] < 15_000, report
    assert report["timeline_draw"]["p95_ms"] < 100, report
    assert report["table_draw"]["p95_ms"] < 100, report
    assert report["frame_gap"]["p95_ms"] < 250, report


FAILED_CODE = [
    """import sfn_notebook as sfn
from sfn_notebook.notebook.widgets import ExecutionView

definition = {
    "StartAt": "Each",
    "States": {
        "Each": {
            "Type": "Map",
            "MaxConcurrency": 1,
            "ItemProcessor": {
                "StartAt": "Bad?",
                "States": {
                    "Bad?": {"Type": "Choice", "Default": "Fine",
                             "Choices": [{"Variable": "$", "NumericEquals": 3, "Next": "Boom"}]},
                    "Fine": {"Type": "Pass", "End": True},
                    "Boom": {"Type": "Fail", "Error": "Bad", "Cause": "item 3"},
                },
            },
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}],
            "Next": "Done",
        },
        "Done": {"Type": "Succeed"},
    },
}
view = ExecutionView(sfn.run(definition, list(range(8)), execution_name="failing"),
                     definition=sfn.parse(definition))
view""",
]
BOOM_NODE = "/States/Each/ItemProcessor/States/Boom"


def test_the_failed_iteration_is_one_click_away(server: tuple[str, str, Path]) -> None:
    app = server[0]
    with notebook_page(server, "failed.ipynb", FAILED_CODE, height=1400) as page:
        page.wait_for_selector(".sfn-header[data-status='SUCCEEDED']", timeout=90_000)
        button = page.locator(".sfn-scope-failed")
        button.wait_for(state="visible")
        assert button.inner_text() == "next failed (1) ›"
        # The whole run: Fine succeeded in iterations 0-2, so it is green, not telling.
        fine = ".sfn-graph-svg g.node[id='/States/Each/ItemProcessor/States/Fine']"
        page.wait_for_selector(f"{fine}[data-status='SUCCEEDED']")
        button.click()
        page.wait_for_selector(f".sfn-graph-svg g.node[id='{BOOM_NODE}'][data-status='FAILED']")
        page.wait_for_selector(f"{fine}[data-status='NOT_REACHED']")
        assert page.input_value(".sfn-scope-index") == "3"
        assert "iteration #3" in page.text_content(".sfn-graph-svg g.node[id='/States/Each']")
        page.locator(".sfn-graph-widget").screenshot(
            path=str(OUTPUT / f"navigation-{app}-failed.png")
        )
