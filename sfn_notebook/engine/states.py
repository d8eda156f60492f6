"""Runners for the states that do no outside work: Pass, Choice, Wait, Succeed and Fail."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime
from typing import Any

from sfn_notebook.asl import model as m
from sfn_notebook.engine.fields import WAIT_SECONDS, FieldValueError, NumberField, plain
from sfn_notebook.engine.history import dumps
from sfn_notebook.engine.interpreter import Failure, StateRunner, Transition, Visit, runner
from sfn_notebook.engine.pipeline import (
    Assign,
    InputPath,
    JsonataValue,
    Payload,
    ResultPath,
    jsonata_states,
)
from sfn_notebook.errors import StatesError
from sfn_notebook.expr.choice import compile_condition, compile_rule
from sfn_notebook.expr.intrinsics import compile_intrinsic, is_intrinsic
from sfn_notebook.expr.jsonata import is_jsonata
from sfn_notebook.expr.paths import MISSING, compile_path

WAIT_LIMIT_SECONDS = 2**31 - 1  # AWS: "Wait state delay is too long." beyond this (int32)


class IOState(StateRunner):
    """Shared compile-time setup: InputPath/OutputPath or Output, and Assign."""

    def __init__(self, state: m.State) -> None:
        super().__init__(state)
        self.jsonata = state.is_jsonata
        if self.jsonata:
            self.output_value = (
                JsonataValue(state.output, "Output") if "Output" in state.raw else None
            )
        else:
            self.input_path = InputPath(state.input_path)
            self.output_path = InputPath(state.output_path)
        self.assign = (
            Assign(state.assign, "Assign", self.jsonata) if state.assign is not None else None
        )

    def effective(self, visit: Visit, data: Any, scope: Any) -> Any:
        """InputPath applied (JSONPath), noted as ``afterInputPath``."""
        effective = self.input_path.apply(data, scope)
        if visit.note is not None:
            visit.note("afterInputPath", effective)
        return effective

    def jsonata_output(self, visit: Visit, scope: Any, states: dict[str, Any], default: Any) -> Any:
        if self.output_value is None:
            return default
        return self.output_value.apply(states, scope)


@runner("Pass")
class PassRunner(IOState):
    def __init__(self, state: m.PassState) -> None:
        super().__init__(state)
        self.has_result = state.has_result
        self.result = state.result
        if not self.jsonata:
            self.parameters = (
                Payload(state.parameters, "Parameters") if state.parameters is not None else None
            )
            self.result_path = ResultPath(state.result_path)

    def run_sync(self, visit: Visit) -> Transition:
        scope = self.scope(visit)
        data = visit.input
        if self.jsonata:
            states = jsonata_states(data, scope)
            output = self.jsonata_output(visit, scope, states, data)
            assigned = self.assign.evaluate(data, scope, states) if self.assign else None
            return self.exit(visit, output, assigned)
        note = visit.note
        effective = self.input_path.apply(data, scope)
        if note is not None:
            note("afterInputPath", effective)
        if self.parameters is not None:
            effective = self.parameters.apply(effective, scope)
        result = self.result if self.has_result else effective
        if note is not None:
            note("afterParameters", effective)
            note("result", result)
        assigned = self.assign.evaluate(result, scope, None) if self.assign else None
        placed = self.result_path.apply(data, result)
        if note is not None:
            note("afterResultPath", placed)
        return self.exit(visit, self.output_path.apply(placed, scope), assigned)


@runner("Succeed")
class SucceedRunner(IOState):
    def run_sync(self, visit: Visit) -> Transition:
        scope = self.scope(visit)
        data = visit.input
        if self.jsonata:
            states = jsonata_states(data, scope)
            output = self.jsonata_output(visit, scope, states, data)
        else:
            output = self.output_path.apply(self.effective(visit, data, scope), scope)
        return self.exit(visit, output, None, None)


@runner("Choice")
class ChoiceRunner(IOState):
    def __init__(self, state: m.ChoiceState) -> None:
        super().__init__(state)
        self.default = state.default
        self.rules: list[tuple[Any, str, Assign | None, JsonataValue | None]] = []
        for index, rule in enumerate(state.choices):
            field = f"Choices/{index}"
            test = (
                compile_condition(rule.condition, f"{field}/Condition")
                if self.jsonata
                else compile_rule(dict(rule.raw), rule.pointer)
            )
            assign = (
                Assign(rule.assign, "Assign", self.jsonata) if rule.assign is not None else None
            )
            output = (
                JsonataValue(rule.output, "Output")
                if self.jsonata and "Output" in rule.raw
                else None
            )
            self.rules.append((test, rule.next, assign, output))

    def run_sync(self, visit: Visit) -> Transition:
        scope = self.scope(visit)
        data = visit.input
        if self.jsonata:
            states = jsonata_states(data, scope)
            for test, target, assign, output in self.rules:
                if test.evaluate(states, scope.variables, rng=scope.rng, now_ms=scope.now_ms):
                    assigned = assign.evaluate(data, scope, states) if assign else None
                    value = (
                        output.apply(states, scope)
                        if output is not None
                        else self.jsonata_output(visit, scope, states, data)
                    )
                    return self.exit(visit, value, assigned, target)
            if self.default is None:
                raise self.no_match(visit)
            value = self.jsonata_output(visit, scope, states, data)
            assigned = self.assign.evaluate(data, scope, states) if self.assign else None
            return self.exit(visit, value, assigned, self.default)
        effective = self.effective(visit, data, scope)
        for test, target, assign, _output in self.rules:
            if test.evaluate(effective, scope):
                assigned = assign.evaluate(effective, scope, None) if assign else None
                return self.exit(visit, self.output_path.apply(effective, scope), assigned, target)
        if self.default is None:
            raise self.no_match(visit)
        assigned = self.assign.evaluate(effective, scope, None) if self.assign else None
        return self.exit(visit, self.output_path.apply(effective, scope), assigned, self.default)

    def no_match(self, visit: Visit) -> Failure:
        return Failure(
            "States.NoChoiceMatched",
            f"An error occurred while executing the state '{self.name}' (entered at the event "
            f"id #{visit.entered_id}). No Choice Rules matched and no Default was specified.",
            self.name,
        )


_ISO_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def parse_timestamp(text: Any) -> datetime | None:
    """An ISO-8601 extended offset date-time (as Java's ISO_OFFSET_DATE_TIME reads), or None.

    >>> parse_timestamp("2025-01-01T10:00:00.1234567Z").isoformat()
    '2025-01-01T10:00:00.123456+00:00'
    >>> parse_timestamp("2025-01-01 10:00:00") is None  # no offset: not a Wait's Timestamp
    True
    """
    if not isinstance(text, str) or not _ISO_OFFSET.match(text):
        return None
    normalised = text[:-1] + "+00:00" if text.endswith("Z") else text
    if "." in normalised:
        head, rest = normalised.split(".", 1)
        digits = re.match(r"\d+", rest)
        assert digits is not None
        normalised = head + "." + digits.group(0)[:6].ljust(6, "0") + rest[digits.end() :]
    try:
        return datetime.fromisoformat(normalised)
    except ValueError:
        return None


@runner("Wait")
class WaitRunner(IOState):
    sync = False

    def __init__(self, state: m.WaitState) -> None:
        super().__init__(state)
        self.seconds = NumberField(WAIT_SECONDS, "Seconds", state.seconds, None)
        self.timestamp = state.timestamp
        self.timestamp_jsonata = (
            JsonataValue(state.timestamp, "Timestamp") if is_jsonata(state.timestamp) else None
        )
        self.seconds_path = compile_path(state.seconds_path) if state.seconds_path else None
        self.timestamp_path = compile_path(state.timestamp_path) if state.timestamp_path else None

    async def run(self, visit: Visit) -> Transition:
        scope = self.scope(visit)
        data = visit.input
        clock = visit.frame.execution.clock
        states = jsonata_states(data, scope) if self.jsonata else None
        effective = data if self.jsonata else self.effective(visit, data, scope)
        delay = self.delay(effective, scope, states, clock.now())
        if delay > WAIT_LIMIT_SECONDS:
            raise StatesError("States.Runtime", "Wait state delay is too long.")
        if delay > 0:
            await asyncio.sleep(delay)
        if self.jsonata:
            assert states is not None
            output = self.jsonata_output(visit, scope, states, data)
            assigned = self.assign.evaluate(data, scope, states) if self.assign else None
        else:
            assigned = self.assign.evaluate(effective, scope, None) if self.assign else None
            output = self.output_path.apply(effective, scope)
        return self.exit(visit, output, assigned)

    def delay(self, data: Any, scope: Any, states: Any, now: datetime) -> float:
        if self.seconds.given:
            # An int past float's range still means "too long", which the caller reports.
            return float(min(self.seconds.value(data, scope, states), WAIT_LIMIT_SECONDS + 1))
        if self.seconds_path is not None:
            return self._seconds_from_path(data, scope)
        if self.timestamp_jsonata is not None:
            text = self.timestamp_jsonata.apply(states, scope)
            moment = parse_timestamp(text)
            if moment is None:
                # AWS (recorded): the value printed bare, EvaluationFailed linked to the entry.
                raise FieldValueError(
                    "The Timestamp field cannot be parsed as an ISO-8601 extended offset "
                    f"date-time format string: {plain(text)}",
                    "Timestamp",
                    link_entry=True,
                )
            return (moment - now).total_seconds()
        if self.timestamp is not None:
            moment = parse_timestamp(self.timestamp)
            assert moment is not None  # validated at definition time
            return (moment - now).total_seconds()
        assert self.timestamp_path is not None
        found = self.timestamp_path.find(data, scope)
        if found is MISSING:
            raise StatesError(
                "States.Runtime",
                "The TimestampPath parameter does not reference an input value: "
                f"{self.timestamp_path.text}",
            )
        moment = parse_timestamp(found)
        if moment is None:
            raise StatesError(
                "States.Runtime",
                "The TimestampPath parameter does not reference a valid ISO-8601 extended offset "
                f"date-time format string: {self.timestamp_path.text} == {plain(found)}",
            )
        return (moment - now).total_seconds()

    def _seconds_from_path(self, data: Any, scope: Any) -> float:
        assert self.seconds_path is not None
        path = self.seconds_path.text
        found = self.seconds_path.find(data, scope)
        if found is MISSING:
            raise StatesError(
                "States.Runtime",
                f"The SecondsPath parameter does not reference an input value: {path}",
            )
        if (
            isinstance(found, bool)
            or not isinstance(found, int | float)
            or (isinstance(found, float) and not found.is_integer())
        ):
            raise StatesError(
                "States.Runtime",
                "The SecondsPath parameter cannot be parsed as a long value: "
                f"{path} == {plain(found)}",
            )
        if found < 0:
            raise StatesError(
                "States.Runtime",
                f"The SecondsPath parameter references a negative value: {path} == {plain(found)}",
            )
        # An int past float's range still means "too long", which the caller reports.
        return float(min(found, WAIT_LIMIT_SECONDS + 1))


@runner("Fail")
class FailRunner(StateRunner):
    def __init__(self, state: m.FailState) -> None:
        super().__init__(state)
        self.jsonata = state.is_jsonata
        self.error = self._field(state.error, state.error_path, "Error")
        self.cause = self._field(state.cause, state.cause_path, "Cause")

    def _field(self, static: str | None, path: str | None, name: str) -> Any:
        if static is not None and is_jsonata(static):
            return ("jsonata", JsonataValue(static, name))
        if static is not None:
            return ("static", static)
        if path is None:
            return None
        if is_intrinsic(path):
            return ("intrinsic", compile_intrinsic(path))
        return ("path", compile_path(path), f"{name}Path")

    def _value(self, spec: Any, visit: Visit, scope: Any) -> str | None:
        if spec is None:
            return None
        kind = spec[0]
        if kind == "static":
            return str(spec[1])
        if kind == "jsonata":
            value = spec[1].apply(jsonata_states(visit.input, scope), scope)
        elif kind == "intrinsic":
            value = spec[1].evaluate(visit.input, scope)
        else:
            value = spec[1].find(visit.input, scope)
            if value is MISSING:
                raise StatesError(
                    "States.Runtime",
                    f"The JSONPath '{spec[1].text}' specified for the field '{spec[2]}' could not "
                    f"be found in the input '{visit.input_text}'",
                )
        return value if isinstance(value, str) else dumps(value)

    def run_sync(self, visit: Visit) -> Transition:
        scope = self.scope(visit)
        error = self._value(self.error, visit, scope)
        cause = self._value(self.cause, visit, scope)
        raise Failure(error or "", cause, self.name)
