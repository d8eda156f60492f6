"""`jupyter nbconvert --to html --execute`: an executed notebook shows the static graph.

In a kernel an Execution's display carries the widget, but nbconvert drops a widget whose state
was not saved and falls back to ``text/html``: the inline SVG graph, the timeline and the event
table.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

CELLS = [
    "import sfn_notebook as sfn",
    """evil = "<img src=x onerror=alert(1)>"
definition = {
    "StartAt": "Check",
    "States": {
        "Check": {"Type": "Choice", "Choices": [
            {"Variable": "$.n", "NumericGreaterThan": 1, "Next": evil}], "Default": "Done"},
        evil: {"Type": "Wait", "Seconds": 5, "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}
ex = sfn.run(definition, {"n": 2}, execution_name="nbconvert-demo")
ex.definition = ex.definition or sfn.parse(definition)
ex""",
]


def test_nbconvert_html_contains_the_static_svg_graph(tmp_path: Path) -> None:
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "metadata": {},
                "source": c,
                "outputs": [],
                "execution_count": None,
            }
            for c in CELLS
        ],
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    source = tmp_path / "demo.ipynb"
    source.write_text(json.dumps(notebook))
    done = subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", "--execute", str(source)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    page = (tmp_path / "demo.html").read_text()
    assert '<div class="sfn-graph"><svg' in page
    assert 'id="/States/Check"' in page and 'class="sfn-timeline"' in page
    assert "nbconvert-demo" in page and "SUCCEEDED" in page and "3 states run" in page
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
