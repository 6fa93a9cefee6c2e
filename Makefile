# Two commands do everything on a fresh Debian/Ubuntu machine:
#   make demo   set up, then assess the bundled example and draw its picture
#   make test   set up, then run every test (make test PYTEST_ARGS='-x -k wheel' to pass options)
#   make bench  set up, then run the benchmarks
#   make clean  remove .venv and build output
# Set-up, shared by all three and quick when already done:
#   - a Python 3.10-3.12 (scripts/find-python; `make PYTHON=/path/to/python3.x demo` picks one,
#     and remakes .venv if it was made with another);
#   - system packages where missing: Graphviz, a C compiler, Python headers, Pango and fonts for
#     PDF reports; for `make test` also Chromium and poppler-utils (scripts/ensure-system);
#   - .venv with the package installed from this folder, not editable, so that the tests see
#     what users get; re-installed when pyproject.toml or a file under maturity/, cli/, rules/
#     or examples/ changes (or one is added or removed).

VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check --no-input
STAMP := $(VENV)/.installed
SOURCE_LIST := $(VENV)/.sources
SOURCES := pyproject.toml \
	$(shell find maturity cli rules examples -type f ! -name '*.py[co]' ! -path '*/__pycache__/*' 2>/dev/null | LC_ALL=C sort)
PYTEST_ARGS ?=

.PHONY: demo test bench setup system clean

demo: system
	$(VENV)/bin/dots demo

test: system
	@sh scripts/ensure-system $(PY) --test
	$(VENV)/bin/pytest $(PYTEST_ARGS)

bench: setup
	$(PY) bench/run.py

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
	$(PIP) install -qq '.[test]'
	@rm -rf build *.egg-info
	@touch $@

clean:
	rm -rf $(VENV) build dist *.egg-info out .pytest_cache
