"""What the browser tests share: JupyterLab / Notebook 7 servers on 127.0.0.1, Debian's headless
Chromium driven by the ``playwright`` package, notebooks written and run, theme switches.

Not a test module (pytest collects ``test_*.py`` only): the ``tests/test_*_browser.py`` files
import it (``tests/`` is on ``sys.path`` as pytest's rootdir-less test folder). Fixtures are
taken into a test module by assignment, e.g. ``server = support.server``. Two kinds of server:

- :func:`server` (function scope, ``lab`` and ``notebook``): a server with a kernel, fixed
  :data:`TOKEN`, for the execution views; open a notebook with :func:`notebook_page`.
- :func:`lab` is each module's own (its files); :class:`LabServer` is the JupyterLab it starts
  for the extension, with :func:`browser` (module scope) and :func:`page`.

Nothing here downloads a browser (never ``playwright install``: offline it fails); without
``/usr/bin/chromium`` (or ``$SFN_CHROMIUM``) or playwright the tests skip and say why.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "test-output"
CHROMIUM = os.environ.get("SFN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TOKEN = "sfn-widgets-test"  # the kernel servers' token (the extension's LabServer draws its own)
TIMEOUT_MS = 30_000  # the extension pages' default timeout


def playwright_or_skip() -> Any:
    """At a module's top: skip the whole module without Chromium or playwright, else return
    ``playwright.sync_api``."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not found (apt-get install chromium)", allow_module_level=True)
    return pytest.importorskip("playwright.sync_api", reason="pip install playwright")


def launch(p: Any) -> Any:
    """Headless Chromium from a ``sync_playwright()`` instance ``p``."""
    return p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


# ------------------------------------------------------------------------------------------------
# JupyterLab / Notebook 7 with a kernel (the execution views)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_notebook(path: Path, cells: list[str]) -> None:
    """A Python 3 notebook of code cells, not run yet."""
    path.write_text(
        json.dumps(
            {
                "cells": [
                    {"cell_type": "code", "metadata": {}, "source": c, "outputs": [],
                     "execution_count": None}
                    for c in cells
                ],
                "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                            "language": "python"}},
                "nbformat": 4,
                "nbformat_minor": 5,
            }
        )
    )  # fmt: skip


def user_settings(folder: Path) -> None:
    """Start kernels without the "Select Kernel" dialog; no news toast over the screenshots."""
    tracker = folder / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True, exist_ok=True)
    tracker.write_text(json.dumps({"autoStartDefaultKernel": True}))
    news = folder / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True, exist_ok=True)
    news.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))


def jupyter_server(app: str, tmp: Path) -> Iterator[str]:
    """``jupyter lab`` or ``jupyter notebook`` serving ``tmp/root``; yields its base URL."""
    port = free_port()
    root = tmp / "root"
    root.mkdir()
    settings = tmp / "settings"
    user_settings(settings)
    env = dict(
        os.environ, JUPYTER_CONFIG_DIR=str(tmp / "config"), JUPYTER_RUNTIME_DIR=str(tmp / "rt")
    )
    cls = "LabApp" if app == "lab" else "JupyterNotebookApp"
    command = [
        sys.executable, "-m", "jupyter", app, "--no-browser", "--allow-root",
        "--ip=127.0.0.1", f"--port={port}", f"--ServerApp.token={TOKEN}",
        f"--ServerApp.root_dir={root}", f"--{cls}.user_settings_dir={settings}",
        f"--{cls}.workspaces_dir={tmp / 'workspaces'}", f"--{cls}.expose_app_in_browser=True",
    ]  # fmt: skip
    log = (tmp / f"{app}.log").open("w")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"jupyter {app} did not start:\n{(tmp / f'{app}.log').read_text()}")
                time.sleep(0.2)
        yield base
    finally:
        # Only the process this fixture started, by its pid.
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(params=["lab", "notebook"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    """``(app, base URL, root folder)`` of a JupyterLab or Notebook 7 server with a kernel."""
    app = request.param
    found = shutil.which("jupyter-notebook", path=str(Path(sys.executable).parent))
    if app == "notebook" and found is None:
        pytest.skip("Notebook 7 is not installed (pip install notebook)")
    for base in jupyter_server(app, tmp_path):
        yield app, base, tmp_path / "root"


def open_notebook(page: Any, base: str, app: str, name: str) -> None:
    """Open ``name`` (in the server's root) and wait for its kernel to be idle."""
    path = f"lab/tree/{name}" if app == "lab" else f"notebooks/{name}"
    page.goto(f"{base}/{path}?token={TOKEN}")
    page.wait_for_function(
        """() => {
            const sc = window.jupyterapp?.shell?.currentWidget?.sessionContext;
            const k = sc?.session?.kernel;
            return sc?.isReady && k?.connectionStatus === 'connected' && k.status === 'idle';
        }""",
        timeout=90_000,
    )


def run_all(page: Any) -> None:
    # Fire and forget: awaiting the command inside evaluate can hang behind a dialog.
    page.evaluate("() => { void window.jupyterapp.commands.execute('notebook:run-all-cells'); }")


def open_and_run(page: Any, base: str, app: str, name: str) -> None:
    open_notebook(page, base, app, name)
    run_all(page)


def track_errors(page: Any, errors: list[str], console: bool = False) -> None:
    """Collect the page's uncaught errors and dialogs (and console errors) into ``errors``."""
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda dialog: errors.append(f"dialog: {dialog.message}"))
    if console:
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)


