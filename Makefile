# Maklerwerk: `make run` serves the app, `make test` runs the whole suite. See README.md.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
MW := $(VENV)/bin/maklerwerk
PIP_FLAGS ?= --quiet --disable-pip-version-check
export MAKLERWERK_DATA_DIR ?= $(CURDIR)/var
# The OpenImmo XSD may not be shipped (licence): a machine's own copy there is used by the tests.
export MAKLERWERK_OPENIMMO_XSD ?= $(wildcard $(HOME)/.local/share/openimmo/openimmo_127c.xsd)

.PHONY: run test test-jobs bench mutate bite lint format messages install install-test clean

# The venv is rebuilt when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || "$$(scripts/find_python.sh)" -m venv $(VENV)
	$(PY) -m pip install $(PIP_FLAGS) --upgrade pip
	$(PY) -m pip install $(PIP_FLAGS) -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install $(PIP_FLAGS) -e '.[test]'
	@touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

messages: $(VENV)/.installed
	cd src/maklerwerk && ../../$(MW) compilemessages --ignore=static -v0

# Development opts into DEBUG (the default is off, for production).
run: export DEBUG ?= 1
run: install messages
	@mkdir -p "$(MAKLERWERK_DATA_DIR)"
	$(MW) migrate --noinput -v0
	$(MW) collectstatic --noinput -v0
	$(MW) seed_demo --first-start
	$(MW) serve

test: install-test
	scripts/ensure_test_tools.sh
	$(MAKE) --no-print-directory messages
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test-jobs: install-test messages
	$(VENV)/bin/pytest -m jobs $(PYTEST_ARGS)

$(VENV)/.installed-bench: $(VENV)/.installed-test
	$(PY) -m pip install $(PIP_FLAGS) -e '.[test,bench]'
	@touch $@

bench: $(VENV)/.installed-bench
	scripts/ensure_test_tools.sh
	$(MAKE) --no-print-directory messages
	$(PY) -m bench $(BENCH_ARGS)

$(VENV)/.installed-mutate: $(VENV)/.installed-test
	$(PY) -m pip install $(PIP_FLAGS) -e '.[test,mutate]'
	@touch $@

# Mutation testing (docs/testing.md): all critical modules, or MUTATE="duplicates-merge exposes".
MUTATE ?= all
mutate: $(VENV)/.installed-mutate
	scripts/ensure_test_tools.sh
	$(MAKE) --no-print-directory messages
	VENV=$(VENV) scripts/mutate.sh $(MUTATE)

# Break each behaviour that matters most and show a test catches it (docs/testing.md); the breaks
# that need a database race run when TEST_DATABASE_URL names a PostgreSQL server. BITE="name ...".
bite: install-test
	scripts/ensure_test_tools.sh
	$(MAKE) --no-print-directory messages
	VENV=$(VENV) $(PY) scripts/bite_check.py $(BITE)

# Types: mypy with django-stubs over src/ and bench/ ([tool.mypy] in pyproject.toml), and every
# `# type: ignore` with its code and a reason (CONTRIBUTING.md "Types").
lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	scripts/check_type_ignores.sh src bench tests

format: install-test
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) var/static
