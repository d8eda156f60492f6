"""Run a definition file on the kernel's Runtime: what JupyterLab's "Run locally" calls.

The editor's command (labextension/src/run.ts) saves the file and runs, in a Python console
attached to it (the console's kernel starts in the file's folder)::

    from sfn_notebook.notebook.filerun import run_from_editor
    run_from_editor("orders.asl.yaml", input_json='{"id": 7}')

which is :func:`run_file` with a user's error shown as one line, as ``%sfn`` shows it.

The state machine is named after the file (``orders``) and created on, or updated in, the
kernel's default Runtime (:func:`sfn_notebook.default_runtime`, the one ``%sfn`` and
``@sfn.function`` use), so Python functions registered in that console serve its Lambda Tasks
and ``%sfn history`` finds the run. The returned :class:`~sfn_notebook.runtime.execution.Execution`
displays as the live ExecutionView.

>>> import os, tempfile
>>> from sfn_notebook.notebook.session import NotebookSession
>>> folder = tempfile.mkdtemp()
>>> path = os.path.join(folder, "hello.asl.json")
>>> _ = open(path, "w").write('{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}')
>>> rt = NotebookSession().configure(store=None)
>>> run_file(path, input_json='{"n": 1}', runtime=rt).wait().output
{'n': 1}
>>> machine_name("flows/Order Intake.asl.yaml")
'Order-Intake'
"""

from __future__ import annotations

import os
import re
from typing import Any

from sfn_notebook.asl.parse import DEFINITION_LIMIT
from sfn_notebook.errors import InputFileError, SfnNotebookError
from sfn_notebook.notebook.registry import parsed_definition
from sfn_notebook.notebook.session import session
from sfn_notebook.runtime.execution import Execution
from sfn_notebook.runtime.identity import check_name, state_machine_arn
from sfn_notebook.runtime.runtime import Runtime
from sfn_notebook.textfile import read_text

#: An execution's input is at most 256 KiB on AWS; a bigger file is refused before it is read.
INPUT_LIMIT = 256 * 1024
#: How long ``run_file`` waits for the execution before it returns (the view is live anyway).
WAIT_SECONDS = 2.0

_SUFFIXES = (".asl.json", ".asl.yaml", ".asl.yml", ".json", ".yaml", ".yml")
# AWS refuses whitespace, brackets, wildcards and these in names (identity.check_name).
_UNSAFE = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]+")


def machine_name(path: str | os.PathLike[str]) -> str:
    """The state machine name for a definition file: its base name, without the ``.asl.*`` suffix,
    made a valid name (characters AWS refuses become ``-``; at most 80 characters)."""
    base = os.path.basename(os.fspath(path))
    for suffix in _SUFFIXES:
        if base.lower().endswith(suffix):
            base = base[: -len(suffix)]
            break
    name = _UNSAFE.sub("-", base).strip("-")[:80] or "state-machine"
    return check_name(name, "state machine name")


def run_file(
    path: str | os.PathLike[str],
    *,
    input_json: str | None = None,
    input_path: str | os.PathLike[str] | None = None,
    runtime: Runtime | None = None,
    wait: float | None = WAIT_SECONDS,
) -> Execution:
    """Create or update the file's state machine on ``runtime`` and start an execution.

    The input is ``input_json`` (JSON text) or the content of ``input_path``; ``{}`` without
    either. Invalid JSON input is AWS's ``InvalidExecutionInput``; an invalid definition is
    AWS's ``InvalidDefinition`` naming the state and field. Waits at most ``wait`` seconds
    (None: until the end) so a quick run is displayed finished.
    """
    if input_json is not None and input_path is not None:
        raise InputFileError("run_file takes input_json or input_path, not both")
    if input_path is not None:
        input_json = read_text(input_path, INPUT_LIMIT, what="an execution's input")
    rt = runtime if runtime is not None else session().runtime
    name = machine_name(path)
    text = read_text(path, DEFINITION_LIMIT, what="a state machine definition on AWS")
    arn = _define(rt, name, text)
    started = rt.start_execution(stateMachineArn=arn, input=input_json)
    execution = rt.execution(started["executionArn"])
    if getattr(execution, "definition", False) is None:
        execution.definition = parsed_definition(text)
    if runtime is None:
        session().last_execution = execution
    return execution.wait(wait)


def run_from_editor(path: str, **options: Any) -> Execution:
    """:func:`run_file` for the editor's console: an error of ours (an invalid definition or
    input, a missing file) is IPython's one-line UsageError, as ``%sfn`` shows it, not a
    traceback."""
    from sfn_notebook.notebook.magics import _guarded

    return _guarded(lambda: run_file(path, **options))  # type: ignore[no-any-return]


def _define(rt: Runtime, name: str, text: str) -> str:
    """Create the state machine, or update its definition if it exists; returns its ARN."""
    arn = state_machine_arn(name, rt.region, rt.account)
    try:
        current = rt.describe_state_machine(stateMachineArn=arn)
    except SfnNotebookError:
        return str(rt.create_state_machine(name=name, definition=text)["stateMachineArn"])
    if current["definition"] != text:
        rt.update_state_machine(stateMachineArn=arn, definition=text)
    return arn


__all__ = ["machine_name", "run_file", "run_from_editor"]
