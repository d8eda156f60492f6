"""Navigating big runs, Python side: the graph coloured for one Map iteration or Parallel branch,
the event table's state and text filters, follow on a filtered list, and details sent whole.
The browser side is in test_widgets_navigation_browser.py."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

from widget_comm import customs, from_browser, messages, mock_comm  # noqa: F401 - fixture

import sfn_notebook as sfn
from sfn_notebook.notebook import protocol
from sfn_notebook.notebook.eventquery import DETAIL_LIMIT, query, state_names
from sfn_notebook.notebook.feed import ExecutionFeed
from sfn_notebook.notebook.widgets import EventTable, ExecutionGraph, ExecutionView

EVIL = "<img src=x onerror=alert(1)>"

FLOW: dict[str, Any] = {
    "StartAt": "Each",
    "States": {
        "Each": {
            "Type": "Map",
            "ItemProcessor": {
                "StartAt": "Odd?",
                "States": {
                    "Odd?": {
                        "Type": "Choice",
                        "Choices": [{"Variable": "$.n", "NumericEquals": 1, "Next": EVIL}],
                        "Default": "Keep",
                    },
                    "Keep": {"Type": "Pass", "End": True},
                    EVIL: {"Type": "Pass", "Result": {"html": "<b>x</b>"}, "End": True},
                },
            },
            "Next": "Both",
        },
        "Both": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "Left", "States": {"Left": {"Type": "Pass", "End": True}}},
                {"StartAt": "Right", "States": {"Right": {"Type": "Pass", "End": True}}},
            ],
            "End": True,
        },
    },
}
KEEP = "/States/Each/ItemProcessor/States/Keep"
ODD = "/States/Each/ItemProcessor/States/Odd_x3f"


def _evil_node(graph: ExecutionGraph) -> str:
    [node] = [n for n in graph.nodes if n.startswith("/States/Each/ItemProcessor/States/_x3c")]
    return node


def _browser_sets(widget: Any, **state: Any) -> None:
    """What the front-end's model.set + save_changes sends."""
    widget._handle_msg(
        {"content": {"data": {"method": "update", "state": state, "buffer_paths": []}},
         "buffers": []}
    )  # fmt: skip


def test_the_graph_is_coloured_for_one_map_iteration() -> None:
    ex = sfn.run(FLOW, [{"n": 0}, {"n": 1}, {"n": 2}])
    graph = ExecutionGraph(ex, definition=sfn.parse(FLOW))
    evil = _evil_node(graph)
    # The whole run: both paths of the Choice were taken by some iteration.
    assert graph.nodes[KEEP]["status"] == graph.nodes[evil]["status"] == "SUCCEEDED"
    assert graph.scopes == [
        {"state": "Each", "type": "Map", "node": "/States/Each", "count": 3, "failed": []},
        {"state": "Both", "type": "Parallel", "node": "/States/Both", "count": 2, "failed": []},
    ]
    assert all(set(c) == set(protocol.ScopeChoice.__annotations__) for c in graph.scopes)
    _browser_sets(graph, scope={"state": "Each", "index": 1})
    assert graph.nodes[evil]["status"] == "SUCCEEDED"
    assert graph.nodes[KEEP]["status"] == "NOT_REACHED"
    assert graph.nodes[ODD]["status"] == "SUCCEEDED"
    # The Map says which iteration is shown; the states outside it keep their colours.
    assert graph.nodes["/States/Each"]["subtitle"] == "Map · 3 ok · iteration #1"
    assert graph.nodes["/States/Both"]["status"] == "SUCCEEDED"
    sent = [m["state"]["nodes"] for m in messages(graph) if "nodes" in m.get("state", {})]
    assert sent and sent[-1][KEEP]["status"] == "NOT_REACHED"
    graph.scope = {"state": "Each", "index": 2}  # from Python, the same
    assert graph.nodes[KEEP]["status"] == "SUCCEEDED" and graph.nodes[evil]["status"] == (
        "NOT_REACHED"
    )
    graph.scope = {}
    assert graph.nodes[KEEP]["status"] == graph.nodes[evil]["status"] == "SUCCEEDED"


def test_a_parallel_branch_and_an_iteration_that_never_ran() -> None:
    ex = sfn.run(FLOW, [{"n": 0}])
    graph = ExecutionGraph(ex, definition=sfn.parse(FLOW))
    graph.scope = {"state": "Both", "index": 1}
    assert graph.nodes["/States/Both/Branches/1/States/Right"]["status"] == "SUCCEEDED"
    assert graph.nodes["/States/Both"]["subtitle"] == "Parallel · branch #1"
    graph.scope = {"state": "Each", "index": 7}  # no such iteration: nothing inside ran
    assert graph.nodes[KEEP]["status"] == "NOT_REACHED"
    graph.scope = {"state": "Nope", "index": 0}  # not a Map or Parallel: the whole run
    assert graph.nodes[KEEP]["status"] == "SUCCEEDED"


