# Entry points, each sets itself up on a machine that has only Python:
#   make demo   - train an SSHN on the brain phantom (simulated from the MNI template), sweep phi, export
#   make test   - run the test suite (two workers, one per core: pytest-xdist)
#   make gpu-check - the accelerator checks of benchmarks/gpu_suite.py (writes gpu_suite.json)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test benchmarks gpu-check clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	TF_CPP_MIN_LOG_LEVEL=2 $(BIN)/sshn-keras demo --output demo_output

test: $(STAMP)
	TF_CPP_MIN_LOG_LEVEL=2 $(BIN)/python -m pytest -q -p no:cacheprovider -n 2 --dist loadgroup --no-loadscope-reorder

benchmarks: $(STAMP)
	TF_CPP_MIN_LOG_LEVEL=2 $(BIN)/python benchmarks/train_step.py
	TF_CPP_MIN_LOG_LEVEL=2 $(BIN)/python benchmarks/inference.py
	TF_CPP_MIN_LOG_LEVEL=2 $(BIN)/python benchmarks/data_pipeline.py
	TF_CPP_MIN_LOG_LEVEL=2 $(BIN)/python benchmarks/spatial_transformer.py

$(VENV)/.installed-gpu: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[gpu]"
	touch $@

gpu-check: $(VENV)/.installed-gpu
	TF_CPP_MIN_LOG_LEVEL=2 $(BIN)/python benchmarks/gpu_suite.py --json gpu_suite.json $(GPU_SUITE_ARGS)

clean:
	rm -rf $(VENV) demo_output
