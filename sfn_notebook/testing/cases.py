"""The test cases of a MockConfigFile, run as tests: one execution per case.

A MockConfigFile says what each mocked Task returns, not what the execution should do; so a case
passes when its execution SUCCEEDED, unless ``expect`` says otherwise: per case name, any of
``status``, ``error``, ``path`` (the states entered at the top level, in order), ``output`` and
``input`` (the execution input for that case).

>>> config = {"StateMachines": {"Greet": {"TestCases": {"Ok": {"Say": "Hi"}}}},
...           "MockedResponses": {"Hi": {"0": {"Return": {"greeting": "hi"}}}}}
>>> flow = {"StartAt": "Say", "States": {"Say": {"Type": "Task", "End": True,
...         "Resource": "arn:aws:states:::lambda:invoke"}}}
>>> [(r.case, r.passed, r.execution.output) for r in run_test_cases(flow, config)]
[('Ok', True, {'greeting': 'hi'})]
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sfn_notebook.errors import SfnNotebookError
from sfn_notebook.integrations.mocks import MockConfig


@dataclass
class CaseResult:
    """One test case's execution and what did not meet the expectation (empty: it passed)."""

    state_machine: str
    case: str
    execution: Any
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        """``PASS Case: SUCCEEDED A > B`` or ``FAIL ...`` with the problems below."""
        from sfn_notebook.testing.assertions import path

        ex = self.execution
        steps = " > ".join(path(ex))
        head = f"{'PASS' if self.passed else 'FAIL'} {self.state_machine}#{self.case}: {ex.status}"
        if ex.error:
            head += f" {ex.error}"
        lines = [f"{head}  [{steps}]"]
        lines.extend(f"    {problem}" for problem in self.problems)
        return "\n".join(lines)


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def definition_for(machine: str, definitions: str | os.PathLike[str]) -> str:
    """The definition file for state machine ``machine``: ``definitions`` itself when it is a
    file, else the file in that folder whose name (without ``.asl.json``/``.json``/``.yaml``,
    ignoring case, ``_``, ``-`` and spaces) is the machine's: ``local_testing.asl.json`` serves
    ``LocalTesting``.
    """
    where = os.fspath(definitions)
    if os.path.isfile(where):
        return where
    if not os.path.isdir(where):
        raise SfnNotebookError(f"no definition file or folder {where!r}")
    for entry in sorted(os.listdir(where)):
        stem = entry
        for suffix in (".json", ".yaml", ".yml"):
            stem = stem.removesuffix(suffix)
        stem = stem.removesuffix(".asl")
        if stem != entry and _key(stem) == _key(machine):
            return os.path.join(where, entry)
    raise SfnNotebookError(
        f"no definition for state machine {machine!r} in {where!r} "
        "(expected a file such as <name>.asl.json)"
    )


def mock_test_cases(config: Any, state_machine: str | None = None) -> list[tuple[str, str]]:
    """The (state machine, test case) pairs of a mock configuration."""
    loaded = MockConfig.load(config)
    return [
        (machine, case)
        for machine, cases in loaded.machines.items()
        if state_machine is None or machine == state_machine
        for case in cases
    ]


def run_test_case(
    definition: Any,
    config: Any,
    case: str,
    *,
    state_machine: str | None = None,
    input: Any = None,
    expect: Mapping[str, Any] | None = None,
    functions: Mapping[str, Callable[..., Any]] | None = None,
) -> CaseResult:
    """Run one test case and check it against ``expect`` (see the module docstring)."""
    from sfn_notebook.runtime.run import run
    from sfn_notebook.testing import assertions

    loaded = MockConfig.load(config)
    machine = state_machine or _only_machine(loaded)
    wanted = dict(expect or {})
    value = wanted.get("input", input)
    execution = run(
        definition,
        value,
        mocks=loaded,
        test_case=case,
        state_machine_name=machine,
        functions=functions,
    )
    result = CaseResult(machine, case, execution)
    _check(result, assertions.assert_status, wanted.get("status", "SUCCEEDED"))
    if "path" in wanted:
        _check(result, assertions.assert_path, wanted["path"])
    if "output" in wanted and execution.output != wanted["output"]:
        result.problems.append(f"output: expected {wanted['output']!r}, got {execution.output!r}")
    if "error" in wanted and execution.error != wanted["error"]:
        result.problems.append(f"error: expected {wanted['error']!r}, got {execution.error!r}")
    return result


def _check(result: CaseResult, assertion: Callable[..., None], *arguments: Any) -> None:
    try:
        assertion(result.execution, *arguments)
    except AssertionError as exc:
        result.problems.append(str(exc))


def run_test_cases(
    definition: Any,
    config: Any,
    *,
    state_machine: str | None = None,
    cases: Iterable[str] | None = None,
    input: Any = None,
    expect: Mapping[str, Mapping[str, Any]] | None = None,
    functions: Mapping[str, Callable[..., Any]] | None = None,
) -> list[CaseResult]:
    """Run the test cases (all of them, or ``cases``) of ``state_machine`` (default: the
    configuration's only one); ``expect`` maps case names to expectations."""
    loaded = MockConfig.load(config)
    machine = state_machine or _only_machine(loaded)
    known = [case for _, case in mock_test_cases(loaded, machine)]
    chosen = known if cases is None else list(cases)
    for case in chosen:
        if case not in known:
            loaded.test_case(machine, case)  # raises MockTestCaseNotFound
    return [
        run_test_case(
            definition,
            loaded,
            case,
            state_machine=machine,
            input=input,
            expect=(expect or {}).get(case),
            functions=functions,
        )
        for case in chosen
    ]


def _only_machine(config: MockConfig) -> str:
    if len(config.machines) == 1:
        return next(iter(config.machines))
    names = ", ".join(config.machines) or "none"
    raise SfnNotebookError(
        f"the mock configuration defines several state machines ({names}): name one"
    )
