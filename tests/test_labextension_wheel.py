"""`pip wheel` of a clean copy of the repository carries the built JupyterLab extension.

This is the path a user's ``pip install .`` takes: an isolated build environment, ``jlpm install``
from the committed yarn.lock, the production bundle, and shared-data entries that put the
extension and its server-extension config under the environment's ``share/`` and ``etc/``.
It needs the package registries (PyPI for the build requirements, npm unless the yarn cache is
warm) and takes ~20 s with warm caches, ~45 s cold.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = "sfn_notebook-{version}.data/data/"


def _tracked_files() -> list[str]:
    """The files a fresh clone would have (plus new, not-ignored ones), without build output."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: cannot make a clean copy")
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [name for name in listing.split("\0") if name and (ROOT / name).is_file()]


@pytest.mark.timeout(600)
def test_wheel_from_a_clean_copy_contains_the_extension(tmp_path: Path) -> None:
    source = tmp_path / "src"
    for name in _tracked_files():
        target = source / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    assert not (source / "sfn_notebook" / "labextension").exists()

    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(tmp_path / "dist"), "."],
        cwd=source,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    [wheel] = (tmp_path / "dist").glob("sfn_notebook-*.whl")
    version = wheel.name.split("-")[1]
    data = DATA.format(version=version)
    labext = data + "share/jupyter/labextensions/sfn-notebook/"

    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        meta = json.loads(archive.read(labext + "package.json"))
        server_config = json.loads(
            archive.read(data + "etc/jupyter/jupyter_server_config.d/sfn_notebook.json")
        )
    assert meta["name"] == "sfn-notebook" and meta["version"] == version
    build = meta["jupyterlab"]["_build"]
    assert {"extension", "mimeExtension", "style"} <= set(build)
    assert labext + build["load"] in names
    assert labext + "install.json" in names
    assert server_config["ServerApp"]["jpserver_extensions"] == {"sfn_notebook.labext": True}
    assert "sfn_notebook/labext/handlers.py" in names
    # The production bundle only: no source maps, and no second copy inside the package.
    assert not [n for n in names if n.endswith(".js.map")]
    assert not [n for n in names if n.startswith("sfn_notebook/labextension/")]
