# Two commands do everything on a fresh Debian/Ubuntu machine:
#   make demo   set up, then assess the bundled example and draw its picture
#   make test   set up, then run every test
# Set-up: system packages where missing (Graphviz, a C compiler), a Python 3.10-3.12,
# .venv with the package installed (not editable, so tests see what users get).

VENV := .venv
STAMP := $(VENV)/.installed
SOURCES := pyproject.toml $(shell find maturity cli rules examples -type f \( -name '*.py' -o -name '*.yaml' -o -name '*.json' \) 2>/dev/null)

.PHONY: demo test bench setup system clean

demo: setup system
	$(VENV)/bin/dots demo

test: setup system
	$(VENV)/bin/pytest

bench: setup
	$(VENV)/bin/python bench/run.py

setup: $(STAMP)

# The interpreter is chosen once, when .venv is made; system packages are checked for it then.
$(VENV)/bin/python:
	@python=$$(sh scripts/find-python) || exit 1; \
	sh scripts/ensure-system "$$python"; \
	echo "creating $(VENV) with $$python"; \
	"$$python" -m venv $(VENV)

system:
	@sh scripts/ensure-system $(VENV)/bin/python

$(STAMP): $(VENV)/bin/python $(SOURCES)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet '.[test]'
	@touch $(STAMP)

clean:
	rm -rf $(VENV) build dist *.egg-info out .pytest_cache
