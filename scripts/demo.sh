#!/usr/bin/env bash
# The main job on a fresh machine: make a model, compile it to C, check the C
# against the reference. Run scripts/setup.sh first.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-demo}
mkdir -p "$OUT"
S=.venv/bin/snn2c
.venv/bin/python -c "
from snn2c import modelfile
from snn2c.netgen import random_network
modelfile.save(random_network(7, n_features=4, hidden=(32,)), '$OUT/model.snn', force=True)"
$S inspect "$OUT/model.snn"
$S compile "$OUT/model.snn" -o "$OUT/src" --force
gcc -std=c99 -Wall -Wextra -Wconversion -Wshadow -Werror -pedantic -O2 -c \
  "$OUT/src/snn_model.c" "$OUT/src/snn_kernels.c" -I"$OUT/src"
rm -f snn_model.o snn_kernels.o
echo "demo: compiled $OUT/src with strict warnings"
