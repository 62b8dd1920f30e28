# Steadyline — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SOCKETIO_CLIENT_VERSION := 4.8.4

.PHONY: run test venv test-venv vendor bench clean

$(BIN)/python:
	scripts/system-deps.sh run
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

venv: $(BIN)/python
	$(BIN)/pip install -q -e .

test-venv: $(BIN)/python
	scripts/system-deps.sh test
	$(BIN)/pip install -q -e ".[test]"

## Set up and run the server with embedded defaults (SQLite, in-process state, dev certificate).
run: venv
	$(BIN)/steadyline init-dev
	$(BIN)/steadyline serve

## Set up and run the whole test suite (installs PostgreSQL, Redis and chromium when root).
test: test-venv
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Re-vendor browser libraries from npm into static/vendor (committed; not needed to run).
vendor:
	rm -rf /tmp/steadyline-vendor && mkdir -p /tmp/steadyline-vendor
	cd /tmp/steadyline-vendor && npm pack --silent socket.io-client@$(SOCKETIO_CLIENT_VERSION) && tar xzf socket.io-client-*.tgz
	mkdir -p static/vendor
	cp /tmp/steadyline-vendor/package/dist/socket.io.esm.min.js static/vendor/

## Benchmarks (not part of the test suite); see docs/benchmarks.md.
bench: test-venv
	$(BIN)/python benchmarks/signaling.py
	$(BIN)/python benchmarks/sfu.py
	$(BIN)/python benchmarks/crisis.py

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache test-artifacts
