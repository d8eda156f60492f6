"""``sfn-notebook``: the command line, a thin wrapper over the Python API with the same names.

sfn-notebook validate flow.asl.json other.asl.yaml
sfn-notebook run flow.asl.yaml --input '{"n": 3}' --history
sfn-notebook executions --state-machine orders --status FAILED
sfn-notebook history EXECUTION --format csv
sfn-notebook test flow.asl.json --mock-config MockConfigFile.json --coverage
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from sfn_notebook.cli_store import add_commands as add_store_commands
from sfn_notebook.errors import DefinitionError, InputFileError, SfnNotebookError
from sfn_notebook.textfile import read_text


def _read(path: str) -> str:
    """A definition file's text; AWS takes at most 1 MiB."""
    from sfn_notebook.asl.parse import DEFINITION_LIMIT

    return read_text(path, DEFINITION_LIMIT, what="a state machine definition on AWS")


def cmd_validate(args: argparse.Namespace) -> int:
    """Print ``file:/pointer: CODE message`` per diagnostic; exit 1 when any is an ERROR, 2 when
    a file could not be read (the others are still validated)."""
    from sfn_notebook.asl.parse import validate

    failed = unreadable = False
    for path in args.files:
        try:
            text = _read(path)
        except InputFileError as exc:
            print(f"error: {exc}", file=sys.stderr)
            unreadable = True
            continue
        diagnostics = validate(text)
        for d in diagnostics:
            print(f"{path}:{d.location or '/'}: {d.code} {d.message}")
            failed = failed or d.severity == "ERROR"
        if not diagnostics:
            print(f"{path}: OK")
    return 2 if unreadable else 1 if failed else 0


def _input(value: str | None) -> str | None:
    """``--input``: JSON text, or ``@file``, read up to AWS's 256 KiB limit on execution input."""
    if value is None or not value.startswith("@"):
        return value
    from sfn_notebook.engine.history import PAYLOAD_LIMIT

    return read_text(value[1:], PAYLOAD_LIMIT, what="execution input on AWS")


def cmd_run(args: argparse.Namespace) -> int:
    """Run a definition; print its output (or error and cause); exit 1 unless it succeeded."""
    from sfn_notebook.runtime.run import run

    buckets = {}
    for text in args.bucket or []:
        name, sep, folder = text.partition("=")
        if not sep or not name or not folder:
            raise SfnNotebookError(f"--bucket: expected NAME=FOLDER, not {text!r}")
        buckets[name] = folder
    execution = run(
        _read(args.definition),
        input_json=_input(args.input),
        clock=args.clock,
        buckets=buckets or None,
    )
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


def cmd_test(args: argparse.Namespace) -> int:
    """Run a MockConfigFile's test cases (testing.run_test_cases); print one line per case and,
    with ``--coverage``, the coverage report; exit 1 when a case failed or coverage is short."""
    from sfn_notebook.analysis.coverage import Coverage
    from sfn_notebook.testing.cases import run_test_cases

    text = _read(args.definition)
    given = _input(args.input)
    try:
        value = None if given is None else json.loads(given)
    except ValueError as exc:
        raise SfnNotebookError(f"--input is not JSON: {exc}") from None
    results = run_test_cases(
        text,
        args.mock_config,
        state_machine=args.state_machine,
        cases=args.case or None,
        input=value,
    )
    for result in results:
        print(result.summary())
    failed = sum(not r.passed for r in results)
    print(f"{len(results) - failed} passed, {failed} failed")
    short = False
    if args.coverage or args.fail_under is not None:
        coverage = Coverage.of(text)
        for result in results:
            coverage.add(result.execution.history)
        print(coverage.report())
        if args.fail_under is not None and coverage.percent < args.fail_under:
            print(f"coverage {coverage.percent}% is below {args.fail_under:g}%", file=sys.stderr)
            short = True
    return 1 if failed or short else 0


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
    run.add_argument(
        "--bucket",
        action="append",
        metavar="NAME=FOLDER",
        help="serve S3 bucket NAME from a local folder (ItemReader, ResultWriter); repeatable",
    )
    run.set_defaults(func=cmd_run)
    test = commands.add_parser("test", help="run the test cases of a MockConfigFile")
    test.add_argument("definition", metavar="DEFINITION", help="a .asl.json or .asl.yaml file")
    test.add_argument("--mock-config", required=True, metavar="FILE", help="MockConfigFile.json")
    test.add_argument(
        "--case", action="append", metavar="NAME", help="only this test case (repeatable)"
    )
    test.add_argument("--state-machine", metavar="NAME", help="its name in the MockConfigFile")
    test.add_argument("--input", help="execution input: JSON text, or @file")
    test.add_argument("--coverage", action="store_true", help="print the coverage report")
    test.add_argument("--fail-under", type=float, metavar="PERCENT", help="minimum coverage")
    test.set_defaults(func=cmd_test)
    add_store_commands(commands)  # executions, history: reading a store
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """The ``sfn-notebook`` command; returns its exit status (2 for a definition's errors).

    >>> import json, os, tempfile
    >>> with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
    ...     json.dump({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}, f)
    >>> main(["validate", f.name])  # doctest: +ELLIPSIS
    /...json: OK
    0
    >>> os.remove(f.name)
    """
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