def test_a_scope_follows_a_live_run() -> None:
    from sfn_notebook.runtime.runtime import Runtime

    with Runtime(clock="real") as rt:
        arn = rt.create_state_machine(name="live", definition=FLOW)["stateMachineArn"]
        ex = rt.start(arn, [{"n": i % 3} for i in range(200)])
        view = ExecutionView(ex, definition=sfn.parse(FLOW), interval=0.05)
        view.graph.scope = {"state": "Each", "index": 199}
        ex.wait(60)
        deadline = time.monotonic() + 10
        while view.graph.scopes[:1] != [
            {"state": "Each", "type": "Map", "node": "/States/Each", "count": 200, "failed": []}
        ]:
            assert time.monotonic() < deadline, view.graph.scopes
            time.sleep(0.05)
        view.flush()
    # Item 199 is 199 % 3 == 1: the odd path.
    assert view.graph.nodes[_evil_node(view.graph)]["status"] == "SUCCEEDED"
    assert view.graph.nodes[KEEP]["status"] == "NOT_REACHED"


def test_the_scopes_list_failed_iterations_and_branches() -> None:
    flow = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "MaxConcurrency": 1,
                "ItemProcessor": {
                    "StartAt": "Bad?",
                    "States": {
                        "Bad?": {
                            "Type": "Choice",
                            "Choices": [{"Variable": "$", "NumericEquals": 1, "Next": "Boom"}],
                            "Default": "Fine",
                        },
                        "Fine": {"Type": "Pass", "End": True},
                        "Boom": {"Type": "Fail", "Error": "Bad"},
                    },
                },
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Both"}],
                "Next": "Both",
            },
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "L", "States": {"L": {"Type": "Pass", "End": True}}},
                    {"StartAt": "R", "States": {"R": {"Type": "Fail", "Error": "Right"}}},
                ],
                "End": True,
            },
        },
    }
    ex = sfn.run(flow, [0, 1, 2])
    graph = ExecutionGraph(ex, definition=sfn.parse(flow))
    assert [(c["state"], c["count"], c["failed"]) for c in graph.scopes] == [
        ("Each", 2, [1]),  # iteration 1 failed the Map: iteration 2 never started
        ("Both", 2, [1]),
    ]
    graph.scope = {"state": "Each", "index": 1}
    assert graph.nodes["/States/Each/ItemProcessor/States/Boom"]["status"] == "FAILED"
    assert graph.nodes["/States/Each/ItemProcessor/States/Fine"]["status"] == "NOT_REACHED"


def _page(table: EventTable, **request: Any) -> dict[str, Any]:
    content = {"type": "page", "request": 1, "offset": 0, "limit": 50, "types": None}
    from_browser(table, {**content, **request})
    reply = customs(table)[-1]
    assert set(reply) == set(protocol.PageReply.__annotations__)
    return reply


def test_event_table_filters_by_state_and_text() -> None:
    ex = sfn.run(FLOW, [{"n": 0}, {"n": 1}, {"n": 2}])
    table = EventTable(ex, definition=sfn.parse(FLOW))
    assert table.states == ["Each", "Odd?", "Keep", EVIL, "Both", "Left", "Right"]
    keep = _page(table, state="Keep")
    assert keep["total"] == 4  # two iterations took Keep: entered and exited each
    assert {r["type"] for r in keep["rows"]} == {"PassStateEntered", "PassStateExited"}
    assert all('"name": "Keep"' in r["details"] for r in keep["rows"])
    # A Map's iteration events are the Map's.
    each = _page(table, state="Each", types=["MapIterationSucceeded"])
    assert each["total"] == 3
    # Search: case-insensitive, over the whole event.
    found = _page(table, text="<B>X</B>")
    # The Pass state's output, then every payload that carries it on (Map, Parallel, end).
    assert (
        found["rows"][0]["type"] == "PassStateExited"
        and '"name": "<img' in found["rows"][0]["details"]
    )
    assert found["total"] == 9 and all("<b>x</b>" in r["details"] for r in found["rows"])
    assert _page(table, text="no such text")["total"] == 0
    both = _page(table, state=EVIL, text="html")
    assert [r["type"] for r in both["rows"]] == ["PassStateExited"]


def test_follow_lands_on_the_last_page_of_the_filtered_list() -> None:
    ex = sfn.run(FLOW, [{"n": i} for i in range(60)])
    table = EventTable(ex, definition=sfn.parse(FLOW))
    everything = _page(table, follow=True, limit=50)
    assert everything["offset"] == (len(ex.history) - 1) // 50 * 50
    assert everything["rows"][-1]["type"] == "ExecutionSucceeded"
    entered = _page(table, follow=True, limit=50, types=["PassStateEntered"], state="Keep")
    # Items 0, 2..59 take Keep: 59 entries, so the last page starts at 50 and holds 9.
    assert (entered["total"], entered["offset"], len(entered["rows"])) == (59, 50, 9)
    # Paging past the end is clamped, never an empty page past the total.
    assert _page(table, offset=900, state="Keep")["offset"] == 118


