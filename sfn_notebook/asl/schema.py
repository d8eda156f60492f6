"""The field tables the validator checks ASL objects against.

Every object the validator looks at (the state machine, a state of each of the 8 types, a
retrier, a catcher, a Choice rule, a Parallel branch, a Map item processor ...) is described by an
:class:`ObjectSpec`: which fields it accepts, what their values must look like, in which query
language each field exists, which fields are required and which exclude each other. The checks
are small functions that return an AWS-worded message for a bad value, or ``None``.

>>> STATES["Wait"].fields["Seconds"].check(-1)
'Value must be at least 0'
>>> STATES["Fail"].fields["ErrorPath"].language
'JSONPath'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, time
from typing import Any, TypeGuard

JSONPATH = "JSONPath"
JSONATA = "JSONata"
QUERY_LANGUAGES = (JSONPATH, JSONATA)

# In the order AWS lists them in its "should have one of these values" message.
STATE_TYPES = ("Task", "Wait", "Pass", "Succeed", "Fail", "Choice", "Parallel", "Map")

MAX_STATE_NAME_LENGTH = 80
MAX_SECONDS = 99_999_999  # AWS's ceiling for TimeoutSeconds, HeartbeatSeconds, Wait Seconds ...
MAX_DELAY_SECONDS = 31_622_400  # a Retrier's MaxDelaySeconds: one year
# How many Parallel/Map levels may nest. AWS documents TOO_DEEPLY_NESTED but not the limit; this
# is our guess, high enough that no real workflow meets it.
MAX_NESTING_DEPTH = 32

ValueCheck = Callable[[Any], "str | None"]


def is_jsonata_text(value: Any) -> bool:
    """Whether ``value`` is a JSONata expression string, ``"{% ... %}"``.

    >>> is_jsonata_text("{% $states.input %}"), is_jsonata_text("$.a")
    (True, False)
    """
    # The same test as expr.jsonata.is_jsonata, kept here so the tables need no expr import.
    return isinstance(value, str) and len(value) >= 4 and value[:2] == "{%" and value[-2:] == "%}"


_PATH_LIKE = re.compile(r"^\$\$?(?:$|[.\[])|^States\.[A-Za-z0-9]+\(.*\)$", re.DOTALL)


def looks_like_path(value: Any) -> bool:
    """Whether a plain string looks like a JSONPath or an intrinsic call (for NO_DOLLAR/NO_PATH).

    >>> looks_like_path("$.a"), looks_like_path("States.Format('{}', $.a)"), looks_like_path("$5")
    (True, True, False)
    """
    return isinstance(value, str) and bool(_PATH_LIKE.match(value))


# ------------------------------------------------------------------------------------------------
# Value checks. Messages follow AWS's wording where it is known ("Expected value of type [...]",
# "Value should be one of the following: [...]", "Value cannot be empty").


def _type_error(name: str) -> str:
    return f"Expected value of type [{name}]"


def is_int(value: Any) -> TypeGuard[int]:
    """True for a JSON integer (``bool`` is an ``int`` in Python but not in JSON)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> TypeGuard[float]:
    """True for a JSON number."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def string(value: Any) -> str | None:
    return None if isinstance(value, str) else _type_error("STRING")


def boolean(value: Any) -> str | None:
    return None if isinstance(value, bool) else _type_error("BOOLEAN")


def obj(value: Any) -> str | None:
    return None if isinstance(value, dict) else _type_error("OBJECT")


def any_json(value: Any) -> str | None:
    return None


def path_or_null(value: Any) -> str | None:
    """InputPath, OutputPath and ResultPath may be null (discard); the syntax is checked later."""
    return None if value is None or isinstance(value, str) else _type_error("STRING")


def integer(minimum: int, maximum: int = MAX_SECONDS) -> ValueCheck:
    def check(value: Any) -> str | None:
        if not is_int(value):
            return _type_error("INTEGER")
        return _range(value, minimum, maximum)

    return check


def number(minimum: float | None = None, maximum: float | None = None) -> ValueCheck:
    def check(value: Any) -> str | None:
        if not is_number(value):
            return _type_error("NUMBER")
        return _range(value, minimum, maximum)

    return check


def _range(value: float, minimum: float | None, maximum: float | None) -> str | None:
    if minimum is not None and value < minimum:
        return f"Value must be at least {minimum}"
    if maximum is not None and value > maximum:
        return f"Value must be at most {maximum}"
    return None


def enum(*values: str) -> ValueCheck:
    def check(value: Any) -> str | None:
        if value in values and isinstance(value, str):
            return None
        return f"Value should be one of the following: [{', '.join(values)}]"

    return check


def array(item: ValueCheck | None = None, *, nonempty: bool = True) -> ValueCheck:
    def check(value: Any) -> str | None:
        if not isinstance(value, list):
            return _type_error("ARRAY")
        if nonempty and not value:
            return "Value cannot be empty"
        problems = (item(v) for v in value) if item else ()
        return next((p for p in problems if p), None)

    return check


def one_of(*checks: ValueCheck) -> ValueCheck:
    """Accept what any of ``checks`` accepts; report the first one's complaint otherwise."""

    def check(value: Any) -> str | None:
        problems = [c(value) for c in checks]
        return None if None in problems else problems[0]

    return check


