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
from typing import Any

from botocore.exceptions import (
    ClientError,
)
from botocore.exceptions import (
    ParamValidationError as _BotoParamValidationError,
)


class SfnNotebookError(Exception):
    """Root of every error this library raises for misuse.

    ``code`` is the AWS API error code when the error mirrors one (``InvalidDefinition``,
    ``InvalidExecutionInput``, ``ExecutionDoesNotExist`` ...).
    """

    code: str = "SfnNotebookError"


class ServiceError(SfnNotebookError, ClientError):  # type: ignore[misc]
    """An error the Step Functions API answers with: a botocore ``ClientError`` as a boto3 client
    raises it, so ``except ClientError`` and ``e.response["Error"]["Code"]`` work alike here
    and against AWS. ``str(e)`` is the message alone.

    >>> class ExecutionDoesNotExist(ServiceError):
    ...     code = "ExecutionDoesNotExist"
    >>> ExecutionDoesNotExist("Execution Does Not Exist: 'arn:x'").response["Error"]
    {'Code': 'ExecutionDoesNotExist', 'Message': "Execution Does Not Exist: 'arn:x'"}
    """

    operation_name: str | None = None

    def __init__(self, *args: Any) -> None:
        # ClientError.__init__ (error_response, operation_name) is not called: our errors are
        # raised with their message, as every SfnNotebookError.
        Exception.__init__(self, *args)

    @property  # type: ignore[override]
    def response(self) -> dict[str, Any]:
        return {
            "Error": {"Code": self.code, "Message": str(self)},
            "ResponseMetadata": {"HTTPStatusCode": 400},
        }

    def __reduce__(self) -> Any:
        return self.__class__, self.args


class ParamValidationError(SfnNotebookError, _BotoParamValidationError):  # type: ignore[misc]
    """Parameters boto3 itself refuses before any request: an unknown or misspelled name, a
    missing required one, a value of the wrong type. The message is botocore's, word for word,
    and the class is also a ``botocore.exceptions.ParamValidationError``.
    """

    code = "ParamValidationError"

    def __reduce__(self) -> Any:
        return _param_validation_error, (self.kwargs.get("report", ""),)


def _param_validation_error(report: str) -> ParamValidationError:
    return ParamValidationError(report=report)  # type: ignore[call-arg]


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
    #: What exactly is wrong, where AWS's message says only what was expected (ours, not AWS's:
    #: it stays out of ``message`` so CreateStateMachine's error reads as AWS's).
    detail: str | None = None

    def __str__(self) -> str:
        text = f"{self.location or '/'}: {self.code} {self.message}"
        if self.detail:
            text += f" ({self.detail})"
        if self.column is not None and self.snippet is not None:
            text += "\n    " + self.snippet + "\n    " + " " * (self.column - 1) + "^"
        return text


class DefinitionError(ServiceError):
    """A definition AWS would reject at CreateStateMachine; ``diagnostics`` lists every reason."""

    code = "InvalidDefinition"

    def __init__(self, message: str, diagnostics: list[Diagnostic] | None = None) -> None:
        super().__init__(message)
        self.diagnostics: list[Diagnostic] = list(diagnostics or [])


class ExecutionInputError(ServiceError):
    """Execution input AWS would reject at StartExecution."""

    code = "InvalidExecutionInput"


class InputFileError(SfnNotebookError):
    """A file named as input (a definition, ``@input.json``) that cannot be read, is over AWS's
    size limit for what it holds, or is not UTF-8 text; the message names the file."""


class ExpressionError(ServiceError):
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
