# Business Radar — two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
# two pytest-xdist workers (measured on the 2-core machine); PYTEST_WORKERS=0 runs in one process
PYTEST_WORKERS ?= 2

.PHONY: setup run demo test test-fast bench docs clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; set PYTHON=python3.11")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

setup: $(STAMP)

## make run: set up, migrate, load config/, start scheduler + dashboard (Ctrl-C stops both)
run: setup
	$(BIN)/radar db upgrade
	$(BIN)/radar config load
	$(BIN)/radar users ensure-admin
	exec $(BIN)/radar run

## make demo: the service on a local replay of recorded responses, for a first look offline
demo: setup
	exec $(BIN)/radar demo

## make test: set up and run the whole test suite (two workers; the wall-clock tests in order on one of them)
test: setup
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS); rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; exit 1; fi; exit $$rc

bench: setup
	for f in bench/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

docs: setup
	$(BIN)/python -m radar.docs

clean:
	rm -rf $(VENV) data/radar.db* .pytest_cache
