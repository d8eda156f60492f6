"""The %sfn and %%asl magics, driven through IPython's InteractiveShell.

Each test gets a fresh NotebookSession (an in-memory, virtual-clock Runtime unless it says
otherwise) and runs in a temporary folder, as a notebook runs in its own.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import warnings
from pathlib import Path
from typing import Any

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from IPython.testing.globalipapp import start_ipython

import sfn_notebook as sfn
from sfn_notebook.notebook import commands, registry, session
from sfn_notebook.notebook.session import NotebookSession
from sfn_notebook.notebook.views import Findings, StateMachineView

ROOT = Path(__file__).resolve().parents[1]
LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"

HELLO = """\
Comment: double a number, then rest
StartAt: Double
States:
  Double:
    Type: Task
    Resource: arn:aws:lambda:us-east-1:123456789012:function:double
    Next: Rest
  Rest:
    Type: Wait
    Seconds: 3600
    End: true
"""


def the_shell() -> Any:
    """IPython's test shell (start_ipython returns it only on its first call)."""
    start_ipython()
    return InteractiveShell.instance()


@pytest.fixture
def notebook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> NotebookSession:
    monkeypatch.chdir(tmp_path)
    fresh = NotebookSession()
    monkeypatch.setattr(session, "_SESSION", fresh)
    yield fresh
    fresh.close()


@pytest.fixture
def ip(notebook: NotebookSession) -> Any:
    shell = the_shell()
    sfn.load_ipython_extension(shell)  # registers magics bound to this test's session
    shell.run_line_magic("sfn", "runtime --no-store --start-time 2025-01-01T00:00:00Z --seed 1")
    yield shell
    for name in list(shell.user_ns):
        if name in ("token", "order", "ex", "seen"):
            del shell.user_ns[name]


@pytest.fixture
def hello(ip: Any) -> Any:
    @sfn.function
    def double(event: Any, context: Any) -> Any:
        return {"n": event["n"] * 2}

    ip.run_cell_magic("asl", "hello", HELLO)
    return ip


def task_machine(function: str) -> str:
    """A one-state machine whose Task calls ``function``."""
    return f"StartAt: T\nStates:\n  T: {{Type: Task, Resource: '{LAMBDA}{function}', End: true}}\n"


def usage_error(ip: Any, line: str) -> str:
    with pytest.raises(UsageError) as caught:
        ip.run_line_magic("sfn", line)
    return str(caught.value)


def asl_error(ip: Any, line: str, cell: str) -> str:
    with pytest.raises(UsageError) as caught:
        ip.run_cell_magic("asl", line, cell)
    return str(caught.value)


# ------------------------------------------------------------------------------------------------
# Loading


def test_load_ext_registers_both_magics_and_importing_the_package_loads_no_ipython() -> None:
    shell = the_shell()
    shell.run_line_magic("load_ext", "sfn_notebook")
    assert "sfn" in shell.magics_manager.magics["line"]
    assert "asl" in shell.magics_manager.magics["cell"]
    code = "import sys, sfn_notebook; print('IPython' in sys.modules, 'pandas' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]


# ------------------------------------------------------------------------------------------------
# %%asl


def test_asl_creates_then_versions_then_leaves_an_unchanged_definition_alone(ip: Any) -> None:
    view = ip.run_cell_magic("asl", "hello", HELLO)
    assert isinstance(view, StateMachineView)
    assert repr(view) == "hello: created, version 1, 2 states, STANDARD"
    again = ip.run_cell_magic("asl", "hello", HELLO)
    assert repr(again) == "hello: unchanged, version 1, 2 states, STANDARD"
    changed = ip.run_cell_magic("asl", "hello", HELLO.replace("3600", "60"))
    assert repr(changed) == "hello: updated, version 2, 2 states, STANDARD"
    rt = sfn.default_runtime()
    arn = rt.list_state_machines()["stateMachines"][0]["stateMachineArn"]
    assert (
        json.loads(rt.describe_state_machine(stateMachineArn=arn)["definition"])["States"]["Rest"][
            "Seconds"
        ]
        == 60
    )


