"""The pytest plugin (entry point ``pytest11``): fixtures, MockConfigFile test cases as tests,
and workflow coverage at the end of the session.

Fixtures: ``sfn_functions`` (override it to serve Lambda Tasks with Python functions; default
none), ``sfn_mocks`` (the ``--sfn-mock-config`` file, loaded; None without it), ``sfn_runtime``
(a Runtime on the virtual clock with those functions and mocks, closed after the test) and
``sfn_run`` (``sfn.run`` with the same defaults).

Options::

    pytest --sfn-mock-config MockConfigFile.json --sfn-definitions statemachines/
           [--sfn-input '{"n": 1}' | @input.json] [--sfn-expect expect.json]
           [--sfn-cov] [--sfn-cov-fail-under 80]

With ``--sfn-mock-config`` and ``--sfn-definitions`` every test case of the MockConfigFile
becomes a test (``LocalTesting#HappyPathTest``) that passes when its execution SUCCEEDED, or
matches its entry in ``--sfn-expect`` (a JSON object: case name -> ``status``, ``error``,
``path``, ``output``, ``input``). ``--sfn-cov`` counts coverage over every execution of the
session that the plugin sees: the generated tests', ``sfn_run``'s and ``sfn_runtime``'s, and
any execution given to an ``sfn_notebook.testing`` assertion.

pytest is imported here only; sfn-notebook's own modules are imported when a hook needs them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

_COLLECTOR = pytest.StashKey[Any]()
_FAILED_UNDER = pytest.StashKey[str]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sfn-notebook", "AWS Step Functions workflows (sfn-notebook)")
    group.addoption(
        "--sfn-mock-config",
        metavar="FILE",
        help="a Step Functions Local MockConfigFile: its test cases become tests",
    )
    group.addoption(
        "--sfn-definitions",
        metavar="PATH",
        help="the definition file, or a folder of <state machine name>.asl.json files",
    )
    group.addoption(
        "--sfn-input", metavar="JSON", help="execution input of the test cases: JSON or @file"
    )
    group.addoption(
        "--sfn-expect", metavar="FILE", help="JSON: test case name -> expected status, path ..."
    )
    group.addoption(
        "--sfn-cov", action="store_true", help="report workflow coverage at the end of the session"
    )
    group.addoption(
        "--sfn-cov-fail-under",
        metavar="PERCENT",
        type=float,
        help="fail the session when total workflow coverage is below PERCENT (implies --sfn-cov)",
    )


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--sfn-cov") or config.getoption("--sfn-cov-fail-under") is not None:
        from sfn_notebook.testing import assertions
        from sfn_notebook.testing.collector import CoverageCollector

        collector = CoverageCollector()
        config.stash[_COLLECTOR] = collector
        assertions.observers.append(collector.add)


def pytest_unconfigure(config: pytest.Config) -> None:
    collector = config.stash.get(_COLLECTOR, None)
    if collector is not None:
        from sfn_notebook.testing import assertions

        if collector.add in assertions.observers:
            assertions.observers.remove(collector.add)


def _collector(config: pytest.Config) -> Any:
    return config.stash.get(_COLLECTOR, None)


def _count(config: pytest.Config, execution: Any) -> Any:
    collector = _collector(config)
    if collector is not None:
        collector.add(execution)
    return execution


# Fixtures ----------------------------------------------------------------------------------------


@pytest.fixture
def sfn_functions() -> dict[str, Callable[..., Any]]:
    """Python functions serving Lambda Tasks, by function name or ARN (override in conftest)."""
    return {}


@pytest.fixture
def sfn_mocks(request: pytest.FixtureRequest) -> Any:
    """The ``--sfn-mock-config`` MockConfigFile, loaded (None when the option is not given)."""
    path = request.config.getoption("--sfn-mock-config")
    if path is None:
        return None
    from sfn_notebook.integrations.mocks import MockConfig

    return MockConfig.load(path)


@pytest.fixture
def sfn_runtime(
    request: pytest.FixtureRequest, sfn_functions: dict[str, Any], sfn_mocks: Any
) -> Iterator[Any]:
    """A Runtime on the virtual clock with ``sfn_functions`` and ``sfn_mocks``."""
    from sfn_notebook.runtime.runtime import Runtime

    runtime = Runtime(clock="virtual", functions=sfn_functions, mocks=sfn_mocks)
    try:
        yield runtime
        collector = _collector(request.config)
        if collector is not None:
            collector.add_runtime(runtime)
    finally:
        runtime.close()


@pytest.fixture
def sfn_run(
    request: pytest.FixtureRequest, sfn_functions: dict[str, Any], sfn_mocks: Any
) -> Callable[..., Any]:
    """``sfn.run`` with ``functions=sfn_functions`` and ``mocks=sfn_mocks`` by default."""
    from sfn_notebook.runtime.run import run

    def run_once(definition: Any, input: Any = None, **options: Any) -> Any:
        options.setdefault("functions", sfn_functions)
        if sfn_mocks is not None:
            options.setdefault("mocks", sfn_mocks)
        return _count(request.config, run(definition, input, **options))

    return run_once


# MockConfigFile test cases as tests ---------------------------------------------------------------


class CaseFailed(Exception):
    """A test case's execution did not meet its expectation."""


