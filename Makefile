# Two entry points: `make lab` and `make test`. Both build .venv from scratch when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SHARED := ../shared

.PHONY: lab test install lint typecheck pytest conformance bench clean notebooks

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The JupyterLab extension is built by the install, so its sources count too.
$(STAMP): $(BIN)/python pyproject.toml labextension/package.json labextension/yarn.lock \
		$(wildcard labextension/src/*.ts labextension/style/*)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	npm --prefix widgets ci --no-audit --no-fund --loglevel=error
	touch $(STAMP)

install: $(STAMP)

# JupyterLab refuses to start as root unless told; containers often run as root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: install
	$(BIN)/jupyter lab --notebook-dir=notebooks $(ROOT_FLAG)

lint: install
	$(BIN)/ruff check sfn_notebook tests benchmarks
	$(BIN)/ruff format --check sfn_notebook tests benchmarks

typecheck: install
	$(BIN)/mypy

# The doctests of every module of the package (tests/test_doctests.py keeps it so): a module
# that fails to import is a collection error, never a skip.
# The test files are shared out to two workers (a file stays on one, with its fixtures): the
# browser tests mostly wait on JupyterLab and Chromium, so two keep both cores busy. The two
# files that watch a run live in the browser (their timing is what they measure) run alone.
LIVE_TESTS = tests/test_widgets_browser.py tests/test_widgets_navigation_browser.py
pytest: install
	$(BIN)/python -m pytest -q -n 2 --dist loadfile $(addprefix --ignore=,$(LIVE_TESTS)) tests
	$(BIN)/python -m pytest -q $(LIVE_TESTS)
	$(BIN)/python -m pytest -q --doctest-modules -p no:cacheprovider sfn_notebook
	$(BIN)/python -m pytest -q --nbval --nbval-current-env \
		--nbval-sanitize-with notebooks/sanitize.cfg -p no:cacheprovider notebooks

test: lint typecheck pytest

# Re-run the tutorials so their committed outputs (which nbval compares) match the code.
notebooks: install
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
		--ExecutePreprocessor.record_timing=False notebooks/[0-9]*.ipynb

bench: install
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
