"""The optional ``nir`` package, imported where a graph is read or written.

snn2c installs without NIR support (the extra ``snn2c[nir]``): the importer and the
exporter ask for the package through ``require_nir`` when they need it, so that a
missing package is one line naming the remedy, not a traceback at import time.
"""

from __future__ import annotations

from typing import Any

from snn2c.errors import Snn2cError


def require_nir() -> Any:
    """The ``nir`` module, or a Snn2cError saying how to install it."""
    try:
        import nir
    except ImportError:
        raise Snn2cError("NIR support needs the 'nir' package: pip install 'snn2c[nir]'") from None
    return nir
