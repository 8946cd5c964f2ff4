#!/usr/bin/env bash
# The main job on a fresh machine: make a model, build firmware for the
# nucleo-f401 and prove in QEMU that it computes what the reference computes.
# Run scripts/setup.sh first.
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
$S build "$OUT/model.snn" --board nucleo-f401 -o "$OUT/nucleo-f401" --force
$S verify "$OUT/nucleo-f401" --emulator qemu --vectors 200
