# Sydney Cycling Platform backend. `make run` and `make test` are the two commands a
# newcomer needs; both create or reuse the virtual environment and node_modules.
SHELL := /bin/bash
# Python 3.12 everywhere: Lambda's runtime, development, tests, CI and deploy.
PYTHON ?= python3.12
VENV := .venv
PY := $(VENV)/bin/python
STAGE ?= dev
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CDK_DISABLE_CLI_TELEMETRY := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# Bytecode is cached inside the virtual environment, never beside the sources, and is
# written even where PYTHONDONTWRITEBYTECODE is set: each process `make test` and `make run`
# start (the pytest workers, every local handler worker, the CDK app the CLI runs, the
# commands) then reads what the first compiled instead of compiling it all again.
export PYTHONPYCACHEPREFIX := $(abspath $(VENV))/pycache
export PYTHONDONTWRITEBYTECODE :=
# uv installs the pinned requirements: ~12 s from an empty cache where pip took ~90 s
# (measured on a 2-core machine), most of a clean clone's set-up.
UV_VERSION := 0.13.9

.PHONY: help api-reference lambda-lock nag-advisory run test suite lint typecheck unit service infra e2e bench fuzz load openapi events model-docs races synth deploy diff clean bootstrap-admin

help:
	@echo "make run        - the whole platform locally (moto as AWS), API on 127.0.0.1:3000"
	@echo "make test       - lint, type-check and every test layer (unit, service, infra, e2e)"
	@echo "make suite      - every test layer, without lint and type-check"
	@echo "make synth      - synthesize the five stacks of STAGE=$(STAGE) with the CDK CLI"
	@echo "make deploy     - deploy STAGE=$(STAGE) (needs AWS credentials and a bootstrap)"
	@echo "make bench      - DynamoDB round trips per route and cold-start ratio"
	@echo "make fuzz       - a longer schemathesis campaign against a fresh local platform"
	@echo "make load       - riders on a fresh local platform for SECONDS, then a data audit"
	@echo "make races      - the concurrency races for ROUNDS rounds (default 25)"
	@echo "make openapi    - regenerate docs/openapi.json from the code"
	@echo "make lambda-lock - recompile requirements-lambda.lock (with hashes) for the layer"
	@echo "make nag-advisory [STAGE=prod] - cdk-nag's NIST 800-53 R5 and Serverless packs, counted"
	@echo "make api-reference [API_URL=...] - the API reference page as a static folder"
	@echo "make events     - regenerate docs/events.md and docs/events/ from the event catalog"
	@echo "make model-docs - regenerate docs/model.md (entities, states, capabilities, items)"
	@echo "make bootstrap-admin EMAIL=... STAGE=... - make the first SiteAdmin of a stage"

