"""What the editor completes, read from the engine's own tables (``GET /sfn-notebook/api/catalog``).

The split view's completion (labextension/src/complete.ts) offers the fields each ASL object
accepts in each query language, the enum values the validator accepts, the ``States.*``
intrinsics with their arity, AWS's extra JSONata functions, and the ``Resource`` ARNs the
engine can run. None of it is a second list: the fields come from :mod:`sfn_notebook.asl.schema`,
the intrinsics from :data:`sfn_notebook.expr.intrinsics.FUNCTIONS`, the JSONata extras from
:data:`sfn_notebook.expr.jsonata.AWS_FUNCTION_ARITY`, and every Resource listed is one that a
real :class:`~sfn_notebook.engine.resources.ResourceRegistry` with the integrations resolves.

>>> data = catalog()
>>> [f["name"] for f in data["objects"]["Wait"] if f["name"].startswith("Seconds")]
['Seconds', 'SecondsPath']
>>> "arn:aws:states:::glue:startJobRun.sync" in {r["arn"] for r in data["resources"]}
True
"""

from __future__ import annotations

import functools
import re
from typing import TypedDict

from sfn_notebook.asl import schema
from sfn_notebook.engine.resources import ResourceRegistry
from sfn_notebook.expr.intrinsics import FUNCTIONS
from sfn_notebook.expr.jsonata import AWS_FUNCTION_ARITY
from sfn_notebook.integrations import WAIT_FOR_TASK_TOKEN, Integrations
from sfn_notebook.integrations.job_table import NOT_LOCAL
from sfn_notebook.integrations.optimized import OWN_RESOURCES, TABLE, NotLocal
from sfn_notebook.integrations.services import START_EXECUTION_PATTERNS
from sfn_notebook.runtime.identity import DEFAULT_ACCOUNT, DEFAULT_REGION


class FieldInfo(TypedDict, total=False):
    """One field of an ASL object."""

    name: str
    #: "JSONPath" or "JSONata" when the field exists in that query language only.
    language: str
    #: A JSONata state may give a ``{% %}`` expression instead of the literal value.
    expression: bool
    required: bool
    #: The values the validator accepts, when it accepts only some strings.
    values: list[str]


class FunctionInfo(TypedDict):
    name: str
    min_args: int
    #: None: any number of arguments.
    max_args: int | None


class ResourceInfo(TypedDict):
    arn: str
    detail: str


class Catalog(TypedDict):
    objects: dict[str, list[FieldInfo]]
    operators: list[str]
    intrinsics: list[FunctionInfo]
    jsonata_functions: list[FunctionInfo]
    resources: list[ResourceInfo]
    lambda_arn_prefix: str


# The editor's names for the validator's object tables (the keys complete.ts looks up).
_OBJECTS: dict[str, schema.ObjectSpec] = {
    **schema.STATES,
    "Machine": schema.MACHINE,
    "Branch": schema.BRANCH,
    "ItemProcessor": schema.ITEM_PROCESSOR,
    "ProcessorConfig": schema.PROCESSOR_CONFIG,
    "ItemReader": schema.ITEM_READER,
    "ReaderConfig": schema.READER_CONFIG,
    "ResultWriter": schema.RESULT_WRITER,
    "WriterConfig": schema.WRITER_CONFIG,
    "Retrier": schema.RETRIER,
    "Catcher": schema.CATCHER,
    "ChoiceRule": schema.TOP_RULE,
    "NestedChoiceRule": schema.NESTED_RULE,
    "JSONataChoiceRule": schema.JSONATA_RULE,
}

_ONE_OF = re.compile(r"^Value should be one of the following: \[(.*)\]$")


def _values(spec: schema.FieldSpec) -> list[str] | None:
    """The strings an enum check accepts, read from its own message (no second list)."""
    problem = spec.check(object())
    match = _ONE_OF.match(problem or "")
    return match.group(1).split(", ") if match else None


