"""sfn-notebook: AWS Step Functions workflows defined, run, watched and analysed in Jupyter.

>>> import sfn_notebook as sfn
>>> hello = {"Type": "Pass", "Result": "hello", "End": True}
>>> ex = sfn.run({"StartAt": "Hi", "States": {"Hi": hello}})
>>> ex.output
'hello'
"""

from sfn_notebook.asl.model import Definition
from sfn_notebook.asl.parse import parse, validate
from sfn_notebook.errors import (
    DefinitionError,
    Diagnostic,
    ExecutionInputError,
    ExpressionError,
    SfnNotebookError,
    StatesError,
)
from sfn_notebook.runtime.execution import Execution
from sfn_notebook.runtime.run import run
from sfn_notebook.runtime.runtime import Runtime

__version__ = "0.1.0"

__all__ = [
    "Definition",
    "DefinitionError",
    "Diagnostic",
    "Execution",
    "ExecutionInputError",
    "ExpressionError",
    "Runtime",
    "SfnNotebookError",
    "StatesError",
    "parse",
    "run",
    "validate",
]
