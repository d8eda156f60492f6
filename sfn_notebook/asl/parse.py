"""Read a definition (JSON or YAML text, or a dict) into the typed model.

``load_document`` turns text into a JSON value and reports malformed input as a diagnostic with a
line and column; ``parse`` then validates the document as AWS would and builds the model.

>>> parse("StartAt: A\\nStates:\\n  A: {Type: Succeed}").start_at
'A'
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

import yaml

from sfn_notebook.asl import model as m
from sfn_notebook.asl import yaml_core
from sfn_notebook.errors import DefinitionError, Diagnostic

_COMMON = {
    "comment": "Comment",
    "next": "Next",
    "assign": "Assign",
    "output": "Output",
}


def escape_pointer(token: str) -> str:
    """Escape one JSON-pointer token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def load_document(source: Any) -> tuple[Any, list[Diagnostic]]:
    """Turn JSON or YAML text (or bytes, or an already-loaded value) into a JSON value.

    Returns the value and the diagnostics for input that is not JSON or YAML at all (or holds
    something no JSON document can: a non-JSON Python object, NaN, nesting deeper than
    :data:`MAX_DOCUMENT_DEPTH`), or that is over AWS's size limit (:data:`DEFINITION_LIMIT`:
    the text, or the JSON that YAML aliases or a dict's shared parts expand to); the value is
    ``None`` when there are diagnostics. YAML is read by the YAML 1.2 core schema
    (:mod:`sfn_notebook.asl.yaml_core`).

    >>> load_document("[" * 1000 + "]" * 1000)[1][0].code
    'INVALID_JSON_DESCRIPTION'
    >>> load_document("answer: No")[0]
    {'answer': 'No'}
    """
    if isinstance(source, bytes | bytearray):
        if len(source) > DEFINITION_LIMIT:
            return None, [_too_large(f"the text is {len(source):,} bytes")]
        try:
            source = bytes(source).decode("utf-8")
        except UnicodeDecodeError as exc:
            return None, [
                _invalid_json(
                    f"Definition is not UTF-8 text: {exc.reason} at byte offset {exc.start}", None
                )
            ]
    if not isinstance(source, str):
        return _jsonable(source)
    text = source
    if len(text) > DEFINITION_LIMIT // 4 and (size := len(text.encode("utf-8"))) > DEFINITION_LIMIT:
        return None, [_too_large(f"the text is {size:,} bytes")]
    if "\x00" in text:
        return None, [_invalid_json("Definition contains binary data (a NUL character)", None)]
    if text.lstrip().startswith(("{", "[")):
        try:
            value = json.loads(text, parse_constant=_reject_constant)
        except json.JSONDecodeError as exc:
            return None, [
                _invalid_json(f"{exc.msg} at line {exc.lineno} column {exc.colno}", exc.colno)
            ]
        except (ValueError, RecursionError) as exc:  # NaN, a 5,000-digit number, deep nesting
            return None, [_invalid_json(_load_problem(exc), None)]
        return _jsonable(value)
    try:
        value = yaml_core.load(text, DEFINITION_LIMIT)
    except yaml_core.ExpansionLimitError as exc:
        return None, [_too_large(f"{exc.problem}{_where(exc)}")]
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc)
        return None, [_invalid_json(f"Invalid YAML: {problem}{_where(exc)}", None)]
    except (ValueError, RecursionError) as exc:
        return None, [_invalid_json(f"Invalid YAML: {_load_problem(exc)}", None)]
    return _jsonable(value)


