# Set-up and everyday commands. `make run` and `make test` work on a fresh machine.
# `pip install .` alone is the library and `credentials verify`; the service is the `service`
# extra (with `postgresql` and `redis`), which every target here installs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INTEROP := tests/interop

.PHONY: install run test lint bench contexts interop clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[service,postgresql,redis,test]'
	touch $@

install: $(BIN)/.installed

# Test-only: an independent Data Integrity implementation from npm, for cross-checks.
$(INTEROP)/node_modules/.package-lock.json: $(INTEROP)/package-lock.json
	@if command -v npm >/dev/null; then \
		cd $(INTEROP) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: interop tests will be skipped"; fi

interop: $(INTEROP)/node_modules/.package-lock.json

# Creates or migrates the SQLite store in ./instance, loads the bundled frameworks, creates a
# demo issuer on first run (printing its admin token once), and serves on 127.0.0.1:5000 with
# a task worker beside the web server (background imports; its queue is SQLite in ./instance
# unless TASK_QUEUE_URL names a Redis). Ctrl-C stops both.
run: install
	$(BIN)/flask --app wsgi init
	$(BIN)/flask --app wsgi demo
	rm -rf instance/metrics && mkdir -p instance/metrics
	$(BIN)/flask --app wsgi worker --workers 1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	PROMETHEUS_MULTIPROC_DIR=instance/metrics $(BIN)/gunicorn --workers 2 \
		--bind 127.0.0.1:5000 wsgi:app

# The whole suite on SQLite, then the service tests again on PostgreSQL (TEST_DATABASE_URL,
# default postgresql://postgres@127.0.0.1:5432/test); the library tests have no store.
test: install interop
	$(BIN)/ruff check .
	$(BIN)/python -m pytest
	TEST_STORE=postgresql $(BIN)/python -m pytest tests/service

lint: install
	$(BIN)/ruff check .

# bench_imports needs PostgreSQL (BENCH_DATABASE_URL) and Redis (BENCH_REDIS_URL); it imports
# 2,000 rows by default: `$(BIN)/python bench/bench_imports.py --rows 10000` for issue #15's.
bench: install
	$(BIN)/python bench/bench_proofs.py
	$(BIN)/python bench/bench_http.py
	$(BIN)/python bench/bench_imports.py

# Maintainers: re-take the JSON-LD contexts from their npm packages (needs Node.js).
contexts: install
	$(BIN)/python -m contexts.refresh

clean:
	rm -rf $(VENV) $(INTEROP)/node_modules .pytest_cache .ruff_cache .hypothesis