def _fields(spec: schema.ObjectSpec, jsonata_rule: bool = False) -> list[FieldInfo]:
    out: list[FieldInfo] = []
    for name, field in spec.fields.items():
        info: FieldInfo = {"name": name}
        # A JSONata rule lists the JSONPath rule fields only to reject them with a good message.
        if jsonata_rule and field.language == schema.JSONPATH:
            continue
        if field.language:
            info["language"] = field.language
        if field.expression:
            info["expression"] = True
        if name in spec.required:
            info["required"] = True
        values = _values(field)
        if values:
            info["values"] = values
        out.append(info)
    return out


def _resources() -> list[ResourceInfo]:
    """Every ``Resource`` the engine runs, each checked against a real registry."""
    lambda_invoke = ResourceInfo(
        arn=_arn("lambda", "invoke"), detail="Lambda Invoke (a registered Python function)"
    )
    candidates: list[ResourceInfo] = [lambda_invoke]
    # Any of these may also wait for a task token; the ones with a class of their own may not.
    callbacks: list[ResourceInfo] = [_callback(lambda_invoke)]
    for (service, action), row in sorted(TABLE.items()):
        base = ResourceInfo(arn=_arn(service, action), detail=f"{row.boto} {row.op}")
        candidates.append(base)
        callbacks.append(_callback(base))
        if row.sync is not None:
            detail = f"{row.boto} {row.op}, waits for the job ({row.sync.describe})"
            candidates.append(ResourceInfo(arn=base["arn"] + ".sync", detail=detail))
    for service, action in OWN_RESOURCES:
        candidates.append(ResourceInfo(arn=_arn(service, action), detail=f"{service} {action}"))
    for pattern in START_EXECUTION_PATTERNS:
        arn = _arn("states", "startExecution") + (f".{pattern}" if pattern else "")
        detail = "StartExecution: a nested execution" + (", waits for it" if pattern else "")
        candidates.append(ResourceInfo(arn=arn, detail=detail))
        if not pattern:
            callbacks.append(_callback(candidates[-1]))
    registry = Integrations(region=DEFAULT_REGION, account=DEFAULT_ACCOUNT).install(
        ResourceRegistry()
    )
    out: list[ResourceInfo] = []
    for candidate in [*candidates, *callbacks]:
        resolved = registry.resolve(candidate["arn"])
        if not isinstance(resolved, NotLocal):
            out.append(ResourceInfo(arn=candidate["arn"], detail=candidate["detail"]))
    return out


def _callback(base: ResourceInfo) -> ResourceInfo:
    return ResourceInfo(
        arn=base["arn"] + WAIT_FOR_TASK_TOKEN,
        detail=f"{base['detail']}, waits for SendTaskSuccess/Failure",
    )


def _arn(service: str, action: str) -> str:
    return f"arn:aws:states:::{service}:{action}"


@functools.cache
def catalog() -> Catalog:
    """The completion catalog (computed once per process; the tables never change)."""
    objects = {
        name: _fields(spec, jsonata_rule=name == "JSONataChoiceRule")
        for name, spec in _OBJECTS.items()
    }
    intrinsics = [
        FunctionInfo(name=f.name, min_args=f.min_args, max_args=f.max_args)
        for f in sorted(FUNCTIONS.values(), key=lambda f: f.name)
    ]
    jsonata = [
        FunctionInfo(name=name, min_args=0, max_args=arity)
        for name, arity in sorted(AWS_FUNCTION_ARITY.items())
    ]
    return Catalog(
        objects=objects,
        operators=sorted(schema.OPERATORS),
        intrinsics=intrinsics,
        jsonata_functions=jsonata,
        resources=_resources(),
        lambda_arn_prefix=f"arn:aws:lambda:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:function:",
    )


def not_local() -> dict[str, str]:
    """The optimized actions the catalog leaves out, and why (they need more than an API)."""
    return {_arn(service, action): why for (service, action), why in NOT_LOCAL.items()}


__all__ = ["Catalog", "catalog", "not_local"]
