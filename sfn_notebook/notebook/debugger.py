"""The debugger panel of the live execution view: breakpoints, Step / Continue / Stop, and a
time-travel slider over the history.

:class:`DebugPanel` drives an :class:`~sfn_notebook.runtime.execution.Execution` through its
public methods (``step``, ``resume``, ``stop``, ``at``) and the engine's
:class:`~sfn_notebook.engine.debug.Debugger` (``toggle``), never waiting on the kernel's thread.
It tells the view's graph what to draw: the paused states (their subtitle says so) and, while
the slider is off the live end, the statuses of the chosen moment. Its front-end is
``widgets/src/debugger.ts``.

>>> import sfn_notebook as sfn
>>> flow = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"},
...                                    "B": {"Type": "Pass", "End": True}}}
>>> ex = sfn.run(flow, breakpoints=["B"])
>>> panel = DebugPanel(ex)
>>> panel.paused["state"], panel.breakpoints, panel.states
('B', ['B'], ['A', 'B'])
>>> panel.travel(2)["state"], panel.moment
('A', 2)
>>> ex.resume().status
'SUCCEEDED'
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from sfn_notebook.engine.history import dumps
from sfn_notebook.errors import SfnNotebookError
from sfn_notebook.notebook.feed import ExecutionFeed, Throttle
from sfn_notebook.render.dot import node_id

STATIC = Path(__file__).parent / "static"

#: ``show(nodes or None, paused marks, moment in ms or None)``: what the panel asks of the view
#: (the graph's colours and marks, the timeline's cursor).
GraphOverlay = Callable[[dict[str, dict[str, Any]] | None, dict[str, str], float | None], None]


log = logging.getLogger(__name__)


class DebugPanel(anywidget.AnyWidget):
    """Breakpoint toggles for every state, Step / Continue / Stop, the paused state with its
    pending input, and a slider that replays the history event by event (0: live).

    Like the view's other parts it follows the execution's feed (at most one update per
    ``interval`` seconds), and also hears of pauses, which add no event.
    """

    _esm = STATIC / "widgets.js"
    _css = STATIC / "widgets.css"
    kind = traitlets.Unicode("debugger").tag(sync=True)

    states: traitlets.List[str] = traitlets.List().tag(sync=True)
    state_nodes = traitlets.Dict().tag(sync=True)  # state name -> its graph node's id
    breakpoints: traitlets.List[str] = traitlets.List().tag(sync=True)
    paused = traitlets.Dict().tag(sync=True)
    events = traitlets.Int(0).tag(sync=True)
    moment = traitlets.Int(0).tag(sync=True)
    moment_info = traitlets.Dict().tag(sync=True)
    status = traitlets.Unicode("").tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)

    def __init__(
        self,
        execution: Any,
        *,
        feed: ExecutionFeed | None = None,
        interval: float = 0.1,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.execution = execution
        self.overlay: GraphOverlay | None = None
        self.feed = feed or ExecutionFeed.of(execution)
        self._lock = threading.Lock()
        self._throttle = Throttle(self.flush, interval)
        self.on_msg(self._on_message)
        self.feed.subscribe(self._throttle)
        definition = self.feed.definition
        self._pointers = (
            {s.name: node_id(s.pointer) for s in definition.walk()} if definition else {}
        )
        self.state_nodes = dict(self._pointers)
        self.states = list(self._pointers) or sorted(
            {p.state for p in getattr(execution, "pauses", [])}
        )
        debugger = getattr(execution, "debugger", None)
        if debugger is not None:
            debugger.watch(lambda _event: self._throttle.poke())
        self._update()

    # Python → browser ---------------------------------------------------------------------------

    def flush(self) -> None:
        """Send what changed (the throttle calls this; tests may too)."""
        with self._lock:
            try:
                self._update()
            except Exception:  # on a timer thread: a bug must not kill it
                log.exception("sfn-notebook debugger panel update failed")

    def close(self) -> None:
        self._throttle.cancel()
        super().close()

    def _update(self) -> None:
        execution = self.execution
        debugger = getattr(execution, "debugger", None)
        pause = execution.paused_at if debugger is not None else None
        paused: dict[str, Any] = {}
        if pause is not None:
            paused = {
                "state": pause.state,
                "kind": pause.kind,
                "visit": pause.visit,
                "map_iteration": pause.map_iteration,
                "input": None if pause.kind == "error" else dumps(pause.input),
                "error": pause.error,
                "count": len(execution.pauses),
            }
        with self.hold_sync():
            self.breakpoints = debugger.breakpoints if debugger is not None else []
            self.paused = paused
            self.events = len(execution.history)
            self.status = execution.status
        self._draw_graph()

    def _draw_graph(self) -> None:
        if self.overlay is None:
            return
        marks: dict[str, str] = {}
        pauses = self.execution.pauses if not self.moment else []
        for pause in pauses:
            pointer = self._pointers.get(pause.state)
            if pointer is not None:
                marks[pointer] = "paused" if pause.kind == "state" else f"paused: {pause.kind}"
        nodes = None
        at = None
        if self.moment:
            statuses = self.moment_info.get("statuses", {})
            nodes = {
                self._pointers.get(name, name): {"status": status, "counts": None, "subtitle": None}
                for name, status in statuses.items()
            }
            at = self.moment_info.get("at_ms")
        self.overlay(nodes, marks, at)

    def travel(self, event_id: int) -> dict[str, Any]:
        """Show the execution as it stood at event ``event_id`` (0: live again)."""
        if event_id <= 0:
            self.moment, self.moment_info = 0, {}
        else:
            history = self.execution.history
            then = self.execution.at(min(event_id, len(history)))
            self.moment = then.event_id
            self.moment_info = {
                "event_id": then.event_id,
                "event_type": then.event_type,
                "state": then.state,
                "statuses": then.statuses,
                "input": None if then.input is None else dumps(then.input),
                "variables": dumps(then.variables),
                "at_ms": (then.event["timestamp"] - history[0]["timestamp"]).total_seconds() * 1000,
            }
        self._draw_graph()
        return dict(self.moment_info)

    # browser → Python ---------------------------------------------------------------------------

    def _on_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("type") in ("debug", "travel"):
            getattr(self, f"_on_{content['type']}")(content)

    def _on_debug(self, content: Mapping[str, Any]) -> None:
        action = content.get("action")
        execution = self.execution
        try:
            if action == "step":
                execution.step(wait=False)
            elif action == "resume":
                execution.resume(wait=False)
            elif action == "stop":
                execution.stop(wait=False)
            elif action == "toggle":
                debugger = execution.debugger
                if debugger is None:
                    raise SfnNotebookError("this execution was started without breakpoints")
                debugger.toggle(str(content.get("state", "")), self.feed.definition)
            self.error = ""
        except SfnNotebookError as exc:
            self.error = str(exc)
        self._update()

    def _on_travel(self, content: Mapping[str, Any]) -> None:
        try:
            self.travel(int(content.get("event", 0)))
        except (SfnNotebookError, ValueError, TypeError) as exc:
            self.error = str(exc)
