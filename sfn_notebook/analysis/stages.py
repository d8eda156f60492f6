"""Each state's data at each processing stage as a DataFrame: the state inspector's data.

One row per visit, attempt and stage, from :func:`sfn_notebook.render.stages.visit_stages` (the
engine's own stages when the run recorded them, else each visit's input and output from the
history, with ``recorded`` False).

>>> import sfn_notebook as sfn
>>> ex = sfn.run({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"n": 1},
...     "ResultPath": "$.r", "End": True}}}, {"a": 0}, record_stages=True)
>>> stages_frame(ex)[["state_name", "stage", "value"]].tail(3).to_dict("records")
[{'state_name': 'P', 'stage': 'result', 'value': '{"n":1}'}, \
{'state_name': 'P', 'stage': 'afterResultPath', 'value': '{"a":0,"r":{"n":1}}'}, \
{'state_name': 'P', 'stage': 'output', 'value': '{"a":0,"r":{"n":1}}'}]
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sfn_notebook.analysis.attempts import path_text, visits
from sfn_notebook.analysis.frames import normalise
from sfn_notebook.analysis.sources import runs

if TYPE_CHECKING:
    import pandas as pd

STAGE_COLUMNS = (
    "execution_arn",
    "state_name",
    "state_type",
    "visit",
    "path",
    "map_iteration",
    "attempt",
    "step",
    "stage",
    "value",
    "status",
    "recorded",
)


def stages_frame(
    source: Any,
    *,
    state: str | None = None,
    definition: Any = None,
    state_machine: str | None = None,
    status: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> pd.DataFrame:
    """One row per visit, attempt and processing stage (only ``state``'s, when given).

    ============== ============ ===========================================================
    column         dtype        meaning
    ============== ============ ===========================================================
    execution_arn  object (str)
    state_name     object (str)
    state_type     object (str) Task, Pass, Map ...
    visit          int64        the id of the visit's ``<Type>StateEntered`` event
    path           object (str) enclosing branches/iterations: ``"Par[1]/M[3]"``
    map_iteration  Int64        innermost Map iteration index (<NA> outside one)
    attempt        int64        0 for the first try, then AWS's ``RetryCount``
    step           int64        the stage's position in the attempt's pipeline
    stage          object (str) ``input``, ``afterInputPath``, ``afterParameters``,
                                ``result``, ``afterResultSelector``, ``afterResultPath``,
                                ``error``, ``variables``, ``output`` ... (engine.observe)
    value          object (str) the data at that stage, as JSON text (``json.loads`` it)
    status         object (str) how the attempt (the last one: the visit) ended
    recorded       bool         the engine's stages (False: the history's input/output only)
    ============== ============ ===========================================================
    """
    import pandas as pd

    from sfn_notebook.render.stages import visit_stages

    records = []
    for run in runs(source, state_machine=state_machine, status=status, since=since, until=until):
        for attempt in visit_stages(visits(run, definition), run.stages, state):
            path = path_text(attempt.path)
            for step, (stage, text) in enumerate(attempt.stages):
                records.append(
                    (
                        run.arn,
                        attempt.state,
                        attempt.type,
                        attempt.key,
                        path,
                        attempt.map_iteration,
                        attempt.attempt,
                        step,
                        stage,
                        text,
                        attempt.status,
                        attempt.recorded,
                    )
                )
    frame = pd.DataFrame.from_records(records, columns=list(STAGE_COLUMNS))
    frame["map_iteration"] = frame["map_iteration"].astype("Int64")
    for column in ("visit", "attempt", "step"):
        frame[column] = frame[column].astype("int64")
    frame["recorded"] = frame["recorded"].astype(bool)
    texts = ("execution_arn", "state_name", "state_type", "path", "stage", "value", "status")
    normalise(frame, texts, ())
    return frame
