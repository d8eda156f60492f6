"""notebook/: widgets over a mock comm, coalescing bounds, display bundles, the typed protocol and
the committed front-end bundle."""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import types
import typing
from pathlib import Path
from typing import Any

import pytest
from widget_comm import customs, from_browser, messages, mock_comm, wait_for  # noqa: F401 - fixture

import sfn_notebook as sfn
from sfn_notebook.notebook import protocol
from sfn_notebook.notebook.display import (
    WIDGET_MIME_TYPE,
    execution_mimebundle,
    widget_frontend_available,
)
from sfn_notebook.notebook.feed import ExecutionFeed, Throttle
from sfn_notebook.notebook.widgets import (
    EventTable,
    ExecutionGraph,
    ExecutionHeader,
    ExecutionView,
    RetryTimeline,
)
from sfn_notebook.render import GRAPH_MIME_TYPE
from sfn_notebook.runtime.runtime import Runtime

ROOT = Path(__file__).resolve().parents[1]
FRONTEND = ROOT / "widgets"
STATIC = ROOT / "sfn_notebook" / "notebook" / "static"


def lam(name: str) -> str:
    return f"arn:aws:lambda:us-east-1:123456789012:function:{name}"


LIVE = {
    "StartAt": "Work",
    "States": {
        "Work": {"Type": "Task", "Resource": lam("work"), "Next": "Nap"},
        "Nap": {"Type": "Wait", "Seconds": 1, "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}


def node_statuses(widget: ExecutionGraph, node: str) -> list[str]:
    """The statuses the browser saw for a node, consecutive repeats merged."""
    seen: list[str] = []
    for message in messages(widget):
        nodes = message.get("state", {}).get("nodes")
        if nodes is None:
            continue
        status = nodes.get(node, {}).get("status", "NOT_REACHED")
        if not seen or seen[-1] != status:
            seen.append(status)
    return seen


def test_a_live_run_shows_each_state_in_progress_then_succeeded() -> None:
    gate = threading.Event()

    def work(event: Any, context: Any) -> Any:
        gate.wait(10)
        return event

    with Runtime(clock="real", functions={"work": work}) as rt:
        arn = rt.create_state_machine(name="live", definition=LIVE)["stateMachineArn"]
        ex = rt.start(arn, {"n": 1})
        graph = ExecutionGraph(ex, definition=sfn.parse(LIVE))
        timeline = RetryTimeline(ex)
        header = ExecutionHeader(ex)
        wait_for(lambda: graph.nodes.get("/States/Work", {}).get("status") == "RUNNING")
        gate.set()
        wait_for(lambda: graph.nodes.get("/States/Nap", {}).get("status") == "RUNNING")
        assert header.header["ticking"] is True  # real clock: the browser lets time pass
        ex.wait(10)
        wait_for(lambda: graph.status == "SUCCEEDED")
        wait_for(lambda: header.header["status"] == "SUCCEEDED")
    # The widget may be made before or after Work is entered; from then on the sequence is exact.
    work = node_statuses(graph, "/States/Work")
    assert work in (["NOT_REACHED", "RUNNING", "SUCCEEDED"], ["RUNNING", "SUCCEEDED"])
    assert node_statuses(graph, "/States/Nap") == ["NOT_REACHED", "RUNNING", "SUCCEEDED"]
    done = node_statuses(
        graph, "/States/Done"
    )  # a Succeed state is in progress only for an instant
    assert done in (["NOT_REACHED", "SUCCEEDED"], ["NOT_REACHED", "RUNNING", "SUCCEEDED"])
    statuses = [m["state"]["status"] for m in messages(graph) if "status" in m.get("state", {})]
    merged = [s for i, s in enumerate(statuses) if i == 0 or statuses[i - 1] != s]
    assert merged in (["NOT_STARTED", "RUNNING", "SUCCEEDED"], ["RUNNING", "SUCCEEDED"])
    # The timeline sends rows as they change (not every tick of the Wait), then stops ticking.
    updates = customs(timeline)
    assert any(u["ticking"] for u in updates) and not updates[-1]["ticking"]
    assert updates[-1]["status"] == "SUCCEEDED" and len(updates) <= 12
    assert header.header["ticking"] is False and header.header["done"] == 3
    assert graph.svg.startswith("<svg") and 'id="/States/Nap"' in graph.svg


def big_map(items: int) -> dict[str, Any]:
    return {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemProcessor": {
                    "StartAt": "Step",
                    "States": {"Step": {"Type": "Pass", "End": True}},
                },
                "End": True,
            }
        },
    }


