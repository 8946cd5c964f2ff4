#!/usr/bin/env bash
# Lint, the README's main job as a user runs it (scripts/demo.sh, relative output
# folder), then every test (emulator tests included). Run scripts/setup.sh first.
# Arguments go to pytest (and skip the demo).
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check snn2c tests benchmarks
.venv/bin/ruff format --check snn2c tests benchmarks
.venv/bin/mypy snn2c
clang-format --dry-run --Werror --style=file firmware/*.c firmware/*.h
if [ "$#" -eq 0 ]; then
  bash scripts/demo.sh
fi
.venv/bin/python -m pytest -q -n 2 "$@"
