"""Every error the Runtime's boto3-dialect API raises, from one place.

Each is a :class:`~sfn_notebook.errors.ServiceError` (a botocore ``ClientError``) whose
``code`` is AWS's, so code written against a boto3 client handles them unchanged::

    try:
        rt.describe_execution(executionArn=arn)
    except rt.exceptions.ExecutionDoesNotExist as e:
        e.response["Error"]["Code"]  # 'ExecutionDoesNotExist'

``rt.exceptions`` (:data:`EXCEPTIONS`) also has ``ClientError`` and one class for every other
error code of the Step Functions service model, as a boto3 client's ``exceptions`` has.

>>> EXCEPTIONS.ExecutionDoesNotExist("Execution Does Not Exist: 'x'").response["Error"]["Code"]
'ExecutionDoesNotExist'
>>> issubclass(EXCEPTIONS.ActivityLimitExceeded, EXCEPTIONS.ClientError)
True
"""

from __future__ import annotations

from typing import Any

from sfn_notebook.errors import (
    DefinitionError,
    ExecutionInputError,
    ParamValidationError,
    ServiceError,
)
from sfn_notebook.integrations.activities import ActivityDoesNotExist, InvalidArn, InvalidName
from sfn_notebook.integrations.callbacks import CallbackValidationError as ValidationException
from sfn_notebook.integrations.callbacks import (
    InvalidOutput,
    InvalidToken,
    TaskDoesNotExist,
    TaskTimedOut,
)
from sfn_notebook.limits import NestingLimitExceeded

__all__ = [
    "EXCEPTIONS",
    "ActivityDoesNotExist",
    "ConflictException",
    "DefinitionError",
    "ExecutionAlreadyExists",
    "ExecutionDoesNotExist",
    "ExecutionInputError",
    "ExecutionNotRedrivable",
    "InvalidArn",
    "InvalidLoggingConfiguration",
    "InvalidName",
    "InvalidOutput",
    "InvalidToken",
    "MissingRequiredParameter",
    "NestingLimitExceeded",
    "ParamValidationError",
    "ResourceNotFound",
    "ServiceError",
    "StateMachineAlreadyExists",
    "StateMachineDoesNotExist",
    "StateMachineTypeNotSupported",
    "TaskDoesNotExist",
    "TaskTimedOut",
    "ValidationException",
]


class StateMachineDoesNotExist(ServiceError):
    code = "StateMachineDoesNotExist"


class StateMachineAlreadyExists(ServiceError):
    code = "StateMachineAlreadyExists"


class ExecutionDoesNotExist(ServiceError):
    code = "ExecutionDoesNotExist"


class ExecutionAlreadyExists(ServiceError):
    code = "ExecutionAlreadyExists"


class StateMachineTypeNotSupported(ServiceError):
    code = "StateMachineTypeNotSupported"


class ExecutionNotRedrivable(ServiceError):
    code = "ExecutionNotRedrivable"


class ResourceNotFound(ServiceError):
    code = "ResourceNotFound"


class MissingRequiredParameter(ServiceError):
    code = "MissingRequiredParameter"


class ConflictException(ServiceError):
    code = "ConflictException"


class InvalidLoggingConfiguration(ServiceError):
    code = "InvalidLoggingConfiguration"


class Exceptions:
    """A boto3 client's ``exceptions``: one class per error code, plus ``ClientError``.

    One class per code: the errors raised with a code are that class or a subclass of it
    (TestState's ValidationException, a mock test case's InvalidName), so an ``except`` naming
    ``rt.exceptions.<Code>`` catches them all, as with boto3.
    """

    ClientError = ServiceError

    def __init__(self, *classes: type[ServiceError]) -> None:
        self._by_code: dict[str, type[ServiceError]] = {}
        for cls in classes:
            self._by_code.setdefault(cls.code, cls)

    def __getattr__(self, code: str) -> type[ServiceError]:
        if code.startswith("_"):
            raise AttributeError(code)
        found = self._by_code.get(code)
        if found is None:
            if code not in _model_codes():
                raise AttributeError(f"Step Functions has no error code {code!r}")
            found = self._by_code[code] = type(code, (ServiceError,), {"code": code})
        return found

    def from_code(self, code: str) -> type[ServiceError]:
        """The class for an error code; ``ClientError`` for a code the service does not have."""
        try:
            return getattr(self, code)  # type: ignore[no-any-return]
        except AttributeError:
            return ServiceError

    def __dir__(self) -> list[str]:
        return sorted({"ClientError", "from_code", *self._by_code, *_model_codes()})


def _model_codes() -> frozenset[str]:
    from sfn_notebook.runtime.params import stepfunctions_model

    model: Any = stepfunctions_model()
    return frozenset(shape.name for shape in model.error_shapes)


EXCEPTIONS = Exceptions(
    StateMachineDoesNotExist,
    StateMachineAlreadyExists,
    ExecutionDoesNotExist,
    ExecutionAlreadyExists,
    StateMachineTypeNotSupported,
    ExecutionNotRedrivable,
    ResourceNotFound,
    MissingRequiredParameter,
    ConflictException,
    InvalidLoggingConfiguration,
    InvalidName,
    InvalidArn,
    ValidationException,
    ActivityDoesNotExist,
    InvalidToken,
    TaskDoesNotExist,
    TaskTimedOut,
    InvalidOutput,
    NestingLimitExceeded,
    DefinitionError,
    ExecutionInputError,
)