def jsonata_text(value: Any) -> str | None:
    if is_jsonata_text(value):
        return None
    return "Value must be a JSONata expression enclosed in '{%' and '%}'"


_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))$"
)


def timestamp(value: Any) -> str | None:
    """An RFC 3339 timestamp with an uppercase ``T`` and ``Z`` (or an offset), as ASL requires.

    >>> timestamp("2016-03-14T01:59:00Z") is None, timestamp("2016-13-05T21:29:29Z")
    (True, 'String does not match RFC3339 timestamp')
    """
    problem = "String does not match RFC3339 timestamp"
    match = _RFC3339.match(value) if isinstance(value, str) else None
    if match is None:
        return _type_error("STRING") if not isinstance(value, str) else problem
    y, mo, d, h, mi, s = (int(g) for g in match.groups()[:6])
    try:
        date(y, mo, d)
        time(h, mi, s)
        if match.group(9) is not None:
            time(int(match.group(9)), int(match.group(10)))
    except ValueError:
        return problem
    return None


def resource_arn(value: Any) -> str | None:
    """A Task's Resource: any ARN (Lambda, activity, ``arn:aws:states:::service:action`` ...)."""
    if not isinstance(value, str):
        return _type_error("STRING")
    if re.match(r"^arn:[^:]+:[^:]+:[^:]*:[^:]*:.+$", value):
        return None
    return (
        f"The resource provided {value} is not recognized. The value is not a valid resource "
        "ARN, or the resource is not available in this region."
    )


def credentials(value: Any) -> str | None:
    if not isinstance(value, dict):
        return _type_error("OBJECT")
    if "RoleArn" in value or "RoleArn.$" in value:
        return None
    return "The field 'RoleArn' is required but was missing"


# ------------------------------------------------------------------------------------------------
# The tables


@dataclass(frozen=True)
class FieldSpec:
    """One field: its value check, the only query language it exists in (``None``: both), and
    whether a JSONata state may give a ``{% %}`` expression instead of a literal value."""

    check: ValueCheck = any_json
    language: str | None = None
    expression: bool = False


@dataclass(frozen=True)
class ObjectSpec:
    """An ASL object: its fields, the required ones, and the groups of which exactly one / at most
    one may be present (``End: false`` counts as absent)."""

    fields: Mapping[str, FieldSpec]
    required: tuple[str, ...] = ()
    exactly_one: tuple[tuple[str, ...], ...] = ()
    at_most_one: tuple[tuple[str, ...], ...] = ()

    def extend(self, fields: Mapping[str, FieldSpec]) -> ObjectSpec:
        """A copy that also accepts ``fields``."""
        return replace(self, fields={**self.fields, **fields})


def _jp(check: ValueCheck = any_json) -> FieldSpec:
    return FieldSpec(check, JSONPATH)


def _ja(check: ValueCheck = any_json) -> FieldSpec:
    return FieldSpec(check, JSONATA)


def _expr(check: ValueCheck) -> FieldSpec:
    """A literal that a JSONata state may replace with an expression."""
    return FieldSpec(check, None, expression=True)


_SECONDS = _expr(integer(1))
_PATH = _jp(string)

