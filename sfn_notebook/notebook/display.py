"""Rich display of executions and state machines: a live widget when a widget front-end is there,
and always static ``image/svg+xml``, ``text/html`` and ``text/plain``.

The static parts are what nbconvert, GitHub and consoles show (nbconvert skips a widget whose
state was not saved and falls back to ``text/html``); the widget is what JupyterLab, Notebook 7
and VS Code show while the kernel runs. ``Execution._repr_mimebundle_`` delegates here.

>>> import sfn_notebook as sfn
>>> ex = sfn.run({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
>>> sorted(execution_mimebundle(ex, widget=False))
['application/vnd.sfn-notebook.graph+json', 'image/svg+xml', 'text/html', 'text/plain']
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Container, Mapping
from typing import Any

from sfn_notebook.asl import model as m
from sfn_notebook.render.dot import GRAPH_MIME_TYPE
from sfn_notebook.render.html import ExecutionReport
from sfn_notebook.render.svg import Graph, RenderError

log = logging.getLogger(__name__)

WIDGET_MIME_TYPE = "application/vnd.jupyter.widget-view+json"


def widget_frontend_available() -> bool:
    """True when a widget front-end is likely to draw our widgets.

    That is: inside a Jupyter kernel, with anywidget installed, executing a request from an
    interactive front-end (JupyterLab, Notebook 7 and VS Code send ``allow_stdin``; nbclient —
    nbconvert ``--execute``, nbval, papermill — does not, and would save widget state that
    nbconvert can only draw with JavaScript from a CDN, instead of our static SVG).
    ``SFN_NOTEBOOK_WIDGETS=1`` or ``=0`` overrides the guess.

    >>> widget_frontend_available()
    False
    """
    forced = os.environ.get("SFN_NOTEBOOK_WIDGETS")
    ipython = sys.modules.get("IPython")
    if ipython is None:  # not even IPython: a script or a plain console
        return forced == "1"
    shell = ipython.get_ipython()
    kernel = getattr(shell, "kernel", None)
    if kernel is None:
        return forced == "1"
    try:
        import anywidget  # noqa: F401
    except ImportError:
        return False
    if forced in ("0", "1"):
        return forced == "1"
    try:
        parent = kernel.get_parent()
    except Exception:  # an older or unusual kernel: assume it is interactive
        return True
    return bool((parent or {}).get("content", {}).get("allow_stdin", True))


def _wanted(mime: str, include: Container[str] | None, exclude: Container[str] | None) -> bool:
    return (include is None or mime in include) and (exclude is None or mime not in exclude)


def _widget_bundle(widget: Any) -> dict[str, Any]:
    bundle = widget._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    return {k: v for k, v in data.items() if k == WIDGET_MIME_TYPE}


def execution_mimebundle(
    execution: Any,
    include: Container[str] | None = None,
    exclude: Container[str] | None = None,
    *,
    widget: bool | None = None,
) -> dict[str, Any]:
    """The display of an ``Execution``: ExecutionView widget plus static graph, timeline, table.

    ``widget`` forces the widget part on or off (default: when a front-end can draw it).
    Without a definition the static image is the timeline.
    """
    definition: m.Definition | None = getattr(execution, "definition", None)
    name = str(getattr(execution, "name", "") or "")
    report = ExecutionReport(execution.history, definition, name=name)
    bundle: dict[str, Any] = {"text/plain": report.text()}
    graph = report.graph()
    svg = None
    if graph is not None:
        try:
            svg = graph.svg()
        except RenderError as exc:
            log.warning("%s", exc)
        bundle[GRAPH_MIME_TYPE] = {"dot": graph.dot, "title": name}
    bundle["image/svg+xml"] = svg if svg is not None else report.timeline_svg()
    bundle["text/html"] = report.html(svg=svg)
    if widget is None:
        widget = widget_frontend_available() and _wanted(WIDGET_MIME_TYPE, include, exclude)
    if widget:
        from sfn_notebook.notebook.widgets import ExecutionView

        bundle.update(_widget_bundle(ExecutionView(execution)))
    return {k: v for k, v in bundle.items() if _wanted(k, include, exclude)}


def definition_mimebundle(
    definition: m.Definition | Mapping[str, Any] | str,
    include: Container[str] | None = None,
    exclude: Container[str] | None = None,
    *,
    title: str = "",
    widget: bool | None = None,
) -> dict[str, Any]:
    """The display of a state machine: its graph (a clickable widget when a front-end is there).

    >>> sorted(definition_mimebundle({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}},
    ...                              widget=False))
    ['application/vnd.sfn-notebook.graph+json', 'image/svg+xml', 'text/html', 'text/plain']
    """
    graph = Graph(definition, title=title)
    bundle = graph._repr_mimebundle_()
    if widget is None:
        widget = widget_frontend_available() and _wanted(WIDGET_MIME_TYPE, include, exclude)
    if widget:
        from sfn_notebook.notebook.widgets import ExecutionGraph

        bundle.update(_widget_bundle(ExecutionGraph(definition=graph.definition, name=title)))
    return {k: v for k, v in bundle.items() if _wanted(k, include, exclude)}
