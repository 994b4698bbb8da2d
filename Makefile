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

.PHONY: help setup build test demo-data seed dbt-build dbt-unit-test docs-generate lint ruff clean
.PHONY: lint-sql docs docs-static setup-browser bigquery-compile bigquery-check lineage
.PHONY: bench check zetasql-setup
.PHONY: airflow-setup airflow-test airflow-standalone backfill

# `make help` lists the targets in the order of the work: first build and test, then the pieces
# of a build, docs and lineage, checks, Airflow, upkeep. Targets not named here follow in file order.
HELP_ORDER := build test check setup demo-data seed dbt-build dbt-unit-test docs-generate docs docs-static \
	lineage lint lint-sql bigquery-compile bigquery-check setup-browser airflow-setup \
	airflow-standalone airflow-test backfill bench clean help
help: ## list the targets in workflow order
	@awk -F ':.*## ' -v order="$(HELP_ORDER)" \
		'/^[a-zA-Z_-]+:.*## / { if (!($$1 in text)) { text[$$1] = $$2; seen[++n] = $$1 } } \
		END { k = split(order, names, " "); \
			for (i = 1; i <= k; i++) if (names[i] in text) { show(names[i]); done[names[i]] = 1 } \
			for (i = 1; i <= n; i++) if (!(seen[i] in done)) show(seen[i]) } \
		function show(t) { printf "  %-20s %s\n", t, text[t] }' $(MAKEFILE_LIST)

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

# `dbt build` of the seeds: load them, then their data tests (keys, ranges, history intervals).
# Kept as target/seed_run_results.json for `python -m fxa_metrics_tools.bench --build-share`.
seed: setup ## load the demo and reference seeds into DuckDB and run their data tests
	$(LOCKED) $(DBT) build --full-refresh --select resource_type:seed
	@cp target/run_results.json target/seed_run_results.json

# Tests of the SQL itself on fixed inputs, not of the data built: dbt unit tests and the singular
# macro tests of tests/dbt/macros. `make test` and `make check` run them, `make build` and the
# DAGs do not (dags/fxa_metrics_common.py EXCLUDE names the same two selectors).
CODE_TESTS := resource_type:unit_test path:tests/dbt/macros

# Seeds first: staging reads the demo tables as sources (so real Fivetran data can replace them),
# and dbt does not order sources after the seeds that stand in for them.
# The build's run_results.json is kept as target/build_run_results.json (docs generate replaces
# run_results.json): `python -m fxa_metrics_tools.bench --build-share` reads it with the seeds'.
dbt-build: seed ## load and test the seeds, then dbt build of the models and their data tests
	$(LOCKED) $(DBT) build --full-refresh --exclude resource_type:seed $(CODE_TESTS)
	@cp target/run_results.json target/build_run_results.json

dbt-unit-test: setup ## the dbt unit tests and macro tests (needs the warehouse of dbt-build)
	$(LOCKED) $(DBT) test --select $(CODE_TESTS)

# The column lineage and the rules cited (docs/) are written into the site's descriptions.
docs-generate: setup ## generate the docs site into target/ (static_index.html opens from disk)
	$(LOCKED) $(DBT) docs generate --static
	$(BIN)/python -m fxa_metrics_tools.lineage docs target

build: dbt-build docs-generate ## set up, load the demo data, build the warehouse on DuckDB, generate the docs
	@echo "warehouse: $(FXA_METRICS_DUCKDB_PATH)"
	@echo "docs: open file://$(CURDIR)/target/static_index.html in a browser (or: make docs)"

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

# Fast inner loop (issue 14, < 2 minutes on a warm venv): ruff, sqlfluff on the SQL changed since
# CHECK_BASE (HEAD: the uncommitted change; CHECK_SQL=all lints every file), dbt parse, the dbt
# unit tests and the macro tests on literal inputs (tests/dbt/macros), and the pytest files that
# need no built warehouse (CHECK_TESTS). Unit tests read the column types of their inputs from
# the warehouse: without one, an empty one is built first (seeds, then `dbt run --empty`).
CHECK_BASE ?= HEAD
CHECK_SQL ?= changed
CHECK_TESTS ?= tests/fxa/test_erasure_coverage.py tests/lineage/test_tracer.py \
	tests/docs/test_sqlfluff_config.py
