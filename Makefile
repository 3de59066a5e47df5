# `make run` sets everything up and serves on http://127.0.0.1:5000; `make test` runs the suite.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
NODE_STAMP := tests/js/node_modules/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 5000
# Where `make run` keeps the demo session's logins (created on the first start only).
DEMO_LOGINS ?= instance/demo-logins.txt

.PHONY: install run test test-sqlite test-postgres lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

$(NODE_STAMP): tests/js/package.json tests/js/package-lock.json
	npm ci --prefix tests/js --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

run: install
	@mkdir -p "$(dir $(DEMO_LOGINS))"
	$(BIN)/dialogue db upgrade
	@if [ ! -s "$(DEMO_LOGINS)" ]; then \
		$(BIN)/dialogue demo --base-url http://$(HOST):$(PORT) > "$(DEMO_LOGINS).tmp" && \
		mv "$(DEMO_LOGINS).tmp" "$(DEMO_LOGINS)"; \
	fi
	@echo "Demo session and logins (kept in $(DEMO_LOGINS)):"
	@cat "$(DEMO_LOGINS)"
	exec $(BIN)/dialogue serve --host $(HOST) --port $(PORT)

# The whole suite on SQLite, then again on PostgreSQL when DIALOGUE_TEST_DATABASE_URL is set.
test: install $(NODE_STAMP)
	env -u DIALOGUE_TEST_DATABASE_URL $(BIN)/python -m pytest
	@if [ -n "$$DIALOGUE_TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL: $$DIALOGUE_TEST_DATABASE_URL"; \
		$(BIN)/python -m pytest; \
	fi

lint: install
	$(BIN)/ruff check dialogue tests bench

bench: install
	$(BIN)/python bench/export_bench.py

clean:
	rm -rf $(VENV) tests/js/node_modules .pytest_cache
