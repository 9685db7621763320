# LeadWarehouse: `make demo` sets everything up, builds the sample and serves both UIs;
# `make test` runs the whole test suite. See README.md.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
export LEADWH_HOME ?= $(CURDIR)/data
export DAGSTER_HOME ?= $(LEADWH_HOME)/dagster
export PATH := $(BIN):$(PATH)
DAGSTER_PORT ?= 3000
DASHBOARD_PORT ?= 8501
HOST ?= 127.0.0.1
PYTHON_DIRS := ingest orchestration dashboards tests benchmarks

.PHONY: setup instance sample build demo serve ui dashboards browser-deps node-deps bench-deps spark-deps test lint docs clean

$(BIN)/leadwh: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[dev]"
	touch $@

## setup: the virtualenv with the pinned dependencies (constraints.txt)
setup: $(BIN)/leadwh

# The Dagster home with its dagster.yaml (the warehouse pool's limit of 1).
instance: setup
	@$(BIN)/python -c "from ingest.paths import get_paths; from orchestration.build import dagster_home; dagster_home(get_paths())"

## sample: the built-in sample data set in $(LEADWH_HOME)/landing (once)
sample: setup
	@if [ -f "$(LEADWH_HOME)/landing/simulation.json" ]; then \
		echo "sample already in $(LEADWH_HOME)/landing"; \
	else \
		$(BIN)/leadwh simulate; \
	fi

## build: setup + sample + materialize every asset through Dagster
build: sample
	$(BIN)/leadwh build

## demo: build, then serve the Dagster UI and the dashboards until interrupted
demo: build serve

serve: setup instance
	@echo "Dagster UI:  http://$(HOST):$(DAGSTER_PORT)"
	@echo "Dashboards:  http://$(HOST):$(DASHBOARD_PORT)"
	@trap 'kill 0' INT TERM; \
	$(BIN)/dagster dev -w workspace.yaml -h $(HOST) -p $(DAGSTER_PORT) & \
	$(BIN)/streamlit run dashboards/streamlit_app.py --server.address $(HOST) \
		--server.port $(DASHBOARD_PORT) --server.headless true --browser.gatherUsageStats false & \
	wait

ui: setup instance
	$(BIN)/dagster dev -w workspace.yaml -h $(HOST) -p $(DAGSTER_PORT)

dashboards: setup
	$(BIN)/streamlit run dashboards/streamlit_app.py --server.address $(HOST) \
		--server.port $(DASHBOARD_PORT) --server.headless true --browser.gatherUsageStats false

## browser-deps: headless Chromium from Debian's packages, for the browser tests
browser-deps:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
		echo "installing Debian's chromium for the browser tests"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null; \
	else \
		echo "note: /usr/bin/chromium is missing (apt-get install chromium); browser tests will be skipped"; \
	fi

## node-deps: LeadConduit's own parsers (npm leadconduit-types, versions pinned in
## package-lock.json) for the differential tests in tests/typed/reference
NODE_REF := tests/typed/reference
node-deps: $(NODE_REF)/node_modules/.package-lock.json

$(NODE_REF)/node_modules/.package-lock.json: $(NODE_REF)/package.json $(NODE_REF)/package-lock.json
	@if command -v npm >/dev/null; then \
		cd $(NODE_REF) && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error; \
	else \
		echo "note: npm is missing (apt-get install nodejs npm); the LeadConduit differential tests will be skipped (they fail under CI=true)"; \
	fi

## bench-deps: a local S3 API for benchmarks/bench_firehose.py (npm s3rver, pinned in
## benchmarks/s3rver/package-lock.json; the benchmark falls back to moto's server without it)
BENCH_S3 := benchmarks/s3rver
bench-deps: $(BENCH_S3)/node_modules/.package-lock.json

$(BENCH_S3)/node_modules/.package-lock.json: $(BENCH_S3)/package.json $(BENCH_S3)/package-lock.json
	cd $(BENCH_S3) && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error

## spark-deps: the optional Spark engine (dbt-spark, pyspark; Java 17 from the system) for
## LEADWH_ENGINE=spark and the engines' differential test (tests/spark)
spark-deps: $(BIN)/pyspark

$(BIN)/pyspark: $(BIN)/leadwh
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[spark]"
	@command -v java >/dev/null || echo "note: java is missing (apt-get install openjdk-17-jre-headless); the Spark tests will be skipped (they fail under CI=true)"
	touch $@

## test: the whole test suite (pytest; it builds the warehouse and runs dbt's tests)
test: setup browser-deps node-deps spark-deps
	$(BIN)/pytest

## lint: ruff (lint + format check) on the Python, sqlfluff on the dbt models (.sqlfluff)
lint: setup
	$(BIN)/ruff check $(PYTHON_DIRS)
	$(BIN)/ruff format --check $(PYTHON_DIRS)
	$(BIN)/sqlfluff lint models --processes 1

## docs: dbt's documentation site for every model and column
docs: setup
	cd dbt_project && $(BIN)/dbt docs generate --quiet && \
		$(BIN)/dbt docs serve --host $(HOST) --port 8080 --no-browser

clean:
	rm -rf $(LEADWH_HOME) dbt_project/target dbt_project/logs
