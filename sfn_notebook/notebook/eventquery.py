"""The event table's query: filter a feed's events by type, by state and by text, then page.

The browser asks for one page at a time (``PageRequest``); nothing here is sent unasked, so a
10,000-event history costs the browser 50 rows, whatever the filter. The state an event is about
comes from the feed's :class:`~sfn_notebook.engine.placement.EventTree` (the placement every view
shares), so a Map iteration's events count as the Map's, and a Task's ``TaskScheduled`` as that
Task state's. Search text is matched, case-insensitively, against the event as JSON; each event's
text is built once and kept, so typing in the search box stays cheap on a long run.

>>> import sfn_notebook as sfn
>>> from sfn_notebook.notebook.feed import ExecutionFeed
>>> ex = sfn.run({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"},
...                                          "B": {"Type": "Succeed"}}}, {"x": "needle"})
>>> feed = ExecutionFeed.of(ex)
>>> query(feed, state="B").total, query(feed, text="NEEDLE").total
(2, 6)
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sfn_notebook.render.attempts import event_log
from sfn_notebook.render.html import event_summary, event_time

if TYPE_CHECKING:
    from sfn_notebook.notebook.feed import ExecutionFeed

DETAIL_LIMIT = 20_000  # characters of one event's details sent with a page (``full`` lifts it)
MAX_PAGE = 500
MAX_FULL = 5  # rows per page when their details are sent whole


@dataclass(frozen=True)
class Page:
    """One page of matching events: where it starts, how many match, the rows to send."""

    offset: int
    total: int
    rows: list[dict[str, Any]]


class _Index:
    """Per-feed memo: each event's search text and state name, built once."""

    def __init__(self) -> None:
        self.texts: dict[int, str] = {}
        self.states: dict[int, str | None] = {}


_INDEXES: weakref.WeakKeyDictionary[Any, _Index] = weakref.WeakKeyDictionary()


def _index(feed: ExecutionFeed) -> _Index:
    found = _INDEXES.get(feed)
    if found is None:
        found = _INDEXES[feed] = _Index()
    return found


def state_names(feed: ExecutionFeed) -> list[str]:
    """The states the state filter offers: the definition's, in definition order, else those
    the history has entered so far."""
    if feed.definition is not None:
        return [state.name for state in feed.definition.walk()]
    with feed.lock:
        seen = dict.fromkeys(v.name for v in feed.visits.values())
    return list(seen)


def query(
    feed: ExecutionFeed,
    offset: int = 0,
    limit: int = 50,
    *,
    types: Sequence[str] | None = None,
    state: str | None = None,
    text: str | None = None,
    follow: bool = False,
    full: bool = False,
) -> Page:
    """The page of events matching every filter given (``types`` any of, ``state`` the state
    the event is about, ``text`` a case-insensitive substring of the event's JSON).

    ``follow`` gives the last page, whatever ``offset`` says: a live table that follows the run
    must land on the newest event of the *filtered* list, a number only this side knows.
    ``full`` sends up to :data:`MAX_FULL` rows with their details untruncated.
    """
    index = _index(feed)
    wanted = set(types) if types else None
    needle = (text or "").strip().lower()
    with feed.lock:
        events = list(feed.events)
        start = feed.tracker.started
        tree = feed.tracker.tree
        if state:
            for event in events:
                event_id = int(event["id"])
                if event_id not in index.states:
                    visit = tree.visit_of(event_id)
                    index.states[event_id] = visit.name if visit is not None else None
    matching = [
        e
        for e in events
        if (wanted is None or e["type"] in wanted)
        and (not state or index.states.get(int(e["id"])) == state)
        and (not needle or needle in _search_text(index, e))
    ]
    total = len(matching)
    limit = max(0, min(limit, MAX_FULL if full else MAX_PAGE))
    if follow and limit:
        offset = max(0, (total - 1) // limit * limit)
    offset = max(0, min(offset, total))
    rows = [_row(e, start, feed.logs, full) for e in matching[offset : offset + limit]]
    return Page(offset, total, rows)


def tail(feed: ExecutionFeed, after: int, limit: int = 50) -> tuple[int, list[dict[str, Any]]]:
    """(total, rows) of the newest events with an id above ``after``, at most ``limit``: what
    changed on the last page since the rows sent before.

    >>> import sfn_notebook as sfn
    >>> from sfn_notebook.notebook.feed import ExecutionFeed
    >>> feed = ExecutionFeed.of(sfn.run({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}))
    >>> total, rows = tail(feed, 2)
    >>> total, [row["type"] for row in rows]
    (4, ['SucceedStateExited', 'ExecutionSucceeded'])
    """
    with feed.lock:
        total = len(feed.events)
        newest = feed.events[max(after, total - limit) :]  # ids are 1-based and dense
        start = feed.tracker.started
    return total, [_row(e, start, feed.logs, False) for e in newest]


def _search_text(index: _Index, event: Mapping[str, Any]) -> str:
    event_id = int(event["id"])
    found = index.texts.get(event_id)
    if found is None:
        # The event as JSON, and its payloads as the text they are (in the JSON they are
        # escaped strings: a search for {"n":1} must find the input {"n":1}).
        parts = [json.dumps(event, default=str, ensure_ascii=False)]
        for key, value in event.items():
            if key.endswith("EventDetails") and isinstance(value, Mapping):
                parts += [v for v in value.values() if isinstance(v, str)]
        found = "\n".join(parts).lower()
        index.texts[event_id] = found
    return found


def _row(event: Mapping[str, Any], start: Any, logs: Mapping[int, str], full: bool) -> Any:
    details = {k: v for k, v in event.items() if k.endswith("EventDetails")}
    text = json.dumps(details, indent=2, default=str, ensure_ascii=False) if details else ""
    cut = len(text) > DETAIL_LIMIT and not full
    return {
        "id": int(event["id"]),
        "previous": int(event.get("previousEventId") or 0),
        "type": str(event["type"]),
        "time": event_time(event, start),
        "summary": event_summary(event),
        "details": text[:DETAIL_LIMIT] if cut else text,
        "truncated": cut,
        "log": event_log(event, logs),
    }
