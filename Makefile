# Two commands do all the set-up: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
ADDRESS ?= 127.0.0.1:8000

.PHONY: run test lint install install-dev bench

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

$(VENV)/.installed: requirements.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

## run: install, migrate, load the seeds, make an editor account, serve on $(ADDRESS)
run: export DJANGO_DEBUG ?= 1
run: install
	$(MANAGE) migrate --no-input
	$(MANAGE) load_seeds
	$(MANAGE) ensure_editor
	$(MANAGE) runserver $(ADDRESS)

## test: the whole suite (DATABASE_URL=postgres://... runs it on PostgreSQL)
test: install-dev
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## bench: ingest and search benchmark at 10k/100k/300k articles, see README (BENCH_ARGS=--quick,
## --full, --sizes 10000,50000); PostgreSQL unless DATABASE_URL names another database
bench: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/newsroom_bench
bench: install-dev
	$(BIN)/python -m bench.run $(BENCH_ARGS)
