"""Validate an ASL document the way AWS's CreateStateMachine and ValidateStateMachineDefinition do.

One walk over the document collects every finding (it never stops at the first): the field
tables of :mod:`sfn_notebook.asl.schema` for each object, a few cross-field rules per state type
registered with :func:`_checks`, the transition graph of each (sub-)state machine, and every
path, intrinsic call and JSONata expression compiled by :mod:`sfn_notebook.expr`. Diagnostics use
AWS's codes and JSON-pointer locations; expression errors also carry the column.

>>> doc = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}
>>> [(d.code, d.location) for d in validate_document(doc)]
[('MISSING_TRANSITION_TARGET', '/States/A/Next'), ('MISSING_END_STATE', '')]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from sfn_notebook.asl import schema as s
from sfn_notebook.errors import Diagnostic, ExpressionError

SCHEMA = "SCHEMA_VALIDATION_FAILED"
MISSING_TARGET = "MISSING_TRANSITION_TARGET"
MISSING_END_STATE = "MISSING_END_STATE"
DUPLICATE_STATE_NAME = "DUPLICATE_STATE_NAME"
INVALID_STATE_NAME = "INVALID_STATE_NAME"
TOO_DEEPLY_NESTED = "TOO_DEEPLY_NESTED"
INVALID_JSONATA = "INVALID_JSONATA_EXPRESSION"
NO_DOLLAR = "NO_DOLLAR"
NO_PATH = "NO_PATH"
PASS_RESULT_IS_STATIC = "PASS_RESULT_IS_STATIC"


def validate_document(doc: Any) -> list[Diagnostic]:
    """Every error and warning AWS would report for an already-loaded definition.

    >>> [(d.code, d.location) for d in validate_document({"StartAt": "A"})]
    [('SCHEMA_VALIDATION_FAILED', '/')]
    """
    if not isinstance(doc, dict):
        # Recorded by ValidateStateMachineDefinition without a location.
        return [Diagnostic("ERROR", SCHEMA, "Definition must be a valid JSON object", "")]
    language = doc.get("QueryLanguage")
    validator = _Validator(language if language in s.QUERY_LANGUAGES else s.JSONPATH)
    validator.visit_machine(doc, "", s.MACHINE, validator.top_language, depth=0)
    return validator.diagnostics


def format_definition_error(diagnostics: Sequence[Diagnostic]) -> str:
    """The message CreateStateMachine fails with for these diagnostics (warnings left out).

    AWS joins several findings with ", " and prints "null" for a finding without a location.

    >>> print(format_definition_error([Diagnostic("ERROR", "MISSING_END_STATE", "No end", "")]))
    Invalid State Machine Definition: 'MISSING_END_STATE: No end at null'
    """
    findings = ", ".join(
        f"{d.code}: {d.message} at {d.location or 'null'}"
        for d in diagnostics
        if d.severity == "ERROR"
    )
    return f"Invalid State Machine Definition: '{findings}'"


def pointer(base: str, *tokens: str | int) -> str:
    """``base`` extended by ``tokens``, escaped per RFC 6901.

    >>> pointer("/States", "a/b~c", 0)
    '/States/a~1b~0c/0'
    """
    for token in tokens:
        base += "/" + str(token).replace("~", "~0").replace("/", "~1")
    return base


# ------------------------------------------------------------------------------------------------
# Per-state-type rules beyond the field tables, registered by type name ("*": every state).

StateCheck = Callable[["_Validator", dict[str, Any], str, str, int], None]
_STATE_CHECKS: dict[str, list[StateCheck]] = {}


def _checks(*kinds: str) -> Callable[[StateCheck], StateCheck]:
    def register(check: StateCheck) -> StateCheck:
        for kind in kinds:
            _STATE_CHECKS.setdefault(kind, []).append(check)
        return check

    return register


class _Validator:
    """Walks one document, appending to ``diagnostics``."""

    def __init__(self, top_language: str) -> None:
        self.top_language = top_language
        self.diagnostics: list[Diagnostic] = []
        self.state_names: dict[str, str] = {}  # name -> pointer of its first definition

    def report(
        self,
        code: str,
        message: str,
        location: str,
        *,
        warning: bool = False,
        error: ExpressionError | None = None,
        detail: str | None = None,
    ) -> None:
        column = error.column if error else None
        snippet = error.text if error and error.column is not None else None
        severity = "WARNING" if warning else "ERROR"
        found = Diagnostic(severity, code, message, location, column, snippet, detail)
        self.diagnostics.append(found)

    # -- objects against their field table ------------------------------------------------------

    def check_object(self, value: Any, spec: s.ObjectSpec, at: str, language: str) -> bool:
        """Report what ``value`` breaks in ``spec``; False when it is not even an object."""
        where = at or "/"
        if not isinstance(value, dict):
            self.report(SCHEMA, "Expected value of type [OBJECT]", where)
            return False
        missing = [name for name in spec.required if name not in value]
        if missing:
            self.report(SCHEMA, f"These fields are required: [{', '.join(missing)}]", where)
        for name, item in value.items():
            self._check_field(name, item, spec.fields.get(name), at, language)
        for group in spec.exactly_one:
            present = self._present(value, group, spec, language)
            if len(present) != 1:
                self.report(
                    SCHEMA, f"Exactly one of these fields is required: {_names(group)}", where
                )
        for group in spec.at_most_one:
            present = self._present(value, group, spec, language)
            if len(present) > 1:
                self.report(
                    SCHEMA, f"These fields cannot be used together: {_names(present)}", where
                )
        return True

    def _check_field(
        self, name: str, value: Any, field: s.FieldSpec | None, at: str, language: str
    ) -> None:
        if field is None:
            self.report(SCHEMA, f"Field '{name}' is not supported", at or "/")
        elif field.language not in (None, language):
            self.report(
                SCHEMA,
                f"The QueryLanguage is set to '{language}', but field '{name}' is only "
                f"supported for the '{field.language}' QueryLanguage",
                at or "/",
            )
        elif not (field.expression and language == s.JSONATA and s.is_jsonata_text(value)):
            problem = field.check(value)
            if problem:
                self.report(SCHEMA, problem, pointer(at, name))

    @staticmethod
    def _present(
        value: Mapping[str, Any], group: tuple[str, ...], spec: s.ObjectSpec, language: str
    ) -> list[str]:
        # ``End: false`` says "not the end", so it does not count as choosing End over Next; a
        # field of the other query language is reported on its own and not counted again.
        return [
            name
            for name in group
            if name in value
            and (name != "End" or value[name] is True)
            and spec.fields[name].language in (None, language)
        ]

    # -- state machines, states, names and the transition graph ---------------------------------

    def visit_machine(
        self, machine: Any, at: str, spec: s.ObjectSpec, language: str, depth: int
    ) -> None:
        if depth > s.MAX_NESTING_DEPTH:
            message = f"Parallel and Map states nest more than {s.MAX_NESTING_DEPTH} levels deep"
            self.report(TOO_DEEPLY_NESTED, message, at)
            return
        if not self.check_object(machine, spec, at, language):
            return
        states = machine.get("States")
        if not isinstance(states, dict):
            return
        for name, state in states.items():
            state_at = pointer(at, "States", name)
            self.check_state_name(name, state_at)
            self.visit_state(state, state_at, language, depth)
        self.check_graph(machine, states, at)

    def check_state_name(self, name: str, at: str) -> None:
        if not 0 < len(name) <= s.MAX_STATE_NAME_LENGTH:
            self.report(
                INVALID_STATE_NAME,
                f"State names must be 1 to {s.MAX_STATE_NAME_LENGTH} characters long",
                at,
            )
        if name in self.state_names:
            self.report(DUPLICATE_STATE_NAME, f"Duplicate State name: {name}", at)
        else:
            self.state_names[name] = at

    def visit_state(self, state: Any, at: str, inherited: str, depth: int) -> None:
        if not isinstance(state, dict):
            self.report(SCHEMA, "Expected value of type [OBJECT]", at)
            return
        kind = state.get("Type")
        if not isinstance(kind, str) or kind not in s.STATES:
            if "Type" not in state:
                self.report(SCHEMA, "These fields are required: [Type]", at)
            else:
                self.report(
                    SCHEMA,
                    f"The field 'Type' should have one of these values: {_names(s.STATE_TYPES)}",
                    pointer(at, "Type"),
                )
            return
        language = self.state_language(state, at, inherited)
        self.check_object(state, s.STATES[kind], at, language)
        for check in (*_STATE_CHECKS.get(kind, ()), *_STATE_CHECKS["*"]):
            check(self, state, at, language, depth)

    def state_language(self, state: Mapping[str, Any], at: str, inherited: str) -> str:
        """The state's own QueryLanguage, else ``inherited``: the language of the Parallel or Map
        state (or machine) enclosing it, as the model in ``parse.py`` resolves it. (LocalStack
        inherits the top-level language instead; no AWS recording tells the two apart yet.)"""
        declared = state.get("QueryLanguage")
        if declared not in s.QUERY_LANGUAGES:
            return inherited  # a bad value is reported by the field table
        if declared == s.JSONPATH and self.top_language == s.JSONATA:
            self.report(
                SCHEMA,
                "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
                at,
            )
        return str(declared)

    def check_graph(self, machine: Mapping[str, Any], states: Mapping[str, Any], at: str) -> None:
        """Transition targets, the terminal state and reachability of one (sub-)machine."""
        for name, state in states.items():
            for target, where in _transitions(state, pointer(at, "States", name)):
                if target not in states:
                    self.report(MISSING_TARGET, f"Missing 'Next' target: {target}", where)
        terminal = any(_is_terminal(state) for state in states.values())
        if states and not terminal:
            # AWS gives this one no location at the top level ("... at null").
            self.report(MISSING_END_STATE, "Workflow has no terminal state", at)
        start = machine.get("StartAt")
        if not isinstance(start, str):
            return
        if start not in states:
            self.report(
                MISSING_TARGET, f"Missing 'StartAt' target: {start}", pointer(at, "StartAt")
            )
        elif terminal:  # AWS reports no unreachable states on top of MISSING_END_STATE
            reachable = _reachable(states, start)
            for name in states:
                if name not in reachable:
                    where = pointer(at, "States", name)
                    self.report(MISSING_TARGET, f'State "{name}" is not reachable.', where)

    # -- expressions -----------------------------------------------------------------------------

    def check_expression(self, kind: str, text: str, at: str, name: str) -> None:
        """Compile a JSONPath-state expression (``kind`` as in ``schema.PATH_FIELDS``)."""
        error = _compile(kind, text, name)
        if error is not None:
            wanted = {
                "reference": "a valid reference path",
                "path": "a valid JSONPath",
                "path_or_intrinsic": "a valid JSONPath or a valid intrinsic function call",
            }[kind]
            # AWS says only what was expected (recorded: "... must be a valid JSONPath or a valid
            # intrinsic function call at /States/X/Parameters"); the reason is our detail.
            message = f"The value for the field '{name}' must be {wanted}"
            self.report(SCHEMA, message, at, error=error, detail=error.message)

    def check_template(self, value: Any, at: str) -> None:
        """A JSONPath payload template: ``"key.$"`` values are paths or intrinsic calls."""
        for key, item in _children(value):
            if isinstance(key, str) and key.endswith(".$"):
                # AWS locates these at the object holding the key, and names the key.
                if isinstance(item, str):
                    self.check_expression("path_or_intrinsic", item, at, key)
                else:
                    message = (
                        f"The value for the field '{key}' must be a valid JSONPath or a valid "
                        "intrinsic function call"
                    )
                    self.report(SCHEMA, message, at)
            elif isinstance(key, str) and s.looks_like_path(item):
                message = f"The field '{key}' looks like a path or intrinsic call but has no '.$'"
                self.report(NO_DOLLAR, message, pointer(at, key), warning=True)
            else:
                self.check_template(item, pointer(at, key))

    def check_jsonata(self, value: Any, at: str, field: str) -> None:
        """Compile every ``{% %}`` string in ``value`` (of ``field``, e.g. ``Output/a``)."""
        if isinstance(value, str):
            if s.is_jsonata_text(value):
                error = _compile("jsonata", value, field)
                if error is not None:
                    self.report(INVALID_JSONATA, error.message, at, error=error)
            return
        for key, item in _children(value):
            self.check_jsonata(item, pointer(at, key), f"{field}/{key}")

    def check_error_equals(self, entry: Mapping[str, Any], at: str, last: bool, what: str) -> None:
        names = entry.get("ErrorEquals")
        if not isinstance(names, list) or "States.ALL" not in names:
            return
        where = pointer(at, "ErrorEquals")
        if len(names) > 1:
            self.report(SCHEMA, "States.ALL must appear alone in ErrorEquals", where)
        if not last:
            self.report(SCHEMA, f"A {what} matching States.ALL must be the last one", where)


# ------------------------------------------------------------------------------------------------
# The per-type rules


@_checks("Parallel")
def _branches(v: _Validator, state: dict[str, Any], at: str, language: str, depth: int) -> None:
    branches = state.get("Branches")
    for i, branch in enumerate(branches if isinstance(branches, list) else ()):
        v.visit_machine(branch, pointer(at, "Branches", i), s.BRANCH, language, depth + 1)


@_checks("Map")
def _item_processor(
    v: _Validator, state: dict[str, Any], at: str, language: str, depth: int
) -> None:
    for name in ("ItemProcessor", "Iterator"):  # Iterator: the older name, same shape
        if name not in state:
            continue
        processor_at = pointer(at, name)
        v.visit_machine(state[name], processor_at, s.ITEM_PROCESSOR, language, depth + 1)
        config = state[name].get("ProcessorConfig") if isinstance(state[name], dict) else None
        config_at = pointer(processor_at, "ProcessorConfig")
        if (
            config is not None
            and v.check_object(config, s.PROCESSOR_CONFIG, config_at, language)
            and config.get("Mode") == "DISTRIBUTED"
            and "ExecutionType" not in config
        ):
            v.report(SCHEMA, "These fields are required: [ExecutionType]", config_at)


_READER_ACTIONS = ("getObject", "listObjectsV2")


@_checks("Map")
def _map_data(v: _Validator, state: dict[str, Any], at: str, language: str, depth: int) -> None:
    """ItemReader and ResultWriter: a Distributed Map's, with the shapes AWS documents (the
    messages are ours: AWS's words for these findings are unknown)."""
    processor = state.get("ItemProcessor", state.get("Iterator"))
    config = processor.get("ProcessorConfig") if isinstance(processor, dict) else None
    distributed = isinstance(config, dict) and config.get("Mode") == "DISTRIBUTED"
    for name in ("ItemReader", "ResultWriter"):
        if name in state and not distributed:
            message = f"The field '{name}' is supported only in a Map whose Mode is DISTRIBUTED"
            v.report(SCHEMA, message, pointer(at, name))
    reader = state.get("ItemReader")
    reader_at = pointer(at, "ItemReader")
    if reader is not None and v.check_object(reader, s.ITEM_READER, reader_at, language):
        _check_params(v, reader, reader_at, language)
        action = _s3_action(reader.get("Resource"))
        if isinstance(reader.get("Resource"), str) and action not in _READER_ACTIONS:
            message = (
                "ItemReader's Resource must be arn:aws:states:::s3:getObject or "
                "arn:aws:states:::s3:listObjectsV2"
            )
            v.report(SCHEMA, message, pointer(reader_at, "Resource"))
        options = reader.get("ReaderConfig")
        options_at = pointer(reader_at, "ReaderConfig")
        if (
            options is not None
            and v.check_object(options, s.READER_CONFIG, options_at, language)
            and options.get("CSVHeaderLocation") == "GIVEN"
            and "CSVHeaders" not in options
        ):
            v.report(SCHEMA, "These fields are required: [CSVHeaders]", options_at)
        if action == "getObject" and not (isinstance(options, dict) and "InputType" in options):
            where = options_at if isinstance(options, dict) else reader_at
            v.report(SCHEMA, "ReaderConfig.InputType is required with s3:getObject", where)
    writer = state.get("ResultWriter")
    writer_at = pointer(at, "ResultWriter")
    if writer is not None and v.check_object(writer, s.RESULT_WRITER, writer_at, language):
        _check_params(v, writer, writer_at, language)
        params = "Arguments" if language == s.JSONATA else "Parameters"
        if not writer:
            v.report(SCHEMA, "The ResultWriter field cannot be empty", writer_at)
        elif ("Resource" in writer) != (params in writer):
            v.report(
                SCHEMA, f"ResultWriter needs both Resource and {params}, or neither", writer_at
            )
        if "Resource" in writer and _s3_action(writer["Resource"]) != "putObject":
            message = "ResultWriter's Resource must be arn:aws:states:::s3:putObject"
            v.report(SCHEMA, message, pointer(writer_at, "Resource"))
        if "WriterConfig" in writer:
            v.check_object(
                writer["WriterConfig"],
                s.WRITER_CONFIG,
                pointer(writer_at, "WriterConfig"),
                language,
            )


