# The two commands of the README: `make run` and `make test`. Everything they need is set up here.
SHELL := /bin/bash
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
MANAGE := $(UV) run --frozen python manage.py

.PHONY: run test env browser migrate demo worker lint format messages bench bench-peer clean check-migrations

env:  ## create .venv with the locked dependencies (installs uv with pip if it is missing)
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 || \
		$(PYTHON) -m pip install --quiet uv
	@$(UV) sync --frozen --quiet

migrate: env
	@$(MANAGE) migrate --no-input -v 0

demo: migrate  ## load the Qinghai demo data (idempotent)
	@$(MANAGE) load_demo

run: demo  ## serve on http://$(HOST):$(PORT) with the task worker beside it
	@$(MANAGE) demo_accounts
	@echo "Serving on http://$(HOST):$(PORT)/  (Ctrl+C stops the web server and the worker)"
	@trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		$(MANAGE) run_worker & worker=$$!; \
		$(MANAGE) runserver $(HOST):$(PORT) --noreload

worker: migrate
	@$(MANAGE) run_worker

browser:  ## Debian's chromium and CJK fonts for the browser tests
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				chromium fonts-noto-cjk >/dev/null) || echo "could not install chromium"; \
		else \
			echo "chromium is missing: install Debian's chromium (sudo apt-get install chromium fonts-noto-cjk)"; \
		fi; \
	fi

test: env browser  ## the whole suite; on PostgreSQL when DATABASE_URL is set
	@$(UV) run --frozen pytest $(PYTEST_ARGS)

lint: env
	@$(UV) run --frozen ruff check .
	@$(UV) run --frozen ruff format --check .

format: env
	@$(UV) run --frozen ruff format .
	@$(UV) run --frozen ruff check --fix .

messages: env  ## extract and compile the translations
	@$(MANAGE) makemessages -l zh_Hans --ignore=.venv --ignore=var --ignore=bench --no-obsolete
	@$(MANAGE) compilemessages --ignore=.venv

bench: env  ## the benchmarks in bench/ (see bench/README.md), each on a database of its own
	@$(UV) run --frozen python bench/org_tree.py $(BENCH_ARGS)
	@$(UV) run --frozen python bench/workdays.py

# Side by side with django-helpdesk (issue 6): installs the peer into var/peer-venv (not into
# .venv), fills a database per product and size, times both, runs wrk against gunicorn and writes
# the tables into docs/benchmarks.md. About 30 min with 1m from empty databases; bench/README.md.
BENCH_PEER_ARGS ?= --sizes 10k,100k,1m --load-test --write-docs
bench-peer: env  ## the hotline against django-helpdesk at 10k, 100k and 1M cases (long)
	@command -v wrk >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
		else echo "wrk is missing: sudo apt-get install wrk"; exit 1; fi; }
	@$(UV) run --frozen python bench/helpdesk/run.py $(BENCH_PEER_ARGS)

clean:
	rm -rf var .pytest_cache

check-migrations: env
	@$(MANAGE) makemigrations --check --dry-run
