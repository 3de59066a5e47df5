# `make run` sets everything up and serves on http://127.0.0.1:5000; `make test` runs the suite.
# Both install from the hashed lock file requirements/test.lock (see `make lock`).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
NODE_STAMP := tests/js/node_modules/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 5000
# Where `make run` keeps the demo session's logins (created on the first start only).
DEMO_LOGINS ?= instance/demo-logins.txt

# The locked dependency sets, every file pinned by version and sha256 (Python 3.11, Linux):
# the runtime set (what a deployment installs) and the runtime set plus the `[test]` extra,
# at the same versions. `make run` and `make test` share one venv, installed from the latter,
# so what is tested is what runs.
RUNTIME_LOCK := requirements/runtime.lock
TEST_LOCK := requirements/test.lock
LOCK_INPUTS := pyproject.toml requirements/installer.in
# `make lock` keeps the current pins where they still fit; `make lock LOCK_ARGS=--upgrade`
# moves everything to the newest releases, `LOCK_ARGS="-P flask"` only the one named.
LOCK_ARGS ?=
LOCK_VENV ?= .venv-lock
PIP_TOOLS_VERSION := 7.7.0
# Resolved against the default package index only, whatever local mirrors or find-links this
# machine's pip configuration adds, so that the lock comes out the same on every machine.
PIP_COMPILE := env -u PIP_FIND_LINKS -u PIP_EXTRA_INDEX_URL PIP_CONFIG_FILE=/dev/null \
	CUSTOM_COMPILE_COMMAND="make lock" $(LOCK_VENV)/bin/pip-compile --quiet --generate-hashes \
	--allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links $(LOCK_ARGS)

.PHONY: install catalogs run test test-sqlite test-postgres lint bench lock clean

# Every file pip fetches is checked against the lock's hashes (pip itself and the build
# backend included); the project then installs without dependencies or build isolation,
# so nothing unhashed is fetched. A changed lock or pyproject.toml reinstalls.
$(STAMP): $(TEST_LOCK) pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(TEST_LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Translation catalogs: compiled by the install (never committed), from the .po files.
CATALOGS := $(wildcard dialogue/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)
BABEL_KEYWORDS := -k _l -k lazy_gettext -k ngettext:1,2 -k lazy_ngettext:1,2

dialogue/translations/%/LC_MESSAGES/messages.mo: dialogue/translations/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile --statistics -i $< -o $@ -l $*

install: $(STAMP) $(COMPILED)

# Extract the strings again and merge them into every catalog (docs/translations.md).
catalogs: install
	$(BIN)/pybabel extract -F babel.cfg $(BABEL_KEYWORDS) --no-location --sort-output --project dialogue \
		--copyright-holder "the dialogue platform's authors" -o dialogue/translations/messages.pot .
	$(BIN)/pybabel update --ignore-obsolete -i dialogue/translations/messages.pot -d dialogue/translations

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

# The whole suite on SQLite, then again on PostgreSQL when DIALOGUE_TEST_DATABASE_URL is set,
# but for the Chromium tests: a page is the same on either database (what differs is below
# it, and every other test runs on both), so they run once.
test: install $(NODE_STAMP)
	env -u DIALOGUE_TEST_DATABASE_URL $(BIN)/python -m pytest
	@if [ -n "$$DIALOGUE_TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL, without the Chromium tests: $$DIALOGUE_TEST_DATABASE_URL"; \
		$(BIN)/python -m pytest -m "not browser"; \
	fi

lint: install
	$(BIN)/ruff check dialogue tests bench

bench: install
	$(BIN)/python bench/export_bench.py
	$(BIN)/python bench/oversized_posts_bench.py
	$(BIN)/python bench/screening_bench.py
	$(BIN)/python bench/stall_bench.py

# Regenerate both locks from pyproject.toml (and requirements/installer.in), runtime first;
# the test lock is constrained to the runtime lock's versions.
lock: $(LOCK_VENV)/.installed-stamp
	$(PIP_COMPILE) -o $(RUNTIME_LOCK) $(LOCK_INPUTS)
	$(PIP_COMPILE) --extra test -c $(RUNTIME_LOCK) -o $(TEST_LOCK) $(LOCK_INPUTS)

$(LOCK_VENV)/.installed-stamp:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11) and \
		"The locks are for Python 3.11: make lock PYTHON=python3.11")'
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet pip-tools==$(PIP_TOOLS_VERSION)
	touch $@

clean:
	rm -rf $(VENV) $(LOCK_VENV) tests/js/node_modules .pytest_cache
