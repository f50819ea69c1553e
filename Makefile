# Local Reach: two commands. `make run` serves the demo; `make test` runs everything.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := wsgi

.PHONY: run test lint venv install browser-deps oidc-deps db demo clean bench mutation lock

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Installs from the lock file: every package, direct or not, pinned with its hashes (the
# installer refuses any file whose hash differs). After changing requirements*.txt, run `make lock`.
# uv installs the same lock as pip would (same packages, same versions, hashes required) in about
# a fifth of the wall time on a fresh machine (issue 25: 232 s with pip, 47 s with uv, both
# uncached, load 13). It is itself a PyPI package, pinned here; UV=pip falls back to plain pip.
UV ?= uv==0.13.8
$(STAMP): requirements.lock | $(BIN)/python
	@if [ "$(UV)" = pip ]; then $(BIN)/pip install --quiet -r requirements.lock; else \
	  $(BIN)/pip install --quiet "$(UV)" && \
	  $(BIN)/uv pip install --quiet --python $(BIN)/python --require-hashes -r requirements.lock; fi
	touch $(STAMP)

lock: requirements.txt requirements-dev.txt
	$(BIN)/pip install --quiet pip-tools==7.6.2
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
	  --no-emit-find-links -o requirements.lock requirements-dev.txt

install: $(STAMP)

# Debian's Chromium for the browser tests (Playwright must not download its own).
browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "Installing Debian chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; \
	fi

# The OpenID Connect provider the SSO tests sign in through (npm oidc-provider, from the lock file).
oidc-deps:
	@if ! command -v npm >/dev/null; then echo "npm is missing: the SSO tests will skip (fail in CI)"; \
	elif [ ! -d tests/oidc/node_modules/oidc-provider ]; then \
	  cd tests/oidc && (npm ci --offline --no-audit --no-fund || npm ci --no-audit --no-fund); fi

db: install
	$(BIN)/flask --app wsgi init-db

demo: db
	$(BIN)/flask --app wsgi demo

# One command: set up, migrate, load the demo (prints the demo logins once) and serve.
# Cookies are not HTTPS-only here because the demo is served over plain HTTP on loopback.
run: demo
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl+C to stop)"
	SESSION_COOKIE_SECURE=0 LOCAL_REACH_SAMPLE_WEB=1 $(BIN)/flask --app wsgi run --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

# Mutation testing of the safety, privacy and access modules (docs/MUTATION.md). Not in CI: it
# reruns the covering tests once per mutant, tens of minutes on two cores.
mutation: install
	bash scripts/mutation.sh

# One command: set up and run the whole suite (SQLite, then PostgreSQL when reachable).
test: install browser-deps oidc-deps lint
	bash scripts/test.sh

bench: install
	@echo "See README.md, section Performance, for the benchmark commands."

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache .mypy_cache mutants tests/oidc/node_modules
