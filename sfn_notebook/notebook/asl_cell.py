"""The ``%%asl`` cell magic's work: validate the cell, create or update the state machine.

Diagnostics name the *cell* line they are about, counting the ``%%asl`` line as line 1, as
Jupyter's line numbers do; JSON pointers are mapped to lines by
:mod:`sfn_notebook.notebook.locate`.
"""

from __future__ import annotations

import argparse
import json

from sfn_notebook.asl.parse import load_document
from sfn_notebook.errors import SfnNotebookError
from sfn_notebook.notebook.cmdline import CommandError, split_line
from sfn_notebook.notebook.registry import (
    ASL_PARSER,
    Context,
    findings_for,
    machine_arn,
    parsed_definition,
    say_notes,
)
from sfn_notebook.notebook.views import Findings, StateMachineView
from sfn_notebook.runtime.runtime import Runtime

# ------------------------------------------------------------------------------------------------
# %%asl


def define(ctx: Context, line: str, cell: str) -> StateMachineView | None:
    """The ``%%asl`` cell magic (see ASL_PARSER for its arguments)."""
    args = ASL_PARSER.parse_args(split_line(line))
    if not cell.strip():
        raise CommandError(f"%%asl {args.name}: the cell is empty; write the definition below")
    document, problems = load_document(cell)
    if not problems and isinstance(document, dict) and args.query_language:
        declared = document.get("QueryLanguage")
        if declared not in (None, args.query_language):
            raise CommandError(
                f"--query-language {args.query_language} but the cell says "
                f"QueryLanguage: {declared}"
            )
        document["QueryLanguage"] = args.query_language
    findings = findings_for(
        cell, args.name, offset=1, document=None if problems else document, cell=True
    )
    if findings.errors:
        raise CommandError(_definition_errors(args.name, cell, findings))
    runtime = ctx.runtime
    text = json.dumps(document, indent=2, ensure_ascii=False)
    summary = _create_or_update(runtime, args, text)
    ctx.session.sources[args.name] = cell
    say_notes(ctx.session)
    if findings:  # warnings only, at this point
        print(repr(findings))
    if args.no_graph:
        print(summary)
        return None
    return StateMachineView(parsed_definition(text), args.name, summary)


def _definition_errors(name: str, cell: str, findings: Findings) -> str:
    lines = cell.splitlines()
    count = len(findings.errors)
    out = [f"InvalidDefinition: {name} not created, {count} error{'s' if count > 1 else ''}:"]
    for found in findings:
        out.append(found.text(name, cell=True))
        body = found.line - 2  # cell line 2 is the first line of the body
        if 0 <= body < len(lines) and found.diagnostic.column is None:
            out.append(f"    {found.line:>3} | {lines[body]}")
    return "\n".join(out)


def _create_or_update(runtime: Runtime, args: argparse.Namespace, text: str) -> str:
    arn = machine_arn(runtime, args.name)
    role = {"roleArn": args.role_arn} if args.role_arn else {}
    try:
        current = runtime.describe_state_machine(stateMachineArn=arn)
    except SfnNotebookError:
        current = None
    note = ""
    if current is not None and current["type"] != args.type:
        # AWS cannot change a state machine's type; a notebook user re-running the cell with
        # another --type means "this one, as EXPRESS": replace it.
        runtime.delete_state_machine(stateMachineArn=arn)
        note = f" (was {current['type']}: replaced)"
        current = None
    if current is None:
        created = runtime.create_state_machine(
            name=args.name, definition=text, type=args.type, publish=True, **role
        )
        version, verb = created["stateMachineVersionArn"].rsplit(":", 1)[1], "created"
    elif current["definition"] == text and (not role or current["roleArn"] == args.role_arn):
        versions = runtime.list_state_machine_versions(stateMachineArn=arn)
        listed = versions["stateMachineVersions"]
        version = listed[0]["stateMachineVersionArn"].rsplit(":", 1)[1] if listed else "-"
        verb = "unchanged"
    else:
        updated = runtime.update_state_machine(
            stateMachineArn=arn, definition=text, publish=True, **role
        )
        version, verb = updated["stateMachineVersionArn"].rsplit(":", 1)[1], "updated"
    states = len(parsed_definition(text).walk())
    return f"{args.name}: {verb}, version {version}, {states} states, {args.type}{note}"
