"""AWS's size limits on what a user hands over, at every door: the Python API, the CLI (a real
subprocess), the magics (IPython's InteractiveShell) and the JupyterLab server's routes.

A definition is at most 1 MiB (the text, and the JSON that YAML aliases expand to: a few hundred
bytes of nested aliases are billions of values); execution input at most 256 KiB. Files are read
up to the limit and no further, and a file that is not UTF-8 is named with the offending byte.
"""

from __future__ import annotations

import itertools
import json
import os
import resource
import socket
import subprocess
import sys
import time
import tracemalloc
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from IPython.core.error import UsageError

import sfn_notebook as sfn
from sfn_notebook.asl.parse import DEFINITION_LIMIT
from sfn_notebook.engine.history import PAYLOAD_LIMIT
from sfn_notebook.labext.graph import graph_reply, validate_reply
from sfn_notebook.notebook import session
from sfn_notebook.notebook.session import NotebookSession

ROOT = Path(__file__).resolve().parents[1]


def alias_bomb(levels: int, width: int, size: int) -> str:
    """``a: &a [x, x, ...]``, ``b: &b [*a, *a, ...]``, ...: ``width ** levels`` values, padded with
    a comment to exactly ``size`` bytes."""
    names = "abcdefghij"
    lines = [f"{names[0]}: &{names[0]} [{', '.join(['x'] * width)}]"]
    for previous, name in itertools.pairwise(names[:levels]):
        lines.append(f"{name}: &{name} [{', '.join(['*' + previous] * width)}]")
    text = "\n".join(lines) + "\n"
    room = size - len(text)
    assert room >= 0
    return text + ("\n" if room == 1 else "#" + "-" * (room - 2) + "\n" if room else "")


# The two reported: 8 s and 267 MB in sfn.validate; minutes and 7 GB in the Jupyter server.
BOMB_305 = alias_bomb(8, 8, 305)  # 8**8: 16.8 million values
BOMB_387 = alias_bomb(9, 9, 387)  # 9**9: 387 million values
BOMBS = [pytest.param(BOMB_305, id="305-bytes"), pytest.param(BOMB_387, id="387-bytes")]


def test_the_bombs_are_the_reported_sizes() -> None:
    assert [len(BOMB_305.encode()), len(BOMB_387.encode())] == [305, 387]