def _s3_action(resource: Any) -> str | None:
    if not isinstance(resource, str):
        return None
    parts = resource.split(":")
    if len(parts) == 7 and parts[0] == "arn" and parts[2] == "states" and parts[5] == "s3":
        return parts[6]
    return None


def _check_params(v: _Validator, value: dict[str, Any], at: str, language: str) -> None:
    if language == s.JSONATA and "Arguments" in value:
        v.check_jsonata(value["Arguments"], pointer(at, "Arguments"), "Arguments")
    elif "Parameters" in value:
        v.check_template(value["Parameters"], pointer(at, "Parameters"))


@_checks("Task")
def _heartbeat(v: _Validator, state: dict[str, Any], at: str, language: str, depth: int) -> None:
    heartbeat, timeout = state.get("HeartbeatSeconds"), state.get("TimeoutSeconds")
    if s.is_int(heartbeat) and s.is_int(timeout) and heartbeat >= timeout:
        where = pointer(at, "HeartbeatSeconds")
        v.report(SCHEMA, "HeartbeatSeconds must be smaller than TimeoutSeconds", where)


@_checks("Choice")
def _choice_rules(v: _Validator, state: dict[str, Any], at: str, language: str, depth: int) -> None:
    rules = state.get("Choices")
    for i, rule in enumerate(rules if isinstance(rules, list) else ()):
        rule_at = pointer(at, "Choices", i)
        if language == s.JSONATA:
            if v.check_object(rule, s.JSONATA_RULE, rule_at, language):
                for name in ("Condition", "Output", "Assign"):
                    if name in rule:
                        v.check_jsonata(rule[name], pointer(rule_at, name), name)
        else:
            _visit_rule(v, rule, rule_at, top=True)