# The environment is rebuilt whenever a requirements file changes.
$(VENV)/.installed-3.12: requirements.txt requirements-lambda.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' 2>/dev/null \
	  || { echo "Python 3.12 (Lambda's runtime) is needed: PYTHON=/path/to/python3.12 make ..."; exit 2; }
	@$(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' 2>/dev/null \
	  || { rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install --quiet uv==$(UV_VERSION)
	$(PY) -m uv pip install --quiet --python $(PY) -r requirements-dev.txt
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

venv: $(VENV)/.installed-3.12

node_modules: node_modules/.installed

run: $(VENV)/.installed-3.12
	$(PY) -m local

lint: $(VENV)/.installed-3.12
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.installed-3.12
	$(VENV)/bin/mypy

unit service e2e: $(VENV)/.installed-3.12
	$(PY) -m pytest tests/$@

infra: $(VENV)/.installed-3.12 node_modules/.installed
	$(PY) -m pytest tests/infra

# The type check (~20 s of one core on a clean clone, with no cache: it reads only the
# aws_cdk modules the code imports) runs beside the suite; either failing fails `make test`.
test: $(VENV)/.installed-3.12 node_modules/.installed lint
	@$(MAKE) --no-print-directory -j2 typecheck suite

suite: $(VENV)/.installed-3.12 node_modules/.installed
	$(PY) -m pytest -n 2 --dist loadgroup --durations=25 tests

# The cold-start figures are also taken on the Lambda runtime's Python (3.12), in its own
# environment of the functions' requirements, when this machine has a python3.12.
LAMBDA_VENV := .venv-lambda
$(LAMBDA_VENV)/.installed: requirements-lambda.txt requirements-dev.txt $(VENV)/.installed-3.12
	@python312=$$($(PY) -c 'from stacks.constructs.bytecode import python_312; print(python_312() or "")'); \
	if [ -n "$$python312" ]; then \
	  test -x $(LAMBDA_VENV)/bin/python || $$python312 -m venv $(LAMBDA_VENV); \
	  $(LAMBDA_VENV)/bin/python -m pip install --quiet -r requirements-lambda.txt \
	    $$($(PY) -m pip freeze | grep -iE '^(boto3|botocore|s3transfer|jmespath|urllib3)==') \
	    && touch $@; \
	else echo "note: no python3.12; cold start measured on $$($(PY) -V) only"; fi

# The dependencies layer's lock (with hashes), compiled for Lambda's platform.
lambda-lock: $(VENV)/.installed-3.12
	@{ printf '%s\n' "# The dependencies layer's exact contents: every package and its hashes, for arm64 / CPython" \
	  "# 3.12 (Lambda's platform), compiled from requirements-lambda.txt. After changing that file:" \
	  "#   make lambda-lock"; \
	  $(PY) -m uv pip compile requirements-lambda.txt --python-platform aarch64-manylinux_2_17 \
	    --python-version 3.12 --generate-hashes --no-header --quiet; } > requirements-lambda.lock

# cdk-nag's NIST 800-53 R5 and Serverless packs as advisory reports (AwsSolutions gates).
nag-advisory: $(VENV)/.installed-3.12
	$(PY) -m tools.nag_advisory --stage $(STAGE)

bench: $(VENV)/.installed-3.12
	@$(MAKE) --no-print-directory $(LAMBDA_VENV)/.installed
	$(PY) -m bench

# Riders on a fresh local platform for SECONDS (default 120), then an audit of the data.
load: $(VENV)/.installed-3.12
	$(PY) -m bench.load --seconds $(or $(SECONDS),120)

# The concurrency races for many more rounds than `make test` runs (ROUNDS, default 25).
races: $(VENV)/.installed-3.12
	RACE_ROUNDS=$(or $(ROUNDS),25) $(PY) -m pytest tests/e2e/test_ride_concurrency.py \
	  tests/e2e/test_membership_concurrency.py tests/e2e/test_races_under_faults.py \
	  tests/e2e/test_moto_dynamodb_serialization.py

# A longer fuzzing campaign than the test suite's, against a fresh local platform.
fuzz: $(VENV)/.installed-3.12
	$(PY) -m tools.fuzz $(if $(EXAMPLES),--max-examples $(EXAMPLES),)

openapi: $(VENV)/.installed-3.12
	$(PY) -m tools.openapi docs/openapi.json

# The API reference (Swagger UI) as a static folder; API_URL points "Try it out" at a stage.
api-reference: $(VENV)/.installed-3.12
	$(PY) -m tools.api_reference build/api-reference $(if $(API_URL),--server $(API_URL),)

events: $(VENV)/.installed-3.12
	$(PY) -m tools.event_docs docs

model-docs: $(VENV)/.installed-3.12
	$(PY) -m tools.model_docs docs/model.md

# OUT: where the cloud assembly goes (the pipeline's test job makes one per stage).
OUT ?= cdk.out
synth: $(VENV)/.installed-3.12 node_modules/.installed
	npx cdk synth --all -c stage=$(STAGE) $(if $(ALARM_EMAIL),-c alarm_email=$(ALARM_EMAIL),) --no-notices -q -o $(OUT)

diff: $(VENV)/.installed-3.12 node_modules/.installed
	npx cdk diff --all -c stage=$(STAGE) --no-notices

deploy: $(VENV)/.installed-3.12 node_modules/.installed
	npx cdk deploy --all -c stage=$(STAGE) $(if $(ALARM_EMAIL),-c alarm_email=$(ALARM_EMAIL),) --no-notices --require-approval broadening

bootstrap-admin: $(VENV)/.installed-3.12
	@test -n "$(EMAIL)" || (echo "usage: make bootstrap-admin EMAIL=someone@example.com STAGE=dev|staging|prod|local" && exit 2)
	$(if $(filter local,$(STAGE)),$(PY) -m local.bootstrap_admin $(EMAIL),$(PY) -m ops.bootstrap_site_admin $(EMAIL) --stage $(STAGE))

clean:
	rm -rf cdk.out .pytest_cache .mypy_cache .ruff_cache
