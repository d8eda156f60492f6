"""Execution history as pandas DataFrames, for local runs and histories fetched from AWS alike.

Every function takes a *source*: Execution objects, a Runtime (with ``state_machine=``,
``status=``, ``since=``, ``until=`` filters), a Store, a boto3 Step Functions client, or raw
GetExecutionHistory events. pandas is imported only when a function runs.

>>> import sfn_notebook as sfn
>>> from sfn_notebook import analysis
>>> ex = sfn.run({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
>>> len(analysis.events_frame(ex)), len(analysis.executions_frame(ex))
(4, 1)
"""

from sfn_notebook.analysis.attempts import retries_frame, state_attempts_frame
from sfn_notebook.analysis.compare import (
    compare_executions,
    failure_rates,
    slowest_executions,
    state_durations,
)
from sfn_notebook.analysis.coverage import Coverage, coverage, coverage_frame
from sfn_notebook.analysis.frames import events_frame, executions_frame, in_seconds
from sfn_notebook.analysis.maprun import map_items_frame, map_runs_frame
from sfn_notebook.analysis.sources import Run, run_from_events, runs
from sfn_notebook.analysis.stages import stages_frame

__all__ = [
    "Coverage",
    "Run",
    "compare_executions",
    "coverage",
    "coverage_frame",
    "events_frame",
    "executions_frame",
    "failure_rates",
    "in_seconds",
    "map_items_frame",
    "map_runs_frame",
    "retries_frame",
    "run_from_events",
    "runs",
    "slowest_executions",
    "stages_frame",
    "state_attempts_frame",
    "state_durations",
]
