"""Stage observers: what each stage of a state's data flow made of its input, as the engine ran it.

An observer is any object with a ``stage`` method taking keyword-only arguments and
``**future_kwargs`` (so a field added later never breaks it), set as ``ExecutionContext.observer``.
The engine reports, for each visit of a state, in this order (a stage a state does not have is
not reported):

``input``                  the state's input
``afterInputPath``         JSONPath states with InputPath (all but Fail)
``afterParameters``        JSONPath Pass, Task, Parallel: what the work gets
``afterArguments``         JSONata Task, Parallel: what the work gets
``afterItemsPath``         Map (JSONPath) with an ItemsPath: the items
``maxConcurrency``, ``toleratedFailureCount``, ``toleratedFailurePercentage``  Map's settings
``afterItemSelector``      Map with an ItemSelector: every iteration's input, in a list
``afterItemBatcher``       Map with an ItemBatcher: the batches
``result``                 Task, Map, Parallel: the work's result; JSONPath Pass: its Result
                           or, without one, its effective input
``afterResultSelector``    JSONPath Task, Map, Parallel (the result when there is none)
``afterResultPath``        JSONPath Pass, Task, Map, Parallel; a catcher's ResultPath too
``error``                  ``{"Error": ..., "Cause": ...}`` of a failed attempt (then Retry/Catch)
``variables``              the values Assign gives (a state's, a Choice rule's or a catcher's)
``output``                 the state's output (after OutputPath or Output)

A retried state reports its stages again for each attempt, from ``afterInputPath`` on. Each call
also carries ``event_id`` (the visit's ``<Type>StateEntered`` event), ``retry_count`` (the
attempt) and ``map_iteration`` (the Map iteration's index, or None). ``value`` is the
engine's own object: read it, or copy it (``json.dumps``) to keep it; ``text``, when not None,
is its JSON text, which the engine had already made (the input and the output). An observer
that raises is logged and detached; the run goes on unchanged.

>>> class Printer:
...     def stage(self, *, state, stage, value, **future_kwargs):
...         print(state, stage, value)
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from sfn_notebook.engine.history import dumps

if TYPE_CHECKING:
    from sfn_notebook.engine.frame import ExecutionContext
    from sfn_notebook.engine.interpreter import Visit

log = logging.getLogger(__name__)


class StageObserver(Protocol):
    def stage(self, *, state: str, stage: str, value: Any, **future_kwargs: Any) -> None: ...


class Note:
    """One visit's reporter: ``note(stage, value)``. Runners hold ``visit.note``, None when no
    observer is set, so an unobserved run pays one ``is not None`` test a stage."""

    __slots__ = ("_context", "_observer", "_record", "_state", "_visit")

    def __init__(self, context: ExecutionContext, state: str, visit: Visit) -> None:
        self._context = context
        self._observer = observer = context.observer
        # A StageLog (what a notebook records with) is called positionally: keyword calls cost
        # more than the recording itself on a chain of small states.
        self._record = observer.record if type(observer) is StageLog else None
        self._state = state
        self._visit = visit

    def __call__(self, stage: str, value: Any, text: str | None = None) -> None:
        observer = self._observer
        if self._context.observer is not observer:
            return  # detached after it raised
        visit = self._visit
        item = visit.frame.map_item
        try:
            if self._record is not None:
                self._record(
                    self._state,
                    stage,
                    value,
                    text,
                    visit.entered_id,
                    visit.retry_count,
                    None if item is None else item["Index"],
                )
                return
            observer.stage(  # type: ignore[union-attr]
                state=self._state,
                stage=stage,
                value=value,
                event_id=visit.entered_id,
                retry_count=visit.retry_count,
                map_iteration=None if item is None else item["Index"],
                text=text,
            )
        except Exception:
            log.exception("stage observer %r raised; detached from this execution", observer)
            self._context.observer = None


class Stage(NamedTuple):
    """One observed stage; ``text`` is the value as JSON text, ``value`` the value again.

    A named tuple rather than a dataclass: a recording run makes several per state.
    """

    state: str
    stage: str
    text: str
    event_id: int | None = None
    retry_count: int = 0
    map_iteration: int | None = None

    @property
    def value(self) -> Any:
        return json.loads(self.text)


STAGE_OVERHEAD = 200  # bytes a recorded stage costs beyond its text (the record, the str)


class StageLog:
    """An observer that records every stage (as JSON text, so later changes cannot reach it).

    Pass one as ``observer=`` to :func:`sfn_notebook.run`; runs started in a notebook kernel
    record into one by default (``record_stages``). ``limit`` bounds the memory it holds: the
    stages' characters plus :data:`STAGE_OVERHEAD` each; once a stage would pass it, that stage
    and every later one are only counted (:attr:`dropped`), so the record is a complete prefix.

    >>> import sfn_notebook as sfn
    >>> log = sfn.StageLog()
    >>> pick = {"Type": "Pass", "InputPath": "$.a", "Parameters": {"b.$": "$.x"}, "End": True}
    >>> ex = sfn.run({"StartAt": "P", "States": {"P": pick}}, {"a": {"x": 1}}, observer=log)
    >>> [(s.stage, s.text) for s in log.stages("P")][:3]
    [('input', '{"a":{"x":1}}'), ('afterInputPath', '{"x":1}'), ('afterParameters', '{"b":1}')]
    >>> small = sfn.StageLog(limit=500)
    >>> _ = sfn.run({"StartAt": "P", "States": {"P": pick}}, {"a": {"x": 1}}, observer=small)
    >>> len(small.stages()), small.dropped
    (2, 4)
    """

    def __init__(self, limit: int | None = None) -> None:
        self._stages: list[tuple[Any, ...]] = []
        # The last value recorded and its text: most stages hand on the object the stage before
        # them made (no InputPath, no ResultSelector ...), and the engine never changes an
        # object in place between two stages, so it is encoded once. Not across ``result``: the
        # work that makes it (a Python function) may change the object it was given.
        self._last: tuple[Any, str] | None = None
        self.limit = limit
        self.size = 0  # what the kept stages cost, as ``limit`` counts it
        self.dropped = 0  # stages not kept because the limit was reached

    def stage(
        self,
        *,
        state: str,
        stage: str,
        value: Any,
        event_id: int | None = None,
        retry_count: int = 0,
        map_iteration: int | None = None,
        text: str | None = None,
        **future_kwargs: Any,
    ) -> None:
        self.record(state, stage, value, text, event_id, retry_count, map_iteration)

    def record(
        self,
        state: str,
        stage: str,
        value: Any,
        text: str | None,
        event_id: int | None,
        retry_count: int,
        map_iteration: int | None,
    ) -> None:
        """:meth:`stage` with positional arguments (what the engine calls)."""
        if self.dropped:
            self.dropped += 1
            return
        if text is None:
            last = self._last
            if last is not None and last[0] is value and stage != "result":
                text = last[1]
            else:
                text = dumps(value)
        self._last = (value, text)  # the reference also keeps the object's id from being reused
        if self.limit is not None:
            cost = len(text) + STAGE_OVERHEAD
            if self.size + cost > self.limit:
                self.dropped = 1
                return
            self.size += cost
        # A plain tuple (a Stage when read): the named tuple's constructor costs a call more.
        self._stages.append((state, stage, text, event_id, retry_count, map_iteration))

    @property
    def full(self) -> bool:
        """Whether the limit was reached (later stages were not kept)."""
        return self.dropped > 0

    def stages(self, state: str | None = None) -> list[Stage]:
        """The stages observed so far, in order; only those of ``state`` when given."""
        make = Stage._make
        return [make(s) for s in self._stages if state is None or s[0] == state]

    def __len__(self) -> int:
        return len(self._stages)

    def to_json(self) -> str:
        """The record as JSON text (a list of ``[state, stage, text, event_id, retry_count,
        map_iteration]``), as the SQLite store keeps it; :meth:`from_json` reads it back.

        >>> log = StageLog(limit=10_000)
        >>> log.stage(state="A", stage="input", value={"x": 1}, event_id=2)
        >>> again = StageLog.from_json(log.to_json(), dropped=0, limit=10_000)
        >>> again.stages() == log.stages(), again.size == log.size
        (True, True)
        """
        return json.dumps(self._stages, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str, dropped: int = 0, limit: int | None = None) -> StageLog:
        """A record :meth:`to_json` wrote (``dropped`` and ``limit`` as they were)."""
        log = cls(limit)
        log.load(text, dropped)
        return log

    def load(self, text: str, dropped: int = 0) -> None:
        """Replace the record by one :meth:`to_json` wrote."""
        self._stages = [tuple(row) for row in json.loads(text)]
        self.size = sum(len(row[2]) + STAGE_OVERHEAD for row in self._stages)
        self.dropped = dropped
        self._last = None


class Observers:
    """Several observers as one (each called in turn; one that raises detaches them all, as any
    observer that raises is detached).

    >>> both = Observers(StageLog(), StageLog())
    >>> both.stage(state="A", stage="input", value=1)
    >>> [len(log) for log in both.observers]
    [1, 1]
    """

    def __init__(self, *observers: StageObserver) -> None:
        self.observers = observers

    def stage(self, **kwargs: Any) -> None:
        for observer in self.observers:
            observer.stage(**kwargs)


def stage_log_of(observer: Any) -> StageLog | None:
    """The :class:`StageLog` an observer is, or holds (in :class:`Observers`), if any."""
    if isinstance(observer, StageLog):
        return observer
    if isinstance(observer, Observers):
        return next((o for o in observer.observers if isinstance(o, StageLog)), None)
    return None
