"""Mocked Task results in Step Functions Local's MockConfigFile format.

A mock configuration names, per state machine, test cases; a test case maps state names to
mocked responses; a mocked response lists what successive invocations of that state return
(``Return``) or raise (``Throw``), keyed by invocation number or range (``"0"``, ``"1-2"``), so
retries consume them in order. An execution chooses a test case with ``<stateMachineArn>#<Case>``
or ``test_case=``; states the test case does not mention call their real resource.

>>> config = MockConfig.load({
...     "StateMachines": {"orders": {"TestCases": {"Flaky": {"Charge": "TwoFailures"}}}},
...     "MockedResponses": {"TwoFailures": {
...         "0-1": {"Throw": {"Error": "Lambda.TooManyRequestsException", "Cause": "busy"}},
...         "2": {"Return": {"Payload": {"charged": True}}}}}})
>>> case = config.test_case("orders", "Flaky")
>>> [case.next_response("Charge").kind for _ in range(4)]
['Throw', 'Throw', 'Return', 'Return']

Once the listed invocations are used up, the last response answers again.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sfn_notebook.engine.resources import (
    LAMBDA_ARN,
    SERVICE_ARN,
    ResourceRegistry,
    TaskCall,
    TaskResource,
)
from sfn_notebook.errors import InputFileError, SfnNotebookError, StatesError
from sfn_notebook.integrations.activities import ACTIVITY_ARN, InvalidName
from sfn_notebook.integrations.callbacks import task_failure
from sfn_notebook.textfile import read_text

# Step Functions Local sets no limit on a MockConfigFile; this one only keeps a wrong path (a
# device, a huge log) from filling memory.
MOCK_CONFIG_LIMIT = 64 * 1024 * 1024


class MockConfigError(SfnNotebookError):
    """A mock configuration that is not in the MockConfigFile format."""

    code = "InvalidMockConfig"


class MockTestCaseNotFound(InvalidName):
    """StartExecution named a test case the mock configuration does not define."""

    code = "InvalidName"


@dataclass(frozen=True)
class MockedResponse:
    first: int
    last: int
    kind: str  # "Return" or "Throw"
    value: Any  # the returned JSON, or {"Error": ..., "Cause": ...}


class MockConfig:
    """A parsed and checked mock configuration."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        if not isinstance(document, Mapping):
            raise MockConfigError("A mock configuration is a JSON object")
        responses = document.get("MockedResponses") or {}
        machines = document.get("StateMachines") or {}
        if not isinstance(responses, Mapping) or not isinstance(machines, Mapping):
            raise MockConfigError("StateMachines and MockedResponses must be JSON objects")
        self.responses = {name: _responses(name, spec) for name, spec in responses.items()}
        self.machines: dict[str, dict[str, dict[str, str]]] = {}
        for machine, spec in machines.items():
            cases = spec.get("TestCases") if isinstance(spec, Mapping) else None
            if not isinstance(cases, Mapping):
                raise MockConfigError(f"StateMachines.{machine} needs a TestCases object")
            self.machines[machine] = {}
            for case, states in cases.items():
                if not isinstance(states, Mapping):
                    raise MockConfigError(f"Test case {machine}.{case} must map states to mocks")
                for state, response in states.items():
                    if response not in self.responses:
                        raise MockConfigError(
                            f"Test case {machine}.{case}: state {state!r} uses the mocked "
                            f"response {response!r}, which MockedResponses does not define"
                        )
                self.machines[machine][case] = dict(states)

    @classmethod
    def load(cls, source: str | os.PathLike[str] | Mapping[str, Any] | MockConfig) -> MockConfig:
        """From a dict, JSON text, or the path of a MockConfigFile.json."""
        if isinstance(source, MockConfig):
            return source
        if isinstance(source, Mapping):
            return cls(source)
        if not isinstance(source, str | os.PathLike):
            raise MockConfigError("A mock configuration is a JSON object, JSON text or a path")
        text = os.fspath(source)
        if not text.lstrip().startswith("{"):
            try:
                text = read_text(text, MOCK_CONFIG_LIMIT, what="a mock configuration")
            except InputFileError as exc:
                raise MockConfigError(f"Cannot read the mock configuration {exc}") from None
        try:
            return cls(json.loads(text))
        except ValueError as exc:
            raise MockConfigError(f"The mock configuration is not JSON: {exc}") from None

    def test_case(self, machine: str, case: str) -> MockTestCase:
        """A test case with fresh invocation counters (one per execution)."""
        states = self.machines.get(machine, {}).get(case)
        if states is None:
            raise MockTestCaseNotFound(
                f"Invalid mock test case name '{case}' for state machine '{machine}': "
                "the mock configuration does not define it"
            )
        return MockTestCase(case, {state: self.responses[name] for state, name in states.items()})