def bounded(call: Callable[[], Any]) -> Any:
    """``call()``, asserting it took under a second and under 10 MB of Python memory at peak."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = call()
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert seconds < 1.0, f"took {seconds:.2f} s"
    assert peak < 10_000_000, f"peaked at {peak / 1e6:.1f} MB"
    return result


def too_large(diagnostics: list[sfn.Diagnostic]) -> sfn.Diagnostic:
    [diagnostic] = diagnostics
    assert (diagnostic.code, diagnostic.location) == ("DEFINITION_TOO_LARGE", "/")
    assert "Member must have length less than or equal to 1048576" in diagnostic.message
    return diagnostic


# ------------------------------------------------------------------------------------------------
# The Python API


@pytest.mark.parametrize("bomb", BOMBS)
def test_validate_refuses_an_alias_bomb_before_building_it(bomb: str) -> None:
    diagnostic = too_large(bounded(lambda: sfn.validate(bomb)))
    assert "expands the definition past 1048576 characters of JSON at line" in diagnostic.message


@pytest.mark.parametrize("bomb", BOMBS)
def test_parse_refuses_an_alias_bomb(bomb: str) -> None:
    def parse() -> sfn.DefinitionError:
        with pytest.raises(sfn.DefinitionError) as raised:
            sfn.parse(bomb)
        return raised.value

    too_large(bounded(parse).diagnostics)


def test_a_bomb_inside_a_state_names_the_alias_and_its_line() -> None:
    text = (
        "StartAt: P\n"
        "States:\n"
        "  P:\n"
        "    Type: Pass\n"
        "    Result:\n"
        "      a: &a [x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x]\n"
        "      b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "      c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
        "      d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        "      e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
        "    End: true\n"
    )
    diagnostic = too_large(bounded(lambda: sfn.validate(text)))
    # Each *d weighs about 270,000 (16**4 quoted strings); a, b, c and d themselves weigh
    # 289,000, so the third *d in e is the one that takes the document past 1 MiB.
    assert "alias *d expands the definition past" in diagnostic.message
    assert "at line 10 column 19" in diagnostic.message


def test_aliases_within_the_limit_are_expanded() -> None:
    text = (
        "StartAt: P\n"
        "States:\n"
        "  P:\n"
        "    Type: Pass\n"
        "    Result: {a: &a [x, x, x], b: &b [*a, *a, *a], c: [*b, *b, *b]}\n"
        "    End: true\n"
    )
    assert sfn.run(text).output["c"] == [[["x"] * 3] * 3] * 3


def test_a_dict_sharing_one_list_many_times_is_refused_like_yaml_aliases() -> None:
    part: Any = ["x"] * 10
    for _ in range(9):
        part = [part] * 10  # 10**10 strings, built from 100 list slots
    document = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": part, "End": True}}}
    started = time.perf_counter()
    [diagnostic] = sfn.validate(document)
    assert time.perf_counter() - started < 2  # the copy stops at 1 MiB
    assert diagnostic.code == "DEFINITION_TOO_LARGE"
    assert "/States/P/Result/0/0" in diagnostic.message


def padded_definition(size: int, filler: str = " ") -> str:
    """A valid JSON definition of exactly ``size`` UTF-8 bytes (``filler`` is 1 or 2 bytes)."""
    head = '{"StartAt": "A", "States": {"A": {"Type": "Succeed"}}, "Comment": "'
    room = size - len(head.encode()) - 2
    return (
        head + filler * (room // len(filler.encode())) + " " * (room % len(filler.encode())) + '"}'
    )


def test_definition_text_up_to_1_mib_is_accepted_and_one_byte_more_refused() -> None:
    at_limit = padded_definition(DEFINITION_LIMIT)
    assert len(at_limit.encode()) == DEFINITION_LIMIT
    assert sfn.validate(at_limit) == []
    too_large(sfn.validate(padded_definition(DEFINITION_LIMIT + 1)))
    too_large(sfn.validate(padded_definition(DEFINITION_LIMIT + 1).encode()))


def test_definition_size_counts_utf8_bytes() -> None:
    text = padded_definition(DEFINITION_LIMIT + 2, "é")
    assert len(text) < DEFINITION_LIMIT < len(text.encode())
    diagnostic = too_large(sfn.validate(text))
    assert f"the text is {DEFINITION_LIMIT + 2:,} bytes" in diagnostic.message


def test_runtime_refuses_an_oversized_definition_at_create() -> None:
    runtime = sfn.Runtime(store=None)
    try:
        with pytest.raises(sfn.DefinitionError) as raised:
            runtime.create_state_machine(
                name="big",
                definition=BOMB_387,
                roleArn="arn:aws:iam::123456789012:role/r",
            )
        too_large(raised.value.diagnostics)
    finally:
        runtime.close()


# ------------------------------------------------------------------------------------------------
# The CLI, as a subprocess whose address space is capped at 512 MiB (the 387-byte bomb used to
# grow past 7 GB; /dev/zero was read until the OOM killer came)


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    cap = 512 * 1024 * 1024

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    return subprocess.run(
        [sys.executable, "-m", "sfn_notebook.cli", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        preexec_fn=limit_memory,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


@pytest.mark.parametrize("bomb", BOMBS)
def test_cli_validate_refuses_an_alias_bomb(bomb: str, tmp_path: Path) -> None:
    path = tmp_path / "bomb.asl.yaml"
    path.write_text(bomb)
    started = time.monotonic()
    done = cli("validate", str(path))
    assert time.monotonic() - started < 20
    assert done.returncode == 1, done.stderr
    assert f"{path}:/: DEFINITION_TOO_LARGE 1 validation error detected" in done.stdout
    assert "Traceback" not in done.stderr


def test_cli_validate_dev_zero_is_read_up_to_the_limit() -> None:
    done = cli("validate", "/dev/zero")
    assert done.returncode == 2
    assert (
        done.stderr
        == "error: /dev/zero: over the 1,048,576-byte limit for a state machine definition on AWS\n"
    )


def test_cli_run_input_from_dev_zero_is_read_up_to_256_kib(tmp_path: Path) -> None:
    path = tmp_path / "ok.asl.json"
    path.write_text('{"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}')
    done = cli("run", str(path), "--input", "@/dev/zero")
    assert done.returncode == 2
    assert (
        done.stderr == "error: /dev/zero: over the 262,144-byte limit for execution input on AWS\n"
    )
    assert PAYLOAD_LIMIT == 262_144


def test_cli_input_file_of_exactly_256_kib_is_read(tmp_path: Path) -> None:
    path = tmp_path / "ok.asl.json"
    path.write_text('{"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}')
    data = tmp_path / "in.json"
    data.write_text(json.dumps({"s": "x" * (PAYLOAD_LIMIT - 9)}))
    assert data.stat().st_size == PAYLOAD_LIMIT
    done = cli("run", str(path), "--input", f"@{data}")
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["s"]) == PAYLOAD_LIMIT - 9


def test_cli_names_a_file_that_is_not_utf8_and_validates_the_others(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"StartAt": "\xe9t\xe9"}')  # Latin-1, as an old editor saves it
    good = tmp_path / "good.json"
    good.write_text('{"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}')
    done = cli("validate", str(bad), str(good))
    assert done.returncode == 2
    assert done.stderr == (
        f"error: {bad}: not UTF-8 text (byte 0xe9 at offset 13: invalid continuation byte)\n"
    )
    assert done.stdout == f"{good}: OK\n"


def test_cli_run_names_a_definition_that_is_not_utf8(tmp_path: Path) -> None:
    bad = tmp_path / "bad.asl.yaml"
    bad.write_bytes(b"StartAt: A\nStates: {A: {Type: Succeed}}\n# \xff\n")
    done = cli("run", str(bad))
    assert done.returncode == 2
    assert (
        done.stderr
        == f"error: {bad}: not UTF-8 text (byte 0xff at offset 42: invalid start byte)\n"
    )


# ------------------------------------------------------------------------------------------------
# The magics


@pytest.fixture
def ip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.testing.globalipapp import start_ipython

    monkeypatch.chdir(tmp_path)
    fresh = NotebookSession()
    monkeypatch.setattr(session, "_SESSION", fresh)
    start_ipython()
    shell = InteractiveShell.instance()
    sfn.load_ipython_extension(shell)
    shell.run_line_magic("sfn", "runtime --no-store")
    shell.run_cell_magic("asl", "ok", "StartAt: A\nStates: {A: {Type: Pass, End: true}}\n")
    yield shell
    fresh.close()


def usage_error(ip: Any, line: str) -> str:
    with pytest.raises(UsageError) as caught:
        ip.run_line_magic("sfn", line)
    return str(caught.value)


def test_magic_run_input_from_dev_zero_is_read_up_to_256_kib(ip: Any) -> None:
    message = bounded(lambda: usage_error(ip, "run ok --input @/dev/zero"))
    assert message == "--input: /dev/zero: over the 262,144-byte limit for a payload on AWS"


def test_magic_run_on_aws_input_from_dev_zero_is_refused_before_any_call(ip: Any) -> None:
    message = usage_error(ip, "run ok --on aws --input @/dev/zero")
    assert "/dev/zero: over the 262,144-byte limit" in message


def test_magic_input_file_that_is_not_utf8(ip: Any, tmp_path: Path) -> None:
    (tmp_path / "in.json").write_bytes(b'{"name": "Jos\xe9"}')
    message = usage_error(ip, "run ok --input @in.json")
    assert (
        message
        == "--input: in.json: not UTF-8 text (byte 0xe9 at offset 13: invalid continuation byte)"
    )


def test_magic_validate_file_that_is_too_large_or_not_utf8(ip: Any, tmp_path: Path) -> None:
    (tmp_path / "big.asl.json").write_text(padded_definition(DEFINITION_LIMIT + 1))
    assert usage_error(ip, "validate big.asl.json") == (
        "big.asl.json: over the 1,048,576-byte limit for a state machine definition on AWS"
    )
    (tmp_path / "latin1.asl.yaml").write_bytes(b"Comment: caf\xe9\n")
    assert "latin1.asl.yaml: not UTF-8 text (byte 0xe9 at offset 12" in usage_error(
        ip, "validate latin1.asl.yaml"
    )


def test_magic_validate_an_alias_bomb_file(ip: Any, tmp_path: Path) -> None:
    (tmp_path / "bomb.asl.yaml").write_text(BOMB_387)
    found = bounded(lambda: ip.run_line_magic("sfn", "validate bomb.asl.yaml"))
    [finding] = found.errors
    assert finding.diagnostic.code == "DEFINITION_TOO_LARGE"
    assert finding.line == 6  # the line the YAML parser names, not the top of the file


def test_asl_cell_with_an_alias_bomb_is_refused(ip: Any) -> None:
    def run() -> str:
        with pytest.raises(UsageError) as caught:
            ip.run_cell_magic("asl", "bomb", BOMB_387)
        return str(caught.value)

    assert "DEFINITION_TOO_LARGE" in bounded(run)


def test_mock_config_file_that_is_not_utf8(ip: Any, tmp_path: Path) -> None:
    (tmp_path / "MockConfigFile.json").write_bytes(b'{"StateMachines": {}, "\xff": 1}')
    message = usage_error(ip, "mocks MockConfigFile.json")
    assert "MockConfigFile.json: not UTF-8 text (byte 0xff at offset 23" in message


# ------------------------------------------------------------------------------------------------
# The JupyterLab extension: the replies the routes send, and the routes on a real server


@pytest.mark.parametrize("bomb", BOMBS)
def test_labext_replies_refuse_an_alias_bomb(bomb: str) -> None:
    for reply in (bounded(lambda: validate_reply(bomb)), bounded(lambda: graph_reply(bomb))):
        [diagnostic] = reply["diagnostics"]
        assert diagnostic["code"] == "DEFINITION_TOO_LARGE"
        assert reply["states"] == []


class JupyterServer:
    """``jupyter server`` with this checkout's extension, in a subprocess of its own."""

    def __init__(self, root: Path, home: Path) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.token = "limits-test"
        self.log = (home / "server.log").open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyter_server",
                "--no-browser",
                "--ip=127.0.0.1",
                f"--port={self.port}",
                f"--IdentityProvider.token={self.token}",
                f"--ServerApp.root_dir={root}",
                "--ServerApp.allow_root=True",
            ],
            env={
                **os.environ,
                "PYTHONPATH": str(ROOT),
                "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
            },
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def post(self, route: str, body: dict[str, Any], timeout: float = 30) -> Any:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/sfn-notebook/api/{route}",
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "jupyter server exited"
            try:
                self.post("validate", {"text": "StartAt: A"}, timeout=5)
                return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        raise AssertionError(f"jupyter server not ready after {timeout} s")

    def stop(self) -> None:
        self.process.terminate()  # only the process this fixture started
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterServer]:
    running = JupyterServer(tmp_path_factory.mktemp("root"), tmp_path_factory.mktemp("home"))
    try:
        running.wait_ready()
        yield running
    finally:
        running.stop()


@pytest.mark.parametrize("route", ["validate", "graph"])
@pytest.mark.parametrize("bomb", BOMBS)
def test_labext_routes_refuse_an_alias_bomb_at_once(
    server: JupyterServer, route: str, bomb: str
) -> None:
    started = time.monotonic()
    reply = server.post(route, {"text": bomb})
    assert time.monotonic() - started < 5
    assert [d["code"] for d in reply["diagnostics"]] == ["DEFINITION_TOO_LARGE"]
    # ... and the server answers the next request as before
    ok = server.post(
        route, {"text": "StartAt: A\nStates: {A: {Type: Pass, Result: No, End: true}}"}
    )
    assert ok["diagnostics"] == []