def _visit_rule(v: _Validator, rule: Any, at: str, top: bool) -> None:
    """A JSONPath Choice rule: exactly one operator; only top-level rules have Next/Assign."""
    if not v.check_object(rule, s.TOP_RULE if top else s.NESTED_RULE, at, s.JSONPATH):
        return
    operators = [name for name in rule if name in s.OPERATORS or name in s.COMBINATORS]
    if len(operators) != 1:
        found = f", found {_names(operators)}" if operators else ""
        message = f"A Choice rule needs exactly one comparison operator or And/Or/Not{found}"
        v.report(SCHEMA, message, at)
    for name in operators:
        operand = rule[name]
        if name == "Not" and isinstance(operand, dict):
            _visit_rule(v, operand, pointer(at, name), top=False)
        elif name in s.COMBINATORS:
            for i, sub in enumerate(operand if isinstance(operand, list) else ()):
                if isinstance(sub, dict):
                    _visit_rule(v, sub, pointer(at, name, i), top=False)
        elif "Variable" not in rule:
            v.report(SCHEMA, "These fields are required: [Variable]", at)
        elif name.endswith("Path") and isinstance(operand, str):
            v.check_expression("path", operand, pointer(at, name), name)
        elif name.startswith("Timestamp") and isinstance(operand, str):
            from sfn_notebook.expr.choice import parse_timestamp

            if parse_timestamp(operand) is None:
                message = "String does not match RFC3339 timestamp"
                v.report(SCHEMA, message, pointer(at, name))
    if isinstance(rule.get("Variable"), str):
        v.check_expression("path", rule["Variable"], pointer(at, "Variable"), "Variable")
    if top and "Assign" in rule:
        v.check_template(rule["Assign"], pointer(at, "Assign"))


