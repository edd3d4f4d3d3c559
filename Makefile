# Every target sets up .venv when it is missing (or when pyproject.toml changed).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
EXAMPLE := resources/examples/support-assistant.yaml

.PHONY: run test lint wheel-smoke bench bundle bundle-smoke clean venv

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m gui open $(EXAMPLE)

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

# ruff with the rules of pyproject.toml ([tool.ruff])
lint: $(STAMP)
	$(VENV)/bin/ruff check .

# Build the wheel, install it into a fresh venv outside the checkout and run it from elsewhere
wheel-smoke: $(STAMP)
	bash packaging/smoke-wheel.sh

bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[test,bench]'
	$(PY) benchmarks/run_all.py

# One-folder desktop bundle in dist/aicost/ (PyInstaller, build.spec; docs/bundle.md)
bundle: $(STAMP)
	$(PY) -m pip install --quiet -e '.[test,bundle]'
	$(PY) -m PyInstaller --noconfirm --log-level WARN build.spec

# Run the built bundle offline with no Python: window (offscreen), report, tokens, catalog
bundle-smoke:
	bash packaging/smoke-bundle.sh dist/aicost

clean:
	rm -rf $(VENV) build dist *.egg-info
