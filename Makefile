# Plant Store — developer entry points. `make run` and `make test` are all a newcomer needs.
# The interpreter the virtualenv is made from (scripts/python.sh says which and why).
PYTHON ?= $(shell sh scripts/python.sh)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# Every package, with its hashes: `make lock` writes it from pyproject.toml (scripts/lock.sh).
LOCK := requirements/dev.lock
NODE_INSTALLED := node_modules/.installed
# What `buf breaking` compares the API with (a git ref of this repository).
BREAKING_AGAINST ?= HEAD~1

.PHONY: install run test lint proto proto-check schema-doc buf-lint buf-breaking compose-check \
	lock lock-check audit ci-checks clean

# Only what the lock names, hash-checked; then the project itself, without dependencies.
$(INSTALLED): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes --requirement $(LOCK)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation --editable .
	$(BIN)/pip check
	touch $@

$(NODE_INSTALLED): package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

install: $(INSTALLED)

## Serve store and adapter on the embedded SQLite database (Ctrl-C stops both).
run: $(INSTALLED)
	$(BIN)/plant-store migrate
	$(BIN)/plant-store run

## Run the whole test suite (PostgreSQL at PLANT_TEST_DATABASE_URL, and SQLite).
test: $(INSTALLED)
	$(BIN)/pytest

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy plant_store_client plant_store_cli store_service http_adapter tests bench docs/examples

## Regenerate the Python code of protos/ (commit the result).
proto: $(INSTALLED)
	bash scripts/gen_protos.sh

proto-check: $(INSTALLED)
	bash scripts/check_protos.sh

## Redraw the schema diagram in docs/schema.md from the models (commit the result).
schema-doc: $(INSTALLED)
	$(BIN)/python -m store_service.db.diagram

buf-lint: $(NODE_INSTALLED)
	npx --no-install buf lint

buf-breaking: $(NODE_INSTALLED)
	npx --no-install buf breaking --against '.git#ref=$(BREAKING_AGAINST)'

compose-check: $(INSTALLED)
	STORE_AUTH_TOKEN=compose-check $(BIN)/docker-compose -f compose.yaml config --quiet

## Rewrite requirements/*.lock after editing dependencies in pyproject.toml (commit the result);
## `make lock UPGRADE=1` also moves every pin to the newest allowed version.
## (Only uv is needed: a lock missing a new dependency would fail `make install`'s pip check.)
lock:
	test -x $(BIN)/uv || $(MAKE) install
	UPGRADE=$(UPGRADE) bash scripts/lock.sh

lock-check: $(INSTALLED)
	bash scripts/lock.sh --check

## Known vulnerabilities in the locked packages (skipped, loudly, when the advisories are unreachable).
audit: $(INSTALLED)
	bash scripts/audit.sh

ci-checks: lint proto-check buf-lint buf-breaking compose-check lock-check audit

clean:
	rm -rf $(VENV) node_modules plant_store.db plant_store.db-wal plant_store.db-shm