def _responses(name: str, spec: Any) -> list[MockedResponse]:
    if not isinstance(spec, Mapping) or not spec:
        raise MockConfigError(f"MockedResponses.{name} must map invocation numbers to responses")
    found = []
    for key, body in spec.items():
        first, _, last = str(key).partition("-")
        try:
            lo, hi = int(first), int(last or first)
        except ValueError:
            raise MockConfigError(
                f"MockedResponses.{name}: {key!r} is not an invocation number or range ('1-2')"
            ) from None
        if (
            not isinstance(body, Mapping)
            or len(body) != 1
            or next(iter(body))
            not in (
                "Return",
                "Throw",
            )
        ):
            raise MockConfigError(f"MockedResponses.{name}.{key} needs exactly Return or Throw")
        kind, value = next(iter(body.items()))
        if kind == "Throw" and not (isinstance(value, Mapping) and "Error" in value):
            raise MockConfigError(f"MockedResponses.{name}.{key}.Throw needs an Error")
        found.append(MockedResponse(lo, hi, kind, value))
    found.sort(key=lambda r: r.first)
    expected = 0
    for response in found:
        if response.first != expected or response.last < response.first:
            raise MockConfigError(
                f"MockedResponses.{name}: invocations must be numbered 0, 1, ... without gaps "
                f"(expected {expected}, found {response.first}-{response.last})"
            )
        expected = response.last + 1
    return found


class MockTestCase:
    """One test case of one execution: the mocked states and how often each was invoked."""

    def __init__(self, name: str, states: dict[str, list[MockedResponse]]) -> None:
        self.name = name
        self.states = states
        self.invocations: dict[str, int] = {}

    def next_response(self, state: str) -> MockedResponse | None:
        responses = self.states.get(state)
        if responses is None:
            return None
        count = self.invocations.get(state, 0)
        self.invocations[state] = count + 1
        for response in responses:
            if response.first <= count <= response.last:
                return response
        return responses[-1]

    def install(self, registry: ResourceRegistry) -> ResourceRegistry:
        """A registry for one execution: this test case in front of ``registry``'s resolvers."""
        inner = ResourceRegistry(
            functions=registry.functions,
            resolvers=list(registry.resolvers),
            executor=registry.executor,
            buckets=registry.buckets,
        )

        def resolve(arn: str, _registry: ResourceRegistry) -> TaskResource:
            try:
                base: TaskResource | None = inner.resolve(arn)
                problem = None
            except StatesError as exc:  # a mocked state needs no real resource
                base, problem = None, exc
            return MockedResource(arn, self, base, problem)

        return ResourceRegistry(
            functions=registry.functions,
            resolvers=[resolve, *registry.resolvers],
            executor=registry.executor,
            buckets=registry.buckets,
        )


class MockedResource(TaskResource):
    """A Task resource whose invocations a test case may answer instead."""

    def __init__(
        self,
        arn: str,
        case: MockTestCase,
        base: TaskResource | None,
        problem: StatesError | None,
    ) -> None:
        self.case = case
        self.base = base
        self.problem = problem
        if base is not None:
            self.style = base.style
            self.resource_type, self.resource_name = base.resource_type, base.resource_name
            self.reusable = base.reusable
        else:
            self.style, self.resource_type, self.resource_name = _describe(arn)
        # .waitForTaskToken and .sync Tasks have a $$.Task.Token (callbacks.SyncTokenResource),
        # mocked or not, and whether or not the integration runs here
        own = base is not None and base.needs_token
        self.needs_token = own or arn.endswith(".waitForTaskToken") or ".sync" in arn

    async def invoke(self, call: TaskCall) -> Any:
        response = self.case.next_response(call.state_name)
        if response is None:
            if self.base is None:
                assert self.problem is not None
                raise self.problem
            return await self.base.invoke(call)
        if response.kind == "Throw":
            raise task_failure(response.value.get("Error"), response.value.get("Cause"))
        return copy.deepcopy(response.value)


def _describe(arn: str) -> tuple[str, str, str]:
    """Style, resourceType and resource of an ARN no resolver knows (for its events)."""
    if LAMBDA_ARN.match(arn):
        return "lambda", "", ""
    if ACTIVITY_ARN.match(arn):
        return "activity", "", ""
    match = SERVICE_ARN.match(arn)
    if match is None:
        return "task", "", arn
    service, action = match.group("service"), match.group("action")
    if service == "aws-sdk":
        name, _, action = action.partition(":")
        service = f"aws-sdk:{name}"
    return "task", service, action
