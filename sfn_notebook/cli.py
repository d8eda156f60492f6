"""``sfn-notebook``: the command line, a thin wrapper over the Python API with the same names.

sfn-notebook validate flow.asl.json other.asl.yaml
sfn-notebook run flow.asl.yaml --input '{"n": 3}' --history
sfn-notebook executions --state-machine orders --status FAILED
sfn-notebook history EXECUTION --format csv
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from sfn_notebook.cli_store import add_commands as add_store_commands
from sfn_notebook.errors import DefinitionError, SfnNotebookError


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except OSError as exc:
        raise SfnNotebookError(f"{path}: cannot read: {exc.strerror}") from None


def cmd_validate(args: argparse.Namespace) -> int:
    """Print ``file:/pointer: CODE message`` per diagnostic; exit 1 when any is an ERROR."""
    from sfn_notebook.asl.parse import validate

    failed = False
    for path in args.files:
        diagnostics = validate(_read(path))
        for d in diagnostics:
            print(f"{path}:{d.location or '/'}: {d.code} {d.message}")
            failed = failed or d.severity == "ERROR"
        if not diagnostics:
            print(f"{path}: OK")
    return 1 if failed else 0


def _input(value: str | None) -> str | None:
    if value is None:
        return None
    return _read(value[1:]) if value.startswith("@") else value


def cmd_run(args: argparse.Namespace) -> int:
    """Run a definition; print its output (or error and cause); exit 1 unless it succeeded."""
    from sfn_notebook.runtime.run import run

    execution = run(_read(args.definition), input_json=_input(args.input), clock=args.clock)
    if args.history:
        for event in execution.history:
            print(json.dumps(event, default=str))
    if execution.status == "SUCCEEDED":
        print(json.dumps(execution.output, indent=2))
        return 0
    print(f"{execution.status}: {execution.error or ''}", file=sys.stderr)
    if execution.cause:
        print(execution.cause, file=sys.stderr)
    return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sfn-notebook", description="Run and check AWS Step Functions definitions locally."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    validate = commands.add_parser("validate", help="validate definitions like AWS does")
    validate.add_argument("files", nargs="+", metavar="FILE")
    validate.set_defaults(func=cmd_validate)
    run = commands.add_parser("run", help="run a definition once and print its output")
    run.add_argument("definition", metavar="DEFINITION", help="a .asl.json or .asl.yaml file")
    run.add_argument("--input", help="execution input: JSON text, or @file")
    run.add_argument("--clock", choices=("virtual", "real"), default="virtual")
    run.add_argument("--history", action="store_true", help="print every history event first")
    run.set_defaults(func=cmd_run)
    add_store_commands(commands)  # executions, history: reading a store
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args: Any = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except DefinitionError as exc:
        for d in exc.diagnostics:
            print(
                f"{getattr(args, 'definition', '')}:{d.location or '/'}: {d.code} {d.message}",
                file=sys.stderr,
            )
        return 2
    except SfnNotebookError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
