# Two commands for a new machine: `make run` (set up, index corpus/, serve the chat) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TORCH := torch==2.13.0
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_VERBOSITY := error
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test bench install dev chromium llm-server lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# The CPU wheel of torch goes in first so nothing pulls a multi-GB CUDA build.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q $(TORCH)
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q $(TORCH) -e '.[dev,llm]'
	touch $@

install: $(VENV)/.installed

dev: $(VENV)/.installed-dev

# Debian's Chromium for the browser tests (Playwright drives it; it never downloads a browser).
chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

# llama.cpp's OpenAI-compatible server and SmolLM2-135M for the `llm` tests (wheel built once, cached).
llm-server: dev
	bash scripts/llm-server-deps.sh $(VENV)

# `make run PORT=7861` serves on another port (default: $ASSISTANT_PORT or 7860).
run: install
	$(BIN)/assistant ingest corpus
	$(BIN)/assistant serve $(if $(PORT),--port $(PORT),)

test: dev chromium llm-server
	$(BIN)/python -m pytest

bench: dev
	$(BIN)/python -m bench $(if $(QUICK),--quick,)

lint: dev
	$(BIN)/ruff check assistant ui tests bench
	$(BIN)/mypy

clean:
	rm -rf $(VENV) index/chroma.sqlite3 index/*/ index/.writes tests/artifacts