@_checks("Task", "Parallel", "Map")
def _retry_catch(v: _Validator, state: dict[str, Any], at: str, language: str, depth: int) -> None:
    for name, spec, what in (("Retry", s.RETRIER, "Retrier"), ("Catch", s.CATCHER, "Catcher")):
        entries = state.get(name)
        entries = entries if isinstance(entries, list) else []
        for i, entry in enumerate(entries):
            entry_at = pointer(at, name, i)
            if not v.check_object(entry, spec, entry_at, language):
                continue
            v.check_error_equals(entry, entry_at, i == len(entries) - 1, what)
            if name == "Retry":
                continue
            if language == s.JSONATA:
                for field in ("Output", "Assign"):
                    if field in entry:
                        v.check_jsonata(entry[field], pointer(entry_at, field), field)
            else:
                if isinstance(entry.get("ResultPath"), str):
                    result_at = pointer(entry_at, "ResultPath")
                    v.check_expression("reference", entry["ResultPath"], result_at, "ResultPath")
                if "Assign" in entry:
                    v.check_template(entry["Assign"], pointer(entry_at, "Assign"))


@_checks("Pass")
def _pass_result(v: _Validator, state: dict[str, Any], at: str, language: str, depth: int) -> None:
    if "Result" in state and _mentions_path(state["Result"]):
        message = "The Result of a Pass state is static: paths and '.$' keys are not evaluated"
        v.report(PASS_RESULT_IS_STATIC, message, pointer(at, "Result"), warning=True)


