"""The pytest plugin in real pytest sessions (pytester), the assertion helpers' messages, and
``sfn-notebook test`` on the MockConfigFile of an AWS sample (tests/data, MIT-0)."""

from __future__ import annotations

import json
import shutil
from importlib import metadata
from pathlib import Path

import pytest

import sfn_notebook as sfn
from sfn_notebook import testing
from sfn_notebook.cli import main

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "data" / "local_testing_mock_config"
CASES = [
    "HappyPathTest",
    "NegativeSentimentTest",
    "CustomValidationFailedCatchTest",
    "ValidationExceptionCatchTest",
    "RetryOnServiceExceptionTest",
]


def plugin_args() -> list[str]:
    """Load the plugin by name unless the installed package's entry point already does."""
    names = {ep.value for ep in metadata.entry_points(group="pytest11")}
    return [] if "sfn_notebook.testing.plugin" in names else ["-p", "sfn_notebook.testing.plugin"]


def test_the_plugin_is_registered_as_a_pytest11_entry_point() -> None:
    text = (ROOT / "pyproject.toml").read_text()
    section = text[text.index("[project.entry-points.pytest11]") :].split("\n[")[0]
    assert 'sfn_notebook = "sfn_notebook.testing.plugin"' in section


FLOW = {
    "StartAt": "Validate",
    "States": {
        "Validate": {"Type": "Pass", "Next": "Price"},
        "Price": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:price",
            "Retry": [{"ErrorEquals": ["Busy"], "IntervalSeconds": 1}],
            "Next": "Reserve",
        },
        "Reserve": {"Type": "Pass", "End": True},
    },
}