def test_asl_display_has_the_graph_and_the_summary(ip: Any) -> None:
    view = ip.run_cell_magic("asl", "hello", HELLO)
    bundle = view._repr_mimebundle_()
    assert bundle["text/plain"] == "hello: created, version 1, 2 states, STANDARD"
    assert bundle["image/svg+xml"].startswith("<svg")
    assert "hello: created" in bundle["text/html"]


def test_asl_yaml_error_names_the_cell_line(ip: Any) -> None:
    cell = "StartAt: A\nStates:\n  A:\n    Type: Pass\n    Next: Missing\n"
    message = asl_error(ip, "broken", cell)
    # The %%asl line is line 1, so the body's 5th line is the cell's 6th.
    assert "line 6: ERROR MISSING_TRANSITION_TARGET" in message
    assert "(/States/A/Next)" in message
    assert "      6 |     Next: Missing" in message
    assert "broken" not in sfn.default_runtime().list_state_machines()["stateMachines"]


def test_asl_json_error_names_the_cell_line_even_with_tabs(ip: Any) -> None:
    cell = '{\n\t"StartAt": "A",\n\t"States": {\n\t\t"A": {"Type": "Wait", "End": true}\n\t}\n}\n'
    message = asl_error(ip, "wait", cell)
    assert re.search(r"line 5: ERROR \w+ .*\(/States/A", message), message


def test_asl_syntax_error_uses_the_parsers_line(ip: Any) -> None:
    message = asl_error(ip, "bad", "StartAt: A\nStates:\n  A: [unclosed\n")
    assert "INVALID_JSON_DESCRIPTION" in message
    assert re.search(r"line \d+:", message)


def test_asl_expression_error_shows_the_caret(ip: Any) -> None:
    cell = (
        "StartAt: A\nStates:\n  A:\n    Type: Pass\n    Parameters:\n"
        "      x.$: States.Format('{}', $.a\n    End: true\n"
    )
    message = asl_error(ip, "expr", cell)
    assert "line 6: ERROR SCHEMA_VALIDATION_FAILED" in message  # /States/A/Parameters
    assert message.endswith("States.Format('{}', $.a\n" + " " * 27 + "^")


def test_asl_query_language_option_sets_or_conflicts(ip: Any) -> None:
    cell = "StartAt: A\nStates:\n  A:\n    Type: Pass\n    Output: '{% $states.input.x %}'\n"
    cell += "    End: true\n"
    ip.run_cell_magic("asl", "ja --query-language JSONata", cell)
    ex = ip.run_line_magic("sfn", 'run ja --input {"x": 5}')
    assert ex.output == 5
    conflicting = "QueryLanguage: JSONPath\n" + cell
    assert "QueryLanguage: JSONPath" in asl_error(ip, "ja2 --query-language JSONata", conflicting)


def test_asl_type_change_replaces_the_state_machine(ip: Any) -> None:
    cell = "StartAt: A\nStates:\n  A: {Type: Succeed}\n"
    ip.run_cell_magic("asl", "quick", cell)
    view = ip.run_cell_magic("asl", "quick --type EXPRESS", cell)
    assert repr(view) == "quick: created, version 1, 1 states, EXPRESS (was STANDARD: replaced)"


def test_asl_misuse_raises_usage_errors(ip: Any) -> None:
    assert "required: NAME" in asl_error(ip, "", HELLO)
    assert "usage: %%asl" in asl_error(ip, "", HELLO)
    assert "the cell is empty" in asl_error(ip, "empty", "\n  \n")
    assert "invalid choice" in asl_error(ip, "x --type SLOW", HELLO)
    assert "Invalid state machine name" in asl_error(ip, "'bad name'", HELLO)


