"""``run_file``: what the editor's "Run locally" runs in the console attached to the file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import sfn_notebook as sfn
from sfn_notebook.errors import InputFileError, SfnNotebookError
from sfn_notebook.notebook.filerun import machine_name, run_file, run_from_editor
from sfn_notebook.notebook.session import NotebookSession

YAML = """\
StartAt: Double
States:
  Double:
    Type: Task
    Resource: arn:aws:lambda:us-east-1:123456789012:function:double
    End: true
"""


@pytest.fixture
def session() -> NotebookSession:
    notebook = NotebookSession()
    notebook.configure(store=None)

    @notebook.function
    def double(event: dict, context: object) -> dict:
        return {"n": event["n"] * 2}

    yield notebook
    notebook.close()


def test_runs_a_yaml_file_with_input(tmp_path: Path, session: NotebookSession) -> None:
    path = tmp_path / "Order Intake.asl.yaml"
    path.write_text(YAML)
    execution = run_file(path, input_json='{"n": 21}', runtime=session.runtime)
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"n": 42}
    assert execution.state_machine_arn.endswith(":stateMachine:Order-Intake")
    # The display is the live ExecutionView, with the graph of this definition.
    assert execution.definition is not None
    bundle = execution._repr_mimebundle_()
    assert "text/html" in bundle


def test_a_second_run_picks_up_the_edited_file(tmp_path: Path, session: NotebookSession) -> None:
    path = tmp_path / "edit.asl.json"
    machine = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": 1, "End": True}}}
    path.write_text(json.dumps(machine))
    assert run_file(path, runtime=session.runtime).output == 1
    machine["States"]["P"]["Result"] = 2
    path.write_text(json.dumps(machine))
    assert run_file(path, runtime=session.runtime).output == 2
    arns = session.runtime.list_state_machines()["stateMachines"]
    assert [m["name"] for m in arns] == ["edit"]


def test_input_from_a_file(tmp_path: Path, session: NotebookSession) -> None:
    (tmp_path / "m.asl.yaml").write_text(YAML)
    (tmp_path / "in.json").write_text('{"n": 5}')
    execution = run_file(
        tmp_path / "m.asl.yaml", input_path=tmp_path / "in.json", runtime=session.runtime
    )
    assert execution.output == {"n": 10}


def test_user_errors_are_sfn_notebook_errors(tmp_path: Path, session: NotebookSession) -> None:
    path = tmp_path / "m.asl.yaml"
    path.write_text(YAML)
    with pytest.raises(SfnNotebookError, match="Invalid State Machine Execution Input"):
        run_file(path, input_json="{bad", runtime=session.runtime)
    with pytest.raises(InputFileError, match=r"missing\.json: cannot read"):
        run_file(path, input_path=tmp_path / "missing.json", runtime=session.runtime)
    path.write_text(YAML.replace("End: true", "Next: Nowhere"))
    with pytest.raises(sfn.DefinitionError, match="Nowhere"):
        run_file(path, runtime=session.runtime)


def test_machine_names() -> None:
    assert machine_name("a/b/orders.asl.yaml") == "orders"
    assert machine_name("x.asl.yml") == "x"
    assert machine_name("plain.json") == "plain"
    assert machine_name("[weird] name?.asl.json") == "weird-name"
    assert len(machine_name("n" * 200 + ".asl.json")) == 80


def test_from_the_editor_an_error_is_one_line(tmp_path: Path, session: NotebookSession) -> None:
    """In the console, a user's error is IPython's UsageError (shown without a traceback)."""
    from IPython.core.error import UsageError

    path = tmp_path / "m.asl.yaml"
    path.write_text(YAML.replace("End: true", "Next: Nowhere"))
    with pytest.raises(UsageError, match="Nowhere"):
        run_from_editor(str(path), runtime=session.runtime)
    path.write_text(YAML)
    assert run_from_editor(str(path), input_json='{"n": 2}', runtime=session.runtime).output == {
        "n": 4
    }
