# ruff: noqa: RUF001, RUF003 - "×" is the times sign the graphs write
"""Coverage and fault views on the graph (render/overlay.py): what each state and edge says."""

from __future__ import annotations

import re
from typing import Any

import sfn_notebook as sfn
from sfn_notebook import analysis, testing

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"
FLOW = {
    "StartAt": "Route",
    "States": {
        "Route": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.n", "NumericGreaterThan": 10, "Next": "Big"},
                {"Variable": "$.n", "NumericLessThan": 0, "Next": "Refuse"},
            ],
            "Default": "Small",
        },
        "Big": {
            "Type": "Task",
            "Resource": LAMBDA + "big",
            "Retry": [
                {"ErrorEquals": ["Busy"], "MaxAttempts": 3, "IntervalSeconds": 1},
                {"ErrorEquals": ["Slow"], "MaxAttempts": 1},
            ],
            "Catch": [
                {"ErrorEquals": ["Broken"], "Next": "Refuse"},
                {"ErrorEquals": ["Gone"], "Next": "Refuse"},
            ],
            "Next": "Done",
        },
        "Small": {"Type": "Pass", "Next": "Done"},
        "Refuse": {"Type": "Fail", "Error": "Refused"},
        "Done": {"Type": "Succeed"},
    },
}


def edge_line(dot: str, source: str, target: str, contains: str = "") -> str:
    lines = [
        line
        for line in dot.splitlines()
        if f'"/States/{source}" -> "/States/{target}"' in line and contains in line
    ]
    assert len(lines) == 1, (source, target, lines)
    return lines[0]


def node_label(dot: str, state: str) -> str:
    found = re.search(rf'"/States/{state}" \[[^\n]*? label="([^"]*)"', dot)
    assert found, state
    return found.group(1)


def big(event: Any, context: Any) -> Any:
    big.calls += 1  # type: ignore[attr-defined]
    if event.get("busy") and big.calls % 3:  # type: ignore[attr-defined]
        raise type("Busy", (Exception,), {})("busy")
    if event.get("broken"):
        raise type("Broken", (Exception,), {})("broken")
    return event


big.calls = 0  # type: ignore[attr-defined]


def test_coverage_graph_counts_states_edges_rules_retries_and_catches() -> None:
    functions = {"big": big}
    runs = [
        sfn.run(FLOW, {"n": 1}, functions=functions),
        sfn.run(FLOW, {"n": 20}, functions=functions),
        sfn.run(FLOW, {"n": 30, "busy": True}, functions=functions),
        sfn.run(FLOW, {"n": 40, "broken": True}, functions=functions),
    ]
    cov = analysis.coverage(runs, definition=FLOW)
    graph = cov.graph(title="flow")
    dot = graph.dot
    assert node_label(dot, "Route") == "Route\\nentered 4×"
    assert node_label(dot, "Big") == "Big\\nLambda: big\\nentered 3×\\nRetry 0: 1× · Retry 1: never"
    assert node_label(dot, "Refuse").endswith("entered 1×")
    # Choice rules carry their condition and their count; one never taken is dotted.
    assert 'label="$.n &gt; 10 · 3×", style=solid' in edge_line(dot, "Route", "Big")
    assert 'label="$.n &lt; 0 · never", style=dotted' in edge_line(dot, "Route", "Refuse")
    assert 'label="Default · 1×"' in edge_line(dot, "Route", "Small")
    assert 'label="2×", style=solid' in edge_line(dot, "Big", "Done")
    # Two Catch clauses to the same state: each its own edge and count.
    assert 'label="Broken · 1×"' in edge_line(dot, "Big", "Refuse", "Broken")
    assert 'label="Gone · never", style=dotted' in edge_line(dot, "Big", "Refuse", "Gone")
    assert repr(graph).startswith(cov.report().splitlines()[0])
    bundle = graph._repr_mimebundle_()
    assert bundle["text/plain"] == repr(graph)
    assert bundle["text/html"].startswith('<div class="sfn-summary">coverage: ')
    assert bundle["image/svg+xml"].startswith("<svg")
    assert bundle["application/vnd.sfn-notebook.graph+json"] == {
        "dot": dot,
        "title": f"flow — {graph.caption}",
    }


def test_an_empty_coverage_says_never_everywhere() -> None:
    dot = analysis.coverage([], definition=FLOW).graph().dot
    assert "entered" not in dot.replace("never entered", "")
    assert dot.count("style=dotted") == 7  # 3 Choice edges, the Next of Big and Small, 2 Catch
    assert 'fillcolor="#d8f0d5"' not in dot  # nothing green


def test_fault_graph_colours_each_task_by_what_its_faults_do() -> None:
    flow = {
        "StartAt": "Charge",
        "States": {
            "Charge": {
                "Type": "Task",
                "Resource": LAMBDA + "charge",
                "Retry": [{"ErrorEquals": ["Lambda.TooManyRequestsException"], "MaxAttempts": 2}],
                "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "Refund"}],
                "Next": "Ship",
            },
            "Ship": {
                "Type": "Task",
                "Resource": LAMBDA + "ship",
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Refund"}],
                "End": True,
            },
            "Refund": {"Type": "Pass", "End": True},
        },
    }
    functions = {"charge": lambda e, c: e, "ship": lambda e, c: e}
    faults = testing.inject_faults(flow, {}, functions=functions)
    graph = testing.fault_graph(flow, faults)
    dot = graph.dot
    charge = node_label(dot, "Charge")
    assert "fails: " in charge and "States.Timeout" in charge
    assert "caught: " in charge and "retried: Lambda.TooManyRequestsException" in charge
    assert 'fillcolor="#fbdcd8"' in dot.split('"/States/Charge" [')[1].split("\n")[0]  # red
    ship = dot.split('"/States/Ship" [')[1].split("\n")[0]
    assert 'fillcolor="#fdebc8"' in ship  # orange: every fault caught
    assert "fails:" not in node_label(dot, "Ship")
    caught_by_ship = int((faults["caught_by"] == "Ship").sum())
    assert f"States.ALL · caught {caught_by_ship}" in edge_line(dot, "Ship", "Refund")
    failing = int((faults["outcome"] == "failed").sum())
    assert repr(graph).startswith(f"{len(faults)} faults injected, {failing} fail the execution")
    # The same from the outcome objects.
    outcomes = testing.fault_outcomes(flow, {}, functions=functions)
    assert testing.fault_graph(flow, outcomes).dot == dot


def test_hostile_state_names_stay_text() -> None:
    name = '<img src=x onerror=alert(1)>"\\'
    flow = {"StartAt": name, "States": {name: {"Type": "Pass", "End": True}}}
    cov = analysis.coverage([sfn.run(flow)], definition=flow)
    svg = cov.graph().svg()
    assert "<img" not in svg and "onerror=alert" not in svg.replace("onerror=alert(1)&gt;", "")
