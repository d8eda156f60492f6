"""Drawing state machines and executions: DOT and SVG graphs, the retry timeline, static HTML.

Renderers return values (DOT text, SVG text, a :class:`Graph`); they never display anything, and
the same input always gives the same text. The one reading of history events into state visits
and attempts, :func:`state_attempts`, lives here too and is shared with the analysis layer.

>>> from sfn_notebook import render
>>> d = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
>>> render.to_svg(render.to_dot(d, {"A": "SUCCEEDED"})).startswith("<svg")
True
"""

from sfn_notebook.render.attempts import (
    CANCELLED,
    CAUGHT_ERROR,
    FAILED,
    NOT_REACHED,
    RUNNING,
    SUCCEEDED,
    Attempt,
    AttemptTracker,
    MapIteration,
    StateVisit,
    state_attempts,
)
from sfn_notebook.render.dot import (
    GRAPH_MIME_TYPE,
    STATUS_COLOURS,
    definition_dot,
    graph_statuses,
    map_counts,
    node_id,
    to_dot,
)
from sfn_notebook.render.html import ExecutionReport
from sfn_notebook.render.svg import Graph, RenderError, to_svg
from sfn_notebook.render.timeline import timeline_rows, timeline_svg

__all__ = [
    "CANCELLED",
    "CAUGHT_ERROR",
    "FAILED",
    "GRAPH_MIME_TYPE",
    "NOT_REACHED",
    "RUNNING",
    "STATUS_COLOURS",
    "SUCCEEDED",
    "Attempt",
    "AttemptTracker",
    "ExecutionReport",
    "Graph",
    "MapIteration",
    "RenderError",
    "StateVisit",
    "definition_dot",
    "graph_statuses",
    "map_counts",
    "node_id",
    "state_attempts",
    "timeline_rows",
    "timeline_svg",
    "to_dot",
    "to_svg",
]
