# secannot developer commands.  Everything runs inside .venv, created on demand
# with the first python3.11 (or python3 >= 3.11) on PATH.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TRAIN_STAMP := $(VENV)/.installed-train
BENCH_STAMP := $(VENV)/.installed-bench
SHARED ?= ../shared

.PHONY: run test bench train lint clean help

help:
	@echo "make run    - annotate the bundled example (examples/reference.fasta)"
	@echo "make test   - run the test suite"
	@echo "make bench  - accuracy and speed figures (needs $(SHARED))"
	@echo "make train  - retrain the models from $(SHARED) (installs torch CPU)"

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("secannot needs Python >= 3.11, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	touch $(BENCH_STAMP)

$(TRAIN_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[train]'
	touch $(TRAIN_STAMP)

run: $(STAMP)
	$(BIN)/secannot annotate examples/reference.fasta

test: $(STAMP)
	SECANNOT_SHARED=$(abspath $(SHARED)) $(BIN)/python -m pytest -q

bench: $(BENCH_STAMP)
	$(BIN)/python bench/run_bench.py --shared $(SHARED)

train: $(TRAIN_STAMP)
	$(BIN)/python train/calibrate_topology.py --benchmark $(SHARED)/data/signalp6/benchmark_dev.3line
	OPENBLAS_NUM_THREADS=1 $(BIN)/python train/train_topology_net.py --shared $(SHARED)
	OPENBLAS_NUM_THREADS=1 $(BIN)/python train/eval_topology_net.py --shared $(SHARED)
	$(BIN)/python train/train_nonclassical.py --data $(SHARED)/data/outcyte/ups_dev.fasta --tmbed $(SHARED)/data/tmbed/tmbed_dev.3line
	$(BIN)/python train/train_sp.py --benchmark $(SHARED)/data/signalp6/benchmark_dev.3line \
		--remainder $(SHARED)/data/signalp6/extra_remainder.3line --targetp $(SHARED)/data/signalp6/extra_targetp.3line \
		--tmbed $(SHARED)/data/tmbed/tmbed_dev.3line

lint: $(STAMP)
	$(BIN)/secannot rules lint rules/

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
