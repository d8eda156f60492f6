"""The graph coloured for one Map iteration or one Parallel branch.

A run's graph normally shows each state's most telling status over all its visits: with 1,000
Map iterations, one failed iteration paints the Map's inner states red, and which iteration that
was is lost. A *scope* ``{"state": "Each", "index": 41}`` picks one iteration (or one branch)
instead: the states inside that Map or Parallel are coloured by the visits made on that line only
(states it never reached read "not reached"), and the states outside keep their usual colours.

Where a visit happened comes from :mod:`sfn_notebook.engine.placement` through the visits' paths
(``(("Each", 41),)``), the same placement the timeline and the frames use. A Map nested in
another Map's iterations is picked by its own index: iteration 3 of the inner Map in every outer
iteration.

>>> import sfn_notebook as sfn
>>> from sfn_notebook.notebook.feed import ExecutionFeed
>>> flow = {"StartAt": "Each", "States": {"Each": {"Type": "Map", "End": True,
...     "ItemProcessor": {"StartAt": "Odd", "States": {
...         "Odd": {"Type": "Choice", "Default": "Keep",
...                 "Choices": [{"Variable": "$", "NumericEquals": 1, "Next": "Drop"}]},
...         "Keep": {"Type": "Succeed"}, "Drop": {"Type": "Succeed"}}}}}}
>>> feed = ExecutionFeed.of(sfn.run(flow, [0, 1]), definition=sfn.parse(flow))
>>> nodes = scoped_nodes(feed, {"state": "Each", "index": 0})
>>> nodes["/States/Each/ItemProcessor/States/Drop"]["status"]
'NOT_REACHED'
>>> [(c["state"], c["count"]) for c in scope_choices(feed)]
[('Each', 2)]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sfn_notebook.asl import model as m
from sfn_notebook.render.attempts import FAILED, NOT_REACHED, RUNNING, SUCCEEDED
from sfn_notebook.render.dot import STATUS_RANK, map_subtitle, node_id

if TYPE_CHECKING:
    from sfn_notebook.notebook.feed import ExecutionFeed

CONTAINERS = ("Map", "Parallel")
MAX_FAILED = 1000  # failed iterations listed per Map: the selector jumps between them


def scope_choices(feed: ExecutionFeed) -> list[dict[str, Any]]:
    """The Maps and Parallels a scope can pick, as ``ScopeChoice`` (notebook/protocol.py): the
    state, its type, its graph node, how many iterations (or branches) it has had so far and
    which of them failed (the first :data:`MAX_FAILED`), so the selector can jump to them."""
    counts: dict[str, int] = {}
    failed: dict[str, set[int]] = {}
    kinds: dict[str, str] = {}
    pointers: dict[str, str | None] = {}
    with feed.lock:
        visits = list(feed.visits.values())
    for visit in visits:
        if visit.type in CONTAINERS:
            kinds[visit.name] = visit.type
            pointers[visit.name] = visit.pointer
            counts.setdefault(visit.name, 0)
            if visit.type == "Map" and visit.iterations:
                top = max(it.index for it in visit.iterations) + 1
                counts[visit.name] = max(counts[visit.name], top)
                bad = {it.index for it in visit.iterations if it.status == FAILED}
                failed.setdefault(visit.name, set()).update(bad)
        for name, index in visit.path:
            counts[name] = max(counts.get(name, 0), index + 1)
            if visit.status == FAILED:  # a failed state fails its branch (or iteration)
                failed.setdefault(name, set()).add(index)
    order = _definition_order(feed.definition)
    choices = [
        {
            "state": name,
            "type": kinds.get(name, "Map"),
            "node": node_id(pointers.get(name) or name),
            "count": count,
            "failed": sorted(failed.get(name, ()))[:MAX_FAILED],
        }
        for name, count in counts.items()
        if name in kinds
    ]
    choices.sort(key=lambda c: (order.get(str(c["state"]), len(order)), str(c["state"])))
    return choices


def scoped_nodes(feed: ExecutionFeed, scope: Mapping[str, Any] | None) -> dict[str, Any]:
    """``ExecutionFeed.nodes()`` with the states inside ``scope``'s container coloured by that
    iteration's (or branch's) visits alone; the whole run when ``scope`` is empty."""
    nodes = feed.nodes()
    if not scope or feed.definition is None:
        return nodes
    name, index = str(scope.get("state", "")), int(scope.get("index", 0))
    container = next((s for s in feed.definition.walk() if s.name == name), None)
    if container is None or container.type not in CONTAINERS:
        return nodes
    prefix = container.pointer + "/"
    with feed.lock:
        inside = [v for v in feed.visits.values() if (name, index) in v.path]
    statuses: dict[str, Counter[str]] = {}
    counts: dict[str, tuple[int, int, int]] = {}
    for visit in inside:
        key = node_id(visit.pointer or visit.name)
        statuses.setdefault(key, Counter())[visit.status] += 1
        if visit.type == "Map":
            ok, bad, running = counts.get(key, (0, 0, 0))
            counts[key] = (
                ok + sum(it.status == SUCCEEDED for it in visit.iterations),
                bad + sum(it.status == FAILED for it in visit.iterations),
                running + sum(it.status == RUNNING for it in visit.iterations),
            )
    for state in feed.definition.walk():
        if not state.pointer.startswith(prefix):
            continue
        key = node_id(state.pointer)
        seen = statuses.get(key)
        status = max(seen, key=lambda s: STATUS_RANK.get(s, 0)) if seen else NOT_REACHED
        found = counts.get(key)
        nodes[key] = {
            "status": status,
            "counts": list(found) if found else None,
            "subtitle": map_subtitle(found) if found else None,
        }
    word = "iteration" if container.type == "Map" else "branch"
    outer = nodes.get(node_id(container.pointer))
    if outer is not None:
        subtitle = outer.get("subtitle") or container.type
        nodes[node_id(container.pointer)] = {**outer, "subtitle": f"{subtitle} · {word} #{index}"}
    return nodes


def _definition_order(definition: m.Definition | None) -> dict[str, int]:
    if definition is None:
        return {}
    return {state.name: n for n, state in enumerate(definition.walk())}