_COMMON: dict[str, FieldSpec] = {
    "Type": FieldSpec(enum(*STATE_TYPES)),
    "Comment": FieldSpec(string),
    "QueryLanguage": FieldSpec(enum(*QUERY_LANGUAGES)),
}
_IO = {"InputPath": _jp(path_or_null), "OutputPath": _jp(path_or_null), "Output": _ja()}
_FLOW = {"Next": FieldSpec(string), "End": FieldSpec(boolean), "Assign": FieldSpec(obj)}
# AWS takes any JSON value as Parameters (and a Map's ItemSelector), not only the object the ASL
# spec names: aws/amazon-states-language-service#83 records the service creating and running them.
_PARAMETERS = _jp()
_RESULT = {
    "Parameters": _PARAMETERS,
    "ResultSelector": _jp(obj),
    "ResultPath": _jp(path_or_null),
}
_ERRORS = {
    "Retry": FieldSpec(array(obj, nonempty=False)),
    "Catch": FieldSpec(array(obj, nonempty=False)),
}
_NEXT_OR_END = (("Next", "End"),)

# fmt: off
STATES: dict[str, ObjectSpec] = {
    "Pass": ObjectSpec(
        {**_COMMON, **_IO, **_FLOW, "Parameters": _PARAMETERS, "ResultPath": _jp(path_or_null),
         "Result": _jp()},
        exactly_one=_NEXT_OR_END,
    ),
    "Task": ObjectSpec(
        {**_COMMON, **_IO, **_FLOW, **_RESULT, **_ERRORS,
         "Resource": FieldSpec(resource_arn),
         "Arguments": _ja(one_of(obj, jsonata_text)),
         "TimeoutSeconds": _SECONDS, "TimeoutSecondsPath": _PATH,
         "HeartbeatSeconds": _SECONDS, "HeartbeatSecondsPath": _PATH,
         "Credentials": FieldSpec(credentials)},
        required=("Resource",),
        exactly_one=_NEXT_OR_END,
        at_most_one=(("TimeoutSeconds", "TimeoutSecondsPath"),
                     ("HeartbeatSeconds", "HeartbeatSecondsPath")),
    ),
    "Choice": ObjectSpec(
        {**_COMMON, **_IO, "Assign": FieldSpec(obj),
         "Choices": FieldSpec(array(obj)), "Default": FieldSpec(string)},
        required=("Choices",),
    ),
    "Wait": ObjectSpec(
        {**_COMMON, **_IO, **_FLOW,
         "Seconds": _expr(integer(0)), "Timestamp": _expr(timestamp),
         "SecondsPath": _PATH, "TimestampPath": _PATH},
        exactly_one=(*_NEXT_OR_END, ("Seconds", "Timestamp", "SecondsPath", "TimestampPath")),
    ),
    "Succeed": ObjectSpec({**_COMMON, **_IO}),
    "Fail": ObjectSpec(
        {**_COMMON, "Error": FieldSpec(string), "Cause": FieldSpec(string),
         "ErrorPath": _PATH, "CausePath": _PATH},
        at_most_one=(("Error", "ErrorPath"), ("Cause", "CausePath")),
    ),
    "Parallel": ObjectSpec(
        {**_COMMON, **_IO, **_FLOW, **_RESULT, **_ERRORS,
         "Arguments": _ja(one_of(obj, jsonata_text)),
         "Branches": FieldSpec(array(obj))},
        required=("Branches",),
        exactly_one=_NEXT_OR_END,
    ),
    "Map": ObjectSpec(
        {**_COMMON, **_IO, **_FLOW, **_RESULT, **_ERRORS,
         "ItemProcessor": FieldSpec(obj), "Iterator": FieldSpec(obj),
         "ItemsPath": _PATH, "Items": _ja(one_of(array(nonempty=False), jsonata_text)),
         "ItemSelector": FieldSpec(any_json), "ItemReader": FieldSpec(obj),
         "ItemBatcher": FieldSpec(obj), "ResultWriter": FieldSpec(obj),
         "MaxConcurrency": _expr(integer(0)), "MaxConcurrencyPath": _PATH,
         "ToleratedFailurePercentage": _expr(number(0, 100)),
         "ToleratedFailurePercentagePath": _PATH,
         "ToleratedFailureCount": _expr(integer(0)), "ToleratedFailureCountPath": _PATH,
         "Label": FieldSpec(string)},
        exactly_one=(*_NEXT_OR_END, ("ItemProcessor", "Iterator")),
        at_most_one=(("Parameters", "ItemSelector"),
                     ("MaxConcurrency", "MaxConcurrencyPath"),
                     ("ToleratedFailurePercentage", "ToleratedFailurePercentagePath"),
                     ("ToleratedFailureCount", "ToleratedFailureCountPath")),
    ),
}
# fmt: on

