# The two commands of the README: `make dev` and `make test`. Everything else is a step
# of those two or an operator's tool.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_BIN := $(shell devkit/find-python)
VENV := .venv
SAM_VENV := .venv-sam
CHECKOV_VENV := .venv-checkov
LOCALSTRIPE_VENV := .venv-localstripe
PY := $(VENV)/bin/python
SAM := SAM_CLI_TELEMETRY=0 PATH=$(CURDIR)/$(SAM_VENV)/runtime-bin:$$PATH $(SAM_VENV)/bin/sam
export SAM_CLI_TELEMETRY := 0

.PHONY: help install dev dev-reset test lint typecheck template-check security-check workflow-check openapi events monitoring bench clean rotate-key admin seed search-rebuild

help:
	@echo "make dev        run the whole API locally on http://127.0.0.1:$${PORT:-3000}"
	@echo "make test       install everything and run lint, types, template checks and all tests"
	@echo "make dev-reset  forget the local data (.local/)"
	@echo "make seed       load a demo catalog through the API into \`make dev\` (STACK=name ARGS=\"--email E\": deployed)"
	@echo "make openapi    regenerate docs/openapi.json from the functions"
	@echo "make events     regenerate the event schemas (docs/events/*.json) from the event classes"
	@echo "make monitoring regenerate the alarms and dashboard of template.yaml from its functions and queues"
	@echo "make bench      run the benchmarks (bench/results/)"
	@echo "make rotate-key rotate the token signing key (local; STACK=name for a deployed stack)"
	@echo "make search-rebuild  rebuild the search index from the table (local; STACK=name for a deployed stack)"
	@echo "make admin      manage users, export orders: make admin ARGS=\"promote --email x@y.z --role manager\" (STACK=name: deployed)"

$(VENV)/.installed: requirements-dev.txt layers/shared/requirements.txt functions/*/requirements.txt
	@test -x $(PY) || $(PYTHON_BIN) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@# The shared layer's package and devkit, importable in the venv as they are in Lambda.
	$(PY) -c 'import pathlib, sysconfig; pathlib.Path(sysconfig.get_paths()["purelib"], "storefront-dev.pth").write_text("$(CURDIR)/layers/shared\n$(CURDIR)\n")'
	@touch $@

# aws-sam-cli pins its own boto3: it lives in a virtual environment of its own.
# `sam build` wants a `python3.13` first on PATH; runtime-bin holds exactly that.
$(SAM_VENV)/.installed: requirements-sam.txt
	@test -x $(SAM_VENV)/bin/python || $(PYTHON_BIN) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-sam.txt
	@mkdir -p $(SAM_VENV)/runtime-bin && ln -sf $(PYTHON_BIN) $(SAM_VENV)/runtime-bin/python3.13
	@touch $@

# checkov pins dozens of packages of its own: a virtual environment of its own too.
$(CHECKOV_VENV)/.installed: requirements-checkov.txt
	@test -x $(CHECKOV_VENV)/bin/python || $(PYTHON_BIN) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	@touch $@

# localstripe (the fake Stripe of local mode and the payment tests) pins aiohttp and more,
# and runs as its own process (devkit/localstripe_server.py): its own environment too.
$(LOCALSTRIPE_VENV)/.installed: requirements-localstripe.txt
	@test -x $(LOCALSTRIPE_VENV)/bin/python || $(PYTHON_BIN) -m venv $(LOCALSTRIPE_VENV)
	$(LOCALSTRIPE_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-localstripe.txt
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install: $(VENV)/.installed $(SAM_VENV)/.installed $(CHECKOV_VENV)/.installed $(LOCALSTRIPE_VENV)/.installed node_modules/.installed

dev: $(VENV)/.installed $(LOCALSTRIPE_VENV)/.installed node_modules/.installed
	$(PY) -m devkit.localrun

dev-reset:
	rm -rf .local

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy

template-check: $(VENV)/.installed $(SAM_VENV)/.installed
	$(SAM_VENV)/bin/cfn-lint template.yaml examples/*/template.yaml
	$(SAM) validate --lint --template template.yaml

# Every failed check is fixed or skipped in template.yaml itself, each with its reason.
security-check: $(CHECKOV_VENV)/.installed
	$(CHECKOV_VENV)/bin/checkov --file template.yaml --framework cloudformation --skip-download --compact --quiet

# The CI/CD workflows (actionlint; shellcheck too when it is on PATH).
workflow-check: $(VENV)/.installed
	$(VENV)/bin/actionlint -color=false .github/workflows/*.yml

test: install lint typecheck template-check security-check workflow-check
	$(PY) -m pytest

openapi: $(VENV)/.installed
	$(PY) -m devkit.openapi --write

events: $(VENV)/.installed
	$(PY) -m devkit.event_schemas --write

monitoring: $(VENV)/.installed
	$(PY) -m devkit.monitoring

bench: install
	$(SAM) build --build-dir .aws-sam/build --template template.yaml
	$(PY) -m bench.coldstart
	$(PY) -m bench.ddb_calls
	$(PY) -m bench.checkout
	$(PY) -m bench.webhooks
	$(PY) -m bench.search
	$(PY) -m bench.search_updates
	$(PY) -m bench.cost

clean:
	rm -rf .aws-sam .pytest_cache .mypy_cache .ruff_cache .coverage htmlcov

rotate-key: $(VENV)/.installed
	$(PY) -m devkit.signing_keys $(if $(STACK),--stack-name $(STACK)) $(ARGS)

search-rebuild: $(VENV)/.installed
	$(PY) -m devkit.search_rebuild $(if $(STACK),--stack-name $(STACK))

# ARGS is the command line of devkit/admin.py: `make admin ARGS="--help"` lists it.
admin: $(VENV)/.installed
	$(PY) -m devkit.admin $(if $(STACK),--stack-name $(STACK)) $(ARGS)

# Through the HTTP API, as a manager: `make seed ARGS="--help"` lists the options.
seed: $(VENV)/.installed
	$(PY) -m devkit.seed $(if $(STACK),--stack-name $(STACK)) $(ARGS)
