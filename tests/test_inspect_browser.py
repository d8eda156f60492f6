# ruff: noqa: E501 - the JavaScript snippets are kept whole
"""The state inspector in real Chromium (JupyterLab and Notebook 7, light and dark theme): a click
on a graph node, a timeline row or an event row opens it; the picker switches between Map
iterations and retry attempts; hostile state names and payloads stay text. Screenshots go to
test-output/inspector-*.png. Skips without /usr/bin/chromium or the playwright package (see
browser_support.py). Run with ``PYTHONPATH=$PWD`` so the kernel imports this checkout.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import browser_support as support
from browser_support import OUTPUT, notebook_page, theme

server = support.server  # a JupyterLab or Notebook 7 server with a kernel
support.playwright_or_skip()  # the whole module skips without Chromium or playwright

EVIL = "Charge <img src=x onerror=window.__pwned=1>"

CELLS = [
    f"""import sfn_notebook as sfn
from sfn_notebook.notebook.widgets import ExecutionView

EVIL = {EVIL!r}
tries = {{}}


def charge(event, context):
    tries[event] = tries.get(event, 0) + 1
    print(f"charging {{event}}, try {{tries[event]}}")
    if event == 2 and tries[event] == 1:
        raise ValueError("<b>declined</b>")
    return {{"charged": event, "note": "<script>window.__pwned = 2</script>"}}


definition = {{
    "StartAt": "Each",
    "States": {{
        "Each": {{
            "Type": "Map",
            "ItemProcessor": {{
                "StartAt": EVIL,
                "States": {{
                    EVIL: {{
                        "Type": "Task",
                        "Resource": "arn:aws:states:::lambda:invoke",
                        "Parameters": {{"FunctionName": "charge", "Payload.$": "$", "LogType": "Tail"}},
                        "ResultSelector": {{"charged.$": "$.Payload.charged", "note.$": "$.Payload.note"}},
                        "Assign": {{"last.$": "$.charged"}},
                        "Retry": [{{"ErrorEquals": ["ValueError"], "IntervalSeconds": 1}}],
                        "End": True,
                    }}
                }},
            }},
            "Next": "Done",
        }},
        "Done": {{"Type": "Pass", "End": True}},
    }},
}}
ex = sfn.run(definition, [1, 2, 3], functions={{"charge": charge}}, execution_name="inspect-me")
ExecutionView(ex)""",
    "ex.inspect(EVIL, map_iteration=1)",
]


def _pwned(page: Any) -> Any:
    return page.evaluate(
        "() => [window.__pwned, document.querySelectorAll('.sfn-inspector img, .sfn-inspector script, .sfn-inspection img, .sfn-inspection script').length]"
    )


def test_the_inspector_opens_from_graph_timeline_and_table(
    server: tuple[str, str, Path],
) -> None:
    app = server[0]
    with notebook_page(server, "inspect.ipynb", CELLS, height=2000) as page:
        page.wait_for_selector(".sfn-header[data-status='SUCCEEDED']", timeout=90_000)
        page.wait_for_selector(".sfn-inspection")  # ex.inspect's HTML, escaped
        assert EVIL in page.inner_text(".sfn-inspection")
        # 1. The graph: click the Map's inner Task; the latest visit shows, stage by stage.
        page.locator(".sfn-graph-svg g.node.sfn-state", has_text="Charge").first.click()
        panel = ".sfn-graph-details .sfn-inspector"
        page.wait_for_selector(f"{panel} .sfn-stage[data-stage='output']")
        assert page.inner_text(f"{panel} .sfn-inspector-title").startswith(EVIL)
        stages = page.eval_on_selector_all(
            f"{panel} .sfn-stage", "els => els.map(e => e.dataset.stage)"
        )
        assert stages == [
            "input", "afterInputPath", "afterParameters", "result", "afterResultSelector",
            "afterResultPath", "output", "variables",
        ], stages  # fmt: skip
        options = page.eval_on_selector_all(
            f"{panel} .sfn-visit-picker option", "els => els.map(e => e.textContent)"
        )
        assert len(options) == 4 and sum("attempt" in o for o in options) == 2, options
        assert "<script>" in page.inner_text(f"{panel} .sfn-stage[data-stage='output']")
        assert "charging 3, try 1" in page.inner_text(f"{panel} .sfn-inspector-log")
        # The picker: the failed first try in iteration 1, with its error, cause and log.
        failed = next(i for i, o in enumerate(options) if "failed" in o.lower())
        page.select_option(f"{panel} .sfn-visit-picker", str(failed))
        page.wait_for_selector(f"{panel} .sfn-inspector-visit[data-attempt='0'] .sfn-error")
        visit = page.inner_text(f"{panel} .sfn-inspector-visit")
        assert "Error: ValueError" in visit and "<b>declined</b>" in visit, visit
        assert "charging 2, try 1" in visit, visit
        assert _pwned(page) == [None, 0]
        page.locator(".sfn-graph-widget").screenshot(
            path=str(OUTPUT / f"inspector-{app}-graph-light.png")
        )
        # 2. The timeline: a click on the Done row inspects Done.
        page.locator(
            ".sfn-timeline-svg g.sfn-row text.sfn-row-label", has_text="Done"
        ).first.click()
        timeline = ".sfn-timeline-widget .sfn-inspector"
        page.wait_for_selector(f"{timeline}[data-state='Done'] .sfn-stage[data-stage='output']")
        assert "charged" in page.inner_text(f"{timeline} .sfn-stage[data-stage='input']")
        # 3. The event table: a click on a TaskSucceeded event inspects its visit.
        page.locator(".sfn-events tr.sfn-event", has_text="TaskSucceeded").first.click()
        table = ".sfn-table-widget .sfn-inspector"
        page.wait_for_selector(f"{table} .sfn-stage[data-stage='result']")
        assert page.inner_text(f"{table} .sfn-inspector-title").startswith(EVIL)
        assert _pwned(page) == [None, 0]
        page.screenshot(path=str(OUTPUT / f"inspector-{app}-light.png"), full_page=True)
        # Dark theme: the panel and its picker take the theme's colours.
        theme(page, "JupyterLab Dark")
        colours = page.evaluate(
            """() => {
                const bg = getComputedStyle(document.body).getPropertyValue('--jp-layout-color1').trim();
                const picker = document.querySelector('.sfn-graph-details .sfn-visit-picker');
                const title = document.querySelector('.sfn-graph-details .sfn-inspector-title');
                return {picker: getComputedStyle(picker).backgroundColor,
                        text: getComputedStyle(title).color, bg};
            }"""
        )
        assert colours["picker"] != "rgb(255, 255, 255)", colours
        assert colours["text"] != "rgb(22, 25, 31)", colours
        time.sleep(0.3)
        page.locator(".sfn-graph-widget").screenshot(
            path=str(OUTPUT / f"inspector-{app}-graph-dark.png")
        )
        page.screenshot(path=str(OUTPUT / f"inspector-{app}-dark.png"), full_page=True)
