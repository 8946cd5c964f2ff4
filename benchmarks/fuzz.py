"""Long mutation-fuzz runs over model files, board files, CSV files, NIR sidecars, build
manifests and CLI options (snn2c.fuzz), for the record.

.venv/bin/python benchmarks/fuzz.py --cases 100000 --seeds 1 2 3 4 5
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from snn2c import fuzz


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=20000, help="cases per seed")
    ap.add_argument("--seeds", type=int, nargs="+", default=[1])
    args = ap.parse_args()
    total, bugs, t0 = 0, 0, time.perf_counter()
    for seed in args.seeds:
        for kind, rep in (
            ("models", fuzz.run(args.cases, seed=seed)),
            ("boards", fuzz.run_boards(args.cases, seed=seed)),
            ("csv", fuzz.run_csv(args.cases, seed=seed)),
            ("nir sidecars", fuzz.run_nir_sidecars(args.cases, seed=seed)),
            ("manifests", fuzz.run_manifests(args.cases, seed=seed)),
            ("cli", fuzz.run_cli(max(1, args.cases // 20), seed=seed)),
        ):
            total += rep.cases
            bugs += rep.bugs
            print(
                f"seed {seed} {kind}: {rep.cases} cases, {rep.bugs} failures other than Snn2cError"
            )
            for where, n in rep.failures.most_common():
                print(f"  {n} x {where}: {rep.examples[where][0]}")
    print(f"{total} cases in {time.perf_counter() - t0:.0f} s, {bugs} failures")
    return 1 if bugs else 0


if __name__ == "__main__":
    raise SystemExit(main())