MACHINE = ObjectSpec(
    {
        "StartAt": FieldSpec(string),
        "States": FieldSpec(obj),
        "Comment": FieldSpec(string),
        "Version": FieldSpec(enum("1.0")),
        "TimeoutSeconds": FieldSpec(integer(1)),
        "QueryLanguage": FieldSpec(enum(*QUERY_LANGUAGES)),
    },
    required=("States", "StartAt"),
)
BRANCH = ObjectSpec(
    {"StartAt": FieldSpec(string), "States": FieldSpec(obj), "Comment": FieldSpec(string)},
    required=("States", "StartAt"),
)
ITEM_PROCESSOR = BRANCH.extend({"ProcessorConfig": FieldSpec(obj)})
PROCESSOR_CONFIG = ObjectSpec(
    {
        "Mode": FieldSpec(enum("INLINE", "DISTRIBUTED")),
        "ExecutionType": FieldSpec(enum("STANDARD", "EXPRESS")),
    }
)

# A Distributed Map's data fields (``input-output-itemreader`` / ``-resultwriter``).
ITEM_READER = ObjectSpec(
    {
        "Resource": FieldSpec(resource_arn),
        "Parameters": _jp(obj),
        "Arguments": _ja(one_of(obj, jsonata_text)),
        "ReaderConfig": FieldSpec(obj),
    },
    required=("Resource",),
)
READER_CONFIG = ObjectSpec(
    {
        "InputType": FieldSpec(enum("CSV", "JSON", "JSONL", "MANIFEST", "PARQUET")),
        "CSVHeaderLocation": FieldSpec(enum("FIRST_ROW", "GIVEN")),
        "CSVHeaders": FieldSpec(array(string)),
        "CSVDelimiter": FieldSpec(enum("COMMA", "PIPE", "SEMICOLON", "SPACE", "TAB")),
        # AWS's linter takes 0 to 100,000,000 (LocalStack's AWS-validated tests say so).
        "MaxItems": _expr(integer(0, 100_000_000)),
        "MaxItemsPath": _PATH,
        "ManifestType": FieldSpec(enum("ATHENA_DATA", "S3_INVENTORY")),
        "ItemsPointer": FieldSpec(string),
        # listObjectsV2: LOAD_AND_FLATTEN reads the listed objects' contents (developer guide).
        "Transformation": FieldSpec(enum("NONE", "LOAD_AND_FLATTEN")),
    },
    at_most_one=(("MaxItems", "MaxItemsPath"),),
)
RESULT_WRITER = ObjectSpec(
    {
        "Resource": FieldSpec(resource_arn),
        "Parameters": _jp(obj),
        "Arguments": _ja(one_of(obj, jsonata_text)),
        "WriterConfig": FieldSpec(obj),
    }
)
WRITER_CONFIG = ObjectSpec(
    {
        "Transformation": FieldSpec(enum("NONE", "COMPACT", "FLATTEN")),
        "OutputType": FieldSpec(enum("JSON", "JSONL")),
    }
)

_ERROR_EQUALS = FieldSpec(array(string))
RETRIER = ObjectSpec(
    {
        "ErrorEquals": _ERROR_EQUALS,
        "IntervalSeconds": FieldSpec(integer(1)),
        "MaxAttempts": FieldSpec(integer(0)),
        "BackoffRate": FieldSpec(number(1.0)),
        "MaxDelaySeconds": FieldSpec(integer(1, MAX_DELAY_SECONDS)),
        "JitterStrategy": FieldSpec(enum("FULL", "NONE")),
        "Comment": FieldSpec(string),
    },
    required=("ErrorEquals",),
)
CATCHER = ObjectSpec(
    {
        "ErrorEquals": _ERROR_EQUALS,
        "Next": FieldSpec(string),
        "ResultPath": _jp(path_or_null),
        "Output": _ja(),
        "Assign": FieldSpec(obj),
        "Comment": FieldSpec(string),
    },
    required=("ErrorEquals", "Next"),
)

