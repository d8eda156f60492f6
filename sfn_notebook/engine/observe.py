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

Each call also carries ``event_id`` (the visit's ``<Type>StateEntered`` event), ``retry_count``
(the attempt) and ``map_iteration`` (the Map iteration's index, or None). ``value`` is the
engine's own object: read it, or copy it (``json.dumps``) to keep it. An observer that raises is
logged and detached; the run goes on unchanged.

>>> class Printer:
...     def stage(self, *, state, stage, value, **future_kwargs):
...         print(state, stage, value)
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sfn_notebook.engine.frame import ExecutionContext
    from sfn_notebook.engine.interpreter import Visit

log = logging.getLogger(__name__)


class StageObserver(Protocol):
    def stage(self, *, state: str, stage: str, value: Any, **future_kwargs: Any) -> None: ...


class Note:
    """One visit's reporter: ``note(stage, value)``. Runners hold ``visit.note``, None when no
    observer is set, so an unobserved run pays one ``is not None`` test a stage."""

    __slots__ = ("_context", "_observer", "_state", "_visit")

    def __init__(self, context: ExecutionContext, state: str, visit: Visit) -> None:
        self._context = context
        self._observer = context.observer
        self._state = state
        self._visit = visit

    def __call__(self, stage: str, value: Any) -> None:
        observer = self._observer
        if self._context.observer is not observer:
            return  # detached after it raised
        visit = self._visit
        item = visit.frame.map_item
        try:
            observer.stage(  # type: ignore[union-attr]
                state=self._state,
                stage=stage,
                value=value,
                event_id=visit.entered_id,
                retry_count=visit.retry_count,
                map_iteration=None if item is None else item["Index"],
            )
        except Exception:
            log.exception("stage observer %r raised; detached from this execution", observer)
            self._context.observer = None
