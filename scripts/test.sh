#!/usr/bin/env bash
# Lint, then every test (emulator tests included). Run scripts/setup.sh first.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check snn2c tests benchmarks
.venv/bin/ruff format --check snn2c tests benchmarks
.venv/bin/mypy snn2c
clang-format --dry-run --Werror --style=file firmware/*.c firmware/*.h
.venv/bin/python -m pytest -q -n 2 "$@"