# JSONPath Choice rules: each comparison operator and what its operand must be. The ``...Path``
# operators take a path, checked as an expression later.
_TYPED_OPERATORS: dict[str, ValueCheck] = {
    "String": string,
    "Numeric": number(),
    "Boolean": boolean,
    "Timestamp": string,
}
_COMPARISONS = ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals")
OPERATORS: dict[str, ValueCheck] = {
    **{f"{kind}{cmp}": check for kind, check in _TYPED_OPERATORS.items() for cmp in _COMPARISONS},
    **{f"{kind}{cmp}Path": string for kind in _TYPED_OPERATORS for cmp in _COMPARISONS},
    "StringMatches": string,
    **{f"Is{kind}": boolean for kind in ("Null", "Present", "Numeric", "String", "Boolean")},
    "IsTimestamp": boolean,
}
# Boolean has only Equals; drop the orderings generated above.
for _cmp in _COMPARISONS[1:]:
    del OPERATORS[f"Boolean{_cmp}"], OPERATORS[f"Boolean{_cmp}Path"]
COMBINATORS = ("And", "Or", "Not")

_RULE_FIELDS = {
    "Variable": FieldSpec(string),
    "Comment": FieldSpec(string),
    **{op: FieldSpec(check) for op, check in OPERATORS.items()},
    "And": FieldSpec(array(obj)),
    "Or": FieldSpec(array(obj)),
    "Not": FieldSpec(obj),
}
NESTED_RULE = ObjectSpec(_RULE_FIELDS)
# Only a top-level rule transitions (Next) and assigns; nested ones under And/Or/Not must not.
TOP_RULE = ObjectSpec(
    {
        **_RULE_FIELDS,
        "Next": FieldSpec(string),
        "Assign": FieldSpec(obj),
        "Condition": _ja(),
        "Output": _ja(),
    },
    required=("Next",),
)
JSONATA_RULE = ObjectSpec(
    {
        "Condition": FieldSpec(one_of(boolean, jsonata_text)),
        "Next": FieldSpec(string),
        "Comment": FieldSpec(string),
        "Assign": FieldSpec(obj),
        "Output": FieldSpec(),
        # so that a JSONPath rule in a JSONata state gets the QueryLanguage message
        **{name: _jp() for name in _RULE_FIELDS if name != "Comment"},
    },
    required=("Condition", "Next"),
)

# Fields whose value AWS never reads as JSONata, even in a JSONata state: their own checks cover
# them, or (Catch, Choices, Branches, processors) the validator walks into them separately.
NOT_JSONATA = frozenset(
    {
        *("Type", "Comment", "QueryLanguage", "Next", "End", "Default", "Resource", "Label"),
        *("Retry", "Catch", "Choices", "Branches", "ItemProcessor", "Iterator"),
    }
)

# JSONPath fields whose value is a path, and the flavour of path: "reference" (ResultPath, which
# is written to), "path" (read), "path_or_intrinsic" (Fail's ErrorPath/CausePath).
PATH_FIELDS: dict[str, str] = {
    "InputPath": "path",
    "OutputPath": "path",
    "ResultPath": "reference",
    "ItemsPath": "path",
    "SecondsPath": "path",
    "TimestampPath": "path",
    "TimeoutSecondsPath": "path",
    "HeartbeatSecondsPath": "path",
    "MaxConcurrencyPath": "path",
    "ToleratedFailurePercentagePath": "path",
    "ToleratedFailureCountPath": "path",
    "ErrorPath": "path_or_intrinsic",
    "CausePath": "path_or_intrinsic",
}
# JSONPath payload templates: keys ending in ".$" hold a path or an intrinsic call.
TEMPLATE_FIELDS = ("Parameters", "ResultSelector", "ItemSelector", "Assign", "Credentials")
