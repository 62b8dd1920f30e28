# Steadyline — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SOCKETIO_CLIENT_VERSION := 4.8.4
AXE_CORE_VERSION := 4.14.1

PIP := $(BIN)/pip install --quiet --quiet --disable-pip-version-check
# What the install depends on: a change to one of these reinstalls, nothing else does.
PROJECT_FILES := pyproject.toml setup.py $(wildcard media/*.c)

.PHONY: run test venv test-venv vendor bench clean

$(BIN)/python:
	@scripts/system-deps.sh run
	@$(PYTHON) -m venv $(VENV)
	@$(PIP) --upgrade pip

# Stamps: `make run` twice installs once.
$(VENV)/.installed: $(BIN)/python $(PROJECT_FILES)
	@echo "Installing Steadyline into $(VENV)…"
	@$(PIP) -e .
	@touch $@

$(VENV)/.installed-test: $(BIN)/python $(PROJECT_FILES)
	@scripts/system-deps.sh test
	@echo "Installing Steadyline and its test tools into $(VENV)…"
	@$(PIP) -e ".[test]"
	@touch $@ $(VENV)/.installed

venv: $(VENV)/.installed

test-venv: $(VENV)/.installed-test

## Set up and run the server with embedded defaults (SQLite, in-process state, dev certificate).
run: venv
	@$(BIN)/steadyline init-dev
	@$(BIN)/steadyline serve

## Set up and run the whole test suite (installs PostgreSQL, Redis and chromium when root).
test: test-venv
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Re-vendor browser libraries from npm into static/vendor and tests/browser/vendor (committed; not needed to run).
vendor:
	rm -rf /tmp/steadyline-vendor && mkdir -p /tmp/steadyline-vendor
	cd /tmp/steadyline-vendor && npm pack --silent socket.io-client@$(SOCKETIO_CLIENT_VERSION) && tar xzf socket.io-client-*.tgz
	mkdir -p static/vendor
	cp /tmp/steadyline-vendor/package/dist/socket.io.esm.min.js static/vendor/
	rm -rf /tmp/steadyline-vendor/package
	cd /tmp/steadyline-vendor && npm pack --silent axe-core@$(AXE_CORE_VERSION) && tar xzf axe-core-*.tgz
	mkdir -p tests/browser/vendor
	cp /tmp/steadyline-vendor/package/axe.min.js tests/browser/vendor/  # the accessibility tests' checker (MPL-2.0)

## Benchmarks (not part of the test suite); see docs/benchmarks.md.
bench: test-venv
	$(BIN)/python benchmarks/signaling.py
	$(BIN)/python benchmarks/sfu.py
	$(BIN)/python benchmarks/sfu.py --no-fanout --group-sizes 4,8,12,24 --group-video 640x480
	$(BIN)/python benchmarks/sfu.py --no-fanout --group-sizes 24 --group-video 640x480 --idle-generator
	$(BIN)/python benchmarks/crisis.py
	$(BIN)/python benchmarks/after_hours.py
	$(BIN)/python benchmarks/media_workers.py
	$(BIN)/python benchmarks/dashboard.py

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache test-artifacts
