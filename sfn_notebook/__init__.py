"""sfn-notebook: AWS Step Functions workflows defined, run, watched and analysed in Jupyter.

>>> import sfn_notebook as sfn
>>> hello = {"Type": "Pass", "Result": "hello", "End": True}
>>> ex = sfn.run({"StartAt": "Hi", "States": {"Hi": hello}})
>>> ex.output
'hello'
"""

from collections.abc import Callable
from typing import Any

from sfn_notebook.asl.model import Definition
from sfn_notebook.asl.parse import parse, validate
from sfn_notebook.engine.observe import StageLog
from sfn_notebook.errors import (
    DefinitionError,
    Diagnostic,
    ExecutionInputError,
    ExpressionError,
    SfnNotebookError,
    StatesError,
)
from sfn_notebook.limits import Limits
from sfn_notebook.runtime.execution import Execution
from sfn_notebook.runtime.run import run
from sfn_notebook.runtime.runtime import Runtime
from sfn_notebook.runtime.tasks import test_state

__version__ = "0.1.0"


def function(name: str | Callable[..., Any] | None = None) -> Any:
    """Register a notebook function as a Lambda stand-in on the notebook's default Runtime.

    ``@sfn.function`` uses the function's name, ``@sfn.function("Name")`` another; running the
    cell again replaces the function, also for state machines that already ran it.

    >>> @function("double-it")
    ... def double(event, context):
    ...     return event * 2
    >>> double(4, None)
    8
    """
    from sfn_notebook.notebook.session import function as register

    return register(name)


def default_runtime() -> Runtime:
    """The notebook's default Runtime: the one ``%sfn`` and ``@sfn.function`` use."""
    from sfn_notebook.notebook.session import default_runtime as current

    return current()


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext sfn_notebook``: the ``%sfn`` and ``%%asl`` magics (IPython loads only here)."""
    from sfn_notebook.notebook.magics import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    from sfn_notebook.notebook.magics import unload_ipython_extension as unload

    unload(ipython)


__all__ = [
    "Definition",
    "DefinitionError",
    "Diagnostic",
    "Execution",
    "ExecutionInputError",
    "ExpressionError",
    "Limits",
    "Runtime",
    "SfnNotebookError",
    "StageLog",
    "StatesError",
    "default_runtime",
    "function",
    "parse",
    "run",
    "test_state",
    "validate",
]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    """Where the built JupyterLab extension lives (``jupyter labextension develop`` uses it)."""
    return [{"src": "labextension", "dest": "sfn-notebook"}]


def __getattr__(name: str) -> Any:
    """``sfn.aws`` (the AWS backend) and ``sfn.analysis`` load on first use: they pull in
    botocore and pandas, which plain local runs do not need."""
    if name in ("aws", "analysis"):
        import importlib

        return importlib.import_module(f"sfn_notebook.{name}")
    raise AttributeError(f"module 'sfn_notebook' has no attribute {name!r}")
