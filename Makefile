# itoo: two commands do all the set-up on a fresh machine.
#   make run    install, then materialize the whole asset graph on the sample world
#   make test   install, then run the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# CPU build of PyTorch, installed before the project so pip keeps it (a bare `torch` pulls CUDA).
TORCH_SPEC ?= torch==2.13.0
SIZE ?= small
SEED ?= 7
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export ITOO_DATA_DIR ?= $(CURDIR)/.itoo_data

.PHONY: install install-gpu run ui test bench clean

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check "$(TORCH_SPEC)"
	$(BIN)/pip install -q --disable-pip-version-check -e ".[test]"
	touch $@

install: $(BIN)/.installed

# ONNX Runtime with the CUDA provider instead of the CPU build (both install the same module).
install-gpu: install
	$(BIN)/pip uninstall -q -y onnxruntime
	$(BIN)/pip install -q --disable-pip-version-check -e ".[gpu]"

$(DAGSTER_HOME)/dagster.yaml: dagster.yaml
	mkdir -p $(DAGSTER_HOME) && cp dagster.yaml $@

run: install $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/itoo run --size $(SIZE) --seed $(SEED)

ui: install $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/dagster dev -w workspace.yaml -p $(or $(PORT),3000)

test: install
	$(BIN)/python -m pytest -q itoo_assets_tests

bench: install
	$(BIN)/python bench/search_index.py
	$(BIN)/python bench/pipeline.py --size $(SIZE)

clean:
	rm -rf $(DAGSTER_HOME) $(ITOO_DATA_DIR)