def test_asl_warnings_are_printed_and_the_machine_is_created(
    ip: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    cell = "StartAt: A\nStates:\n  A:\n    Type: Pass\n    Result:\n      x.$: $.y\n    End: true\n"
    [warning] = sfn.validate(cell)
    view = ip.run_cell_magic("asl", "warned --no-graph", cell)
    out = capsys.readouterr().out
    assert view is None
    assert f"line 6: WARNING {warning.code}" in out
    assert "warned: created, version 1" in out


# ------------------------------------------------------------------------------------------------
# %sfn run, history, executions


def test_run_returns_the_finished_execution(hello: Any) -> None:
    ex = hello.run_line_magic("sfn", 'run hello --input {"n": 21} --name first')
    assert (ex.status, ex.output, ex.name) == ("SUCCEEDED", {"n": 42}, "first")
    assert ex.definition is not None  # its display draws the graph
    assert ex.start_date.isoformat() == "2025-01-01T00:00:00+00:00"
    assert (ex.stop_date - ex.start_date).total_seconds() >= 3600  # the Wait, on virtual time


def test_run_reads_input_from_a_variable_a_file_and_single_quotes(
    hello: Any, tmp_path: Path
) -> None:
    hello.user_ns["order"] = {"n": 5}
    assert hello.run_line_magic("sfn", "run hello --input $order").output == {"n": 10}
    (tmp_path / "in.json").write_text('{"n": 7}')
    assert hello.run_line_magic("sfn", "run hello --input @in.json").output == {"n": 14}
    assert hello.run_line_magic("sfn", "run hello --input '{\"n\": 1}'").output == {"n": 2}
    hello.user_ns["ex"] = "named-by-a-variable"
    assert (
        hello.run_line_magic("sfn", "run hello --input $order --name $ex").name
        == "named-by-a-variable"
    )
    # IPython must not have expanded $order into the dict's Python repr
    assert hello.run_cell("ex = %sfn run hello --input $order").error_in_exec is None
    assert hello.user_ns["ex"].output == {"n": 10}


def test_variables_of_the_function_the_magic_is_used_in(hello: Any) -> None:
    hello.run_cell(
        "def double_it(n):\n"
        "    order = {'n': n}\n"
        "    done = %sfn run hello --input $order\n"
        "    return done\n"
        "ex = double_it(8)\n"
    )
    assert hello.user_ns["ex"].output == {"n": 16}


def test_run_no_wait_returns_at_once(hello: Any) -> None:
    release = threading.Event()

    @sfn.function
    def double(event: Any, context: Any) -> Any:
        release.wait(10)
        return event

    ex = hello.run_line_magic("sfn", 'run hello --input {"n": 1} --no-wait')
    assert ex.status == "RUNNING"
    release.set()
    assert ex.wait(10).status == "SUCCEEDED"


def test_run_misuse(hello: Any) -> None:
    assert "no state machine named 'helo'; did you mean 'hello'?" in usage_error(hello, "run helo")
    assert "not valid JSON" in usage_error(hello, "run hello --input {n: 1}")
    assert "no variable named 'nothing'" in usage_error(hello, "run hello --input $nothing")
    assert "invalid choice: 'fast'" in usage_error(hello, "run hello --clock fast")
    assert "unbalanced" in usage_error(hello, 'run hello --input {"n": 1')
    hello.run_line_magic("sfn", 'run hello --input {"n": 1} --name once')
    assert "Already Exists" in usage_error(hello, 'run hello --input {"n": 1} --name once')


def test_run_on_the_other_clock_uses_a_companion_runtime(hello: Any) -> None:
    hello.run_cell_magic("asl", "quick", "StartAt: A\nStates:\n  A: {Type: Pass, End: true}\n")
    ex = hello.run_line_magic("sfn", "run quick --clock real --name live")
    assert ex.status == "SUCCEEDED"
    frame = hello.run_line_magic("sfn", "history live")
    assert frame["type"].tolist() == [
        "ExecutionStarted",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]
    assert "live" in hello.run_line_magic("sfn", "executions quick")["name"].tolist()


def test_a_real_clock_run_shows_the_live_view_while_it_waits(
    hello: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sfn_notebook.notebook import display, widgets

    shown: list[Any] = []

    class FakeView:
        def __init__(self, execution: Any) -> None:
            self.status_at_start = execution.status
            self.closed = False
            shown.append(self)

        def close(self) -> None:
            self.closed = True

    monkeypatch.setattr(display, "widget_frontend_available", lambda: True)
    monkeypatch.setattr(widgets, "ExecutionView", FakeView)
    hello.run_cell_magic(
        "asl", "pause", "StartAt: W\nStates:\n  W: {Type: Wait, Seconds: 1, End: true}\n"
    )
    ex = hello.run_line_magic("sfn", "run pause --clock real")
    assert ex.status == "SUCCEEDED"
    [view] = shown
    assert view.status_at_start == "RUNNING" and view.closed  # shown while running, then gone
    hello.run_line_magic("sfn", "run pause")  # the virtual clock: done at once, no live view
    assert len(shown) == 1


def test_history_by_name_variable_and_default(hello: Any) -> None:
    ex = hello.run_line_magic("sfn", 'run hello --input {"n": 2} --name h1')
    hello.user_ns["ex"] = ex
    by_name = hello.run_line_magic("sfn", "history h1")
    by_var = hello.run_line_magic("sfn", "history $ex")
    last = hello.run_line_magic("sfn", "history")
    assert by_name["type"].tolist() == by_var["type"].tolist() == last["type"].tolist()
    assert by_name["type"].iloc[0] == "ExecutionStarted"
    with_data = hello.run_line_magic("sfn", "history h1 --data")
    assert with_data["output"].iloc[-1] == {"n": 4}
    assert "no execution named 'nope'" in usage_error(hello, "history nope")


def test_history_without_any_execution(ip: Any) -> None:
    assert "no execution yet" in usage_error(ip, "history")


def test_executions_lists_and_filters(hello: Any) -> None:
    @sfn.function("fails")
    def fails(event: Any, context: Any) -> Any:
        raise ValueError("no")

    hello.run_cell_magic("asl", "boom", task_machine("fails"))
    hello.run_line_magic("sfn", 'run hello --input {"n": 1} --name a')
    hello.run_line_magic("sfn", "run boom --name b")
    every = hello.run_line_magic("sfn", "executions")
    assert sorted(every["name"]) == ["a", "b"]
    failed = hello.run_line_magic("sfn", "executions --status FAILED")
    assert failed[["name", "error"]].to_dict("records") == [{"name": "b", "error": "ValueError"}]
    assert hello.run_line_magic("sfn", "executions hello")["name"].tolist() == ["a"]
    assert "no state machine named 'nope'" in usage_error(hello, "executions nope")


def test_coverage_counts_what_the_executions_took(ip: Any) -> None:
    ip.run_cell_magic(
        "asl",
        "pick",
        "StartAt: C\nStates:\n"
        "  C: {Type: Choice, Default: B, Choices: [{Variable: $.n, NumericEquals: 1, Next: A}]}\n"
        "  A: {Type: Succeed}\n  B: {Type: Succeed}\n",
    )
    ip.run_line_magic("sfn", 'run pick --input {"n": 1}')
    ip.run_line_magic("sfn", 'run pick --input {"n": 1}')
    frame = ip.run_line_magic("sfn", "coverage pick")
    frame["target"] = frame["target"].fillna("-")
    assert frame[["kind", "state", "target", "count"]].to_dict("records") == [
        {"kind": "state", "state": "C", "target": "-", "count": 2},
        {"kind": "choice", "state": "C", "target": "A", "count": 2},
        {"kind": "default", "state": "C", "target": "B", "count": 0},
        {"kind": "state", "state": "A", "target": "-", "count": 2},
        {"kind": "state", "state": "B", "target": "-", "count": 0},
    ]
    assert ip.run_line_magic("sfn", "coverage pick --status FAILED")["count"].sum() == 0
    graph = ip.run_line_magic("sfn", "coverage pick --graph")
    assert repr(graph).startswith("coverage: 3/5 items (60.0%) over 2 executions")
    assert 'label="B\\nSucceed\\nnever entered"' in graph.dot
    assert 'label="Default · never", style=dotted' in graph.dot
    assert "no state machine named 'nope'" in usage_error(ip, "coverage nope")


# ------------------------------------------------------------------------------------------------
# %sfn validate, graph


def test_validate_a_cell_by_name_and_a_file_by_path(hello: Any, tmp_path: Path) -> None:
    ok = hello.run_line_magic("sfn", "validate hello")
    assert isinstance(ok, Findings) and repr(ok) == "hello: OK, no findings"
    path = tmp_path / "flow.asl.json"
    path.write_text('{\n  "StartAt": "A",\n  "States": {\n    "A": {"Type": "Pass"}\n  }\n}\n')
    found = hello.run_line_magic("sfn", f"validate {path.name}")
    assert [f.line for f in found.errors] == [4, 1]  # the state; the whole document
    assert repr(found).startswith("flow.asl.json:4: ERROR SCHEMA_VALIDATION_FAILED")
    assert "neither a state machine" in usage_error(hello, "validate nothing.json")


def test_graph_shows_a_state_machine(hello: Any) -> None:
    view = hello.run_line_magic("sfn", "graph hello")
    assert repr(view) == "hello: 2 states, STANDARD"
    assert "Double" in view._repr_mimebundle_()["image/svg+xml"]
    assert "define one with %%asl nope" in usage_error(hello, "graph nope")


# ------------------------------------------------------------------------------------------------
# %sfn stop, redrive


def test_stop_aborts_a_running_execution(hello: Any) -> None:
    release = threading.Event()

    @sfn.function
    def double(event: Any, context: Any) -> Any:
        release.wait(10)
        return event

    hello.run_line_magic("sfn", 'run hello --input {"n": 1} --name slow --no-wait')
    ex = hello.run_line_magic("sfn", 'stop slow --error Cancelled --cause "not needed"')
    release.set()
    assert ex.status == "ABORTED"
    aborted = ex.history[-1]
    assert aborted["type"] == "ExecutionAborted"
    assert aborted["executionAbortedEventDetails"] == {"error": "Cancelled", "cause": "not needed"}


def test_redrive_reruns_what_failed(hello: Any) -> None:
    calls: list[int] = []

    @sfn.function
    def double(event: Any, context: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionError("flaky")
        return event

    ex = hello.run_line_magic("sfn", 'run hello --input {"n": 1} --name flaky')
    assert (ex.status, ex.error) == ("FAILED", "ConnectionError")
    again = hello.run_line_magic("sfn", "redrive flaky")
    assert again is ex and ex.status == "SUCCEEDED"
    assert "cannot be redriven" in usage_error(hello, "redrive flaky")


# ------------------------------------------------------------------------------------------------
# Task tokens and TestState

APPROVAL = """\
StartAt: Ask
States:
  Ask:
    Type: Task
    Resource: arn:aws:states:::lambda:invoke.waitForTaskToken
    Parameters:
      FunctionName: ask
      Payload:
        token.$: $$.Task.Token
    End: true
"""


def _ask(ip: Any) -> tuple[list[str], threading.Event]:
    seen: list[str] = []
    asked = threading.Event()

    @sfn.function
    def ask(event: Any, context: Any) -> Any:
        seen.append(event["token"])
        asked.set()
        return {}

    ip.run_cell_magic("asl", "approval", APPROVAL)
    return seen, asked


@pytest.mark.parametrize("clock", ["virtual", "real"])  # real: the companion Runtime's token
def test_send_success_answers_a_waiting_task(ip: Any, clock: str) -> None:
    seen, asked = _ask(ip)
    ex = ip.run_line_magic("sfn", f"run approval --no-wait --clock {clock}")
    assert asked.wait(10)
    ip.user_ns["token"] = seen[0]
    ip.run_line_magic("sfn", 'send-success $token {"approved": true}')
    assert ex.wait(10).output == {"approved": True}


def test_send_failure_fails_a_waiting_task(ip: Any) -> None:
    seen, asked = _ask(ip)
    ex = ip.run_line_magic("sfn", "run approval --no-wait")
    assert asked.wait(10)
    ip.user_ns["token"] = seen[0]
    ip.run_line_magic("sfn", 'send-failure $token Rejected "too expensive"')
    assert (ex.wait(10).status, ex.error, ex.cause) == ("FAILED", "Rejected", "too expensive")
    assert "Invalid Token" in usage_error(ip, "send-failure not-a-token Rejected")


def test_advance_lapses_a_heartbeat_without_waiting(ip: Any, capsys: Any) -> None:
    _, asked = _ask(ip)
    cell = APPROVAL.replace("    End: true", "    HeartbeatSeconds: 3600\n    End: true")
    ip.run_cell_magic("asl", "approval", cell)
    ex = ip.run_line_magic("sfn", "run approval --no-wait")
    assert asked.wait(10)
    assert ex.status == "RUNNING"  # the callback keeps virtual time on real time
    capsys.readouterr()
    ip.run_line_magic("sfn", "advance 1h30s")
    assert "it is now 2025-01-01T01:00:30" in capsys.readouterr().out
    assert (ex.status, ex.error) == ("FAILED", "States.Timeout")
    assert "not a duration" in usage_error(ip, "advance soon")
    assert "seconds must be" in usage_error(ip, "advance -5")
    assert _complete(ip, "%sfn advance 1") == ["10m", "1h", "1d"]
    ip.run_line_magic("sfn", "runtime --clock real")
    assert "needs the virtual clock" in usage_error(ip, "advance 1h")


def test_test_state_runs_one_state(hello: Any) -> None:
    cell = (
        "StartAt: Shape\nStates:\n  Shape:\n    Type: Pass\n    InputPath: $.order\n"
        "    Parameters:\n      id.$: $.id\n    ResultPath: $.shaped\n    End: true\n"
    )
    hello.run_cell_magic("asl", "shape", cell)
    result = hello.run_line_magic(
        "sfn", 'test-state shape Shape --input {"order": {"id": 7, "x": 1}}'
    )
    # ResultPath places the result into the state's raw input, not the InputPath selection
    assert json.loads(result["output"]) == {"order": {"id": 7, "x": 1}, "shaped": {"id": 7}}
    assert json.loads(result["inspectionData"]["afterInputPath"]) == {"id": 7, "x": 1}
    assert "has no state 'Nope'" in usage_error(hello, "test-state shape Nope")
    assert json.loads(repr(result))["status"] == "SUCCEEDED"


def test_test_state_finds_nested_states_with_their_query_language(ip: Any) -> None:
    cell = (
        "QueryLanguage: JSONata\nStartAt: Each\nStates:\n  Each:\n    Type: Map\n"
        "    ItemProcessor:\n      StartAt: Inner\n      States:\n        Inner:\n"
        "          Type: Pass\n          Output: '{% $states.input * $factor %}'\n"
        "          End: true\n    End: true\n"
    )
    ip.run_cell_magic("asl", "nested", cell)
    inner = ip.run_line_magic("sfn", 'test-state nested Inner --input 4 --variables {"factor": 3}')
    assert json.loads(inner["output"]) == 12


def test_mocks_and_test_cases(hello: Any, capsys: pytest.CaptureFixture[str]) -> None:
    hello.run_cell_magic("asl", "once", task_machine("double"))
    hello.user_ns["order"] = {
        "StateMachines": {
            "hello": {"TestCases": {"Big": {"Double": "Hundred"}}},
            "once": {"TestCases": {"Big": {"T": "Hundred"}}},
        },
        "MockedResponses": {"Hundred": {"0": {"Return": {"n": 100}}}},
    }
    hello.run_line_magic("sfn", "mocks $order")
    assert capsys.readouterr().out.strip() == "Mocks loaded: hello: Big; once: Big"
    mocked = hello.run_line_magic("sfn", 'run hello --input {"n": 1} --test-case Big')
    assert mocked.output == {"n": 100}
    real = hello.run_line_magic("sfn", 'run hello --input {"n": 1}')
    assert real.output == {"n": 2}
    # the companion Runtime of the other clock gets the mocks too
    live = hello.run_line_magic("sfn", 'run once --input {"n": 1} --test-case Big --clock real')
    assert live.output == {"n": 100}
    assert "Nope" in usage_error(hello, 'run hello --input {"n": 1} --test-case Nope')
    assert "TestCases" in usage_error(hello, 'mocks {"StateMachines": {"x": {}}}')


# ------------------------------------------------------------------------------------------------
# Functions, runtime, help


def test_functions_register_and_rerunning_the_cell_replaces_them(hello: Any) -> None:
    listed = repr(hello.run_line_magic("sfn", "functions"))
    assert listed.startswith("double  ") and "(event: 'Any', context: 'Any')" in listed
    assert hello.run_line_magic("sfn", 'run hello --input {"n": 2}').output == {"n": 4}
    hello.run_cell(
        "import sfn_notebook as sfn\n"
        "@sfn.function\n"
        "def double(event, context):\n"
        "    '''Triple, in fact.'''\n"
        "    return {'n': event['n'] * 3}\n"
    )
    assert hello.run_line_magic("sfn", 'run hello --input {"n": 2}').output == {"n": 6}
    assert "Triple, in fact." in repr(hello.run_line_magic("sfn", "functions"))


def test_async_functions_take_virtual_time(ip: Any) -> None:
    import asyncio

    @sfn.function("slow")
    async def slow(event: Any, context: Any) -> Any:
        await asyncio.sleep(90)
        return event

    ip.run_cell_magic("asl", "slow", task_machine("slow"))
    ex = ip.run_line_magic("sfn", "run slow --input 1")
    assert ex.output == 1
    elapsed = ex.history[-1]["timestamp"] - ex.history[0]["timestamp"]
    assert 90 <= elapsed.total_seconds() < 91


def test_no_functions_yet(ip: Any) -> None:
    assert repr(ip.run_line_magic("sfn", "functions")).startswith("No functions registered")


def test_function_decorator_misuse(notebook: NotebookSession) -> None:
    with pytest.raises(sfn.SfnNotebookError):
        sfn.function(3)


def test_default_runtime_keeps_history_beside_the_notebook(
    notebook: NotebookSession, tmp_path: Path
) -> None:
    shell = the_shell()
    sfn.load_ipython_extension(shell)
    shell.run_cell_magic("asl", "kept", "StartAt: A\nStates:\n  A: {Type: Succeed}\n")
    shell.run_line_magic("sfn", "run kept --name one")
    assert (tmp_path / "sfn-history.sqlite").exists()
    notebook.close()
    reopened = sfn.Runtime(tmp_path / "sfn-history.sqlite")
    arn = reopened.list_state_machines()["stateMachines"][0]["stateMachineArn"]
    assert [e["name"] for e in reopened.list_executions(stateMachineArn=arn)["executions"]] == [
        "one"
    ]
    reopened.close()


def test_a_store_in_use_falls_back_to_memory_and_says_so(
    ip: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    holder = sfn.Runtime(tmp_path / "sfn-history.sqlite")
    try:
        fresh = NotebookSession()
        session._SESSION = fresh
        sfn.load_ipython_extension(ip)
        ip.run_line_magic("sfn", "runtime")
        out = capsys.readouterr().out
        assert "History kept in memory" in out and "already open" in out
        fresh.close()
    finally:
        holder.close()


def test_runtime_settings_and_misuse(
    ip: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ip.run_line_magic("sfn", "runtime")
    assert capsys.readouterr().out.strip() == (
        "Runtime: virtual clock, starting 2025-01-01T00:00:00+00:00, in memory (no store), seed 1"
    )
    ip.run_line_magic("sfn", "runtime --store mine.sqlite --clock real")
    assert capsys.readouterr().out.strip() == ("Runtime: real clock, store mine.sqlite, seed 1")
    assert (tmp_path / "mine.sqlite").exists()
    ip.user_ns["order"] = "http://127.0.0.1:1"
    ip.run_line_magic("sfn", "runtime --no-store --aws-endpoint-url $order")
    assert capsys.readouterr().out.strip().endswith("AWS services at http://127.0.0.1:1")
    assert "exclude each other" in usage_error(ip, "runtime --store x --no-store")
    assert "not an ISO 8601 time" in usage_error(ip, "runtime --start-time yesterday")
    assert "invalid int value" in usage_error(ip, "runtime --seed x")


def test_runtime_buckets_serve_an_item_reader(
    ip: Any, notebook: NotebookSession, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "items.jsonl").write_text('{"n": 1}\n{"n": 2}\n')
    ip.run_line_magic("sfn", "runtime --no-store --bucket my-bucket=data")
    assert capsys.readouterr().out.strip().endswith("buckets my-bucket=data")
    definition = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "ItemReader": {
                    "ReaderConfig": {"InputType": "JSONL"},
                    "Resource": "arn:aws:states:::s3:getObject",
                    "Parameters": {"Bucket": "my-bucket", "Key": "items.jsonl"},
                },
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                    "StartAt": "P",
                    "States": {"P": {"Type": "Pass", "End": True}},
                },
                "End": True,
            }
        },
    }
    runtime = notebook.runtime
    runtime.create_state_machine(name="reader", definition=definition)
    assert runtime.start("reader").wait().output == [{"n": 1}, {"n": 2}]
    assert "expected NAME=FOLDER" in usage_error(ip, "runtime --bucket data")


def test_help_overview_and_per_command(ip: Any, capsys: pytest.CaptureFixture[str]) -> None:
    ip.run_line_magic("sfn", "help")
    overview = capsys.readouterr().out
    assert all(f"%sfn {name}" in overview for name in registry.COMMANDS)
    assert "%%asl NAME" in overview
    ip.run_line_magic("sfn", "")
    assert capsys.readouterr().out == overview
    ip.run_line_magic("sfn", "help run")
    assert capsys.readouterr().out.startswith("usage: %sfn run")
    ip.run_line_magic("sfn", "run --help")
    assert capsys.readouterr().out.startswith("usage: %sfn run")
    ip.run_cell_magic("asl", "--help", " ")
    assert capsys.readouterr().out.startswith("usage: %%asl")
    assert "did you mean 'run'?" in usage_error(ip, "rnu")
    assert "no command 'nope'" in usage_error(ip, "help nope")


def test_every_magic_has_help_text_and_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    reference = readme[readme.index("## Magic reference") :]
    assert commands.__name__ and {"run", "history", "help"} <= set(registry.COMMANDS)
    assert registry.ASL_PARSER.description and "%%asl NAME" in reference
    for name, cmd in registry.COMMANDS.items():
        assert cmd.summary and cmd.parser.description, name
        assert cmd.help.startswith(f"usage: %sfn {name}"), name
        assert f"%sfn {name}" in reference, f"%sfn {name} is missing from the README"
    assert {"deploy", "attach"} <= set(registry.COMMANDS)  # the AWS commands too
    assert "%sfn run NAME --on aws" in reference


# ------------------------------------------------------------------------------------------------
# Errors never show our tracebacks; completion


def test_unexpected_errors_become_usage_errors_without_traceback(
    hello: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(ctx: Any, args: Any) -> Any:
        raise RuntimeError("kaput")

    monkeypatch.setattr(registry.COMMANDS["functions"], "run", broken)
    message = usage_error(hello, "functions")
    assert "failed unexpectedly: RuntimeError: kaput" in message
    result = hello.run_cell("%sfn functions")
    assert isinstance(result.error_in_exec, UsageError)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    monkeypatch.setenv("SFN_NOTEBOOK_DEBUG", "1")
    with pytest.raises(RuntimeError):
        hello.run_line_magic("sfn", "functions")


def test_library_errors_show_as_one_line(hello: Any, capsys: pytest.CaptureFixture[str]) -> None:
    result = hello.run_cell("%sfn run nope")
    assert isinstance(result.error_in_exec, UsageError)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert "UsageError: no state machine named 'nope'" in captured.out + captured.err


def _complete(ip: Any, line: str) -> list[str]:
    with warnings.catch_warnings():  # Completer.complete is "pending deprecation" since 6.0
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        return ip.Completer.complete(line_buffer=line, cursor_pos=len(line))[1]


def test_completion(hello: Any) -> None:
    hello.run_line_magic("sfn", 'run hello --input {"n": 1} --name first-run')
    assert _complete(hello, "%sfn r") == ["run", "redrive", "runtime"]
    assert _complete(hello, "%sfn de") == ["deploy"]
    assert _complete(hello, "%sfn run h") == ["hello"]
    assert _complete(hello, "%sfn history f") == ["first-run"]
    assert _complete(hello, "%sfn run hello --clock ") == ["virtual", "real"]
    assert _complete(hello, "%sfn run hello --inp") == ["--input", "--input-var"]
    assert _complete(hello, "%sfn run hello --on ") == ["local", "aws"]
    assert _complete(hello, "%sfn deploy h") == ["hello"]  # the AWS commands complete alike
    assert _complete(hello, "%sfn deploy hello --sec") == ["--secrets"]
    assert _complete(hello, "%sfn test-state hello ") == ["Double", "Rest"]
    assert _complete(hello, "%%asl h") == ["hello"]
    assert _complete(hello, "%%asl x --type ") == ["STANDARD", "EXPRESS"]