def test_fixtures_and_assertions_in_a_real_session(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest

        class Busy(Exception):
            pass

        @pytest.fixture
        def sfn_functions():
            calls = []
            def price(event, context):
                calls.append(event)
                if len(calls) < 3:
                    raise Busy("try later")
                return {"total": 42}
            return {"price": price}
        """
    )
    pytester.makepyfile(
        test_flow=f"""
        import json
        from sfn_notebook.testing import assert_path, assert_retried, assert_state_output

        FLOW = {FLOW!r}

        def test_ok(sfn_run):
            ex = sfn_run(FLOW, {{"sku": "x"}})
            assert_path(ex, ["Validate", "Price", "Reserve"])
            assert_state_output(ex, "Price", {{"total": 42}})
            assert_retried(ex, "Price", times=2)

        def test_runtime_clock_is_virtual(sfn_runtime):
            arn = sfn_runtime.create_state_machine(
                name="flow", definition=json.dumps(FLOW), roleArn="arn:aws:iam::1:role/r"
            )["stateMachineArn"]
            started = sfn_runtime.start_execution(stateMachineArn=arn, input="{{}}")
            ex = sfn_runtime.execution(started["executionArn"]).wait(30)
            assert ex.status == "SUCCEEDED"

        def test_wrong_path(sfn_run):
            assert_path(sfn_run(FLOW), ["Validate", "Reserve"])

        def test_wrong_output(sfn_run):
            assert_state_output(sfn_run(FLOW), "Price", {{"total": 41, "currency": "EUR"}})

        def test_wrong_retries(sfn_run):
            assert_retried(sfn_run(FLOW), "Price", times=1)
        """
    )
    result = pytester.runpytest(*plugin_args(), "--sfn-cov")
    result.assert_outcomes(passed=2, failed=3)
    result.stdout.fnmatch_lines(
        [
            "*AssertionError: path differs at step 2: expected 'Reserve', the execution "
            "entered 'Price'",
            "*expected: Validate > Reserve",
            "*actual:   Validate > Price > Reserve",
            "*AssertionError: output of 'Price' differs",
            "*missing 'currency': expected \"EUR\"",
            "*'total': expected 41, got 42",
            "*AssertionError: expected 'Price' to be retried 1 time, it was retried 2 times "
            "(errors of its tries: Busy)",
            "*sfn-notebook workflow coverage*",
            "flow: coverage: 6/6 items (100.0%) over 5 executions",
            "total: 6/6 items (100.0%)",
        ]
    )
    assert "sfn_notebook/testing/assertions.py" not in result.stdout.str()  # the message only


def copy_sample(pytester: pytest.Pytester) -> Path:
    where = pytester.path / "statemachine"
    where.mkdir()
    shutil.copy(SAMPLE / "local_testing.asl.json", where)
    shutil.copy(SAMPLE / "MockConfigFile.json", pytester.path)
    shutil.copy(SAMPLE / "sfn_valid_input.json", pytester.path)
    return where


def test_mock_config_test_cases_become_tests(pytester: pytest.Pytester) -> None:
    copy_sample(pytester)
    args = [
        *plugin_args(),
        "-v",
        "--sfn-mock-config",
        "MockConfigFile.json",
        "--sfn-definitions",
        "statemachine",
        "--sfn-input=@sfn_valid_input.json",  # alone, "@file" is pytest's own arguments file
    ]
    result = pytester.runpytest(*args, "--sfn-cov")
    result.assert_outcomes(passed=5)
    result.stdout.fnmatch_lines(
        [f"*LocalTesting#{case} PASSED*" for case in CASES]
        + [
            "LocalTesting: coverage: 19/20 items (95.0%) over 5 executions",
            "  not covered: Check Address: Retry 0",
        ]
    )
    # An expectation the sample's execution does not meet fails with the execution's story.
    (pytester.path / "expect.json").write_text(
        json.dumps(
            {
                "NegativeSentimentTest": {"path": ["Validation", "DetectSentiment", "Nope"]},
                "ValidationExceptionCatchTest": {"status": "FAILED"},
            }
        )
    )
    result = pytester.runpytest(
        *args, "--sfn-expect", "expect.json", "-k", "Negative or ValidationException"
    )
    result.assert_outcomes(passed=0, failed=2, deselected=3)
    result.stdout.fnmatch_lines(
        [
            "FAIL LocalTesting#NegativeSentimentTest: SUCCEEDED  [Validation > DetectSentiment"
            " > Is Positive Sentiment? > NegativeSentimentDetected]",
            "    path differs at step 3: expected 'Nope', the execution entered "
            "'Is Positive Sentiment?'",
            "*expected status FAILED, got SUCCEEDED",
        ]
    )


def test_fail_under_fails_a_passing_session(pytester: pytest.Pytester) -> None:
    copy_sample(pytester)
    args = [
        *plugin_args(),
        "--sfn-mock-config",
        "MockConfigFile.json",
        "--sfn-definitions",
        "statemachine/local_testing.asl.json",
        "--sfn-input=@sfn_valid_input.json",  # alone, "@file" is pytest's own arguments file
        "-k",
        "HappyPath",
    ]
    result = pytester.runpytest(*args, "--sfn-cov-fail-under", "90")
    result.assert_outcomes(passed=1, deselected=4)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        ["*FAIL: workflow coverage 55.0% is below --sfn-cov-fail-under 90%"]
    )
    assert pytester.runpytest(*args, "--sfn-cov-fail-under", "50").ret == pytest.ExitCode.OK


def test_a_missing_definition_is_a_usage_error(pytester: pytest.Pytester) -> None:
    shutil.copy(SAMPLE / "MockConfigFile.json", pytester.path)
    (pytester.path / "empty").mkdir()
    result = pytester.runpytest(
        *plugin_args(), "--sfn-mock-config", "MockConfigFile.json", "--sfn-definitions", "empty"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*no definition for state machine 'LocalTesting'*"])


# The CLI ----------------------------------------------------------------------------------------


def test_cli_runs_the_samples_test_cases(capsys: pytest.CaptureFixture[str]) -> None:
    definition = str(SAMPLE / "local_testing.asl.json")
    config = str(SAMPLE / "MockConfigFile.json")
    given = f"@{SAMPLE / 'sfn_valid_input.json'}"
    assert main(["test", definition, "--mock-config", config, "--input", given, "--coverage"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in out[:5]] == [f"PASS LocalTesting#{c}" for c in CASES]
    assert out[2].endswith("[Validation > CustomValidationFailed]")
    assert out[5:] == [
        "5 passed, 0 failed",
        "coverage: 19/20 items (95.0%) over 5 executions",
        "  not covered: Check Address: Retry 0",
    ]
    code = main(["test", definition, "--mock-config", config, "--input", given,
                 "--case", "HappyPathTest", "--fail-under", "80"])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 1
    assert "coverage 55.0% is below 80%" in captured.err
    assert main(["test", definition, "--mock-config", config, "--case", "Nope"]) == 2
    assert "Invalid mock test case name 'Nope'" in capsys.readouterr().err
    assert main(["test", definition, "--mock-config", config, "--input", "{nope"]) == 2
    assert capsys.readouterr().err.startswith("error: --input is not JSON")


def test_cli_reports_a_failing_case(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Without the sample's input the Parallel's InputPath finds nothing: the case fails.
    definition = str(SAMPLE / "local_testing.asl.json")
    config = str(SAMPLE / "MockConfigFile.json")
    assert main(["test", definition, "--mock-config", config, "--case", "HappyPathTest"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("FAIL LocalTesting#HappyPathTest: FAILED States.Runtime")
    assert "0 passed, 1 failed" in out


# Assertions on their own -------------------------------------------------------------------------


def test_assertions_name_what_happened() -> None:
    ex = sfn.run(FLOW, functions={"price": lambda event, context: {"total": 1}})
    with pytest.raises(AssertionError, match="state 'Missing' was never entered"):
        testing.assert_state_output(ex, "Missing", {})
    with pytest.raises(AssertionError, match=r"path ends after step 3: expected 'More' next"):
        testing.assert_path(ex, ["Validate", "Price", "Reserve", "More"])
    with pytest.raises(AssertionError, match=r"retried at least once, it was retried 0 times"):
        testing.assert_retried(ex, "Price")
    failed = sfn.run(FLOW)  # no function serves Price
    with pytest.raises(AssertionError, match=r"expected status SUCCEEDED, got FAILED") as info:
        testing.assert_status(failed)
    assert "execution: FAILED" in str(info.value)
    testing.assert_status(failed.history, "FAILED")  # events alone, as imported from AWS


def test_fault_injection_on_the_samples_sentiment_task() -> None:
    outcomes = testing.fault_outcomes(
        (SAMPLE / "local_testing.asl.json").read_text(),
        json.loads((SAMPLE / "sfn_valid_input.json").read_text()),
        mocks=SAMPLE / "MockConfigFile.json",
        test_case="HappyPathTest",
        states=["DetectSentiment"],
    )
    # DetectSentiment retries InternalServerException and catches nothing: every fault fails
    # the execution, after three retries for the one it retries.
    assert [(o.error, o.outcome, o.retries) for o in outcomes] == [
        ("InternalServerException", "failed", 3),
        ("States.TaskFailed", "failed", 0),
        ("States.Timeout", "failed", 0),
        ("Comprehend.ComprehendException", "failed", 0),
    ]
    assert {o.execution_status for o in outcomes} == {"FAILED"}