check: setup ## fast checks: ruff, sqlfluff (changed SQL), dbt parse + unit tests, warehouse-free pytest
	@started=$$(date +%s); \
	$(BIN)/ruff check . && $(BIN)/ruff format --check . || exit 1; \
	if [ "$(CHECK_SQL)" = all ]; then sql="$(SQL_PATHS)"; else \
		sql=$$( { git diff --name-only --diff-filter=d $(CHECK_BASE) -- $(SQL_PATHS); \
			git ls-files --others --exclude-standard -- $(SQL_PATHS); } | grep '\.sql$$' | sort -u); fi; \
	if [ -n "$$sql" ]; then $(BIN)/sqlfluff lint $$sql --processes 2 --disable-progress-bar \
		|| exit 1; else echo "check: no changed SQL to lint"; fi; \
	$(LOCKED) $(DBT) parse --quiet || exit 1; \
	if [ ! -f "$(FXA_METRICS_DUCKDB_PATH)" ]; then echo "check: no warehouse, building an empty one"; \
		$(LOCKED) $(DBT) seed --quiet && $(LOCKED) $(DBT) run --empty --quiet || exit 1; fi; \
	$(LOCKED) $(DBT) test --quiet --select $(CODE_TESTS) || exit 1; \
	$(BIN)/pytest -q -m "not slow and not airflow and not browser" $(CHECK_TESTS) || exit 1; \
	echo "check: passed in $$(( $$(date +%s) - started )) s"

# BigQuery proven by Google's SQL analyzer (ZetaSQL, issue 12): the local gRPC service shipped in
# the npm package below (pinned) goes to .zetasql/ with Python stubs generated from its protos by
# grpcio-tools (git-ignored). Every model and data test of both compiles is analyzed in DAG order;
# one line per failure, last line `bigquery-check: N analyzed, E errors` (README, "BigQuery").
ZETASQL_VERSION := 1.13.0
ZETASQL_DIR := $(CURDIR)/.zetasql
ZETASQL_PROTOS := $(ZETASQL_DIR)/node_modules/@fivetrandevelopers/zetasql/lib/zetasql/protos
$(ZETASQL_DIR)/.installed-$(ZETASQL_VERSION): | setup
	rm -rf $(ZETASQL_DIR)/py
	npm install --prefix $(ZETASQL_DIR) --no-audit --no-fund --ignore-scripts --save-exact \
		--loglevel=error @fivetrandevelopers/zetasql@$(ZETASQL_VERSION)
	mkdir -p $(ZETASQL_DIR)/py
	cd $(ZETASQL_PROTOS) && $(BIN)/python -m grpc_tools.protoc -I . \
		--python_out=$(ZETASQL_DIR)/py --grpc_python_out=$(ZETASQL_DIR)/py \
		$$(find . -name '*.proto' | sed 's|^\./||' | sort)
	touch $@

zetasql-setup: $(ZETASQL_DIR)/.installed-$(ZETASQL_VERSION)

bigquery-check: setup bigquery-compile zetasql-setup ## analyze the BigQuery compile with ZetaSQL
	$(BIN)/python -m fxa_metrics_tools.bigquery_check $(BQ_TARGET) $(BQ_TARGET)_incremental

test: setup setup-browser lint dbt-build dbt-unit-test docs-generate bigquery-compile bigquery-check ## set up and run every test
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

# In order, one day at a time (last_seen/first_seen/monthly tables are stateful), each day with
# exactly what the daily DAG passes: the run date (FXA_METRICS_RUN_DATE), from which dbt derives
# the FxA and SubPlat days (macros/run_day.sql). Stops at the first failing day; RESUME=1 starts
# again there. On a deployed Airflow the same is `airflow backfill create --dag-id
# fxa_metrics_daily --from-date START --to-date END --max-active-runs 1` (see README).
backfill: setup ## rebuild the days START..END (YYYY-MM-DD) in order; RESUME=1 continues
	@[ -n "$(START)" ] && [ -n "$(END)" ] || \
		{ echo "usage: make backfill START=YYYY-MM-DD END=YYYY-MM-DD [RESUME=1]"; exit 2; }
	$(BIN)/python -m fxa_metrics_tools.backfill $(START) $(END) $(if $(RESUME),--resume)

clean: ## remove build output (keeps the virtualenvs)
	rm -rf target logs warehouse target_airflow