def _where(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    return f" at line {mark.line + 1} column {mark.column + 1}" if mark is not None else ""


#: AWS's limit on a state machine definition: 1 MiB, a hard quota (the API model's
#: ``Definition`` shape has ``max: 1048576``; a request is at most 1 MB in all). Text over it is
#: refused, JSON or YAML, and so is YAML whose aliases expand past it.
DEFINITION_LIMIT = 1024 * 1024

# AWS refuses an oversized definition before looking at it, with a ValidationException rather
# than a diagnostic, so the code DEFINITION_TOO_LARGE is ours. The message is not recorded from
# AWS for `definition`: it is AWS's wording for any member over its model's max length (seen for
# `name`: "Value at 'name' failed to satisfy constraint: Member must have length less than or
# equal to 80"), without the value, as for every sensitive member.
_TOO_LARGE = (
    "1 validation error detected: Value at 'definition' failed to satisfy constraint: "
    f"Member must have length less than or equal to {DEFINITION_LIMIT}"
)


def _too_large(detail: str) -> Diagnostic:
    return Diagnostic("ERROR", "DEFINITION_TOO_LARGE", f"{_TOO_LARGE} ({detail})", "/")


# Deeper documents are refused up front: the validator and the engine walk payload templates
# recursively, and no real definition comes near this.
MAX_DOCUMENT_DEPTH = 100


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _load_problem(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return f"Definition nests more than {MAX_DOCUMENT_DEPTH} levels deep"
    return str(exc)


def _invalid_json(message: str, column: int | None) -> Diagnostic:
    return Diagnostic("ERROR", "INVALID_JSON_DESCRIPTION", message, "/", column)


def _jsonable(value: Any) -> tuple[Any, list[Diagnostic]]:
    """A JSON copy of a loaded value, or the diagnostic for the first part that is not JSON.

    YAML may produce dates and non-string keys, and a dict from Python anything at all: dates
    become ISO text and keys text; other objects, NaN, cycles, deep nesting and a copy whose JSON
    would be over :data:`DEFINITION_LIMIT` (a dict can share one list many times over, as YAML
    aliases do) are reported.
    """
    copier = _Copier()
    try:
        return copier.copy(value), []
    except _NotJson as exc:
        if exc.too_large:
            return None, [_too_large(f"the JSON grows past it at {exc.at or '/'}")]
        return None, [Diagnostic("ERROR", "INVALID_JSON_DESCRIPTION", exc.message, exc.at or "/")]


class _NotJson(Exception):
    def __init__(self, message: str, at: str, too_large: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.at = at
        self.too_large = too_large


class _Copier:
    """Copies a value into JSON types, weighing the copy as it goes.

    ``weight`` is a lower bound of the copy's compact JSON text (a string's characters and
    quotes, one character per number, brackets, colons and commas), the same measure as the YAML
    composer's, so only a copy surely over the limit is refused. ``path`` is where the copy is,
    turned into a JSON pointer only for an error.
    """

    __slots__ = ("path", "weight")

    def __init__(self) -> None:
        self.weight = 0
        self.path: list[str] = []

    def error(self, message: str, *, too_large: bool = False) -> _NotJson:
        at = "".join(f"/{escape_pointer(token)}" for token in self.path)
        return _NotJson(message, at, too_large)

    def copy(self, value: Any) -> Any:
        if len(self.path) > MAX_DOCUMENT_DEPTH:
            raise self.error(f"Definition nests more than {MAX_DOCUMENT_DEPTH} levels deep")
        self.weight += len(value) + 2 if isinstance(value, str) else 1
        if self.weight > DEFINITION_LIMIT:
            raise self.error("", too_large=True)
        path = self.path
        if isinstance(value, dict):
            copied = {}
            for k, v in value.items():
                key = str(k)
                self.weight += len(key) + 3
                path.append(key)
                copied[key] = self.copy(v)
                path.pop()
            return copied
        if isinstance(value, list | tuple):
            items = []
            for i, v in enumerate(value):
                path.append(str(i))
                items.append(self.copy(v))
                path.pop()
            return items
        if isinstance(value, float) and not math.isfinite(value):
            raise self.error(f"{value} is not a JSON number")
        if value is None or isinstance(value, str | int | float):
            return value
        if hasattr(value, "isoformat"):
            return value.isoformat()
        raise self.error(f"A Python {type(value).__name__} is not a JSON value")


def parse(source: Any) -> m.Definition:
    """Parse JSON or YAML text, or a dict, into a validated :class:`Definition`.

    Raises :class:`~sfn_notebook.errors.DefinitionError` carrying every diagnostic when AWS would
    reject the definition.

    >>> parse({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}).states["A"].end
    True
    """
    from sfn_notebook.asl.validate import format_definition_error, validate_document

    document, diagnostics = load_document(source)
    if not diagnostics:
        diagnostics = validate_document(document)
    errors = [d for d in diagnostics if d.severity == "ERROR"]
    if errors:
        raise DefinitionError(format_definition_error(errors), diagnostics)
    return build_definition(document)


def validate(source: Any, *, state_machine_type: str = "STANDARD") -> list[Diagnostic]:
    """Every diagnostic (errors and warnings) for a definition, as ValidateStateMachineDefinition
    reports them for a state machine of ``state_machine_type`` ("STANDARD" or "EXPRESS").

    >>> [d.code for d in validate({"StartAt": "A", "States": {}})]
    ['MISSING_TRANSITION_TARGET']
    """
    from sfn_notebook.asl.express import express_diagnostics
    from sfn_notebook.asl.validate import validate_document

    document, diagnostics = load_document(source)
    if diagnostics:
        return diagnostics
    diagnostics = validate_document(document)
    if state_machine_type == "EXPRESS" and not any(d.severity == "ERROR" for d in diagnostics):
        diagnostics += express_diagnostics(document)
    return diagnostics


# ------------------------------------------------------------------------------------------------
# Building the model from a validated document


def build_definition(doc: Mapping[str, Any]) -> m.Definition:
    """Build the model from a document that already passed validation."""
    language = doc.get("QueryLanguage", m.JSONPATH)
    states = _build_states(doc.get("States", {}), "", language)
    return m.Definition(
        pointer="",
        raw=doc,
        start_at=doc.get("StartAt", ""),
        states=states,
        query_language=language,
        comment=doc.get("Comment"),
        version=doc.get("Version"),
        timeout_seconds=doc.get("TimeoutSeconds"),
    )


def _build_machine(doc: Mapping[str, Any], pointer: str, language: str) -> m.StateMachine:
    language = doc.get("QueryLanguage", language)
    return m.StateMachine(
        pointer=pointer,
        raw=doc,
        start_at=doc.get("StartAt", ""),
        states=_build_states(doc.get("States", {}), pointer, language),
        query_language=language,
        comment=doc.get("Comment"),
    )


def _build_states(states: Mapping[str, Any], pointer: str, language: str) -> dict[str, m.State]:
    built: dict[str, m.State] = {}
    for name, raw in states.items():
        state_pointer = f"{pointer}/States/{escape_pointer(name)}"
        built[name] = _build_state(name, raw, state_pointer, raw.get("QueryLanguage", language))
    return built


def _path(raw: Mapping[str, Any], key: str) -> str | None:
    """Absent means ``$``; an explicit null stays ``None``."""
    value: str | None = raw.get(key, "$")
    return value


def _retriers(raw: Mapping[str, Any], pointer: str) -> tuple[m.Retrier, ...]:
    return tuple(
        m.Retrier(
            pointer=f"{pointer}/Retry/{i}",
            raw=r,
            error_equals=tuple(r.get("ErrorEquals", ())),
            interval_seconds=r.get("IntervalSeconds", 1),
            max_attempts=r.get("MaxAttempts", 3),
            backoff_rate=r.get("BackoffRate", 2.0),
            max_delay_seconds=r.get("MaxDelaySeconds"),
            jitter_strategy=r.get("JitterStrategy", "NONE"),
            comment=r.get("Comment"),
        )
        for i, r in enumerate(raw.get("Retry", ()))
    )


def _catchers(raw: Mapping[str, Any], pointer: str) -> tuple[m.Catcher, ...]:
    return tuple(
        m.Catcher(
            pointer=f"{pointer}/Catch/{i}",
            raw=c,
            error_equals=tuple(c.get("ErrorEquals", ())),
            next=c.get("Next", ""),
            result_path=_path(c, "ResultPath"),
            output=c.get("Output"),
            assign=c.get("Assign"),
            comment=c.get("Comment"),
        )
        for i, c in enumerate(raw.get("Catch", ()))
    )


def _build_state(name: str, raw: Mapping[str, Any], pointer: str, language: str) -> m.State:
    kind = raw["Type"]
    common: dict[str, Any] = {
        "pointer": pointer,
        "raw": raw,
        "name": name,
        "type": kind,
        "query_language": language,
        "end": bool(raw.get("End", False)),
        "input_path": _path(raw, "InputPath"),
        "output_path": _path(raw, "OutputPath"),
    }
    common.update({attr: raw.get(key) for attr, key in _COMMON.items()})
    builder = _BUILDERS[kind]
    return builder(raw, pointer, language, common)


def _pass(raw: Mapping[str, Any], pointer: str, language: str, common: dict[str, Any]) -> m.State:
    return m.PassState(
        **common,
        result=raw.get("Result"),
        has_result="Result" in raw,
        result_path=_path(raw, "ResultPath"),
        parameters=raw.get("Parameters"),
    )


def _task(raw: Mapping[str, Any], pointer: str, language: str, common: dict[str, Any]) -> m.State:
    return m.TaskState(
        **common,
        resource=raw.get("Resource", ""),
        parameters=raw.get("Parameters"),
        arguments=raw.get("Arguments"),
        result_selector=raw.get("ResultSelector"),
        result_path=_path(raw, "ResultPath"),
        timeout_seconds=raw.get("TimeoutSeconds"),
        timeout_seconds_path=raw.get("TimeoutSecondsPath"),
        heartbeat_seconds=raw.get("HeartbeatSeconds"),
        heartbeat_seconds_path=raw.get("HeartbeatSecondsPath"),
        credentials=raw.get("Credentials"),
        retry=_retriers(raw, pointer),
        catch=_catchers(raw, pointer),
    )


def _choice(raw: Mapping[str, Any], pointer: str, language: str, common: dict[str, Any]) -> m.State:
    rules = tuple(
        m.ChoiceRule(
            pointer=f"{pointer}/Choices/{i}",
            raw=rule,
            next=rule.get("Next", ""),
            condition=rule.get("Condition"),
            assign=rule.get("Assign"),
            output=rule.get("Output"),
            comment=rule.get("Comment"),
        )
        for i, rule in enumerate(raw.get("Choices", ()))
    )
    return m.ChoiceState(**common, choices=rules, default=raw.get("Default"))


def _wait(raw: Mapping[str, Any], pointer: str, language: str, common: dict[str, Any]) -> m.State:
    return m.WaitState(
        **common,
        seconds=raw.get("Seconds"),
        timestamp=raw.get("Timestamp"),
        seconds_path=raw.get("SecondsPath"),
        timestamp_path=raw.get("TimestampPath"),
    )


def _succeed(
    raw: Mapping[str, Any], pointer: str, language: str, common: dict[str, Any]
) -> m.State:
    return m.SucceedState(**common)


def _fail(raw: Mapping[str, Any], pointer: str, language: str, common: dict[str, Any]) -> m.State:
    return m.FailState(
        **common,
        error=raw.get("Error"),
        cause=raw.get("Cause"),
        error_path=raw.get("ErrorPath"),
        cause_path=raw.get("CausePath"),
    )


def _parallel(
    raw: Mapping[str, Any], pointer: str, language: str, common: dict[str, Any]
) -> m.State:
    branches = tuple(
        _build_machine(branch, f"{pointer}/Branches/{i}", language)
        for i, branch in enumerate(raw.get("Branches", ()))
    )
    return m.ParallelState(
        **common,
        branches=branches,
        parameters=raw.get("Parameters"),
        arguments=raw.get("Arguments"),
        result_selector=raw.get("ResultSelector"),
        result_path=_path(raw, "ResultPath"),
        retry=_retriers(raw, pointer),
        catch=_catchers(raw, pointer),
    )


def _map(raw: Mapping[str, Any], pointer: str, language: str, common: dict[str, Any]) -> m.State:
    key = "ItemProcessor" if "ItemProcessor" in raw else "Iterator"
    processor_doc = raw.get(key)
    processor = (
        _build_machine(processor_doc, f"{pointer}/{key}", language) if processor_doc else None
    )
    config = (processor_doc or {}).get("ProcessorConfig", {})
    return m.MapState(
        **common,
        processor=processor,
        mode=config.get("Mode", "INLINE"),
        execution_type=config.get("ExecutionType"),
        items_path=_path(raw, "ItemsPath"),
        items=raw.get("Items"),
        item_selector=raw.get("ItemSelector", raw.get("Parameters")),
        item_reader=raw.get("ItemReader"),
        item_batcher=raw.get("ItemBatcher"),
        result_writer=raw.get("ResultWriter"),
        result_selector=raw.get("ResultSelector"),
        result_path=_path(raw, "ResultPath"),
        max_concurrency=raw.get("MaxConcurrency", 0),
        max_concurrency_path=raw.get("MaxConcurrencyPath"),
        tolerated_failure_percentage=raw.get("ToleratedFailurePercentage"),
        tolerated_failure_percentage_path=raw.get("ToleratedFailurePercentagePath"),
        tolerated_failure_count=raw.get("ToleratedFailureCount"),
        tolerated_failure_count_path=raw.get("ToleratedFailureCountPath"),
        label=raw.get("Label"),
        retry=_retriers(raw, pointer),
        catch=_catchers(raw, pointer),
    )


_BUILDERS = {
    "Pass": _pass,
    "Task": _task,
    "Choice": _choice,
    "Wait": _wait,
    "Succeed": _succeed,
    "Fail": _fail,
    "Parallel": _parallel,
    "Map": _map,
}
