"""NIR interop: import NIR graphs as snn2c networks and export snn2c networks to NIR.

The Neuromorphic Intermediate Representation (PyPI ``nir``) describes networks in
continuous time; snn2c runs a discrete, forward-Euler update. ``mapping`` holds the
parameter conversions (no ``nir`` import), ``importer`` and ``exporter`` the graph
walking and file handling. docs/nir.md documents every convention.
"""

from snn2c.nir.exporter import export_network, write_graph
from snn2c.nir.importer import ImportOptions, ImportResult, import_graph, read_graph

__all__ = [
    "ImportOptions",
    "ImportResult",
    "export_network",
    "import_graph",
    "read_graph",
    "write_graph",
]
