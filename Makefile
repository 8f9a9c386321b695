# Everyday tasks. `make help` lists them.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: help install test lint ci evaluate bench demo
help:
	@grep -E '^[a-z]+:.*?## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

install: ## set up .venv with the test extras
	python3 -m venv $(VENV) && $(VENV)/bin/pip install -q -e '.[test]'

test: ## the test suite on SQLite (set TRACKER_TEST_DATABASE_URL for PostgreSQL)
	$(VENV)/bin/pytest -q

lint: ## ruff
	$(VENV)/bin/ruff check .

ci: ## what CI runs: fresh venv, ruff, tests on SQLite and on a throwaway PostgreSQL
	bash .ci/run

evaluate: ## precision and recall on the labelled sample corpus
	$(VENV)/bin/tracker evaluate

bench: ## the ingestion benchmark (5,000 generated articles)
	$(PY) bench/ingest_bench.py

demo: ## ingest the sample articles and print what is in force today
	$(VENV)/bin/tracker ingest seeds/articles && $(VENV)/bin/tracker status
