# Headstart: `make run` sets up and starts Headstart with demo data; `make test` runs every test.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
export HEADSTART_HOME ?= $(CURDIR)/var
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: setup run test test-sqlite test-postgres fuzz lint bench clean

$(BIN)/headstart: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

setup: $(BIN)/headstart
	@scripts/install-system-deps.sh

# A worker runs beside the server (notifications, partners' readiness tests) and stops with it.
run: setup
	$(BIN)/headstart init
	$(BIN)/headstart seed --if-empty
	$(BIN)/headstart worker --interval 2 & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/headstart serve --host $(HOST) --port $(PORT)

# The suite runs on SQLite, then the database-backed part again on a real PostgreSQL server.
test: setup test-sqlite test-postgres

# In parallel, one worker per core (pytest-xdist); a test file stays on one worker, so its
# module fixtures (a server, a program set up in a subprocess) are made once.
test-sqlite:
	HEADSTART_HOME=$$(mktemp -d) $(BIN)/python -m pytest -n auto --dist loadfile

test-postgres:
	HEADSTART_HOME=$$(mktemp -d) $(BIN)/python scripts/with_postgres.py -- \
		$(BIN)/python -m pytest -n auto --dist loadfile tests/apps tests/faces

# The API fuzzed from its OpenAPI document (schemathesis), as staff and as a partner's analyst:
# bounded and derandomized, about a minute (tests/faces/api/test_api_fuzz.py).
fuzz: setup
	HEADSTART_HOME=$$(mktemp -d) HEADSTART_FUZZ=1 $(BIN)/python -m pytest -n 0 tests/faces/api/test_api_fuzz.py

# ruff and mypy (pyproject.toml [tool.ruff], [tool.mypy]), then the import contracts
# ([tool.importlinter]): the layers, pure libraries, no cycles.
lint: $(BIN)/headstart
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: setup
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) build *.egg-info
