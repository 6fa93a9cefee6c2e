# Two commands do everything on a fresh Debian/Ubuntu machine:
#   make demo   set up, then assess the bundled example and draw its picture
#   make test   set up, then run every test (make test PYTEST_ARGS='-x -k wheel' to pass options)
#               a longer run of the engine-against-reference test (docs/engine.md):
#               make test PYTEST_ARGS='tests/test_differential.py --differential-examples=2000'
#   make bench  set up, then run the benchmarks
#   make test-pythons  `make test`, then the same whole suite on every other Python 3.10-3.13
#               found (scripts/find-python --all), each in its own .venv-X.Y; or only on those
#               named: make test-pythons PYTHONS='/usr/bin/python3.13'
#   make other-pythons  the same without the default run
#   make clean  remove .venv, .venv-X.Y and build output
# Set-up, shared by all and quick when already done:
#   - a Python 3.10-3.13 (scripts/find-python; `make PYTHON=/path/to/python3.x demo` picks one,
#     and remakes .venv if it was made with another; VENV=.venv-3.13 puts it elsewhere);
#   - system packages where missing: Graphviz, a C compiler, Python headers and venv, Pango and
#     fonts for PDF reports; for `make test` also Chromium and poppler-utils (scripts/ensure-system);
#   - on Python 3.13, durable-rules built with CPPFLAGS=-DPyEval_CallObject=PyObject_CallObject
#     and never from pip's cache (scripts/ensure-durable-rules): as released it does not import;
#   - .venv with the package installed from this folder, not editable, so that the tests see
#     what users get; re-installed when pyproject.toml or a file under maturity/, cli/, rules/
#     or examples/ changes (or one is added or removed).

VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check --no-input
STAMP := $(VENV)/.installed
SOURCE_LIST := $(VENV)/.sources
SOURCES := pyproject.toml \
	$(shell find maturity cli rules examples -type f ! -name '*.py[co]' ! -path '*/__pycache__/*' 2>/dev/null | LC_ALL=C sort)
PYTEST_ARGS ?=

.PHONY: demo test test-pythons other-pythons bench setup system clean

demo: system
	$(VENV)/bin/dots demo

test: system
	@sh scripts/ensure-system $(PY) --test
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# Each interpreter in its own .venv-X.Y, so that switching does not remake .venv.
test-pythons: test
	@$(MAKE) --no-print-directory other-pythons

# The loop of test-pythons without the default run (.ci/run uses it for Python 3.13).
other-pythons:
	@default=$$($(PY) -c 'import sys; print("%d.%d" % sys.version_info[:2])') || exit 1; \
	pythons="$(PYTHONS)"; [ -n "$$pythons" ] || pythons=$$(sh scripts/find-python --all) || exit 1; \
	status=0; \
	for python in $$pythons; do \
		v=$$("$$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])') || { status=1; continue; }; \
		[ "$$v" != "$$default" ] || continue; \
		echo "== the whole suite on Python $$v ($$python), in .venv-$$v"; \
		$(MAKE) --no-print-directory VENV=.venv-$$v PYTHON="$$python" test || status=1; \
	done; \
	exit $$status

bench: setup
	$(PY) bench/run.py
	$(PY) bench/batch.py

setup: $(STAMP)

# Graphviz may have been removed since .venv was made; checking costs one Python start.
system: setup
	@sh scripts/ensure-system $(PY)

# PYTHON given and .venv made with another interpreter: start .venv again.
ifneq ($(strip $(PYTHON)),)
ifneq ($(wildcard $(VENV)/.python),)
ifeq ($(filter clean,$(MAKECMDGOALS)),)
WANTED := $(shell PYTHON='$(PYTHON)' sh scripts/find-python 2>/dev/null)
ifeq ($(WANTED),)
$(error $(shell PYTHON='$(PYTHON)' sh scripts/find-python 2>&1))
endif
ifneq ($(WANTED),$(shell cat $(VENV)/.python))
$(info $(VENV) was made with $(shell cat $(VENV)/.python); making it again with $(WANTED))
$(shell rm -rf $(VENV))
endif
endif
endif
endif

# The interpreter is chosen when .venv is made; system packages are checked for it first.
$(PY):
	@python=$$(sh scripts/find-python) || exit 1; \
	sh scripts/ensure-system "$$python"; \
	echo "creating $(VENV) with $$python"; \
	rm -rf $(VENV); \
	"$$python" -m venv $(VENV) || { rm -rf $(VENV); exit 1; }; \
	$(PIP) install --quiet --upgrade pip || echo "warning: could not upgrade pip; using the one venv installed" >&2; \
	echo "$$python" > $(VENV)/.python

# The list of source files, in .venv and rewritten only when it changes, so that adding or
# removing a file re-installs too. Kept up to date as the Makefile is read (so `make -n` tells
# the truth); made with .venv the first time.
$(shell [ -d $(VENV)/bin ] || exit 0; \
	printf '%s\n' $(SOURCES) > $(SOURCE_LIST).new; \
	if cmp -s $(SOURCE_LIST).new $(SOURCE_LIST); then rm -f $(SOURCE_LIST).new; \
	else mv -f $(SOURCE_LIST).new $(SOURCE_LIST); fi)
$(SOURCE_LIST): | $(PY)
	@printf '%s\n' $(SOURCES) > $@

$(STAMP): $(PY) $(SOURCE_LIST) $(SOURCES)
	@echo "installing connect-the-dots and its dependencies into $(VENV) (the first time, durable-rules compiles: a minute or so)"
	@rm -rf build *.egg-info
	@sh scripts/ensure-durable-rules $(PY)
	$(PIP) install -qq '.[test]'
	@rm -rf build *.egg-info
	@touch $@

clean:
	rm -rf $(VENV) .venv-3.* build dist *.egg-info out .pytest_cache
