"""boto3's contract for the Runtime's API: parameters checked against botocore's service model.

A boto3 client refuses, before any request, a parameter the operation does not have, a
required one left out and a value of the wrong type (``ParamValidationError``). The Runtime's
boto3-dialect methods do the same with :func:`operation`: each is checked against the input
shape of its operation in botocore's Step Functions model (the one boto3 itself uses), with
botocore's own validator and wording. The shape is looked up once per operation, at first use.

Local conveniences stay: ``None`` means "not given" (boto3 itself refuses None), a required
member the method defaults (``roleArn``) may be left out, a dict is taken where the API wants a
JSON string for a definition, and a method may declare extra keywords of its own
(``test_case=``).

>>> from sfn_notebook import Runtime
>>> from sfn_notebook.errors import ParamValidationError
>>> rt = Runtime(clock="virtual")
>>> try:
...     rt.list_executions(stateMachineArn="arn:aws:states:us-east-1:123456789012:stateMachine:m",
...                        statusFIlter="FAILED")
... except ParamValidationError as e:
...     print(str(e).split(", must")[0])
Parameter validation failed:
Unknown parameter in input: "statusFIlter"
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from sfn_notebook.errors import ParamValidationError

F = TypeVar("F", bound=Callable[..., Any])

# Members the API types as (JSON) strings that the Runtime also takes as a dict.
_JSON_OR_DICT = frozenset({"definition"})
_PASSED = 256  # valid parameter sets kept per operation


def _small(value: Any) -> bool:
    """A value whose check can be remembered: hashable, immutable, short."""
    kind = type(value)
    if kind is str:
        return len(value) <= 1024
    return value is None or kind is bool or kind is int or kind is float


@functools.lru_cache(maxsize=1)
def stepfunctions_model() -> Any:
    """botocore's service model for Step Functions (loaded once)."""
    from sfn_notebook.integrations.aws import service_model

    return service_model("stepfunctions")


class _Check:
    """The compiled check of one operation: its input shape and which members are required."""

    def __init__(self, operation: str, method: Callable[..., Any], extensions: frozenset[str]):
        from botocore.validate import ParamValidator

        self.shape = stepfunctions_model().operation_model(operation).input_shape
        self.extensions = extensions
        signature = inspect.signature(method)
        # Required by AWS but defaulted here (roleArn): filled in before the check.
        self.defaults = {
            name: p.default
            for name, p in signature.parameters.items()
            if name in self.shape.required_members and p.default not in (None, p.empty)
        }
        self.validator = ParamValidator()
        # Parameters already found valid, when made of short scalars only (a Runtime started
        # in a loop passes the same ARN and input again and again): checked once.
        self.passed: set[tuple[tuple[str, type, Any], ...]] = set()

    def __call__(self, kwargs: dict[str, Any]) -> None:
        if not all(_small(value) for value in kwargs.values()):
            self._check(kwargs)
            return
        # The type too: True == 1 == 1.0, but boto3 takes only one of them for a member.
        key = tuple((name, type(value), value) for name, value in kwargs.items())
        if key not in self.passed:
            self._check(kwargs)
            if len(self.passed) < _PASSED:
                self.passed.add(key)

    def _check(self, kwargs: dict[str, Any]) -> None:
        params = dict(self.defaults)
        for name, value in kwargs.items():
            if value is None or name in self.extensions:
                continue
            params[name] = "{}" if name in _JSON_OR_DICT and isinstance(value, Mapping) else value
        report = self.validator.validate(params, self.shape)
        if report.has_errors():
            raise ParamValidationError(report=report.generate_report())  # type: ignore[call-arg]
        problems = [p for name, value in params.items() if (p := self._server_check(name, value))]
        if problems:
            # (runtime.exceptions imports this module: take the class from where it lives)
            from sfn_notebook.integrations.callbacks import (
                CallbackValidationError as ValidationException,
            )

            count = len(problems)
            raise ValidationException(
                f"{count} validation error{'s' if count > 1 else ''} detected: "
                + "; ".join(problems)
            )

    def _server_check(self, name: str, value: Any) -> str | None:
        """The limits AWS checks on its side and botocore does not: maximum lengths and values
        (recorded: "Value '1001' at 'maxResults' failed to satisfy constraint: Member must have
        value less than or equal to 1000", and the same for a 1,025-character nextToken)."""
        shape = self.shape.members.get(name)
        if shape is None or shape.metadata.get("sensitive"):
            return None  # sensitive members (the definition) have checks of their own
        limit = shape.metadata.get("max")
        if limit is None:
            return None
        if shape.type_name == "string" and isinstance(value, str) and len(value) > limit:
            what = f"have length less than or equal to {limit}"
        elif (
            shape.type_name in ("integer", "long")
            and isinstance(value, int)
            and not isinstance(value, bool)
            and value > limit
        ):
            what = f"have value less than or equal to {limit}"
        else:
            return None
        return f"Value '{value}' at '{name}' failed to satisfy constraint: Member must {what}"


def operation(name: str, *, extensions: tuple[str, ...] = ()) -> Callable[[F], F]:
    """Check a boto3-dialect method's keyword arguments against operation ``name`` of the
    Step Functions API (``extensions``: keywords of the Runtime's own, not checked)."""

    def decorate(method: F) -> F:
        check: _Check | None = None
        lock = threading.Lock()

        @functools.wraps(method)
        def checked(self: Any, *args: Any, **kwargs: Any) -> Any:
            nonlocal check
            if check is None:
                with lock:
                    if check is None:
                        check = _Check(name, method, frozenset(extensions))
            if args:  # boto3's methods take keywords only; so does every method here
                raise TypeError(
                    f"{method.__name__}() only accepts keyword arguments (as boto3's does)"
                )
            check(kwargs)
            return method(self, **kwargs)

        checked.__sfn_operation__ = name  # type: ignore[attr-defined]
        return checked  # type: ignore[return-value]

    return decorate


class Offered:
    """A method of one of the Runtime's parts, offered on the Runtime itself: with
    ``send_task_success = Offered("tasks", TaskService)`` in the class body,
    ``rt.send_task_success`` is ``rt.tasks.send_task_success`` (and ``Runtime.send_task_success``
    the part's function, with its docstring and its boto3 operation).

    >>> class Part:
    ...     def hello(self) -> str:
    ...         "Say hello."
    ...         return "hello"
    >>> class Whole:
    ...     hello = Offered("part", Part)
    ...     def __init__(self) -> None:
    ...         self.part = Part()
    >>> Whole().hello(), Whole.hello.__doc__
    ('hello', 'Say hello.')
    """

    def __init__(self, part: str, cls: type) -> None:
        self.part = part
        self.cls = cls
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        self.__doc__ = getattr(self.cls, name).__doc__

    def __get__(self, obj: object, owner: type | None = None) -> Any:
        if obj is None:
            return getattr(self.cls, self.name)
        return getattr(getattr(obj, self.part), self.name)