def test_details_are_cut_on_a_page_and_sent_whole_on_request() -> None:
    big = "x" * (DETAIL_LIMIT + 500)
    chain = {f"S{i}": {"Type": "Pass", "Next": f"S{i + 1}"} for i in range(5)}
    chain["S5"] = {"Type": "Pass", "OutputPath": "$.small", "End": True}
    ex = sfn.run({"StartAt": "S0", "States": chain}, {"big": big, "small": {}})
    table = EventTable(ex)
    first = _page(table, limit=1)["rows"][0]
    assert first["truncated"] and len(first["details"]) == DETAIL_LIMIT
    whole = _page(table, offset=0, limit=1, full=True)["rows"][0]
    assert (
        not whole["truncated"]
        and big in json.loads(whole["details"])["executionStartedEventDetails"]["input"]
    )
    # At most a few rows come whole in one reply.
    assert len(_page(table, limit=50, full=True)["rows"]) == 5


def test_search_over_10000_events_is_quick() -> None:
    definition = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemProcessor": {
                    "StartAt": "A",
                    "States": {
                        "A": {"Type": "Pass", "Next": "B"},
                        "B": {"Type": "Pass", "End": True},
                    },
                },
                "End": True,
            }
        },
    }
    ex = sfn.run(definition, [{"n": i} for i in range(1700)])
    feed = ExecutionFeed.of(ex, definition=sfn.parse(definition))
    assert len(feed.events) > 10_000
    started = time.perf_counter()
    first = query(feed, text='"N":1234}', follow=True)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    again = query(feed, text='"n":1234}', state="B", follow=True)
    warm = time.perf_counter() - started
    # The run's and the Map's input and output, A and B entered and exited; of B: 2.
    assert first.total == 8 and again.total == 2
    assert cold < 3.0 and warm < 1.0, (cold, warm)
    assert state_names(feed) == ["Each", "A", "B"]


SLOW_MAP: dict[str, Any] = {
    "StartAt": "Each",
    "States": {
        "Each": {
            "Type": "Map",
            "MaxConcurrency": 4,
            "ItemProcessor": {
                "StartAt": "Nap",
                "States": {
                    "Nap": {
                        "Type": "Task",
                        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:nap",
                        "End": True,
                    }
                },
            },
            "End": True,
        }
    },
}


def _live(items: int, **widget: Any) -> tuple[Any, Any]:
    """A real-clock Map of ``items`` short naps (about 0.5 s in all), watched by a widget."""
    from sfn_notebook.runtime.runtime import Runtime

    with Runtime(clock="real") as rt:

        @rt.function("nap")
        def nap(event: Any, _context: Any) -> Any:
            time.sleep(0.02)
            return event

        arn = rt.create_state_machine(name="live", definition=SLOW_MAP)["stateMachineArn"]
        ex = rt.start(arn, list(range(items)))
        made = widget.pop("make")(ex, definition=sfn.parse(SLOW_MAP), interval=0.02, **widget)
        ex.wait(60)
        deadline = time.monotonic() + 10
        while made.feed.tracker.status == "RUNNING" or (
            isinstance(made, EventTable) and made.total < len(ex.history)
        ):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(0.1)
        made.flush()
    return ex, made


def test_the_event_table_pushes_the_events_each_update_adds() -> None:
    ex, table = _live(150, make=EventTable)
    updates = [m["state"] for m in messages(table) if "newest" in m.get("state", {})]
    assert len(updates) > 1
    ids = [row["id"] for update in updates for row in update["newest"]]
    assert ids == sorted(set(ids)) and ids[-1] == len(ex.history)  # each event once, in order
    for update in updates:
        batch = update["newest"]
        # At most a page, sent with the total it brings the table to: the last page is whole.
        assert 0 < len(batch) <= 50 and update["total"] == batch[-1]["id"]
        assert set(batch[0]) == set(protocol.EventRow.__annotations__)


def test_timeline_patches_repeat_early_changes_for_a_late_view(monkeypatch: Any) -> None:
    from sfn_notebook.notebook import widgets
    from sfn_notebook.notebook.widgets import RetryTimeline

    monkeypatch.setattr(widgets, "BACKFILL", 60.0)  # the whole run: every patch repeats
    _ex, timeline = _live(100, make=RetryTimeline)
    snapshot = timeline.snapshot
    assert snapshot["reset"] is True and set(snapshot) == set(protocol.RowsUpdate.__annotations__)
    patches = [m for m in customs(timeline) if m["type"] == "rows"]
    assert len(patches) > 1
    versions = [p["version"] for p in patches]
    assert versions == sorted(versions) and versions[0] > snapshot["version"]
    # Any patch alone, with the snapshot, gives every row changed up to it: a view that starts
    # listening late misses nothing.
    for before, after in itertools.pairwise(patches):
        assert {r["key"] for r in before["rows"]} <= {r["key"] for r in after["rows"]}
    monkeypatch.setattr(widgets, "BACKFILL", 0.0)
    _ex, timeline = _live(100, make=RetryTimeline)
    patches = [m for m in customs(timeline) if m["type"] == "rows"]
    keys = [r["key"] for p in patches[1:] for r in p["rows"] if r["kind"] == "iteration"]
    assert len(keys) < 3 * 100  # after the window each patch has only what changed
