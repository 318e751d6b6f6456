# The two commands of the README: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

# Each test run gets its own PostgreSQL database and Redis key prefix.
RUN_ID := $(shell od -An -N4 -tx4 /dev/urandom | tr -d ' ')
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/clinic_$(RUN_ID)
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
PYTEST_ARGS ?=
# pytest-xdist workers; each takes whole test files (0: one process).
TEST_WORKERS ?= 2

.PHONY: run test setup machine lint format check messages mutation

## run: install what is missing, migrate, load the demo clinic, serve it with a worker
run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) -m clinic_site.embedded --host $(HOST) --port $(PORT)

## test: the whole suite on PostgreSQL and Redis (DATABASE_URL / REDIS_URL override)
test: machine setup
	DATABASE_URL="$(TEST_DATABASE_URL)" REDIS_URL="$(TEST_REDIS_URL)" \
	REDIS_KEY_PREFIX="test-$(RUN_ID)" CLINIC_VAR_DIR="$(CURDIR)/var/test-$(RUN_ID)" \
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS); status=$$?; rm -rf "$(CURDIR)/var/test-$(RUN_ID)"; exit $$status

setup: $(VENV)/.installed node_modules/.installed

## machine: the Debian packages and services the tests need (installs them as root)
machine:
	scripts/prepare-machine

$(VENV)/.installed: requirements.txt constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## messages: refresh the Russian catalogue from the source strings and compile it
messages: setup
	$(PY) manage.py makemessages --locale ru --ignore ".venv/*" --ignore "node_modules/*" --ignore "var/*" --no-obsolete
	$(PY) manage.py compilemessages --locale ru --ignore ".venv/*" --ignore "node_modules/*"

## mutation: mutmut over the booking invariants, phone codes, outbox, reminders and
## cabinet access (not part of `make test`; MUTANTS="booking.phone_codes*" runs some)
mutation: setup
	export DATABASE_URL="postgres://postgres@127.0.0.1:5432/clinic_mutation_$(RUN_ID)" \
	CLINIC_MUTATION_TEMPLATE_DB="clinic_mutation_$(RUN_ID)" REDIS_URL="$(TEST_REDIS_URL)" \
	REDIS_KEY_PREFIX="mutation-$(RUN_ID)" CLINIC_VAR_DIR="$(CURDIR)/var/mutation-$(RUN_ID)"; \
	$(PY) -m tests.mutation_db create \
	&& $(VENV)/bin/mutmut run --max-children 1 $(MUTANTS); status=$$?; \
	$(VENV)/bin/mutmut results > var/mutation-survivors.txt; \
	$(PY) -m tests.mutation_db drop; rm -rf "$(CURDIR)/var/mutation-$(RUN_ID)"; exit $$status
