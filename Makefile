# The two commands: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DB := var/demo.sqlite3
DEMO_ENV := OPENNOTICE_DATABASE_URL=sqlite:///$(DEMO_DB)
PYTEST_ARGS ?=

.PHONY: setup compile demo serve test test-sqlite test-postgres test-pure-python lint check-migrations clean

$(BIN)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

# The matching engine's query path compiled with mypyc (about 1.4x faster; docs/matching.md).
# Rebuilt whenever a source of the package changes; without a C compiler the Python
# sources run, with the same results.
MATCHING_STAMP := src/opennotice/matching/.compiled-stamp
$(MATCHING_STAMP): $(BIN)/.installed $(wildcard src/opennotice/matching/*.py) scripts/compile_matching.py
	$(BIN)/python scripts/compile_matching.py
	touch $@

setup: $(BIN)/.installed $(MATCHING_STAMP)

compile: $(BIN)/.installed
	$(BIN)/python scripts/compile_matching.py
	touch $(MATCHING_STAMP)

## make demo: a fresh SQLite database with fictional demo data, served on http://127.0.0.1:8000
demo: setup
	mkdir -p var
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm $(DEMO_DB)-writelock
	$(DEMO_ENV) $(BIN)/opennotice demo
	@echo "Serving on http://127.0.0.1:8000  (API docs: /api/docs, staff site: /staff)"
	$(DEMO_ENV) $(BIN)/opennotice serve --host 127.0.0.1 --port 8000

serve: setup
	$(DEMO_ENV) $(BIN)/opennotice serve

lint: setup
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/mypy src

## make test: lint, types, migrations, the whole suite on SQLite and on PostgreSQL, and the
## matching engine's own tests once more on its Python sources
test: lint check-migrations test-sqlite test-postgres test-pure-python

test-sqlite: setup
	OPENNOTICE_TEST_DATABASE=sqlite $(BIN)/pytest -n 2 $(PYTEST_ARGS)

# PostgreSQL runs skip (with the reason) when no server is reachable, unless
# OPENNOTICE_REQUIRE_POSTGRES=1, which makes them fail instead.
test-postgres: setup
	OPENNOTICE_TEST_DATABASE=postgres $(BIN)/pytest -n 2 $(PYTEST_ARGS)

# The compiled engine runs in the two suites above; its Python sources must give the same.
test-pure-python: setup
	OPENNOTICE_PURE_PYTHON=1 OPENNOTICE_TEST_DATABASE=sqlite $(BIN)/pytest -n 2 tests/unit/matching $(PYTEST_ARGS)

check-migrations: setup
	rm -rf var/migration-check && mkdir -p var/migration-check
	OPENNOTICE_DATABASE_URL=sqlite:///var/migration-check/db.sqlite3 $(BIN)/opennotice db upgrade
	OPENNOTICE_DATABASE_URL=sqlite:///var/migration-check/db.sqlite3 $(BIN)/opennotice db check

clean:
	-$(BIN)/python scripts/compile_matching.py --clean
	rm -f $(MATCHING_STAMP)
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
