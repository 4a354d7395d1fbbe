# Two commands do everything on a fresh machine (see README):
#   make table2   set up, then run the headline table at `cpu` scale on embedded defaults
#   make test     set up, then run the test suite (what .ci/run calls)
#   make test-fast  the tests that start no Ray and no process (about a minute)
VENV   ?= .venv
PY     := $(VENV)/bin/python
SCALE  ?= cpu
HEADLINE ?= experiments/table2.py

# Data: an explicit EMOJITAGS_DATA_DIR wins; else ../shared/data when it is there;
# else the loaders download from the public origins listed in components/data/manifest.py.
ifeq ($(origin EMOJITAGS_DATA_DIR), undefined)
  ifneq ($(wildcard ../shared/data/SOURCES.md),)
    export EMOJITAGS_DATA_DIR := $(abspath ../shared/data)
  endif
endif

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0   # the CPU build; an unpinned torch pulls CUDA
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

.PHONY: setup test test-fast table2 lint
setup: $(VENV)/.installed

# Two pytest processes, a test file each at a time (module fixtures run once): the heavy tests
# spend much of their time starting Ray, servers and subprocesses, which overlap well. Files
# start in conftest's order (slowest first), not xdist's (most tests first).
test: $(VENV)/.installed
	$(PY) -m pytest -q -n 2 --dist loadfile --no-loadscope-reorder

# The fast tier: no Ray, no process started (conftest refuses one), for the edit-test loop.
test-fast: $(VENV)/.installed
	EMOJITAGS_TEST_FAST=1 $(PY) -m pytest -q -n 2 -m "not ray and not subprocess and not cluster"

table2: $(VENV)/.installed
	$(PY) $(HEADLINE) --scale $(SCALE)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
