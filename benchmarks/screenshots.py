"""Screenshots of tutorials run in JupyterLab (real Chromium), light and dark, for closing notes.

    .venv/bin/python benchmarks/screenshots.py --out test-output/screens/after \\
        notebooks/03-data-pipeline-map.ipynb notebooks/04-human-approval.ipynb
    .venv/bin/python benchmarks/screenshots.py --package ../old-checkout --out before \\
        ../old-checkout/notebooks/03-data-pipeline-map.ipynb

Starts JupyterLab on a free port (token, temporary config, settings and workspaces folders, as
the browser tests do) over a copy of each notebook's folder, so the tutorials' data files are at
hand and the originals stay untouched. The kernel imports sfn_notebook from ``--package`` (put
first on PYTHONPATH), which is how an older checkout is shot "before". For every notebook it runs
all cells, waits for the kernel to go idle and the widgets to settle, then writes, per theme:

- ``<name>-<theme>.png``: the whole notebook, stitched from scrolled views of its panel;
- ``<name>-<theme>-cell<NN>.png``: the output of each code cell (NN counts code cells) that
  holds an sfn view or an SVG, cut from the whole picture;
- ``<name>-<theme>-inspector.png``: the first execution view's graph after a click on its first
  Task state (the state inspector beside it).

Needs /usr/bin/chromium, playwright and Pillow. Takes a minute or two per notebook; not a test.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
TOKEN = "sfn-screenshots"
THEMES = {"light": "JupyterLab Light", "dark": "JupyterLab Dark"}
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
WIDTH = 1300
HEIGHT = 1800
# Outputs worth a picture of their own: our widgets and static renderings (SVG graphs, tables).
INTERESTING = "[class*='sfn-'], .jp-RenderedSVG, .jp-RenderedImage, .jupyter-widgets, table"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _settings(folder: Path) -> None:
    """No kernel dialog, no news toast, and every cell rendered (no windowing) for the stitching."""
    files = {
        "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {
            "autoStartDefaultKernel": True, "windowingMode": "none"},
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
            "fetchNews": "false", "checkForUpdates": False},
    }  # fmt: skip
    for name, value in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))


@contextmanager
def lab_server(root: Path, tmp: Path, package: Path) -> Iterator[str]:
    """JupyterLab over ``root``; its kernels import sfn_notebook from ``package``."""
    port = _free_port()
    _settings(tmp / "settings")
    path = os.pathsep.join(p for p in (str(package), os.environ.get("PYTHONPATH", "")) if p)
    env = dict(os.environ, PYTHONPATH=path, JUPYTER_CONFIG_DIR=str(tmp / "config"),
               JUPYTER_RUNTIME_DIR=str(tmp / "rt"))  # fmt: skip
    command = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
        "--ip=127.0.0.1", f"--port={port}", f"--ServerApp.token={TOKEN}",
        f"--ServerApp.root_dir={root}", f"--LabApp.user_settings_dir={tmp / 'settings'}",
        f"--LabApp.workspaces_dir={tmp / 'workspaces'}", "--LabApp.expose_app_in_browser=True",
    ]  # fmt: skip
    log = (tmp / "lab.log").open("w")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=tmp)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((tmp / "lab.log").read_text()) from None
                time.sleep(0.3)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _run_all(page: Any, base: str, name: str, timeout: float) -> list[str]:
    """Open ``name``, run every cell, wait until all ran (or one failed); return error outputs."""
    page.goto(f"{base}/lab/tree/{name}?token={TOKEN}")
    page.wait_for_function(
        """() => {
            const sc = window.jupyterapp?.shell?.currentWidget?.sessionContext;
            const k = sc?.session?.kernel;
            return sc?.isReady && k?.connectionStatus === 'connected' && k.status === 'idle';
        }""",
        timeout=120_000,
    )
    # The notebook gets the whole width, as on a laptop with the file browser closed.
    page.evaluate(
        "() => { window.jupyterapp.shell.collapseLeft(); window.jupyterapp.shell.collapseRight(); }"
    )
    page.evaluate("() => { void window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    time.sleep(2)
    page.wait_for_function(
        """() => {
            const w = window.jupyterapp.shell.currentWidget;
            const k = w?.sessionContext?.session?.kernel;
            if (!k) return false;
            const cells = w.content.widgets.filter(c => c.model.type === 'code');
            const error = (c) => c.model.outputs.toJSON().some(o => o.output_type === 'error');
            const failed = cells.some(error);
            return k.status === 'idle' && (failed || cells.every(c => c.model.executionCount));
        }""",
        timeout=timeout * 1000,
        polling=500,
    )
    time.sleep(3)  # widgets draw after the kernel is idle (layout, coalesced updates)
    errors = page.evaluate(
        """() => window.jupyterapp.shell.currentWidget.content.widgets
            .filter(c => c.model.type === 'code')
            .flatMap(c => c.model.outputs.toJSON().filter(o => o.output_type === 'error'))
            .map(o => `${o.ename}: ${o.evalue}`.slice(0, 600))"""
    )
    return [str(e) for e in errors]


def _theme(page: Any, theme: str) -> None:
    page.evaluate(
        "(t) => { void window.jupyterapp.commands.execute('apputils:change-theme', {theme: t}); }",
        theme,
    )
    page.wait_for_function(
        "(t) => document.body.dataset.jpThemeName === t", arg=theme, timeout=30_000
    )
    time.sleep(1.5)


SCROLLER = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer"
# The notebook toolbar's shadow falls on the top rows of each view: views overlap by this much
# and each one after the first drops those rows.
SEAM = 12


def _stitched(page: Any, path: Path) -> tuple[Any, float]:
    """The notebook panel scrolled top to bottom, one viewport at a time, glued into one PNG."""
    from PIL import Image

    box = page.evaluate(
        """(sel) => { const e = document.querySelector(sel); const r = e.getBoundingClientRect();
            return {x: r.x, y: r.y, w: r.width, h: e.clientHeight, total: e.scrollHeight}; }""",
        SCROLLER,
    )
    parts: list[tuple[int, Image.Image]] = []
    top = 0
    while True:
        actual = page.evaluate(
            "([s, t]) => { const e = document.querySelector(s); e.scrollTop = t; return e.scrollTop; }",  # noqa: E501
            [SCROLLER, top],
        )
        time.sleep(0.3)
        clip = {"x": box["x"], "y": box["y"], "width": box["w"], "height": box["h"]}
        shot = Image.open(io.BytesIO(page.screenshot(clip=clip)))
        parts.append((int(actual), shot))
        if actual + box["h"] >= box["total"] - 1 or actual < top:
            break
        top += int(box["h"]) - SEAM
    scale = parts[0][1].width / box["w"]
    height = int((parts[-1][0] + box["h"]) * scale)
    sheet = Image.new("RGB", (parts[0][1].width, height), "white")
    for n, (offset, part) in enumerate(parts):
        cut = 0 if n == 0 else int(SEAM * scale)
        sheet.paste(part.crop((0, cut, part.width, part.height)), (0, int(offset * scale) + cut))
    sheet.save(path)
    page.evaluate("(s) => { document.querySelector(s).scrollTop = 0; }", SCROLLER)
    return sheet, scale


def _cells(page: Any, sheet: Any, scale: float, stem: str, theme: str, out: Path) -> list[Path]:
    """One picture per code cell output holding an sfn view or an SVG, cut from the sheet."""
    boxes = page.evaluate(
        """([sel, wanted]) => {
            const scroller = document.querySelector(sel), s = scroller.getBoundingClientRect();
            const cells = [...scroller.querySelectorAll('.jp-Cell.jp-CodeCell')];
            return cells.map((cell, i) => {
                const out = cell.querySelector('.jp-Cell-outputWrapper');
                if (!out || !out.querySelector(`.jp-OutputArea :is(${wanted})`)) return null;
                const r = out.getBoundingClientRect();
                return {i, x: r.left - s.left, y: r.top - s.top + scroller.scrollTop,
                        w: r.width, h: r.height};
            }).filter(b => b && b.h > 4);
        }""",
        [SCROLLER, INTERESTING],
    )
    written = []
    for b in boxes:
        path = out / f"{stem}-{theme}-cell{b['i'] + 1:02d}.png"
        crop = [b["x"], b["y"], b["x"] + b["w"], b["y"] + b["h"]]
        sheet.crop(tuple(int(v * scale) for v in crop)).save(path)
        written.append(path)
    return written


def _inspector(page: Any, stem: str, theme: str, out: Path) -> list[Path]:
    """Click the first Task of the first execution view that ran one; shoot graph and inspector."""
    view = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .sfn-execution-view")
    for index in range(view.count()):
        task = view.nth(index).locator(
            ".sfn-graph-svg g.node.sfn-state:not([data-status='NOT_REACHED'])", has_text="Lambda"
        )
        if task.count() == 0:
            continue
        if view.nth(index).locator(".sfn-graph-details:not([hidden])").count() == 0:
            task.first.scroll_into_view_if_needed()
            task.first.click()
            time.sleep(2)  # the inspector asks Python for the visit's stages
        graph = view.nth(index).locator(".sfn-graph-widget").first
        graph.scroll_into_view_if_needed()
        path = out / f"{stem}-{theme}-inspector.png"
        graph.screenshot(path=str(path))
        return [path]
    return []


def _console_error(errors: list[str], message: Any) -> None:
    if message.type == "error":
        errors.append(message.text)


def shoot(notebooks: list[Path], out: Path, package: Path, timeout: float) -> dict[str, Any]:
    """Run each notebook in JupyterLab and write its screenshots to ``out``; return a summary."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    summary: dict[str, Any] = {"package": str(package), "notebooks": {}}
    with tempfile.TemporaryDirectory(prefix="sfn-shots-") as scratch:
        tmp = Path(scratch)
        root = tmp / "root"
        folders = {nb.resolve().parent for nb in notebooks}
        if len(folders) != 1:
            raise SystemExit("give notebooks from one folder (they are run in a copy of it)")
        shutil.copytree(folders.pop(), root, ignore=shutil.ignore_patterns("*.sqlite*"))
        with lab_server(root, tmp, package) as base, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS)
            try:
                for notebook in notebooks:
                    page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
                    page.set_default_timeout(60_000)
                    console: list[str] = []
                    page.on("console", partial(_console_error, console))
                    started = time.monotonic()
                    try:
                        errors = _run_all(page, base, notebook.name, timeout)
                    except Exception as error:  # shoot what ran, say what did not
                        errors = [f"not finished: {error}"[:600]]
                    shots: list[str] = []
                    for theme, name in THEMES.items():
                        _theme(page, name)
                        full = out / f"{notebook.stem}-{theme}.png"
                        sheet, scale = _stitched(page, full)
                        cells = _cells(page, sheet, scale, notebook.stem, theme, out)
                        shots += [str(full)] + [str(c) for c in cells]
                    # Last, as the open inspector changes the layout: dark, then light again.
                    shots += [str(f) for f in _inspector(page, notebook.stem, "dark", out)]
                    _theme(page, THEMES["light"])
                    shots += [str(f) for f in _inspector(page, notebook.stem, "light", out)]
                    summary["notebooks"][notebook.name] = {
                        "seconds": round(time.monotonic() - started, 1),
                        "errors": errors, "console_errors": console[:20], "files": shots,
                    }  # fmt: skip
                    print(
                        f"{notebook.name}: {len(shots)} pictures, {len(errors)} errors", flush=True
                    )
                    page.close()
            finally:
                browser.close()
    (out / "summary.json").write_text(json.dumps(summary, indent=1))
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "test-output" / "screens")
    parser.add_argument(
        "--package", type=Path, default=ROOT, help="the folder holding the sfn_notebook to import"
    )
    parser.add_argument("--timeout", type=float, default=300, help="seconds per notebook run")
    args = parser.parse_args()
    summary = shoot(args.notebooks, args.out, args.package.resolve(), args.timeout)
    failed = {n: v["errors"] for n, v in summary["notebooks"].items() if v["errors"]}
    if failed:
        print(json.dumps(failed, indent=1), file=sys.stderr)


if __name__ == "__main__":
    main()