@contextlib.contextmanager
def notebook_page(
    server: tuple[str, str, Path],
    name: str,
    cells: list[str] | None = None,
    *,
    height: int,
    timeout: int = 60_000,
    run: bool = True,
    errors: list[str] | None = None,
    console: bool = False,
    failure_shot: str | None = None,
) -> Iterator[Any]:
    """A Chromium page (1300 px wide) on notebook ``name`` of ``server``, all its cells run.

    ``cells`` are written as the notebook first (else it must be in the root already);
    ``run=False`` opens it only; ``errors`` collects page errors (:func:`track_errors`);
    ``failure_shot`` names a screenshot in test-output/ taken when the block raises.

        with notebook_page(server, "views.ipynb", CELLS, height=2000) as page:
            page.wait_for_selector(".sfn-header[data-status='SUCCEEDED']", timeout=90_000)
    """
    from playwright.sync_api import sync_playwright

    app, base, root = server
    if cells is not None:
        write_notebook(root / name, cells)
    OUTPUT.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 1300, "height": height})
            page.set_default_timeout(timeout)
            if errors is not None:
                track_errors(page, errors, console)
            try:
                open_notebook(page, base, app, name)
                if run:
                    run_all(page)
                yield page
            except Exception:
                if failure_shot:
                    page.screenshot(path=str(OUTPUT / failure_shot), full_page=True)
                raise
        finally:
            browser.close()


def theme(page: Any, name: str) -> None:
    """Switch JupyterLab's theme ("JupyterLab Dark", …) and let its stylesheet apply."""
    page.evaluate(
        "(t) => { void window.jupyterapp.commands.execute('apputils:change-theme', {theme: t}); }",
        name,
    )
    page.wait_for_function(
        "(t) => document.body.dataset.jpThemeName === t", arg=name, timeout=30_000
    )
    time.sleep(0.5)


# ------------------------------------------------------------------------------------------------
# JupyterLab for the extension: its own settings, a random token, one per module


# Keep the first screen clean and kernel-free: no news toast, no "Select Kernel" dialog.
OVERRIDES = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension:tracker": {"autoStartDefaultKernel": True},
}


class LabServer:
    """A JupyterLab subprocess with its own settings, workspaces and runtime directories."""

    def __init__(self, root: Path, home: Path) -> None:
        self.root = root
        self.token = secrets.token_hex(16)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        settings = home / "app-settings"
        settings.mkdir(parents=True)
        (settings / "overrides.json").write_text(json.dumps(OVERRIDES))
        env = {
            **os.environ,
            # A user's saved workspace would reopen their files; a fresh one per run.
            "JUPYTERLAB_SETTINGS_DIR": str(home / "user-settings"),
            "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
            "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        }
        self.log_path = home / "server.log"
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyterlab",
                "--no-browser",
                "--ip=127.0.0.1",
                f"--port={self.port}",
                f"--IdentityProvider.token={self.token}",
                f"--ServerApp.root_dir={root}",
                "--ServerApp.allow_root=True",
                "--LabApp.expose_app_in_browser=True",
                f"--LabApp.app_settings_dir={settings}",
            ],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited:\n{self.log()}")
            try:
                self.request("GET", "/api/status")
                return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        raise RuntimeError(f"jupyter lab not ready after {timeout} s:\n{self.log()}")

    def request(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + path,
            data=data,
            method=method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text()[-5000:]

    def stop(self) -> None:
        # Only the process this fixture started, by its pid.
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()


@contextlib.contextmanager
def running_lab(root: Path, home: Path) -> Iterator[LabServer]:
    """A :class:`LabServer` on ``root``, ready, stopped on exit (for a module's ``lab`` fixture)."""
    lab = LabServer(root, home)
    try:
        lab.wait_ready()
        yield lab
    finally:
        lab.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium per module; the browser tests skip without it or playwright."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not found: apt-get install -y chromium (browser tests skipped)")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="the Python playwright package is not installed"
    )
    with sync_api.sync_playwright() as p:
        instance = launch(p)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def page(browser: Any, lab: LabServer) -> Iterator[Any]:
    """A fresh page (1400 x 900) whose ``page.errors`` lists page errors and our console errors."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # Console errors from other extensions are not ours to judge; any mentioning us are.
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and "sfn" in message.text.lower()
            else None
        ),
    )
    page.errors = errors
    try:
        yield page
    finally:
        context.close()


def open_lab(page: Any, lab: LabServer, path: str) -> None:
    page.goto(f"{lab.url}/lab/tree/{path}?token={lab.token}&reset")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget")


def wait_ready(page: Any, revision_text: str | None = None) -> Any:
    """The current split view once its graph has been drawn (optionally: for this status text)."""
    panel = page.locator(".jp-MainAreaWidget:not(.lm-mod-hidden) .sfn-GraphPanel").first
    panel.locator(".sfn-GraphPanel-canvas svg").wait_for()
    page.wait_for_function(
        """([text]) => {
            const p = [...document.querySelectorAll('.sfn-GraphPanel')]
                .find(el => el.offsetParent !== null);
            return p && p.dataset.status === 'ready' &&
                (!text || p.querySelector('.sfn-GraphPanel-status').textContent.includes(text));
        }""",
        arg=[revision_text],
    )
    return panel


def screenshot(page: Any, name: str) -> Path:
    """The page's visible part, saved as test-output/``name``."""
    OUTPUT.mkdir(exist_ok=True)
    path = OUTPUT / name
    page.screenshot(path=str(path))
    return path
