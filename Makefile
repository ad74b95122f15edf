# derivcheck: `make report` runs the main job, `make test` the tests. Both create .venv on first use.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
TORCH  ?= torch==2.13.0
STAMP   = $(VENV)/.installed

.PHONY: install report derive verify exercises test test-slow bench clean

install: $(STAMP)

# torch first, pinned to the CPU build, so the project's range never resolves to a CUDA wheel.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet "$(TORCH)"
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

## The main job: derive every claim, verify each by simulation, run the notebook exercises.
report: install
	$(BIN)/derivcheck derive
	$(BIN)/derivcheck verify
	$(BIN)/derivcheck exercises --out out/exercises

derive: install
	$(BIN)/derivcheck derive

verify: install
	$(BIN)/derivcheck verify

exercises: install
	$(BIN)/derivcheck exercises --out out/exercises

test: install
	$(BIN)/python -m pytest -q

test-slow: install
	$(BIN)/python -m pytest -q -m slow

bench: install
	$(BIN)/python benchmarks/verify_throughput.py

clean:
	rm -rf $(VENV) out .pytest_cache
