# The two commands: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DB := var/demo.sqlite3
DEMO_ENV := OPENNOTICE_DATABASE_URL=sqlite:///$(DEMO_DB)
PYTEST_ARGS ?=

.PHONY: setup demo serve test test-sqlite test-postgres lint check-migrations clean

$(BIN)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

setup: $(BIN)/.installed

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
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src

## make test: lint, types, migrations, and the whole suite on SQLite and on PostgreSQL
test: lint check-migrations test-sqlite test-postgres

test-sqlite: setup
	OPENNOTICE_TEST_DATABASE=sqlite $(BIN)/pytest -n 2 $(PYTEST_ARGS)

# PostgreSQL runs skip (with the reason) when no server is reachable, unless
# OPENNOTICE_REQUIRE_POSTGRES=1, which makes them fail instead.
test-postgres: setup
	OPENNOTICE_TEST_DATABASE=postgres $(BIN)/pytest -n 2 $(PYTEST_ARGS)

check-migrations: setup
	rm -rf var/migration-check && mkdir -p var/migration-check
	OPENNOTICE_DATABASE_URL=sqlite:///var/migration-check/db.sqlite3 $(BIN)/opennotice db upgrade
	OPENNOTICE_DATABASE_URL=sqlite:///var/migration-check/db.sqlite3 $(BIN)/opennotice db check

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
