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
