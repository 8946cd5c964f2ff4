#!/usr/bin/env bash
# The main job on a fresh machine: train the demo model (friedman1, population
# encoder, membrane decoder), build its firmware for the nucleo-f401 and prove in
# QEMU that the firmware computes exactly what the reference computes.
# Run scripts/setup.sh first.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-demo}
mkdir -p "$OUT"
S=.venv/bin/snn2c
$S train --dataset friedman1 --encoder population --decoder membrane --seed 0 -o "$OUT/model.snn" --force
$S inspect "$OUT/model.snn"
$S build "$OUT/model.snn" --board nucleo-f401 -o "$OUT/nucleo-f401" --force
$S verify "$OUT/nucleo-f401" --emulator qemu --vectors 200
$S report "$OUT/model.snn" --build "$OUT/nucleo-f401" --out "$OUT/report" --force
# the same model on the ESP8266 (Xtensa lx106, QEMU sim): issue 30's check, in CI
$S build "$OUT/model.snn" --board esp8266 -o "$OUT/esp8266" --force
$S verify "$OUT/esp8266" --emulator qemu --vectors 200
echo "demo: report in $OUT/report/report.html"
