"""Every tutorial survives "Run All" twice in one kernel.

Users re-run notebooks top to bottom without restarting the kernel; state a first run leaves
behind (a moto table, a registered function, a named execution) must not break the second. Each
tutorial's code cells run twice, in order, in one kernel through nbclient; a cell raising fails
the test with the cell's source and the error.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9]*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_tutorial_survives_run_all_twice_in_one_kernel(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code, f"{path.name} has no code cells"
    notebook.cells = [copy.deepcopy(cell) for cell in code + code]
    client = nbclient.NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as exc:
        pytest.fail(f"{path.name} failed on its second (or first) Run All:\n{exc}")
    second = notebook.cells[len(code) :]
    errors = [o for cell in second for o in cell.get("outputs", []) if o.output_type == "error"]
    assert not errors, errors
