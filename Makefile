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

# One writer per DuckDB file (fxa_metrics_tools/warehouse_lock.py): every dbt command that opens
# the warehouse runs under a file lock next to it and waits, naming the holder, while an Airflow
# task, a backfill or another make target has it. A no-op off the duckdb target.
LOCKED = $(BIN)/python -m fxa_metrics_tools.warehouse_lock --
# A busy port: one line naming the variable to change, before any work (port_check.py).
PORT_CHECK = $(BIN)/python -m fxa_metrics_tools.port_check

.PHONY: help setup build test demo-data seed dbt-build docs-generate lint ruff clean
.PHONY: lint-sql docs docs-static setup-browser bigquery-compile lineage
.PHONY: bench
.PHONY: airflow-setup airflow-test airflow-standalone backfill

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
	$(LOCKED) $(DBT) seed --full-refresh

# Seeds first: staging reads the demo tables as sources (so real Fivetran data can replace them),
# and dbt does not order sources after the seeds that stand in for them.
dbt-build: setup ## load the seeds, then dbt build of everything (models, data and unit tests)
	$(LOCKED) $(DBT) seed --full-refresh
	$(LOCKED) $(DBT) build --full-refresh --exclude resource_type:seed

docs-generate: setup ## generate the docs site into target/ (index.html and static_index.html)
	$(LOCKED) $(DBT) docs generate --static

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

# Docs site: one self-contained file (target/static_index.html: manifest and catalog inside),
# served on 127.0.0.1 only. The column-lineage tool, when present, annotates the site first.
# Airflow's UI defaults to 8080 (AIRFLOW_PORT): the docs take 8000.
DOCS_PORT ?= 8000
DOCS_TARGET ?= target
docs-static: setup ## generate the single-file docs site (builds the warehouse if missing)
	@test -f $(FXA_METRICS_DUCKDB_PATH) || $(MAKE) dbt-build
	$(LOCKED) $(DBT) docs generate --static --target-path $(DOCS_TARGET)
	@if test -f fxa_metrics_tools/lineage.py -o -f fxa_metrics_tools/lineage/__main__.py; then \
		$(BIN)/python -m fxa_metrics_tools.lineage docs $(DOCS_TARGET); \
	fi

docs: docs-port-free docs-static ## generate the docs site, serve it on 127.0.0.1:$DOCS_PORT (8000)
	@echo "docs: http://127.0.0.1:$(DOCS_PORT)/static_index.html (Ctrl-C stops the server)"
	$(BIN)/python -m http.server $(DOCS_PORT) --bind 127.0.0.1 --directory $(DOCS_TARGET)

.PHONY: docs-port-free
docs-port-free: setup
	@$(PORT_CHECK) $(DOCS_PORT) DOCS_PORT "make docs"

# Column lineage (issue 8) from the compiled SQL in $(LINEAGE_TARGET)/manifest.json (regenerated
# by `dbt docs generate` when missing or older than a model/macro). COLUMN=model.column[.field]
# prints its chain to raw columns; without COLUMN the graph goes to column_lineage.json.
LINEAGE_TARGET ?= target
lineage: setup ## column lineage: COLUMN=model.column[.field] prints its chain; else JSON export
	@if [ ! -f $(LINEAGE_TARGET)/manifest.json ] || [ -n "$$(find models macros dbt_project.yml \
		-newer $(LINEAGE_TARGET)/manifest.json -print -quit)" ]; then \
		$(LOCKED) $(DBT) docs generate --target-path $(LINEAGE_TARGET); fi
	@$(BIN)/python -m fxa_metrics_tools.lineage \
		$(if $(COLUMN),show $(COLUMN),export) --target-dir $(LINEAGE_TARGET)

# Benchmark (issue 7): the raw tables at SCALE copies of the demo written straight into
# warehouse/bench/bench_s$(SCALE).duckdb, then a full refresh, one incremental day and hand-written
# DuckDB baselines per heavy model; prints a table, writes target/bench_s$(SCALE).json.
# BENCH_ARGS=--no-isolated skips the per-model re-runs (README, "Performance").
SCALE ?= 10
BENCH_ARGS ?=
bench: setup ## benchmark at SCALE= (default 10); report in target/bench_s<SCALE>.json
	$(BIN)/python -m fxa_metrics_tools.bench --scale $(SCALE) $(BENCH_ARGS)

# Headless Chromium for tests/docs/test_docs_site_browser.py (Debian's package). A failed install
# does not fail the build: the browser test then skips and says why.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo -n)
setup-browser: ## install Debian's chromium for the docs browser test (failure tolerated)
	@command -v chromium >/dev/null 2>&1 || { \
		echo "setup-browser: installing chromium (apt-get)"; \
		( $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			$(SUDO) apt-get install -y -qq --no-install-recommends chromium ) >/dev/null 2>&1 \
		|| echo "setup-browser: chromium could not be installed; the browser test will skip"; }

# BigQuery target proven offline: dbt compile with no network and no credentials, once with no
# relation existing (full-refresh branches) and once with all existing (is_incremental branches).
BQ_TARGET ?= target_bigquery
bigquery-compile: setup ## compile every model and test for BigQuery, offline
	$(BIN)/python -m fxa_metrics_tools.bigquery_offline --target-path $(BQ_TARGET)
	$(BIN)/python -m fxa_metrics_tools.bigquery_offline --target-path $(BQ_TARGET)_incremental \
		--assume-existing

test: setup setup-browser lint dbt-build docs-generate bigquery-compile ## set up and run every test
	$(BIN)/pytest tests
	$(MAKE) airflow-test

