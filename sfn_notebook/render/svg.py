"""DOT → SVG (and PNG) through a Graphviz binary, and :class:`Graph`, a graph that displays
itself and saves itself as SVG, PNG or DOT.

The system ``dot`` is used when there is one; otherwise the ``graphviz-pure`` wheel's static
binary, so ``pip install`` alone renders. ``SFN_NOTEBOOK_DOT`` names another binary. The binary is
called directly with ``subprocess``: the ``graphviz`` package cannot drive graphviz-pure (its
version check fails on graphviz-pure's ``-V`` output).

>>> svg = to_svg('digraph { a -> b }')
>>> svg.startswith("<svg") and "</svg>" in svg
True
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sfn_notebook.asl import model as m
from sfn_notebook.errors import SfnNotebookError
from sfn_notebook.render.dot import GRAPH_MIME_TYPE, Overlay, to_dot
from sfn_notebook.render.svgsafe import SvgError, sanitize_svg


class RenderError(SfnNotebookError):
    """No Graphviz binary was found, or it failed on the DOT text."""

    code = "RenderError"


class ExportError(SfnNotebookError):
    """A graph or execution could not be written in the format asked for."""

    code = "ExportError"


#: Pixels per inch of a PNG: twice the 72 of Graphviz's points, sharp on high-density screens.
PNG_DPI = 144


def find_dot() -> str:
    """The path of the Graphviz binary to use (see the module docstring for the order).

    >>> Path(find_dot()).name in ("dot", "graphviz-pure") or "SFN_NOTEBOOK_DOT" in os.environ
    True
    """
    override = os.environ.get("SFN_NOTEBOOK_DOT")
    if override:
        return override
    return _find_dot()


@functools.lru_cache(maxsize=1)
def _find_dot() -> str:
    system = shutil.which("dot")
    if system:
        return system
    # The venv's scripts folder is not on PATH when a kernel runs from an unactivated venv.
    folders = {sysconfig.get_path("scripts"), str(Path(sys.executable).parent)}
    for candidate in [shutil.which("graphviz-pure"), *(f"{d}/graphviz-pure" for d in folders)]:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise RenderError(
        "No Graphviz renderer found: install the graphviz-pure wheel "
        "(pip install graphviz-pure) or a system Graphviz (dot)."
    )


def to_svg(dot: str) -> str:
    """SVG text for DOT text, starting at ``<svg`` (no XML prologue, so it embeds in HTML).

    The SVG is rebuilt from an allowlist (:mod:`sfn_notebook.render.svgsafe`): Graphviz writes
    some attributes unescaped, and the text goes into HTML outputs. Results are cached by DOT
    text, so re-displaying a graph costs nothing.
    """
    return _render(find_dot(), dot)


def _graphviz(
    binary: str, options: list[str], dot: str, timeout: float
) -> subprocess.CompletedProcess[bytes]:
    """Graphviz's finished process on ``dot``; :class:`RenderError` when it could not run."""
    try:
        return subprocess.run(
            [binary, *options],
            # A lone surrogate (legal in JSON text, so in state names) cannot be UTF-8: "?".
            input=dot.encode("utf-8", "replace"),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RenderError(f"Graphviz ({binary}) could not run: {exc}") from None


@functools.lru_cache(maxsize=128)
def _render(binary: str, dot: str) -> str:
    done = _graphviz(binary, ["-Tsvg"], dot, timeout=60)
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise RenderError(f"Graphviz ({binary}) failed: {message}")
    try:
        return sanitize_svg(done.stdout.decode("utf-8"))
    except SvgError as exc:
        raise RenderError(f"Graphviz ({binary}) wrote no usable SVG: {exc}") from None


def svg_document(svg: str) -> str:
    """A standalone SVG file's text: an XML declaration and the (already sanitized) SVG."""
    return '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n' + svg.rstrip() + "\n"


def to_png(dot: str, dpi: int = PNG_DPI) -> bytes:
    """PNG bytes for DOT text, drawn by the binary :func:`to_svg` uses (offline: the system
    ``dot`` or the graphviz-pure wheel, which draws PNG with its own fonts).

    >>> to_png('digraph { a -> b }')[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """
    binary = find_dot()
    done = _graphviz(binary, ["-Tpng", f"-Gdpi={int(dpi)}"], dot, timeout=120)
    if done.returncode != 0 or not done.stdout.startswith(b"\x89PNG"):
        message = done.stderr.decode("utf-8", "replace").strip() or "no PNG written"
        raise RenderError(f"Graphviz ({binary}) failed to draw a PNG: {message}")
    return done.stdout


class Graph:
    """A state machine's graph: ``.dot``, ``.svg()`` and a rich display in notebooks.

    >>> g = Graph({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}})
    >>> sorted(g._repr_mimebundle_())
    ['application/vnd.sfn-notebook.graph+json', 'image/svg+xml', 'text/html', 'text/plain']
    """

    def __init__(
        self,
        definition: m.Definition | Mapping[str, Any] | str,
        statuses: Mapping[str, str] | None = None,
        *,
        counts: Mapping[str, tuple[int, int, int]] | None = None,
        title: str = "",
        reserve: bool = False,
        overlay: Overlay | None = None,
    ) -> None:
        if not isinstance(definition, m.Definition):
            from sfn_notebook.asl.parse import parse

            definition = parse(definition)
        self.definition = definition
        self.title = title
        self.dot = to_dot(
            definition, statuses, counts=counts, title=title, reserve=reserve, overlay=overlay
        )

    def svg(self) -> str:
        return to_svg(self.dot)

    def save(self, path: str | os.PathLike[str], *, dpi: int = PNG_DPI) -> Path:
        """Write the graph to ``path``; its suffix picks the format: ``.svg`` (the sanitized SVG
        the notebook shows, on a white page), ``.png`` (``dpi`` pixels per inch, drawn offline by
        the Graphviz binary that draws the SVG) or ``.dot``. Returns the path written.

        >>> import tempfile
        >>> g = Graph({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}})
        >>> g.save(Path(tempfile.mkdtemp()) / "a.svg").read_text()[:5]
        '<?xml'
        """
        target = Path(path)
        suffix = target.suffix.lower()
        if suffix == ".svg":
            target.write_text(svg_document(self.svg()), encoding="utf-8")
        elif suffix == ".png":
            target.write_bytes(to_png(self.dot, dpi))
        elif suffix in (".dot", ".gv"):
            target.write_text(self.dot, encoding="utf-8")
        else:
            raise ExportError(
                f"Cannot save a graph as {suffix or 'a file without a suffix'!r} ({target.name}): "
                "use .svg, .png or .dot"
            )
        return target

    def __repr__(self) -> str:
        states = len(self.definition.walk())
        return f"<Graph {self.title or 'state machine'}: {states} states>"

    def _repr_mimebundle_(
        self, include: Any = None, exclude: Any = None, **_: Any
    ) -> dict[str, Any]:
        svg = self.svg()
        return {
            GRAPH_MIME_TYPE: {"dot": self.dot, "title": self.title},
            "image/svg+xml": svg,
            "text/html": f'<div class="sfn-graph">{svg}</div>',
            "text/plain": repr(self),
        }
