"""Host speed: snn2c's numpy reference and trainer against snnTorch (issue 6, items 2 and 3).

Per dataset (the trainer's seeded split), side by side in one run:

* training seconds per epoch: snn2c's trainer (snn2c.train, float phase: Adam,
  batch 64, one validation pass per epoch) and the same network written with
  snnTorch (nn.Linear + snn.Leaky with the same beta, threshold, subtract reset
  in the same step (reset_delay=False), fast-sigmoid surrogate of slope 5, the
  same Gaussian population encoder and membrane readout), same batches,
  optimiser and validation pass;
* inference throughput on the test split: the snn2c integer reference
  (snn2c.reference.integer, bit-exact with the C), snn2c's float simulator,
  and the snnTorch network loaded with the trained snn2c weights (torch.no_grad).
  The snnTorch outputs are compared with the float simulator (max abs diff on
  the [0, 1]-scaled target) to show it is the same network.

torch runs on one thread (as snn2c's trainer does), numpy as installed.
Writes benchmarks/results.json (section host_speed) and docs/benchmarks.md.

    .venv/bin/python benchmarks/host_speed.py            # ~1-2 min
    .venv/bin/python benchmarks/host_speed.py --epochs 3 --repeats 5
"""

from __future__ import annotations

import argparse
import datetime
import sys
import time
from pathlib import Path

import numpy as np

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]

from snn2c import ir  # noqa: E402
from snn2c.contract import Decoder, Encoder, ResetTiming  # noqa: E402
from snn2c.quantize import quantize  # noqa: E402
from snn2c.quantize.tables import centres_float  # noqa: E402
from snn2c.reference import floatsim  # noqa: E402
from snn2c.reference import integer as ref_int  # noqa: E402
from snn2c.train import datasets  # noqa: E402
from snn2c.train.model import ModelConfig, SpikingRegressor  # noqa: E402
from snn2c.train.trainer import TrainConfig, fit, input_spec, normalise, train  # noqa: E402

import _common as C  # noqa: E402
import report_doc  # noqa: E402

DATASETS = ("friedman1", "mackey-glass", "diabetes")


def snntorch_model(net: ir.Network, slope: float = 5.0):
    """The IR network as snnTorch modules (float weights copied when net has them)."""
    import snntorch as snn
    import torch
    from snntorch import surrogate
    from torch import nn

    enc = net.encoder
    if enc.kind is not Encoder.POPULATION or net.decoder.kind is not Decoder.MEMBRANE:
        raise SystemExit("host_speed: population encoder and membrane decoder only")

    class SnnTorchRegressor(nn.Module):
        def __init__(self):
            super().__init__()
            self.steps = enc.steps
            self.sigma = enc.sigma
            self.register_buffer(
                "mu", torch.tensor(centres_float(enc.neurons_per_feature), dtype=torch.float32)
            )
            self.fcs = nn.ModuleList()
            self.lifs = nn.ModuleList()
            for layer in net.layers:
                n = layer.neuron
                fc = nn.Linear(layer.n_in, layer.n_out)
                with torch.no_grad():
                    fc.weight.copy_(torch.as_tensor(layer.weight, dtype=torch.float32))
                    fc.bias.copy_(torch.as_tensor(layer.bias, dtype=torch.float32))
                self.fcs.append(fc)
                self.lifs.append(
                    snn.Leaky(
                        beta=n.decay,
                        threshold=n.threshold,
                        spike_grad=surrogate.fast_sigmoid(slope=slope),
                        reset_mechanism=n.reset if n.spiking else "none",
                        reset_delay=n.reset_timing is ResetTiming.NEXT_STEP,
                    )
                )
            self.readout = nn.Linear(net.layers[-1].n_out, net.n_outputs)
            with torch.no_grad():
                self.readout.weight.copy_(torch.as_tensor(net.decoder.weight, dtype=torch.float32))
                self.readout.bias.copy_(torch.as_tensor(net.decoder.bias, dtype=torch.float32))

        def forward(self, u):
            a = torch.exp(-((u[:, :, None] - self.mu) ** 2) / (2 * self.sigma**2))
            a = a.reshape(u.shape[0], -1)
            cur0 = self.fcs[0](a)  # constant input current, once (as snn2c's trainer)
            mems = [lif.init_leaky() for lif in self.lifs]
            mem = None
            for _t in range(self.steps):
                x = cur0
                for i, lif in enumerate(self.lifs):
                    if i > 0:
                        x = self.fcs[i](x)
                    spk, mems[i] = lif(x, mems[i])
                    x = spk
                mem = mems[-1]
            return self.readout(mem)

    return SnnTorchRegressor()


def train_snntorch(model, u_tr, y_tr, u_va, y_va, epochs, batch, lr, seed) -> float:
    """Seconds per epoch of snnTorch's model in snn2c's own loop (train.loop.fit, the
    loop snn2c's SNN trains in; patience beyond the epochs: no early stop)."""
    from snn2c.train import loop

    t0 = time.perf_counter()
    loop.fit_regressor(
        model,
        u_tr,
        y_tr,
        u_va,
        y_va,
        epochs=epochs,
        lr=lr,
        batch_size=batch,
        patience=10**6,
        seed=seed,
    )
    return (time.perf_counter() - t0) / epochs


def best_time(fn, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def bench(name: str, args) -> dict:
    import torch

    torch.set_num_threads(1)
    # a trained snn2c network (its weights are what every inference below runs)
    cfg = TrainConfig(
        dataset=name,
        epochs=args.epochs,
        qat_epochs=0,
        patience=10**6,
        baseline=False,
        seed=args.seed,
    )
    net = train(cfg).network

    ds = datasets.load(name, args.seed)
    spec = input_spec(ds)
    tgt = net.target
    u_tr, u_va, u_te = (normalise(spec, x) for x in (ds.x_train, ds.x_val, ds.x_test))
    y_tr, y_va = ((y[:, None] - tgt.offset) / tgt.scale for y in (ds.y_train, ds.y_val))

    # inference throughput, same test split
    qnet = quantize(net)
    x_q = ref_int.normalize(net, ds.x_test)
    t_ref = best_time(lambda: ref_int.run(qnet, x_q), args.repeats)
    u_f = floatsim.normalize_float(net, ds.x_test)
    y_float = floatsim.run_float(net, u_f).outputs
    t_float = best_time(lambda: floatsim.run_float(net, u_f), args.repeats)
    model = snntorch_model(net)
    model.eval()
    ut = torch.as_tensor(u_f, dtype=torch.float32)
    with torch.no_grad():
        y_st = model(ut).double().numpy()
        t_st = best_time(lambda: model(ut), args.repeats)
    diff = float(np.max(np.abs(y_st - y_float)))

    # training speed: snn2c's fit and the snnTorch loop, each one warm-up epoch, then timed
    enc = net.encoder
    mcfg = ModelConfig(
        n_features=ds.n_features, encoder=enc, hidden=cfg.hidden, readout=cfg.readout
    )
    torch.manual_seed(args.seed)
    model = SpikingRegressor(mcfg)
    common = dict(lr=cfg.lr, batch_size=cfg.batch_size, patience=10**6, seed=args.seed)
    fit(model, u_tr, y_tr, u_va, y_va, epochs=1, **common)
    t0 = time.perf_counter()
    fit(model, u_tr, y_tr, u_va, y_va, epochs=args.epochs, **common)
    snn2c_epoch = (time.perf_counter() - t0) / args.epochs
    torch.manual_seed(args.seed)
    st = snntorch_model(net)
    train_snntorch(st, u_tr, y_tr, u_va, y_va, 1, cfg.batch_size, cfg.lr, args.seed)
    st_epoch = train_snntorch(
        st, u_tr, y_tr, u_va, y_va, args.epochs, cfg.batch_size, cfg.lr, args.seed
    )
    n = len(ds.x_test)
    return {
        "dataset": name,
        "test_vectors": n,
        "train_vectors": len(ds.x_train),
        "reference_inf_per_s": n / t_ref,
        "floatsim_inf_per_s": n / t_float,
        "snntorch_inf_per_s": n / t_st,
        "snn2c_train_s_per_epoch": snn2c_epoch,
        "snntorch_train_s_per_epoch": st_epoch,
        "snntorch_vs_floatsim_max_abs": diff,
        "epochs_timed": args.epochs,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=DATASETS)
    ap.add_argument("--epochs", type=int, default=3, help="epochs timed per trainer")
    ap.add_argument("--repeats", type=int, default=5, help="inference timings (best kept)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    t0 = time.perf_counter()
    rows = []
    for name in args.datasets:
        print(f"[host_speed] {name}", file=sys.stderr)
        rows.append(bench(name, args))
    payload = {
        "command": ("python benchmarks/host_speed.py " + " ".join(sys.argv[1:])).strip(),
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": C.machine_info(),
        "seconds": round(time.perf_counter() - t0, 1),
        "note": (
            f"Batch inference over the whole test split (best of {args.repeats}); training: "
            f"mean seconds per epoch over {args.epochs} epochs after one warm-up epoch "
            "(batch 64, Adam, cosine schedule, one validation pass per epoch; snn2c: "
            "snn2c.train.trainer.fit, float phase), torch on 1 thread for both. "
            "snnTorch: nn.Linear + snn.Leaky (same beta, threshold, subtract reset in "
            "the same step, fast-sigmoid surrogate slope 5) and the same encoder and "
            "readout; the last column compares its outputs, with the trained weights, "
            "to snn2c's float64 simulator."
        ),
        "rows": rows,
    }
    doc = C.save_results("host_speed", payload)
    report_doc.write(doc)
    for r in rows:
        print(
            f"{r['dataset']:<13} ref {r['reference_inf_per_s']:,.0f} inf/s  float "
            f"{r['floatsim_inf_per_s']:,.0f}  snnTorch {r['snntorch_inf_per_s']:,.0f}  train "
            f"{r['snn2c_train_s_per_epoch']:.3f} vs {r['snntorch_train_s_per_epoch']:.3f} s/epoch"
            f"  diff {r['snntorch_vs_floatsim_max_abs']:.1e}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
