"""The retry timeline: state visits and their attempts on a time axis, as rows and as SVG.

:func:`timeline_rows` turns :func:`~sfn_notebook.render.attempts.state_attempts` output into plain
JSON rows (times in milliseconds since the execution started, so virtual-time runs are drawn in
their virtual time). The live widget sends these rows to the browser; :func:`timeline_svg` draws
the same rows statically for nbconvert, GitHub and the HTML export. Map iterations are rows of
their own under the Map, with the iteration's states under them.

>>> import sfn_notebook as sfn
>>> from sfn_notebook.render.attempts import state_attempts
>>> ex = sfn.run({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 2, "End": True}}})
>>> [(r["label"], r["start"], r["end"]) for r in timeline_rows(state_attempts(ex.history))]
[('W', 0.0, 2000.0)]
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypedDict

from sfn_notebook.render.attempts import FAILED, RUNNING, MapIteration, StateVisit
from sfn_notebook.render.dot import node_id, palette

# Bars take the border colour of their status, as the graph's outlines do.
BAR_COLOURS = {status: pair[1] for status, pair in palette().items()}
BACKOFF_COLOUR = "#c46c00"


class TimelineRow(TypedDict):
    """One row of the timeline (``TimelineRow`` in widgets/src/protocol.ts).

    ``attempts`` are ``[start, end, status, error]``; times are ms since the execution started,
    ``end`` is None while running. ``parent`` is the key of the row this one sits under.
    """

    key: str
    parent: str | None
    order: int
    kind: str  # "state" | "iteration"
    label: str
    type: str
    start: float
    end: float | None
    status: str
    attempts: list[list[Any]]
    error: str | None
    node: str | None


def _ms(moment: datetime | None, t0: datetime) -> float | None:
    if moment is None:
        return None
    return round((moment - t0).total_seconds() * 1000, 3)


def timeline_rows(visits: Sequence[StateVisit], start: datetime | None = None) -> list[TimelineRow]:
    """Rows for the visits, in entry order (iteration rows right before their first state).

    ``start`` is the execution's start (ExecutionStarted); by default the first visit's entry.
    """
    if not visits:
        return []
    t0 = start or min(v.entered for v in visits)
    rows: list[TimelineRow] = []
    seen_iterations: set[str] = set()
    by_key = {v.key: v for v in visits}
    iterations = {(v.key, it.index): it for v in visits for it in v.iterations}
    for visit in visits:
        container = by_key.get(visit.parent) if visit.parent is not None else None
        parent = row_parent(visit, container.type if container is not None else None)
        if parent is not None and parent.startswith("i") and parent not in seen_iterations:
            seen_iterations.add(parent)
            assert container is not None
            index = visit.path[-1][1]
            found = iterations.get((container.key, index))
            if found is None:  # a history cut short: the iteration's start is not in it
                found = MapIteration(index, visit.entered, None, RUNNING)
            rows.append(iteration_row(container, found, t0))
        rows.append(visit_row(visit, parent, t0))
    return rows


def row_parent(visit: StateVisit, container_type: str | None) -> str | None:
    """The key of the row a visit's row sits under: its Map iteration's, or its Parallel's."""
    if visit.parent is None:
        return None
    if container_type == "Map" and visit.path:
        return f"i{visit.parent}.{visit.path[-1][1]}"
    return f"v{visit.parent}"


def visit_row(visit: StateVisit, parent: str | None, t0: datetime) -> TimelineRow:
    """The row of one visit (see :class:`TimelineRow`)."""
    return {
        "key": f"v{visit.key}",
        "parent": parent,
        "order": visit.key,
        "kind": "state",
        "label": visit.name,
        "type": visit.type,
        "start": _ms(visit.entered, t0) or 0.0,
        "end": _ms(visit.exited, t0),
        "status": visit.status,
        "attempts": [
            [_ms(a.started, t0), _ms(a.ended, t0), a.status, a.error] for a in visit.attempts
        ],
        "error": visit.error,
        "node": node_id(visit.pointer) if visit.pointer else None,
    }


def iteration_row(map_visit: StateVisit, iteration: MapIteration, t0: datetime) -> TimelineRow:
    """The row of one Map iteration, under its Map's row."""
    return {
        "key": f"i{map_visit.key}.{iteration.index}",
        "parent": f"v{map_visit.key}",
        "order": iteration.index,
        "kind": "iteration",
        "label": f"#{iteration.index}",
        "type": "Iteration",
        "start": _ms(iteration.started, t0) or 0.0,
        "end": _ms(iteration.ended, t0),
        "status": iteration.status,
        "attempts": [],
        "error": None,
        "node": None,
    }


