"""Build: firmware project writer, cross-toolchain driver, size report."""

from snn2c.build.project import MANIFEST, build, load_project

__all__ = ["MANIFEST", "build", "load_project"]