@_checks("*")
def _expressions(v: _Validator, state: dict[str, Any], at: str, language: str, depth: int) -> None:
    fields = s.STATES[state["Type"]].fields
    if language == s.JSONATA:
        for name, value in state.items():
            field = fields.get(name)
            if field is not None and field.language != s.JSONPATH and name not in s.NOT_JSONATA:
                v.check_jsonata(value, pointer(at, name), name)
        return
    for name, value in state.items():
        if name not in fields or fields[name].language == s.JSONATA:
            continue  # reported by the field table
        if isinstance(value, str) and name in s.PATH_FIELDS:
            v.check_expression(s.PATH_FIELDS[name], value, pointer(at, name), name)
        elif name in s.TEMPLATE_FIELDS:
            v.check_template(value, pointer(at, name))
        elif f"{name}Path" in fields and s.looks_like_path(value):
            message = f"The field '{name}' looks like a path; did you mean '{name}Path'?"
            v.report(NO_PATH, message, pointer(at, name), warning=True)


# ------------------------------------------------------------------------------------------------
# Helpers


def _names(names: Sequence[str]) -> str:
    return f"[{', '.join(names)}]"


def _children(value: Any) -> Iterator[tuple[str | int, Any]]:
    if isinstance(value, dict):
        yield from value.items()
    elif isinstance(value, list):
        yield from enumerate(value)


