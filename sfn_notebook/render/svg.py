"""DOT → SVG through a Graphviz binary, and :class:`Graph`, a graph that displays itself.

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
from sfn_notebook.render.dot import GRAPH_MIME_TYPE, to_dot
from sfn_notebook.render.svgsafe import SvgError, sanitize_svg


class RenderError(SfnNotebookError):
    """No Graphviz binary was found, or it failed on the DOT text."""

    code = "RenderError"


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


@functools.lru_cache(maxsize=128)
def _render(binary: str, dot: str) -> str:
    try:
        done = subprocess.run(
            [binary, "-Tsvg"],
            # A lone surrogate (legal in JSON text, so in state names) cannot be UTF-8: "?".
            input=dot.encode("utf-8", "replace"),
            capture_output=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RenderError(f"Graphviz ({binary}) could not run: {exc}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise RenderError(f"Graphviz ({binary}) failed: {message}")
    try:
        return sanitize_svg(done.stdout.decode("utf-8"))
    except SvgError as exc:
        raise RenderError(f"Graphviz ({binary}) wrote no usable SVG: {exc}") from None


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
    ) -> None:
        if not isinstance(definition, m.Definition):
            from sfn_notebook.asl.parse import parse

            definition = parse(definition)
        self.definition = definition
        self.title = title
        self.dot = to_dot(definition, statuses, counts=counts, title=title, reserve=reserve)

    def svg(self) -> str:
        return to_svg(self.dot)

    def save(self, path: str | os.PathLike[str], *, dpi: int = 144) -> Path:
        """Write the graph to ``path`` as ``.svg``, ``.png`` (``dpi`` pixels per inch) or ``.dot``.

        >>> import tempfile
        >>> g = Graph({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}})
        >>> g.save(Path(tempfile.mkdtemp()) / "a.svg").read_text()[:5]
        '<?xml'
        """
        from sfn_notebook.render.export import save_graph

        return save_graph(self, path, dpi=dpi)

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
