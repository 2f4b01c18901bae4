# Campaign Data Bootcamp: `make` builds everything, `make test` runs every test.
# Needs only Python 3.11+ and make. Everything else is installed into .venv/ from the pinned lock.

SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(CURDIR)/$(VENV)/bin
# Commands that shell out (nbgrader runs `alembic`, jupyter starts kernels) find the venv's tools.
export PATH := $(BIN):$(PATH)
BOOK_FLAGS := -W -n --keep-going
PORT ?= 8000
# Lessons executed at once before the book build (empty: one per core)
EXECUTE_JOBS ?=

.PHONY: all env data release exercises book pdf scale serve test lint lock clean help

all: book ## Set up the environment, generate the data, release the exercises, build the book
	@echo
	@echo "==> Done. The book is in _build/html/."
	@echo "    Open:  $(CURDIR)/_build/html/index.html"
	@echo "    Serve: make serve   (then visit http://localhost:$(PORT))"

help: ## List the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

env: $(VENV)/.installed ## Create .venv and install the pinned toolchain and the course package

$(VENV)/.installed: requirements-lock.txt pyproject.toml
	@echo "==> Checking Python (3.11 or newer needed)"
	@$(PYTHON) -c 'import sys; v = sys.version_info; sys.exit(0 if v >= (3, 11) else \
		"Python 3.11+ is needed, this is %d.%d; run: make PYTHON=python3.11" % v[:2])'
	@echo "==> Creating the isolated environment in $(VENV)/"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "==> Installing the pinned toolchain (requirements-lock.txt); the first time takes a minute or two"
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-lock.txt
	@echo "==> Installing the course package (editable)"
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@$(BIN)/python -m pip check
	@touch $@

data: env ## Generate the synthetic state (default county dataset) into datasets/
	@echo "==> Generating the synthetic state (county preset) into datasets/"
	@$(BIN)/bootcamp data

release: env ## Make the student version of every exercise notebook
	@echo "==> Releasing student exercise notebooks (solutions and hidden tests removed)"
	@$(BIN)/bootcamp release

exercises: data ## Rebuild every chapter's exercise notebook and map, release and prove them
	@echo "==> Building each chapter's exercises.ipynb and exercise map from its exercises.yml"
	@for spec in chapters/*/exercises.yml; do $(BIN)/bootcamp author $$spec || exit 1; done
	@$(BIN)/bootcamp release
	@echo "==> Proving every chapter's exercises (reference, blank, alternatives, wrong answers)"
	@$(BIN)/bootcamp prove

book: data release ## Execute the lessons and build the HTML book into _build/html
	@echo "==> Executing the lessons whose code changed, in parallel (cached in _build/.jupyter_cache)"
	@$(BIN)/bootcamp execute $(if $(EXECUTE_JOBS),--jobs $(EXECUTE_JOBS))
	@echo "==> Building the book"
	@$(BIN)/jupyter-book build . $(BOOK_FLAGS)
	@echo "==> Writing the runnable lesson notebooks (notebooks/) from the executed book"
	@$(BIN)/bootcamp notebooks

pdf: book ## Print the whole book to _build/pdf/campaign-data-bootcamp.pdf (headless Chromium; also copied into _build/html)
	@bash scripts/ensure-chromium.sh
	@echo "==> Building the single-page book and printing it to PDF (lessons are not executed again)"
	@$(BIN)/python scripts/build_pdf.py

scale: data ## Rerun the scale lesson's measurements on the state preset (PySpark and Java; slow), then rebuild the book
	@echo "==> Installing the scale toolchain (requirements-scale.txt: PySpark, a large download)"
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-scale.txt
	@bash scripts/ensure-java.sh
	@echo "==> Generating the state preset (7.6 million registrants) into datasets/state"
	@$(BIN)/bootcamp data --preset state
	@echo "==> Measuring pandas, DuckDB and Spark into bootcamp/scale-results.json"
	@$(BIN)/python -m bootcamp.scale
	@$(MAKE) --no-print-directory book

serve: ## Serve the built book on http://localhost:$(PORT)
	@test -f _build/html/index.html || { echo "No book yet: run make first"; exit 1; }
	@echo "==> Serving _build/html on http://localhost:$(PORT) (Ctrl-C to stop)"
	@$(BIN)/python -m http.server --directory _build/html $(PORT)

test: data ## Run the whole test suite (builds the book itself, drives a headless browser)
	@bash scripts/ensure-chromium.sh
	@bash scripts/ensure-bubblewrap.sh
	@echo "==> Running the tests"
	@$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: env ## Lint and check formatting with ruff
	@$(BIN)/ruff check .
	@$(BIN)/ruff format --check .

lock: ## Re-resolve the pins from pyproject.toml into requirements-lock.txt (needs the registry)
	@rm -rf /tmp/bootcamp-lock-venv && $(PYTHON) -m venv /tmp/bootcamp-lock-venv
	@/tmp/bootcamp-lock-venv/bin/pip install --quiet -e '.[book,dev]'
	@{ echo "# Fully pinned toolchain for the course (every transitive package). Regenerate with: make lock"; \
	   /tmp/bootcamp-lock-venv/bin/pip freeze --exclude-editable | sort -f; } > requirements-lock.txt
	@echo "==> requirements-lock.txt updated; update environment.yml to match (tests check it)"

clean: ## Remove build output, generated data and nbgrader's release folders (keeps .venv)
	rm -rf _build datasets/county datasets/tiny* autograder/release autograder/source
