# Tailor: `make run` serves the agent, `make test` runs the suite; both set up what they need.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
TAILOR_HOST ?= 127.0.0.1
TAILOR_PORT ?= 2024
export TAILOR_HOST TAILOR_PORT
STAMP := $(VENV)/.tailor-installed
# llama-cpp-python compiles llama.cpp from its sdist. GGML_NATIVE (its default) would tune for this CPU and can
# emit instructions a VM advertises but cannot run (AMX: SIGILL); this fixed AVX2/FMA/F16C level runs on any x86-64
# CPU since 2013 and is as fast here (decode is memory-bound). CUDA users: LLAMA_CMAKE_ARGS=-DGGML_CUDA=on.
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON \
	-DLLAVA_BUILD=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_SERVER=OFF

.PHONY: setup install model kb run lint test test-unit test-integration test-slow test-all soak refresh evals guard-loo lock clean

setup: install model kb

install: $(STAMP)

# Reinstall only when the lock or the project metadata changes.
$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# torch first and alone, so the CPU build on disk (or the user's own) is taken before anything pulls another
	$(PY) -m pip install --quiet torch==2.13.0
	# llama-cpp-python builds once per machine (about 8 minutes on 2 cores); pip's wheel cache serves later installs.
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

model: install
	$(PY) -m tools.default_model
	$(PY) -m training.gguf setup
	# the guard's learned layer: a static copy of the embedding model (once, ~50 s), then its classifier
	# (~3 min on 43,000 rows; `python -m tools.guard.train` alone adds the cross-validated figures)
	$(PY) -m tools.guard.train --skip-cv

# Ingest the default knowledge base when this build has one (docs/ and the kb tool).
kb: install
	@if [ -d docs ] && [ -f tools/kb/__main__.py ]; then $(PY) -m tools.kb ingest docs --collection docs; \
	else echo "no default knowledge base to ingest"; fi

run: setup
	@echo ""
	@echo "Tailor is starting on http://$(TAILOR_HOST):$(TAILOR_PORT) (graph id: agent)."
	@echo "Open the web app:     http://$(TAILOR_HOST):$(TAILOR_PORT)/ui"
	@echo "Chat in a terminal:   $(PY) -m graph.chat --url http://$(TAILOR_HOST):$(TAILOR_PORT)"
	@echo "One request by curl:  curl -s http://$(TAILOR_HOST):$(TAILOR_PORT)/runs/wait -H 'content-type: application/json' \\"
	@echo "                        -d '{\"assistant_id\":\"agent\",\"input\":{\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}}'"
	@echo ""
	$(PY) -m graph.serve

# Style and types: ruff's format and lint rules, mypy strict on graph/ and tools/ (settings in pyproject.toml).
lint: install
	$(PY) -m ruff format --check .
	$(PY) -m ruff check .
	$(PY) -m mypy

# Lint, then the suite without the tests marked slow (each over a minute on 2 cores; `make test-slow` runs those).
test: setup lint
	$(PY) -m pytest -q -p no:cacheprovider -m "not slow" --durations=25

test-slow: setup
	$(PY) -m pytest -q -p no:cacheprovider -m slow

test-all: setup
	$(PY) -m pytest -q -p no:cacheprovider

# The full-size soak: 32 clients x 10 turns on the real default model against a real server (a few minutes;
# `make test` runs 16 x 2). Saves bench/results/soak-*.json; exits 1 on any error or mixed-up thread.
SOAK_CLIENTS ?= 32
SOAK_TURNS ?= 10
soak: setup
	$(PY) -m bench.soak --clients $(SOAK_CLIENTS) --turns $(SOAK_TURNS)

test-unit: install
	$(PY) -m pytest -q -p no:cacheprovider tests/unit

test-integration: setup
	$(PY) -m pytest -q -p no:cacheprovider -m "not slow" tests/integration

# The feedback loop: feedback -> the method it supports (SFT on corrections, DPO on pairs, KTO on single thumbs; the
# plan is printed with its reasons) -> a new version of $(ADAPTER) -> eval gate -> promoted if not worse.
ADAPTER ?= tailor
refresh: setup
	$(PY) -m training.refresh --name $(ADAPTER) --gate-suite adapters,feedback --gate-metric token_f1 --gate-tolerance 0.02

# Every eval suite, kept locally (add LANGSMITH_API_KEY and drop --offline to upload experiments).
evals: setup
	$(PY) -m evals run --suite all --offline

# The guard on a new author's set: each scored held-out set by a head that never read it, beside a head trained
# on the banks alone (about 15 minutes). Saves leave_one_out.json and .png under TAILOR_DATA_DIR/guard.
guard-loo: setup
	$(PY) -m tools.guard.leave_one_out

# Re-pin every dependency from requirements.in into requirements.lock (needs the venv).
lock: install
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PY) -m pip install --quiet -r requirements.in
	$(PY) -m pip freeze --exclude-editable | sed 's/^torch==\(.*\)+cpu/torch==\1/' > requirements.lock

clean:
	rm -rf $(VENV) .langgraph_api
