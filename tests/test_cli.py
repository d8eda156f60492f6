"""The ``sfn-notebook`` command line: run and validate, through a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

OK = """
StartAt: Double
States:
  Double:
    Type: Pass
    Parameters:
      n.$: States.MathAdd($.n, $.n)
    End: true
"""

FAILS = """
StartAt: Boom
States:
  Boom: {Type: Fail, Error: Broken, Cause: it broke}
"""


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sfn_notebook.cli", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_run_prints_the_output(tmp_path: Path) -> None:
    path = tmp_path / "double.asl.yaml"
    path.write_text(OK)
    done = cli("run", str(path), "--input", '{"n": 21}')
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"n": 42}


def test_run_reads_input_from_a_file_and_prints_history(tmp_path: Path) -> None:
    path = tmp_path / "double.asl.yaml"
    path.write_text(OK)
    (tmp_path / "in.json").write_text('{"n": 1}')
    done = cli("run", str(path), "--input", f"@{tmp_path / 'in.json'}", "--history")
    lines = done.stdout.splitlines()
    assert json.loads(lines[0])["type"] == "ExecutionStarted"
    assert json.loads(lines[2])["type"] == "PassStateExited"


def test_run_failure_exits_non_zero_with_error_and_cause(tmp_path: Path) -> None:
    path = tmp_path / "fails.asl.yaml"
    path.write_text(FAILS)
    done = cli("run", str(path))
    assert done.returncode == 1
    assert "FAILED: Broken" in done.stderr
    assert "it broke" in done.stderr


def test_validate_prints_file_pointer_code_lines(tmp_path: Path) -> None:
    good = tmp_path / "good.asl.yaml"
    good.write_text(OK)
    bad = tmp_path / "bad.asl.json"
    bad.write_text('{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nope"}}}')
    done = cli("validate", str(good), str(bad))
    assert done.returncode == 1
    assert f"{good}: OK" in done.stdout
    assert f"{bad}:/States/A/Next: MISSING_TRANSITION_TARGET" in done.stdout


def test_invalid_definition_and_missing_file_are_reported_without_traceback(
    tmp_path: Path,
) -> None:
    bad = tmp_path / "bad.asl.json"
    bad.write_text('{"StartAt": "A", "States": {')
    done = cli("run", str(bad))
    assert done.returncode == 2
    assert "INVALID_JSON_DESCRIPTION" in done.stderr
    assert "Traceback" not in done.stderr
    missing = cli("run", str(tmp_path / "nope.json"))
    assert missing.returncode == 2
    assert "cannot read" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_bad_execution_input_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "double.asl.yaml"
    path.write_text(OK)
    done = cli("run", str(path), "--input", "{not json")
    assert done.returncode == 2
    assert "Invalid State Machine Execution Input" in done.stderr


def test_run_with_a_local_bucket(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "rows.csv").write_text("name\nAda\nGrace\n")
    definition = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "ItemReader": {
                    "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
                    "Resource": "arn:aws:states:::s3:getObject",
                    "Parameters": {"Bucket": "my-bucket", "Key": "rows.csv"},
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
    path = tmp_path / "reader.asl.json"
    path.write_text(json.dumps(definition))
    done = cli("run", str(path), "--bucket", f"my-bucket={tmp_path / 'data'}")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [{"name": "Ada"}, {"name": "Grace"}]
    bad = cli("run", str(path), "--bucket", "my-bucket")
    assert bad.returncode != 0 and "expected NAME=FOLDER" in bad.stderr
