"""The exception root and the diagnostic record shared by every layer.

Two kinds of error live here:

* :class:`SfnNotebookError` and its subclasses are *misuse of the library* (a bad definition, bad
  execution input, an unknown execution ARN). They are raised to the caller.
* :class:`StatesError` is a failure *inside a workflow* (``States.Runtime``,
  ``States.IntrinsicFailure``, a task's own error). It carries AWS's error name and cause and is
  turned into history events by the engine; Retry and Catch match it by name, never by class.
"""

from __future__ import annotations

from dataclasses import dataclass


class SfnNotebookError(Exception):
    """Root of every error this library raises for misuse.

    ``code`` is the AWS API error code when the error mirrors one (``InvalidDefinition``,
    ``InvalidExecutionInput``, ``ExecutionDoesNotExist`` ...).
    """

    code: str = "SfnNotebookError"


@dataclass(frozen=True)
class Diagnostic:
    """One finding about a definition, shaped like AWS's ValidateStateMachineDefinition.

    ``location`` is a JSON pointer (``/States/Load/Next``); ``column`` is the 1-based column inside
    an expression string when the finding is about one.

    >>> d = Diagnostic("ERROR", "MISSING_TRANSITION_TARGET", "No target", "/States/A/Next")
    >>> str(d)
    '/States/A/Next: MISSING_TRANSITION_TARGET No target'
    """

    severity: str  # "ERROR" | "WARNING"
    code: str
    message: str
    location: str
    column: int | None = None
    snippet: str | None = None  # the expression text the column points into

    def __str__(self) -> str:
        text = f"{self.location or '/'}: {self.code} {self.message}"
        if self.column is not None and self.snippet is not None:
            text += "\n    " + self.snippet + "\n    " + " " * (self.column - 1) + "^"
        return text


class DefinitionError(SfnNotebookError):
    """A definition AWS would reject at CreateStateMachine; ``diagnostics`` lists every reason."""

    code = "InvalidDefinition"

    def __init__(self, message: str, diagnostics: list[Diagnostic] | None = None) -> None:
        super().__init__(message)
        self.diagnostics: list[Diagnostic] = list(diagnostics or [])


class ExecutionInputError(SfnNotebookError):
    """Execution input AWS would reject at StartExecution."""

    code = "InvalidExecutionInput"


class InputFileError(SfnNotebookError):
    """A file named as input (a definition, ``@input.json``) that cannot be read, is over AWS's
    size limit for what it holds, or is not UTF-8 text; the message names the file."""


class ExpressionError(SfnNotebookError):
    """A path, intrinsic call or JSONata expression that does not compile.

    ``column`` is 1-based within ``text``; ``str()`` shows the text with a caret under it.
    """

    code = "InvalidDefinition"

    def __init__(self, message: str, text: str = "", column: int | None = None) -> None:
        self.message = message
        self.text = text
        self.column = column
        super().__init__(self._render())

    def _render(self) -> str:
        if self.column is None or not self.text:
            return self.message
        caret = " " * (self.column - 1) + "^"
        return f"{self.message} (column {self.column})\n    {self.text}\n    {caret}"


class StatesError(Exception):
    """A failure inside a workflow: AWS's ``error`` name and ``cause`` text.

    >>> StatesError("States.Runtime", "Invalid path '$.x' : No results for path: $['x']").error
    'States.Runtime'
    """

    def __init__(self, error: str, cause: str = "") -> None:
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause
