#!/usr/bin/env bash
# Set up a fresh Debian machine for snn2c: cross compilers and QEMU from apt,
# a virtual environment in .venv with snn2c and its training/test extras.
# Safe to run again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  gcc make clang-format gcc-arm-none-eabi picolibc-arm-none-eabi
  gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf
  gcc-xtensa-lx106 binutils-xtensa-lx106 picolibc-xtensa-lx106-elf
  qemu-system-arm qemu-system-misc openocd stlink-tools postgresql
)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
# torch is pinned (a CPU build); an unpinned torch would pull several GB of CUDA.
.venv/bin/pip install -q --disable-pip-version-check -e ".[train,dev,nir,board,flash,search,report,bench]" 2>&1 \
  | grep -v "^WARNING: Location" || true
# samna, which sinabs 2.0.3 requires (for SynSense's boards), is PyPI's stub: imported (as
# rockpool does when it is imported) it pip-installs the real package from SynSense's
# GitLab, a download at run time. Nothing here drives their hardware: remove it.
.venv/bin/pip uninstall -y -q samna >/dev/null 2>&1 || true
.venv/bin/snn2c --version
