"""``%sfn inspect``: a state's data at each processing stage, for each visit of an execution.

>>> print(help_text("inspect").splitlines()[1].strip())
STATE [EXEC]
"""

from __future__ import annotations

import argparse
from typing import Any

from sfn_notebook.notebook.cmdline import CommandError
from sfn_notebook.notebook.commands import _attach_definition, _execution
from sfn_notebook.notebook.registry import Context, arg, command, help_text
from sfn_notebook.render.stages import InspectError

__all__ = ["help_text"]


@command(
    "inspect",
    "A state's input, its data after each processing stage, variables, error and function log, "
    "for each visit (ex.inspect(STATE)).",
    arg("state", metavar="STATE", help="the state's name"),
    arg("execution", metavar="EXEC", nargs="?", help="name, ARN or $variable (default: the last)"),
    arg("--visit", type=int, metavar="N", help="only the N-th visit (0 the first, -1 the last)"),
    arg("--map-iteration", type=int, metavar="N", help="only visits in Map iteration N"),
    arg("--attempt", type=int, metavar="N", help="only attempt N (0 the first try)"),
    completes="text execution",  # no completion for the state: it comes before the execution
)
def _inspect(ctx: Context, args: argparse.Namespace) -> Any:
    """Mirrors ex.inspect(STATE, visit=N, map_iteration=N, attempt=N). The stages are the
    engine's own (after InputPath, Parameters, the result, ResultSelector, ResultPath,
    OutputPath); runs started in a notebook record them, others show the input and output from
    their history.

    Examples:
      %sfn inspect Fetch
      %sfn inspect Fetch $ex --map-iteration 3
      %sfn inspect Charge first --attempt 1
    """
    from sfn_notebook.render.inspection import inspect_state

    runtime, execution = _execution(ctx, args.execution)
    _attach_definition(ctx, runtime, execution)
    try:
        return inspect_state(
            execution,
            args.state,
            args.visit,
            map_iteration=args.map_iteration,
            attempt=args.attempt,
        )
    except InspectError as exc:
        raise CommandError(str(exc)) from None