def test_a_10000_event_run_sends_a_bounded_number_of_messages() -> None:
    definition = big_map(2500)
    with Runtime(clock="real") as rt:
        arn = rt.create_state_machine(name="big", definition=definition)["stateMachineArn"]
        ex = rt.start(arn, list(range(2500)))
        view = ExecutionView(ex, definition=sfn.parse(definition))
        ex.wait(60)
        parts = [view.header, view.graph, view.timeline, view.events]
        wait_for(lambda: view.header.header.get("status") == "SUCCEEDED")
        time.sleep(0.3)  # let the trailing flushes go out
    events = len(ex.history)
    assert events >= 10_000
    for part in parts:
        sent = [t for t, kind, _ in part.comm.sent if kind == "comm_msg"]
        assert len(sent) <= 200, (type(part).__name__, len(sent))
        # No more than ~10 a second: any 1-second window holds at most 11 messages.
        assert all(sum(1 for u in sent if t <= u < t + 1.0) <= 11 for t in sent), type(
            part
        ).__name__
    assert view.graph.nodes["/States/Each"]["counts"] == [2500, 0, 0]
    assert view.graph.nodes["/States/Each"]["subtitle"] == "Map · 2500 ok"
    assert view.events.total == events
    # The timeline's snapshot and patches add up to the same rows a reset gives.
    rows: dict[str, Any] = {row["key"]: row for row in view.timeline.snapshot["rows"]}
    for message in customs(view.timeline):
        rows.update({row["key"]: row for row in message["rows"]})
    from_browser(view.timeline, {"type": "hello"})
    reset = customs(view.timeline)[-1]
    assert reset["reset"] is True and reset["status"] == "SUCCEEDED"
    assert {row["key"]: row for row in reset["rows"]} == rows
    assert len(rows) == 1 + 2 * 2500  # the Map, its iterations, their states


