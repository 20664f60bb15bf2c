# The two commands: `make run` (serve locally) and `make test` (lint + whole suite). See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Installed from uv.lock (every machine the same versions); the stamp names the lock it installed, so a changed
# lock (a pull, `make lock`) installs again and an unchanged one costs nothing.
STAMP := $(VENV)/.installed-$(shell cksum < uv.lock | cut -d' ' -f1)
PORT ?= 8000
# What a target needs installed first; `make manage VENV_READY=` skips the check for a venv you manage yourself.
VENV_READY ?= $(STAMP)
# uv, from PyPI, pinned: put in .tools/ by the first install (an uv of your own: make UV=uv). PIP=1 installs the
# same locked versions with plain pip instead (requirements.lock.txt, exported from uv.lock by `make lock`).
UV_VERSION := 0.13.9
UV_HOME := .tools/uv-$(UV_VERSION)
UV ?= $(UV_HOME)/bin/uv
PIP ?=
# Fetched only when it is ours that is used (not with PIP=1 nor with UV=<yours>).
UV_FETCH := $(filter $(UV_HOME)/bin/uv,$(UV))

.PHONY: run test bench soak attack mutate oas-check lint format install lock clean-var manage

$(UV_HOME)/bin/uv:
	@$(PYTHON) -m pip --version >/dev/null 2>&1 || { echo "$(PYTHON) has no pip: install uv yourself and run make UV=uv ..., or use PIP=1" >&2; exit 2; }
	$(PYTHON) -m pip install --quiet --disable-pip-version-check --no-deps --target $(UV_HOME) uv==$(UV_VERSION)

$(STAMP): uv.lock pyproject.toml | $(if $(PIP),,$(UV_FETCH))
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required (set PYTHON=...)")'
ifeq ($(PIP),)
	UV_PYTHON_DOWNLOADS=never $(UV) sync --locked --extra dev --python $(PYTHON)
else
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip --version >/dev/null 2>&1 || $(BIN)/python -m ensurepip --upgrade >/dev/null
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock.txt
endif
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

# After editing the dependencies in pyproject.toml: resolve again (newest versions the ranges allow; `uv lock
# --upgrade-package NAME` for one), and export the same pins for plain pip.
lock: | $(UV_FETCH)
	$(UV) lock
	$(UV) export --frozen --extra dev --no-emit-project --no-hashes --no-annotate --no-header \
		| sed '1i # Exported from uv.lock by `make lock` for `make install PIP=1`: the same versions, installed by pip.' \
		> requirements.lock.txt

run: export DEBUG ?= 1
run: export WEB_PORT := $(PORT)
run: $(STAMP)
	$(BIN)/python manage.py prepare_run
	@echo ""
	@echo "  Admin:    http://127.0.0.1:$(PORT)/admin/"
	@echo "  API docs: http://127.0.0.1:$(PORT)/api/docs/   (Redoc: /api/redoc/, schema: /api/schema/)"
	@echo "  Health:   http://127.0.0.1:$(PORT)/healthz"
	@echo "  Metrics:  http://127.0.0.1:$(PORT)/metrics   (Prometheus; this machine only; docs/operations.md)"
	@echo "  Web, Celery worker and beat run below; Ctrl-C stops all three."
	@echo ""
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m config.honcho_run start -f Procfile

test: export TESTING := 1
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file $(or $(VAR_DIR),var)/schema.yaml
	$(BIN)/pytest $(PYTEST_ARGS)

# Any manage.py command for local use, in any terminal: DEBUG=1 (so no SECRET_KEY to export), the same
# database and broker as `make run`. E.g. make manage ARGS="export --list". Production runs manage.py itself.
manage: export DEBUG ?= 1
manage: $(VENV_READY)
	@$(BIN)/python manage.py $(ARGS)

bench: export TESTING := 1
bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

# A bounded mixed load against gunicorn for SOAK_MINUTES (5) on loopback: 0 errors and flat RSS, or it fails.
# Not part of `make test`. Use PostgreSQL: DATABASE_URL=postgres://... make soak (docs/benchmarks.md).
soak: export TESTING := 1
soak: $(STAMP)
	$(BIN)/python -m bench.soak $(SOAK_ARGS)

# The attack run of issue #21 against production settings on loopback (gunicorn, a Celery worker and beat):
# the access matrix, Schemathesis with every check, a hostile corpus (~20,000 requests at ATTACK_SCALE=1) and
# every export afterwards; 0 answers >= 500, 0 schema failures, 0 accesses outside the table, or it fails.
# Not part of `make test`. Needs PostgreSQL and Redis: DATABASE_URL=postgres://... REDIS_URL=redis://... make attack
# (docs/testing.md, "The attack run"). ATTACK_SCALE=0.1 for a quick run; ATTACK_ARGS="--phases matrix" for one.
attack: $(STAMP)
	$(BIN)/python -m bench.attack $(ATTACK_ARGS)

# Mutation testing of the domain rule modules with their focused tests ([tool.mutmut] in pyproject.toml): mutmut
# copies the apps into mutants/ (ignored by git), runs each mutant, and the table follows; under 90% it fails.
# Not part of `make test`. Needs PostgreSQL, so the SQL forms of the keys are tested too (docs/testing.md,
# "Mutation testing"): DATABASE_URL=postgres://... make mutate. One mutant at a time: the test database is reused.
mutate: export TESTING := 1
mutate: export PYTEST_ADDOPTS := --reuse-db
mutate: $(STAMP)
	@case "$$DATABASE_URL" in postgres*) ;; *) echo "make mutate needs PostgreSQL (the keys' SQL forms are tested there): DATABASE_URL=postgres://... make mutate" >&2; exit 2;; esac
	rm -rf mutants
	$(BIN)/mutmut run --max-children 1
	$(BIN)/python -m tests.mutation_report

# The OpenAPI document through the tools integrators use (issue 23): installs Redocly, Spectral, openapi-typescript
# (npm) and openapi-generator (PyPI, bundles its jar; needs Java) into $(VAR_DIR)/oas-tools, then generates three
# clients (openapi-python-client, openapi-generator with validation on, openapi-typescript) and runs Redocly
# (recommended) and Spectral (spectral:oas): any error or operation not generated fails it. Not part of `make test`
# (it downloads tools); docs/testing.md, "OpenAPI tools". OAS_ARGS=--offline reuses what is installed.
oas-check: export TESTING := 1
oas-check: $(STAMP)
	$(BIN)/python -m tests.oas_tools $(OAS_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
