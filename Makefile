# Two entry points, each sets itself up on a machine that has only Python:
#   make demo   - train an SSHN on the embedded synthetic data, sweep phi, export
#   make test   - run the test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test benchmarks clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	TF_CPP_MIN_LOG_LEVEL=2 $(BIN)/sshn-keras demo --output demo_output

test: $(STAMP)
	TF_CPP_MIN_LOG_LEVEL=2 $(BIN)/python -m pytest -q -p no:cacheprovider

benchmarks: $(STAMP)
	TF_CPP_MIN_LOG_LEVEL=2 $(BIN)/python benchmarks/train_step.py
	TF_CPP_MIN_LOG_LEVEL=2 $(BIN)/python benchmarks/inference.py
	TF_CPP_MIN_LOG_LEVEL=2 $(BIN)/python benchmarks/data_pipeline.py
	TF_CPP_MIN_LOG_LEVEL=2 $(BIN)/python benchmarks/spatial_transformer.py

clean:
	rm -rf $(VENV) demo_output