# Airflow 3.3 (dags/) lives in .venv-airflow: Airflow needs protobuf 7, dbt 1.11 protobuf < 7.
# Each DAG run is one `.venv/bin/dbt build` whose artifacts (partial parse, run results) stay in
# $(AIRFLOW_TARGET_DIR)/<dag id>, never in target/ (which `make docs`/`make lineage` rewrite).
AIRFLOW_VENV := $(CURDIR)/.venv-airflow
AIRFLOW_BIN := $(AIRFLOW_VENV)/bin
AIRFLOW_PORT ?= 8080
AIRFLOW_TARGET_DIR ?= $(CURDIR)/target_airflow
AIRFLOW_DAG_IDS := fxa_metrics_daily fxa_metrics_hourly

$(AIRFLOW_VENV)/.installed: requirements-airflow.txt
	$(PYTHON) -m venv $(AIRFLOW_VENV)
	$(AIRFLOW_BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	$(AIRFLOW_BIN)/pip install --quiet --disable-pip-version-check -r requirements-airflow.txt
	touch $@

# One `dbt parse` seeds each DAG's partial parse: its first run parses nothing. The run date
# reaches dbt as FXA_METRICS_RUN_DATE, read at execution only, so the parse stays valid daily.
airflow-setup: setup $(AIRFLOW_VENV)/.installed ## create .venv-airflow, seed the DAGs' dbt parse
	$(DBT) parse --quiet --target-path $(AIRFLOW_TARGET_DIR)/parse
	@for dag in $(AIRFLOW_DAG_IDS); do mkdir -p $(AIRFLOW_TARGET_DIR)/$$dag && \
		cp $(AIRFLOW_TARGET_DIR)/parse/manifest.json $(AIRFLOW_TARGET_DIR)/parse/partial_parse.msgpack \
			$(AIRFLOW_TARGET_DIR)/$$dag/; done

# FXA_METRICS_AIRFLOW_TESTS=required: tests/airflow errors out instead of skipping without Airflow.
airflow-test: airflow-setup ## DAG tests in .venv-airflow (needs the warehouse of `make build`)
	FXA_METRICS_AIRFLOW_TESTS=required $(AIRFLOW_BIN)/python -m pytest tests/airflow

# A throw-away AIRFLOW_HOME (SQLite metadata DB) under /tmp; the DAGs folder is dags/. Standalone
# starts `airflow` subcommands from PATH. Avoid port 8793: Airflow's log server takes it. Task
# processes reach the API server at AIRFLOW_PORT, with a 60 s timeout (5 s fails task starts
# when the 2 cores are busy).
.PHONY: airflow-port-free
airflow-port-free: setup
	@$(PORT_CHECK) $(AIRFLOW_PORT) AIRFLOW_PORT "make airflow-standalone"

airflow-standalone: airflow-port-free airflow-setup ## run Airflow locally (temporary AIRFLOW_HOME)
	@home=$$(mktemp -d -t fxa_metrics_airflow.XXXXXX); \
	export PATH=$(AIRFLOW_BIN):$$PATH AIRFLOW_HOME=$$home AIRFLOW__CORE__DAGS_FOLDER=$(CURDIR)/dags \
		AIRFLOW__CORE__LOAD_EXAMPLES=False AIRFLOW__API__PORT=$(AIRFLOW_PORT) \
		AIRFLOW__API__HOST=127.0.0.1 FXA_METRICS_AIRFLOW_TARGET_DIR=$(AIRFLOW_TARGET_DIR) \
		AIRFLOW__CORE__EXECUTION_API_SERVER_URL=http://127.0.0.1:$(AIRFLOW_PORT)/execution/ \
		AIRFLOW__WORKERS__EXECUTION_API_TIMEOUT=60; \
	$(AIRFLOW_BIN)/airflow db migrate >/dev/null && \
	$(AIRFLOW_BIN)/airflow pools set fxa_metrics_duckdb 1 "one DuckDB writer at a time" \
		>/dev/null && \
	echo "airflow-standalone: AIRFLOW_HOME=$$home" && \
	echo "airflow-standalone: UI on http://localhost:$(AIRFLOW_PORT) (user admin, password in" \
		"$$home/simple_auth_manager_passwords.json.generated); Ctrl-C stops it" && \
	exec $(AIRFLOW_BIN)/airflow standalone

# In order, one day at a time (last_seen/first_seen/monthly tables are stateful), with the vars
# the daily DAG passes: submission_date = the day, subplat_date = the day - 7. Stops at the first
# failing day. On a deployed Airflow the same is `airflow backfill create --dag-id
# fxa_metrics_daily --from-date START --to-date END --max-active-runs 1` (see README).
SUBPLAT_DELAY_DAYS ?= 7
backfill: setup ## rebuild the days START..END (YYYY-MM-DD) in order, one dbt build per day
	@[[ "$(START)" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$$ && "$(END)" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$$ \
		&& ! "$(START)" > "$(END)" ]] || \
		{ echo "usage: make backfill START=YYYY-MM-DD END=YYYY-MM-DD (START <= END)"; exit 2; }
	@day=$(START); while [[ ! "$$day" > "$(END)" ]]; do \
		subplat=$$(date -u -d "$$day - $(SUBPLAT_DELAY_DAYS) days" +%F) || exit 2; \
		echo "backfill: submission_date=$$day subplat_date=$$subplat"; \
		$(DBT) build --exclude path:seeds/demo \
			--vars "{submission_date: '$$day', subplat_date: '$$subplat'}" || \
			{ echo "backfill: $$day failed; later days not run"; exit 1; }; \
		day=$$(date -u -d "$$day + 1 day" +%F); \
	done

clean: ## remove build output (keeps the virtualenvs)
	rm -rf target logs warehouse target_airflow