def test_throttle_coalesces_pokes_from_many_threads() -> None:
    calls: list[float] = []
    throttle = Throttle(lambda: calls.append(time.monotonic()), interval=0.05)
    threads = [
        threading.Thread(target=lambda: [throttle.poke() for _ in range(2000)]) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    time.sleep(0.15)
    assert 1 <= len(calls) <= 10
    assert all(b - a >= 0.045 for a, b in itertools.pairwise(calls))


def test_feed_orders_events_and_ignores_duplicates() -> None:
    ex = sfn.run(LIVE, functions={"work": lambda e, c: e})
    feed = ExecutionFeed(sfn.parse(LIVE))
    events = ex.history
    for event in [events[2], events[0], events[1], events[0], *events[3:]]:
        feed.add(event)
    assert [e["id"] for e in feed.events] == [e["id"] for e in events]
    assert feed.header()["status"] == "SUCCEEDED"
    assert feed.header()["done"] == 3


def test_graph_click_returns_the_states_details() -> None:
    evil = "<img src=x onerror=alert(1)>"
    definition = {
        "StartAt": evil,
        "States": {evil: {"Type": "Pass", "Result": {"html": "<b>bold</b>"}, "End": True}},
    }
    ex = sfn.run(definition, {"in": 1})
    graph = ExecutionGraph(ex, definition=sfn.parse(definition))
    node = "/States/_x3cimg_x20src_x3dx_x20onerror_x3dalert_x281_x29_x3e"
    assert graph.nodes[node]["status"] == "SUCCEEDED"
    assert "<img" not in graph.svg and "&lt;img src=x onerror=alert(1)&gt;" in graph.svg
    from_browser(graph, {"type": "select", "node": node})
    reply = customs(graph)[-1]
    assert reply["type"] == "details" and reply["name"] == evil
    assert reply["state_type"] == "Pass" and '"Result"' in reply["definition"]
    [visit] = reply["visits"]
    assert visit["status"] == "SUCCEEDED" and visit["input"] == '{\n  "in": 1\n}'
    assert '"<b>bold</b>"' in visit["output"]
    assert set(visit) == set(protocol.VisitDetails.__annotations__)


def test_event_table_pages_and_filters() -> None:
    ex = sfn.run(LIVE, functions={"work": lambda e, c: e})
    table = EventTable(ex)
    assert table.total == len(ex.history)
    assert table.type_counts["WaitStateEntered"] == 1
    from_browser(table, {"type": "page", "request": 7, "offset": 0, "limit": 3, "types": None})
    page = customs(table)[-1]
    assert (page["request"], page["total"], [r["id"] for r in page["rows"]]) == (
        7,
        len(ex.history),
        [1, 2, 3],
    )
    assert page["rows"][0]["type"] == "ExecutionStarted" and '"input"' in page["rows"][0]["details"]
    assert set(page["rows"][0]) == set(protocol.EventRow.__annotations__)
    from_browser(
        table,
        {"type": "page", "request": 8, "offset": 0, "limit": 50, "types": ["TaskStateEntered"]},
    )
    page = customs(table)[-1]
    assert page["total"] == 1 and page["rows"][0]["summary"] == "Work"


def test_execution_display_has_widget_and_static_parts() -> None:
    ex = sfn.run(LIVE, functions={"work": lambda e, c: e})
    ex.definition = sfn.parse(LIVE)
    bundle = execution_mimebundle(ex, widget=True)
    assert set(bundle) == {
        WIDGET_MIME_TYPE,
        GRAPH_MIME_TYPE,
        "image/svg+xml",
        "text/html",
        "text/plain",
    }
    assert (
        bundle["image/svg+xml"].startswith("<svg")
        and 'id="/States/Work"' in bundle["image/svg+xml"]
    )
    assert bundle["image/svg+xml"] in bundle["text/html"]
    assert 'class="sfn-timeline"' in bundle["text/html"]
    # The 1 s Wait, plus the real time the Python Task took (virtual time runs with real time
    # while external work is in flight): "1 s", or "1.01 s" on a loaded machine.
    assert re.match(
        rf"<Execution {ex.name} SUCCEEDED in 1(\.\d+)? s: 3 states run", bundle["text/plain"]
    ), bundle["text/plain"]
    # Outside a kernel there is no widget front-end: static parts only (and this is what
    # IPython's display() calls).
    plain = ex._repr_mimebundle_()
    assert WIDGET_MIME_TYPE not in plain and plain["image/svg+xml"] == bundle["image/svg+xml"]
    assert set(ex._repr_mimebundle_(include={"text/plain"})) == {"text/plain"}
    # Without a definition the static image is the timeline.
    ex.definition = None
    assert 'class="sfn-timeline"' in execution_mimebundle(ex, widget=False)["image/svg+xml"]


def test_the_widget_is_offered_to_interactive_frontends_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Kernel:
        allow_stdin = True

        def get_parent(self) -> dict[str, Any]:
            return {"content": {"allow_stdin": self.allow_stdin}}

    shell = types.SimpleNamespace(kernel=None)
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: shell))
    monkeypatch.delenv("SFN_NOTEBOOK_WIDGETS", raising=False)
    assert not widget_frontend_available()  # a terminal IPython
    shell.kernel = Kernel()
    assert widget_frontend_available()  # JupyterLab, Notebook 7, VS Code
    Kernel.allow_stdin = False
    assert not widget_frontend_available()  # nbclient: nbconvert --execute, nbval, papermill
    monkeypatch.setenv("SFN_NOTEBOOK_WIDGETS", "1")
    assert widget_frontend_available()
    ex = sfn.run(LIVE, functions={"work": lambda e, c: e})
    assert WIDGET_MIME_TYPE in ex._repr_mimebundle_()
    monkeypatch.setenv("SFN_NOTEBOOK_WIDGETS", "0")
    assert WIDGET_MIME_TYPE not in ex._repr_mimebundle_()


def test_widgets_load_the_packaged_bundle() -> None:
    timeline = RetryTimeline(events=[])
    assert str(timeline._esm).startswith("// sfn-notebook widgets, built by widgets/build.mjs")
    assert "source-sha256" in str(timeline._css)
    assert timeline.palette["CAUGHT_ERROR"] == ["#fdebc8", "#c46c00"]