# -- static SVG ---------------------------------------------------------------------------------

LABEL_WIDTH = 190
CHART_WIDTH = 560
ROW_HEIGHT = 18
AXIS_HEIGHT = 24
MAX_ITERATIONS = 10  # per Map in the static drawing; the widget shows them all
MAX_ROWS = 300


def tree_order(
    rows: Sequence[TimelineRow], max_iterations: int | None = None
) -> list[tuple[TimelineRow | None, int, int]]:
    """Rows in display order as ``(row, depth, hidden)``; a None row stands for ``hidden`` more.

    Iterations beyond ``max_iterations`` per Map are folded into one "… N more" entry, except
    failed ones, which are always shown.
    """
    children: dict[str | None, list[TimelineRow]] = {}
    for row in rows:
        children.setdefault(row["parent"], []).append(row)
    out: list[tuple[TimelineRow | None, int, int]] = []

    def walk(parent: str | None, depth: int) -> None:
        kids = sorted(children.get(parent, ()), key=lambda r: r["order"])
        shown = 0
        folded = 0
        for row in kids:
            if row["kind"] == "iteration" and max_iterations is not None:
                if shown >= max_iterations and row["status"] != FAILED:
                    folded += 1
                    continue
                shown += 1
            out.append((row, depth, 0))
            walk(row["key"], depth + 1)
        if folded:
            out.append((None, depth, folded))

    walk(None, 0)
    return out


_SECOND, _MINUTE, _HOUR, _DAY = 1000, 60_000, 3_600_000, 86_400_000
#: Tick steps a clock reads well in (widgets/src/format.ts has the same list).
TIME_STEPS = (
    *(n * _SECOND for n in (1, 2, 5, 10, 15, 30)),
    *(n * _MINUTE for n in (1, 2, 5, 10, 15, 30)),
    *(n * _HOUR for n in (1, 2, 3, 6, 12)),
    *(n * _DAY for n in (1, 2, 7, 14, 30)),
)


def _nice_step(span: float, ticks: int = 6) -> float:
    """1, 2 or 5 times 10^k ms below a second, whole clock units above (never "13h 53m").

    >>> [_nice_step(7000), _nice_step(100 * _HOUR), _nice_step(3 * _HOUR), _nice_step(80_000)]
    [2000, 86400000, 1800000, 15000]
    """
    raw = max(span, 1.0) / ticks
    if raw > 500:
        found = next((step for step in TIME_STEPS if step >= raw), None)
        if found is not None:
            return found
        days = raw / _DAY
        power: float = 10.0 ** math.floor(math.log10(days))
        return next(m * power for m in (1, 2, 5, 10) if m * power >= days) * _DAY
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def format_ms(ms: float) -> str:
    """A duration for axis ticks and tooltips.

    >>> [format_ms(ms) for ms in (250, 1500, 90_000, 3_960_000, 6000.032, 100_800_000)]
    ['250 ms', '1.5 s', '1m 30s', '1h 6m', '6 s', '1d 4h']
    """
    # Tenths of a millisecond and hundredths of a second: task functions add a few real
    # microseconds to virtual-time runs, which nobody wants to read as "1.00009 s".
    if ms < 1000:
        return f"{round(ms, 1):g} ms"
    seconds = ms / 1000
    if seconds < 60:
        return f"{round(seconds, 2):g} s"
    minutes, seconds = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes}m {seconds}s" if seconds else f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    days, hours = divmod(hours, 24)
    return f"{days}d {hours}h" if hours else f"{days}d"


