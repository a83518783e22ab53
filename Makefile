# Two commands do all set-up on a fresh machine (see README):
#   make demo   installs deepprob into .venv and runs `deepprob demo` on bundled MNIST digits
#   make test   installs deepprob with its test tools into .venv and runs the test suite
# torch is pinned and installed first, so pip never resolves an unpinned (multi-GB CUDA) build.
PYTHON ?= python3
VENV ?= .venv
TORCH_SPEC ?= torch==2.13.0
BIN := $(VENV)/bin

.PHONY: demo test install install-test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.torch: | $(BIN)/python
	$(BIN)/pip install --quiet "$(TORCH_SPEC)"
	touch $@

install: $(VENV)/.torch
	$(BIN)/pip install --quiet -e .

install-test: $(VENV)/.torch
	$(BIN)/pip install --quiet -e ".[test]"

demo: install
	$(BIN)/deepprob demo

test: install-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m pytest -p no:cacheprovider

bench: install-test
	for f in benchmarks/bench_*.py; do $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) build src/*.egg-info
