"""``Execution.inspect``'s answer: one state's visits and their stages, as text and as HTML.

A :class:`StateInspection` is a list of :class:`~sfn_notebook.render.stages.VisitStages` with a
readable ``repr`` (what ``%sfn inspect`` prints) and ``_repr_html_`` (what a notebook shows):
for each visit and attempt, the data after each stage of the I/O pipeline as pretty JSON, the
variables assigned, the error and cause, and the function's captured log. Everything from the
workflow is escaped in the HTML. Long values are cut in the display only; ``value()`` and
``visits`` keep them whole.

>>> import sfn_notebook as sfn
>>> ex = sfn.run({"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"y.$": "$.x"},
...     "End": True}}}, {"x": 1}, record_stages=True)
>>> print(ex.inspect("P"))
State P (Pass): 1 visit
── event 2 · SUCCEEDED
Input
  {"x": 1}
After InputPath
  {"x": 1}
After Parameters
  {"y": 1}
Result
  {"y": 1}
After ResultPath
  {"y": 1}
Output
  {"y": 1}
>>> ex.inspect("P").value("afterParameters")
{'y': 1}
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator, Sequence
from typing import Any

from sfn_notebook.render.stages import STAGE_LABELS, VisitStages, find_visits, stage_visits

TEXT_CLIP = 2_000  # characters of one value in the text display
HTML_CLIP = 20_000  # ... and in the HTML display
SHOWN = 20  # visits displayed; the rest are counted


def pretty(text: str, width: int = 80) -> str:
    """JSON text for reading: on one line when it fits in ``width`` characters, else indented
    (text that is not JSON comes back unchanged).

    >>> print(pretty('{"a":[1,2]}'))
    {"a": [1, 2]}
    >>> print(pretty('{"a":[1,2]}', width=5))
    {
      "a": [
        1,
        2
      ]
    }
    """
    try:
        value = json.loads(text)
    except ValueError:
        return text
    line = json.dumps(value, ensure_ascii=False)
    if len(line) <= width:
        return line
    return json.dumps(value, indent=2, ensure_ascii=False)


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}\n… ({len(text) - limit:,} more characters; .value() has them all)"


def inspect_state(
    execution: Any,
    state: str,
    visit: int | None = None,
    *,
    map_iteration: int | None = None,
    attempt: int | None = None,
) -> StateInspection:
    """``Execution.inspect`` for any execution with a ``history`` (local, stored, on AWS): the
    visits of ``state`` that ``visit``, ``map_iteration`` and ``attempt`` pick."""
    definition = getattr(execution, "definition", None)
    visits = find_visits(
        stage_visits(execution, state),
        state,
        definition,
        visit=visit,
        map_iteration=map_iteration,
        attempt=attempt,
    )
    kind = visits[0].type if visits else ""
    if not kind and definition is not None:
        kind = next((s.type for s in definition.walk() if s.name == state), "")
    return StateInspection(state, kind, visits)


class StateInspection(Sequence[VisitStages]):
    """The visits of one state (each attempt its own) with their stages; index it for one.

    ``value(stage, visit=-1)`` is the parsed value at a stage of a visit (the last by default).
    """

    def __init__(self, state: str, state_type: str, visits: Sequence[VisitStages]) -> None:
        self.state = state
        self.state_type = state_type
        self.visits = list(visits)

    def __getitem__(self, index: Any) -> Any:
        return self.visits[index]

    def __len__(self) -> int:
        return len(self.visits)

    def __iter__(self) -> Iterator[VisitStages]:
        return iter(self.visits)

    def value(self, stage: str, visit: int = -1) -> Any:
        """The value at ``stage`` of the ``visit``-th visit (an IndexError when there is none)."""
        return self.visits[visit].value(stage)

    def summary(self) -> str:
        """The title line: the state, its type, how many visits and attempts."""
        keys = {v.key for v in self.visits}
        line = f"State {self.state} ({self.state_type or 'unknown type'}): "
        line += f"{len(keys)} visit{'' if len(keys) == 1 else 's'}"
        if len(self.visits) > len(keys):
            line += f", {len(self.visits)} attempts"
        return line

    def __repr__(self) -> str:
        lines = [self.summary()]
        if not self.visits:
            lines.append("Not reached in this execution.")
        for visit in self.visits[:SHOWN]:
            lines.append(f"── {visit.label} · {visit.status}")
            if visit.note:
                lines.append(f"({visit.note})")
            for name, text in visit.stages:
                if name == "error":
                    continue
                lines.append(STAGE_LABELS.get(name, name))
                lines += ["  " + line for line in clip(pretty(text), TEXT_CLIP).splitlines()]
            if visit.error is not None or visit.cause is not None:
                lines.append(f"Error: {visit.error}")
                if visit.cause:
                    lines.append(f"Cause: {clip(visit.cause, TEXT_CLIP)}")
            if visit.log:
                lines.append("Log")
                lines += ["  " + line for line in clip(visit.log, TEXT_CLIP).splitlines()]
        if len(self.visits) > SHOWN:
            lines.append(
                f"… {len(self.visits) - SHOWN} more (pick one with visit=, map_iteration= or "
                "attempt=, or index this object)"
            )
        return "\n".join(lines)

    __str__ = __repr__

    def _repr_html_(self) -> str:
        e = html.escape
        out = [
            '<div class="sfn-inspection" style="font-family: var(--jp-ui-font-family, '
            'sans-serif); font-size: 13px">',
            f"<div><strong>{e(self.summary())}</strong></div>",
        ]
        if not self.visits:
            out.append("<div><em>Not reached in this execution.</em></div>")
        for n, visit in enumerate(self.visits[:SHOWN]):
            out.append(
                f'<details class="sfn-inspect-visit"{" open" if n == 0 else ""} '
                'style="margin: 4px 0; border-left: 3px solid var(--jp-border-color2, #ccc); '
                f'padding-left: 6px"><summary>{e(visit.label)} · '
                f"<strong>{e(visit.status)}</strong></summary>"
            )
            if visit.note:
                out.append(f"<div><em>{e(visit.note)}</em></div>")
            for name, text in visit.stages:
                if name != "error":
                    out.append(_fold(STAGE_LABELS.get(name, name), pretty(text)))
            if visit.error is not None or visit.cause is not None:
                out.append(f"<div><strong>Error:</strong> {e(str(visit.error))}</div>")
                if visit.cause:
                    out.append(_fold("Cause", pretty(visit.cause)))
            if visit.log:
                out.append(_fold("Log", visit.log))
            out.append("</details>")
        if len(self.visits) > SHOWN:
            out.append(f"<div><em>… {len(self.visits) - SHOWN} more visits</em></div>")
        out.append("</div>")
        return "".join(out)


def _fold(summary: str, text: str) -> str:
    return (
        f"<details open><summary>{html.escape(summary)}</summary>"
        '<pre style="margin: 2px 0 4px 12px; max-height: 20em; overflow: auto">'
        f"{html.escape(clip(text, HTML_CLIP))}</pre></details>"
    )