def _mentions_path(value: Any) -> bool:
    if s.looks_like_path(value):
        return True
    return any(
        (isinstance(key, str) and key.endswith(".$")) or _mentions_path(item)
        for key, item in _children(value)
    )


def _transitions(state: Any, at: str) -> Iterator[tuple[str, str]]:
    """Every (target, location) a state may transition to: Next, Default, rules', catchers'."""
    if not isinstance(state, dict):
        return
    for name in ("Next", "Default"):
        if isinstance(state.get(name), str):
            yield state[name], pointer(at, name)
    for name in ("Choices", "Catch"):
        for i, entry in _children(state.get(name)):
            if isinstance(entry, dict) and isinstance(entry.get("Next"), str):
                yield entry["Next"], pointer(at, name, i, "Next")


def _is_terminal(state: Any) -> bool:
    return isinstance(state, dict) and (
        state.get("Type") in ("Succeed", "Fail") or state.get("End") is True
    )


def _reachable(states: Mapping[str, Any], start: str) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for target, _ in _transitions(states[todo.pop()], ""):
            if target in states and target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def _compile(kind: str, text: str, field: str) -> ExpressionError | None:
    """Compile ``text`` with the expression layer; the error, or None if it compiles."""
    from sfn_notebook.expr import intrinsics, jsonata, paths

    if kind == "path_or_intrinsic":
        kind = "intrinsic" if intrinsics.is_intrinsic(text) else "path"
    compilers: dict[str, Callable[[str], object]] = {
        "path": paths.compile_path,
        "reference": paths.compile_reference_path,
        "intrinsic": intrinsics.compile_intrinsic,
        "jsonata": lambda text: jsonata.compile_jsonata(text, field),
    }
    try:
        compilers[kind](text)
    except ExpressionError as error:
        return error
    return None
