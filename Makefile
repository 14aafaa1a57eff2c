# The two commands: `make run` (set up and serve the demo portal) and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_DEVICES ?= 40
DEMO_DAYS ?= 90

.PHONY: setup run test lint format lock worker beat bench db-stop

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.txt -r requirements-dev.txt
	touch $@

# Front-end libraries (Chart.js, Leaflet) exactly as package-lock.json pins them; npm writes the stamp.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

setup: $(VENV)/.installed node_modules/.package-lock.json

## Serve the portal on the embedded default: PostgreSQL in .pgdata (started on first use, left running
## for the next command), Celery inline, a demo fleet, a printed demo login. DATABASE_URL names another server.
run: setup
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_demo_fleet --devices $(DEMO_DEVICES) --days $(DEMO_DAYS) --seed 42 --if-empty
	$(PY) manage.py create_demo_logins
	$(PY) manage.py runserver $(HOST):$(PORT)

## Run the whole suite (the embedded PostgreSQL unless DATABASE_URL is set, a test database per xdist
## worker on it; a real browser for the pages), then the fault tests on their own, one at a time and in
## order: they start, kill and restart real workers, Redis and PostgreSQL servers (tests/faults).
test: setup
	bash scripts/ensure-chromium.sh
	$(PY) -m pytest -n auto -m "not faults" $(PYTEST_ARGS)
	$(PY) -m pytest -m faults -p no:randomly tests/faults

lint: setup
	$(VENV)/bin/lint-imports
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## Re-pin every dependency after editing requirements*.in. The lock files name packages only: no index
## URL or local wheel directory of the machine that locked them.
lock: setup
	$(VENV)/bin/pip install --quiet pip-tools
	$(VENV)/bin/pip-compile --quiet --strip-extras --no-header --allow-unsafe --no-emit-index-url --no-emit-find-links requirements.in -o requirements.txt
	$(VENV)/bin/pip-compile --quiet --strip-extras --no-header --allow-unsafe --no-emit-index-url --no-emit-find-links requirements-dev.in -o requirements-dev.txt

worker: setup
	$(VENV)/bin/celery -A cvd_portal worker --loglevel=INFO

beat: setup
	$(VENV)/bin/celery -A cvd_portal beat --loglevel=INFO

## The embedded PostgreSQL keeps running between commands (the next one joins it); this stops it.
db-stop:
	@if [ -f .pgdata/postmaster.pid ]; then kill -INT "$$(head -1 .pgdata/postmaster.pid)"; fi