class MockCaseItem(pytest.Item):
    def __init__(self, *, machine: str, case: str, definition: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.machine, self.case, self.definition = machine, case, definition

    def runtest(self) -> None:
        from sfn_notebook.testing.cases import run_test_case
        from sfn_notebook.textfile import read_text

        config = self.config
        expect = _expectations(config).get(self.case)
        result = run_test_case(
            read_text(self.definition, 1024 * 1024, what="a state machine definition"),
            config.getoption("--sfn-mock-config"),
            self.case,
            state_machine=self.machine,
            input=_input(config),
            expect=expect,
        )
        _count(config, result.execution)
        if not result.passed:
            raise CaseFailed(result.summary())

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, CaseFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Any, int | None, str]:
        return self.path, None, f"{self.machine}#{self.case}"


class MockConfigCollector(pytest.File):
    def collect(self) -> Iterator[MockCaseItem]:
        from sfn_notebook.testing.cases import definition_for, mock_test_cases

        where = _absolute(self.config, self.config.getoption("--sfn-definitions"))
        for machine, case in mock_test_cases(os.fspath(self.path)):
            definition = definition_for(machine, where)
            yield MockCaseItem.from_parent(
                self, name=f"{machine}#{case}", machine=machine, case=case, definition=definition
            )


def _input(config: pytest.Config) -> Any:
    text = config.getoption("--sfn-input")
    if text is None:
        return None
    if text.startswith("@"):
        with open(text[1:], encoding="utf-8") as handle:
            return json.load(handle)
    return json.loads(text)


def _expectations(config: pytest.Config) -> dict[str, Any]:
    path = config.getoption("--sfn-expect")
    if path is None:
        return {}
    with open(path, encoding="utf-8") as handle:
        found = json.load(handle)
    if not isinstance(found, dict):
        raise pytest.UsageError(f"--sfn-expect {path}: expected a JSON object of test cases")
    return found


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Add the MockConfigFile's test cases (before -k and -m select among the items)."""
    path = config.getoption("--sfn-mock-config")
    if path is None or session.config.getoption("--sfn-definitions") is None:
        return
    from sfn_notebook.errors import SfnNotebookError

    collector = MockConfigCollector.from_parent(session, path=_absolute(config, path))
    try:
        items.extend(collector.collect())
    except SfnNotebookError as exc:
        raise pytest.UsageError(f"--sfn-mock-config {path}: {exc}") from None


def _absolute(config: pytest.Config, path: str) -> Any:
    from pathlib import Path

    found = Path(path)
    return found if found.is_absolute() else Path(config.invocation_params.dir, found)


# Coverage report ---------------------------------------------------------------------------------


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    threshold = session.config.getoption("--sfn-cov-fail-under")
    collector = _collector(session.config)
    if threshold is None or collector is None:
        return
    percent = collector.percent
    if percent < threshold:
        session.config.stash[_FAILED_UNDER] = (
            f"FAIL: workflow coverage {percent}% is below --sfn-cov-fail-under {threshold:g}%"
        )
        if session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    collector = _collector(config)
    if collector is None:
        return
    terminalreporter.write_sep("-", "sfn-notebook workflow coverage")
    terminalreporter.write_line(collector.report())
    failed = config.stash.get(_FAILED_UNDER, None)
    if failed:
        terminalreporter.write_line(failed, red=True)
