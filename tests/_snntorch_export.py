"""snnTorch's own NIR writer, as a user calls it (batch dimension ignored)."""

from __future__ import annotations

import warnings
from pathlib import Path


def snntorch_export(module, n_in: int, path: Path) -> Path:
    import nir
    import torch
    from snntorch.export_nir import export_to_nir

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nirtorch's deprecation notice
        graph = export_to_nir(module, torch.zeros(1, n_in), ignore_dims=[0])
    nir.write(path, graph)
    return path


def leaky_with_readout(fc0, fc1):
    """fc0 -> Leaky (beta 0.85, threshold 1, subtract reset, snnTorch's default
    reset_delay) -> fc1 -> the usual readout idiom, a Leaky that never resets with a
    threshold (1e9) far beyond anything it can reach."""
    import snntorch as snn
    import torch

    n_hid, n_out = fc0.out_features, fc1.out_features
    hidden = snn.Leaky(
        beta=torch.full((n_hid,), 0.85), threshold=torch.full((n_hid,), 1.0), init_hidden=True
    )
    readout = snn.Leaky(
        beta=torch.full((n_out,), 0.9),
        threshold=torch.full((n_out,), 1e9),
        reset_mechanism="none",
        init_hidden=True,
        output=True,
    )
    return torch.nn.Sequential(fc0, hidden, fc1, readout)


def readout_after(module, u, steps: int):
    """The readout membrane of a leaky_with_readout net after `steps` steps of input u."""
    import numpy as np
    import torch

    module[1].reset_mem()
    module[3].reset_mem()
    x = torch.tensor(u, dtype=torch.float32)
    with torch.no_grad():
        for _ in range(steps):
            module(x)
    return module[3].mem.numpy().astype(np.float64)
