# One command each to run and to test; CI runs `make test` (see .ci/run).
# `make test` installs the system packages the suite needs (as root, with apt; otherwise it
# names them), starts throwaway PostgreSQL and Redis on loopback, and stops them after.
# `make check` is the same suite on whatever servers MARKSIX_TEST_*_URL already name.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test check lint typecheck pytest soak bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,postgres,redis,llm]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/marksix demo
	$(BIN)/marksix serve --sandbox

lint: $(STAMP)
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools

typecheck: $(STAMP)
	$(BIN)/mypy src

pytest: $(STAMP)
	$(BIN)/pytest

# The short soak (2-3 minutes) after the suite, on the same PostgreSQL and Redis; bench/soak.py
# starts its own servers when run alone.
soak: $(STAMP)
	$(BIN)/python bench/soak.py --quick

test: $(STAMP)
	.ci/with-services.sh $(MAKE) --no-print-directory lint typecheck pytest soak

check: lint typecheck pytest

bench: $(STAMP)
	for script in bench/*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build src/*.egg-info
