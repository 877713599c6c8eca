# Set-up and everyday tasks. `make run` serves the bundled graph; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: install run test lint typecheck bench bench-load bench-small mutation check clean system-deps

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

# Debian packages the tests need: Chromium for the browser tests, Java for the HermiT reasoner;
# and wrk, the load generator of bench/load.py.
system-deps:
	@command -v chromium >/dev/null 2>&1 && command -v java >/dev/null 2>&1 && command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium default-jre-headless wrk >/dev/null; \
	  else echo "install Debian packages chromium, default-jre-headless and wrk (as root)"; exit 2; fi; }

run: install
	$(BIN)/qualifica serve

test: install system-deps
	$(BIN)/python -m pytest -q -p no:cacheprovider

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src

check: install
	$(BIN)/qualifica check

bench: install
	$(BIN)/python bench/planning.py --scale 1

# throughput and latency of serve --workers 1 and 2 under wrk, beside a bare FastAPI ceiling
bench-load: install system-deps
	$(BIN)/python bench/load.py --scale 1

bench-small: install
	$(BIN)/python bench/planning.py --scale 0.05

# mutation testing of planning/ and validation/ (mutmut; about 40 minutes on one core for the
# core modules, see docs/performance.md)
mutation: install
	$(BIN)/pip install -q -e '.[test,mutation]'
	$(BIN)/python bench/mutation.py --modules planning/gaps.py planning/paths.py validation/gate.py

clean:
	rm -rf var bench/out .pytest_cache
