"""Assertions about an execution with failure messages that say what happened instead.

Every helper takes an Execution (``sfn.run``'s or a Runtime's) or GetExecutionHistory events,
reads the history (so a run imported from AWS is checked the same way) and raises
``AssertionError`` with the expected value, the actual one and the execution's outcome.

>>> import sfn_notebook as sfn
>>> ex = sfn.run({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"},
...               "B": {"Type": "Pass", "Result": {"n": 1}, "End": True}}})
>>> assert_path(ex, ["A", "B"])
>>> assert_state_output(ex, "B", {"n": 1})
>>> assert_path(ex, ["A", "C"])
Traceback (most recent call last):
...
AssertionError: path differs at step 2: expected 'C', the execution entered 'B'
  expected: A > C
  actual:   A > B
  execution: SUCCEEDED
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sfn_notebook.render.visits import StateVisit

#: Called with every execution an assertion reads (the pytest plugin counts coverage with it).
observers: list[Callable[[Any], None]] = []


def _observe(execution: Any) -> None:
    for observer in observers.copy():  # an observer may detach itself
        observer(execution)


def _events(execution: Any) -> list[Mapping[str, Any]]:
    history = getattr(execution, "history", execution)
    if isinstance(history, Mapping) and "events" in history:
        history = history["events"]
    return list(history)


def state_visits(execution: Any) -> list[StateVisit]:
    """The execution's state visits in the order entered (``render.attempts``' reading)."""
    from sfn_notebook.render.attempts import state_attempts

    _observe(execution)
    return state_attempts(_events(execution), getattr(execution, "definition", None))


def path(execution: Any, *, nested: bool = False) -> list[str]:
    """The states entered, in order: the execution's own line of work, or with ``nested`` also
    the states inside Parallel branches and Map iterations.

    >>> import sfn_notebook as sfn
    >>> path(sfn.run({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}))
    ['A']
    """
    return [v.name for v in state_visits(execution) if nested or not v.path]


def _outcome(execution: Any) -> str:
    events = _events(execution)
    status = getattr(execution, "status", None)
    error = getattr(execution, "error", None)
    cause = getattr(execution, "cause", None)
    if status is None:
        from sfn_notebook.analysis.sources import run_from_events

        run = run_from_events(events, "execution")
        status, error, cause = run.status, run.error, run.cause
    text = f"execution: {status}"
    if error:
        text += f" {error}"
    if cause:
        text += f": {cause if len(cause) < 300 else cause[:300] + '...'}"
    return text


def assert_status(execution: Any, status: str = "SUCCEEDED") -> None:
    """The execution ended with ``status`` (SUCCEEDED, FAILED, TIMED_OUT, ABORTED)."""
    __tracebackhide__ = True  # pytest shows the message, not our frames
    _observe(execution)
    actual = getattr(execution, "status", None)
    if actual is None:
        from sfn_notebook.analysis.sources import run_from_events

        actual = run_from_events(_events(execution), "execution").status
    if actual != status:
        raise AssertionError(f"expected status {status}, got {actual}\n  {_outcome(execution)}")


def assert_path(execution: Any, expected: Sequence[str], *, nested: bool = False) -> None:
    """The states entered, in order, are exactly ``expected`` (see :func:`path`)."""
    __tracebackhide__ = True  # pytest shows the message, not our frames
    actual = path(execution, nested=nested)
    expected = list(expected)
    if actual == expected:
        return
    step = next(
        (i for i, (a, b) in enumerate(zip(actual, expected, strict=False)) if a != b),
        min(len(actual), len(expected)),
    )
    if step >= len(actual):
        head = f"path ends after step {step}: expected {expected[step]!r} next"
    elif step >= len(expected):
        head = f"path goes on after step {step}: the execution entered {actual[step]!r}"
    else:
        head = (
            f"path differs at step {step + 1}: expected {expected[step]!r}, "
            f"the execution entered {actual[step]!r}"
        )
    raise AssertionError(
        f"{head}\n  expected: {' > '.join(expected)}\n  actual:   {' > '.join(actual)}\n"
        f"  {_outcome(execution)}"
    )


def _visits_of(execution: Any, state: str) -> list[StateVisit]:
    __tracebackhide__ = True  # pytest shows the message, not our frames
    found = [v for v in state_visits(execution) if v.name == state]
    if not found:
        entered = " > ".join(path(execution, nested=True)) or "(none)"
        raise AssertionError(
            f"state {state!r} was never entered\n  entered: {entered}\n  {_outcome(execution)}"
        )
    return found


def state_output(execution: Any, state: str, visit: int = -1) -> Any:
    """The output of ``state``'s ``visit`` (default: its last) as a JSON value."""
    __tracebackhide__ = True  # pytest shows the message, not our frames
    chosen = _visits_of(execution, state)[visit]
    if chosen.output is None:
        raise AssertionError(
            f"state {state!r} has no output: it ended {chosen.status}"
            + (f" with {chosen.error}" if chosen.error else "")
            + f"\n  {_outcome(execution)}"
        )
    return json.loads(chosen.output)


def assert_state_output(execution: Any, state: str, expected: Any, *, visit: int = -1) -> None:
    """The output of ``state`` (its last visit, or ``visit``) equals ``expected``."""
    __tracebackhide__ = True  # pytest shows the message, not our frames
    actual = state_output(execution, state, visit)
    if actual == expected:
        return
    lines = [f"output of {state!r} differs"]
    if isinstance(actual, Mapping) and isinstance(expected, Mapping):
        for key in sorted(set(actual) | set(expected), key=str):
            if key not in actual:
                lines.append(f"  missing {key!r}: expected {_short(expected[key])}")
            elif key not in expected:
                lines.append(f"  unexpected {key!r}: {_short(actual[key])}")
            elif actual[key] != expected[key]:
                lines.append(
                    f"  {key!r}: expected {_short(expected[key])}, got {_short(actual[key])}"
                )
    lines.append(f"  expected: {_short(expected)}")
    lines.append(f"  actual:   {_short(actual)}")
    raise AssertionError("\n".join(lines))


def _short(value: Any, limit: int = 200) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= limit else text[:limit] + "..."


def retries(execution: Any, state: str) -> int:
    """How often ``state`` was retried, over all its visits."""
    return sum(v.retries for v in _visits_of(execution, state))


def assert_retried(execution: Any, state: str, times: int | None = None) -> None:
    """``state`` was retried ``times`` times in all (at least once when ``times`` is None)."""
    __tracebackhide__ = True  # pytest shows the message, not our frames
    visits = _visits_of(execution, state)
    actual = sum(v.retries for v in visits)
    if (times is None and actual > 0) or actual == times:
        return
    errors = [a.error for v in visits for a in v.attempts if a.error]
    wanted = "at least once" if times is None else f"{times} time{'s' * (times != 1)}"
    raise AssertionError(
        f"expected {state!r} to be retried {wanted}, it was retried {actual} "
        f"time{'s' * (actual != 1)}"
        + (f" (errors of its tries: {', '.join(_unique(errors))})" if errors else "")
        + f"\n  {_outcome(execution)}"
    )


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
