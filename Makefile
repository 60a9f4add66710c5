# Two commands on a fresh machine: `make audit` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
OUT    ?= out
INPUT  ?= sample_data/extract
# Test files run side by side (pytest-xdist), a file's tests in one worker (tests/conftest.py groups them),
# so that its fixtures are built once; the files that read the audited sample share one worker.
TEST_WORKERS ?= 2

.PHONY: audit test test-slow dev install install-test install-spark sample-data docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Installs are stamped so repeated runs are quick; constraints.txt pins every version.
$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -c constraints.txt -e ".[test]"
	touch $@

# The Spark engine's extra (pyspark, sqlglot; Java 17 comes from the system: .ci/run installs it).
$(VENV)/.installed-spark: $(VENV)/.installed-test
	$(BIN)/pip install --quiet -c constraints.txt -e ".[test,spark]"
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test
install-spark: $(VENV)/.installed-spark

audit: install
	$(BIN)/abc-audit run --input $(INPUT) --output $(OUT)

test: install-test
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadgroup -m "not slow" $(PYTEST_ARGS)

# The dashboard in a real headless Chromium (needs Debian's chromium), and the Spark engine against
# DuckDB on a local Spark (needs Java 17); .ci/run installs both.
test-slow: install-spark
	$(BIN)/python -m pytest -q -m slow $(PYTEST_ARGS)

dev: install
	mkdir -p .dagster && DAGSTER_HOME=$(CURDIR)/.dagster $(BIN)/dagster dev

sample-data: install
	$(BIN)/python -m sample_data.generate --out sample_data/extract --patients 2000

clean:
	rm -rf $(OUT) .$(OUT).work .dagster

docs: install
	$(BIN)/python -m audit_rules.render_docs > docs/rules.md.tmp && mv docs/rules.md.tmp docs/rules.md
