# fxa_metrics: the two commands a newcomer needs are `make build` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
DBT := $(BIN)/dbt

export FXA_METRICS_DUCKDB_PATH ?= $(CURDIR)/warehouse/fxa_metrics.duckdb
export DBT_PROFILES_DIR ?= $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export PYTHONPATH := $(CURDIR)

.PHONY: help setup build test demo-data seed dbt-build docs-generate lint ruff clean
.PHONY: lint-sql

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | sort

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

profiles.yml:
	cp profiles.yml.example profiles.yml

setup: $(VENV)/.installed profiles.yml ## create .venv, install pinned packages, write profiles.yml
	@mkdir -p $(dir $(FXA_METRICS_DUCKDB_PATH))

demo-data: setup ## regenerate the demo seeds with the deterministic generator
	$(BIN)/python -m fxa_metrics_tools.generate --scale 1 --seed 42 --format csv --out seeds/demo

seed: setup ## load the demo and reference seeds into DuckDB
	$(DBT) seed --full-refresh

dbt-build: setup ## dbt build of everything (seeds, models, data and unit tests), full refresh
	$(DBT) build --full-refresh

docs-generate: setup ## generate the docs site into target/
	$(DBT) docs generate

build: dbt-build docs-generate ## set up, load the demo data, build the warehouse on DuckDB, generate the docs
	@echo "warehouse: $(FXA_METRICS_DUCKDB_PATH); docs: target/index.html"

ruff: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# SQL lint (STYLE.md section 3, settings in .sqlfluff): every model, macro and dbt test, or
# only the files given, e.g. `make lint-sql SQL_PATHS=models/staging/stripe`.
SQL_PATHS ?= models macros tests/dbt
lint-sql: setup ## lint SQL with sqlfluff (jinja templater, offline); SQL_PATHS= narrows it
	$(BIN)/sqlfluff lint $(SQL_PATHS) --processes 2 --disable-progress-bar

lint: ruff lint-sql ## lint Python (ruff) and SQL (sqlfluff)

test: setup lint dbt-build ## set up and run every test
	$(BIN)/pytest tests

clean: ## remove build output (keeps the virtualenvs)
	rm -rf target logs warehouse
