# derivcheck: `make report` builds the solution PDF, `make test` runs the tests, `make lint` checks style and
# types. All create .venv.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
TORCH  ?= torch==2.13.0
STAMP   = $(VENV)/.installed
PDF    ?= out/solutions.pdf
TEX_PACKAGES = texlive-latex-base texlive-latex-recommended texlive-latex-extra latexmk lmodern poppler-utils

.PHONY: install tex browser serve bench-serve report report-tex derive verify exercises test test-slow lint bench mutants clean

install: $(STAMP)

# The two environments: the report's (`.[report]`: torch, SymPy, matplotlib, scikit-learn, jinja2) for
# `make report`, and the developers' (`.[dev]`: everything, plus pytest, Playwright, ruff, mypy) for the
# tests and the other targets. torch comes first, pinned to the CPU build, so the project's range never
# resolves to a CUDA wheel.
REPORT_STAMP = $(VENV)/.installed-report

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet "$(TORCH)"

$(REPORT_STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e ".[report]"
	touch $(REPORT_STAMP)

$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP) $(REPORT_STAMP)

# TeX Live from Debian/Ubuntu when it is missing: as root, with sudo, or a message saying what to run.
tex:
	@if command -v latexmk >/dev/null && kpsewhich lmodern.sty >/dev/null 2>&1; then exit 0; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(TEX_PACKAGES); \
	elif command -v sudo >/dev/null && sudo -n true 2>/dev/null && command -v apt-get >/dev/null; then \
	  sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(TEX_PACKAGES); \
	else echo "TeX Live is missing: run  sudo apt-get install $(TEX_PACKAGES)  (or: make report-tex for the .tex only)"; exit 1; fi

# Debian's Chromium for the browser tests of the self-check page (Playwright drives /usr/bin/chromium;
# never `playwright install`, which downloads browsers from outside the package registries).
browser:
	@if [ -x /usr/bin/chromium ]; then exit 0; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; \
	elif command -v sudo >/dev/null && sudo -n true 2>/dev/null && command -v apt-get >/dev/null; then \
	  sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; \
	else echo "Chromium is missing: run  sudo apt-get install chromium  (without it the browser tests are skipped)"; exit 1; fi

## The main job: derive, verify, simulate, run the exercises, build the PDF.
report: $(REPORT_STAMP) tex
	$(BIN)/derivcheck report -o $(PDF)

report-tex: $(REPORT_STAMP)
	$(BIN)/derivcheck report -o $(PDF) --tex-only

derive: install
	$(BIN)/derivcheck derive

verify: install
	$(BIN)/derivcheck verify

exercises: install
	$(BIN)/derivcheck exercises --out out/exercises

# Two tiers: `make test` runs every test not marked slow (the report built with the exercises' short
# configuration); `make test-slow` the slow tier (the calibration sweep, the full report build, the
# initialisation study's recommended scales). Each prints its wall and CPU time at the end (tests/conftest.py).
test: install
	@echo "make test: the default tier, pytest -m 'not slow' (the slow tier: make test-slow)"
	$(BIN)/python -m pytest -q

test-slow: install
	@echo "make test-slow: the slow tier, pytest -m slow (calibration sweep, full report build, init study's recommended scales)"
	$(BIN)/python -m pytest -q -m slow

# ruff and mypy with the settings in pyproject.toml.
lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

# The self-check page for students on http://127.0.0.1:8000/ (derivcheck serve --help for more).
serve: install
	$(BIN)/derivcheck serve

bench-serve: install
	$(BIN)/python benchmarks/serve_latency.py

bench: install
	$(BIN)/python benchmarks/verify_throughput.py
	$(BIN)/python benchmarks/grade_throughput.py
	$(BIN)/python benchmarks/serve_latency.py

# The mutation run (benchmarks/mutants.py): every mutant applied in a scratch copy, each judged by
# verify and its own test selection; niced, it takes about half an hour on 2 cores.
mutants: install
	nice -n 5 $(BIN)/python benchmarks/mutants.py

clean:
	rm -rf $(VENV) out .pytest_cache