# -- the front-end: typed protocol and bundle ----------------------------------------------------


def ts_interfaces() -> dict[str, set[str]]:
    text = (FRONTEND / "src" / "protocol.ts").read_text()
    found = {}
    for name, body in re.findall(r"export interface (\w+) \{(.*?)\n\}", text, re.DOTALL):
        found[name] = set(re.findall(r"^\s+(\w+)\??:", body, re.MULTILINE))
    return found


def test_protocol_is_the_same_in_python_and_typescript() -> None:
    ts = ts_interfaces()
    names = [n for n in protocol.__all__ if isinstance(getattr(protocol, n), type)]
    assert names
    for name in names:
        fields = set(typing.get_type_hints(getattr(protocol, name)))
        assert ts.get(name) == fields, name
    hints = {name: typing.get_type_hints(getattr(protocol, name)) for name in names}
    python_literals = {
        name: typing.get_args(h["type"])[0]
        for name, h in hints.items()
        if typing.get_origin(h.get("type")) is typing.Literal
    }
    assert set(python_literals) == {
        "HelloRequest", "SelectRequest", "PageRequest", "RowsUpdate", "DetailsReply", "PageReply",
        "ChildRequest", "ChildReply",
        "InspectRequest", "InspectionReply",
        "ExportRequest", "ExportReply",
        "DebugRequest", "TravelRequest",
    }  # fmt: skip
    text = (FRONTEND / "src" / "protocol.ts").read_text()
    for name, literal in python_literals.items():
        assert re.search(rf'interface {name} \{{\s*type: "{literal}";', text), name


def source_hash() -> str:
    """widgets/build.mjs's sourceHash(), in Python."""
    paths = [p for p in (FRONTEND / "src").rglob("*") if p.is_file()]
    # SHARED in build.mjs: the files the bundle imports from the JupyterLab extension.
    shared = re.search(r"SHARED = \[([^\]]*)\]", (FRONTEND / "build.mjs").read_text())
    assert shared, "build.mjs names its SHARED sources"
    names = re.findall(r'"([\w.]+\.ts)"', shared.group(1))
    paths += [ROOT / "labextension" / "src" / name for name in names]
    paths += [FRONTEND / "package.json", FRONTEND / "build.mjs"]
    digest = hashlib.sha256()
    for rel in sorted(Path(os.path.relpath(p, FRONTEND)).as_posix() for p in paths):
        digest.update(rel.encode() + b"\0" + (FRONTEND / rel).read_bytes() + b"\0")
    return digest.hexdigest()


def test_committed_bundle_is_built_from_the_current_sources() -> None:
    expected = source_hash()
    for name in ("widgets.js", "widgets.css"):
        head = (STATIC / name).read_text()[:300]
        found = re.search(r"source-sha256: ([0-9a-f]{64})", head)
        assert found and found.group(1) == expected, (
            f"{name} is stale: run `npm --prefix widgets ci && npm --prefix widgets run build`"
        )


needs_node = pytest.mark.skipif(
    shutil.which("node") is None or not (FRONTEND / "node_modules" / "esbuild").exists(),
    reason="front-end tools not installed (run `npm --prefix widgets ci`)",
)


@needs_node
def test_bundle_rebuilds_byte_for_byte() -> None:
    done = subprocess.run(
        ["node", "build.mjs", "--check"], cwd=FRONTEND, capture_output=True, check=False, text=True
    )
    assert done.returncode == 0, done.stderr


@needs_node
def test_frontend_typechecks_and_its_unit_tests_pass() -> None:
    tsc = subprocess.run(
        ["node", "node_modules/typescript/bin/tsc", "--noEmit", "-p", "."],
        cwd=FRONTEND, capture_output=True, check=False, text=True,
    )  # fmt: skip
    assert tsc.returncode == 0, tsc.stdout + tsc.stderr
    tests = subprocess.run(
        ["node", "build.mjs", "--test"], cwd=FRONTEND, capture_output=True, check=False, text=True
    )
    assert tests.returncode == 0, tests.stdout[-3000:] + tests.stderr[-3000:]
    assert "# fail 0" in tests.stdout
