"""``make test`` runs the doctests of every module of the package, and every module imports
with the declared dependencies, so none of them is left out of the doctest collection.

A module that needs an optional dependency must be listed in ``OPTIONAL`` with it: the doctest
run then needs that dependency installed (``.[dev]`` has them all) instead of skipping the
module without a word."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

import sfn_notebook

PACKAGE = Path(sfn_notebook.__file__).parent
ROOT = PACKAGE.parent

# module -> the optional dependency (from pyproject's extras) it needs to be imported
OPTIONAL = {"sfn_notebook.testing.plugin": "pytest"}


def _modules() -> list[str]:
    return sorted(
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for path in PACKAGE.rglob("*.py")
        if "node_modules" not in path.parts
    )


def test_make_test_runs_the_doctests_of_the_whole_package() -> None:
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\npytest:", 1)[1].split("\n\n", 1)[0]
    runs = [line for line in recipe.splitlines() if "--doctest-modules" in line]
    assert len(runs) == 1
    # The package itself, not a list of its folders that a new module could miss.
    assert re.search(r"--doctest-modules\b.*\ssfn_notebook\s*$", runs[0])


@pytest.mark.parametrize("module", _modules())
def test_every_module_imports_for_its_doctests(module: str) -> None:
    if module in OPTIONAL:
        pytest.importorskip(OPTIONAL[module])  # explicit: only with that dependency missing
    importlib.import_module(module)