def timeline_svg(rows: Sequence[TimelineRow], end: float | None = None) -> str:
    """A static SVG Gantt of the rows; ``end`` (ms) is where running bars stop.

    >>> timeline_svg([]).startswith("<svg")
    True
    """
    ordered = tree_order(rows, MAX_ITERATIONS)
    truncated = max(0, len(ordered) - MAX_ROWS)
    ordered = ordered[:MAX_ROWS]
    last = max([end or 0.0] + [r["end"] or r["start"] for r, _, _ in ordered if r is not None])
    span = max(last, 1.0)
    step = _nice_step(span)
    scale = CHART_WIDTH / (math.ceil(span / step) * step)
    height = AXIS_HEIGHT + ROW_HEIGHT * (len(ordered) + (1 if truncated else 0)) + 6
    width = LABEL_WIDTH + CHART_WIDTH + 20
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sfn-timeline" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" font-family="Helvetica,Arial,sans-serif"'
        ' font-size="11">',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    tick = 0.0
    while tick <= span + step / 2:
        x = LABEL_WIDTH + tick * scale
        out.append(
            f'<line x1="{x:.1f}" y1="{AXIS_HEIGHT - 4}" x2="{x:.1f}" y2="{height}" '
            'stroke="#e9ebed"/>'
            f'<text x="{x:.1f}" y="{AXIS_HEIGHT - 8}" text-anchor="middle" fill="#5f6b7a">'
            f"{html.escape(format_ms(tick))}</text>"
        )
        tick += step
    for i, (row, depth, hidden) in enumerate(ordered):
        y = AXIS_HEIGHT + i * ROW_HEIGHT
        indent = 6 + depth * 12
        if row is None:
            out.append(
                f'<text x="{indent}" y="{y + 13}" fill="#5f6b7a" font-style="italic">'
                f"… {hidden} more iterations</text>"
            )
            continue
        out.append(_row_svg(row, y, indent, scale, last))
    if truncated:
        y = AXIS_HEIGHT + len(ordered) * ROW_HEIGHT
        out.append(f'<text x="6" y="{y + 13}" fill="#5f6b7a">… {truncated} more rows</text>')
    out.append("</svg>")
    return "".join(out)


def bar_title(
    row: TimelineRow,
    n: int,
    start: float | None,
    end: float | None,
    status: str,
    error: str | None,
) -> str:
    """A bar's tooltip: which attempt, its start, end and duration, and its error (the widget's
    tooltip says the same, one item a line).

    >>> row = {"label": "Fetch", "type": "Task", "attempts": [[0, 5, "FAILED", "E"]] * 2}
    >>> bar_title(row, 1, 1005.0, 1010.0, "FAILED", "E")
    'Fetch (Task) · attempt 2 of 2: FAILED · start +1 s · end +1.01 s · duration 5 ms · E'
    """
    parts = [f"{row['label']} ({row['type']})"]
    count = len(row["attempts"])
    parts.append(f"attempt {n + 1} of {count}: {status}" if count else status)
    if start is not None:
        parts.append(f"start +{format_ms(start)}")
    parts.append("still running" if end is None else f"end +{format_ms(end)}")
    if start is not None and end is not None:
        parts.append(f"duration {format_ms(end - start)}")
    if error:
        parts.append(error)
    return " · ".join(parts)


def _row_svg(row: TimelineRow, y: int, indent: int, scale: float, last: float) -> str:
    def x(ms: float | None) -> float:
        return LABEL_WIDTH + (last if ms is None else ms) * scale

    label = row["label"] if len(row["label"]) <= 26 else row["label"][:25] + "…"
    if len(row["attempts"]) > 1:
        label += f" ×{len(row['attempts'])}"  # noqa: RUF001 - a times sign
    weight = ' font-weight="bold"' if row["kind"] == "state" and row["parent"] is None else ""
    parts = [
        f'<g class="sfn-row" data-key="{html.escape(row["key"])}">',
        f'<text x="{indent}" y="{y + 13}" fill="#16191f"{weight}>{html.escape(label)}</text>',
    ]
    start, end = x(row["start"]), x(row["end"])
    tip = f"{row['label']} ({row['type']}) · {row['status']}"
    if row["end"] is not None:
        tip += f" · {format_ms(row['end'] - row['start'])}"
    if row["error"]:
        tip += f" · {row['error']}"
    parts.append(
        f'<rect x="{start:.1f}" y="{y + 8}" width="{max(end - start, 1):.1f}" height="2" '
        f'fill="#c6cbd1"><title>{html.escape(tip)}</title></rect>'
    )
    bars = row["attempts"] or [[row["start"], row["end"], row["status"], row["error"]]]
    previous_end: float | None = None
    for n, (a_start, a_end, status, error) in enumerate(bars):
        if previous_end is not None and a_start is not None and a_start > previous_end:
            parts.append(
                f'<line x1="{x(previous_end):.1f}" y1="{y + 9}" x2="{x(a_start):.1f}" '
                f'y2="{y + 9}" stroke="{BACKOFF_COLOUR}" stroke-dasharray="3,2">'
                f"<title>backoff {html.escape(format_ms(a_start - previous_end))}</title></line>"
            )
        left = x(a_start)
        right = x(a_end)
        colour = BAR_COLOURS.get(status, "#879196")
        bar_tip = bar_title(row, n, a_start, a_end, status, error)
        parts.append(
            f'<rect x="{left:.1f}" y="{y + 4}" width="{max(right - left, 2):.1f}" height="10" '
            f'rx="2" fill="{colour}"><title>{html.escape(bar_tip)}</title></rect>'
        )
        previous_end = a_end
    parts.append("</g>")
    return "".join(parts)
