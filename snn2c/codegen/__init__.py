"""Codegen: quantized network -> C99 sources (jinja2 templates + hand-written kernels)."""

from snn2c.codegen.generator import SOURCE_FILES, render_sources, write_sources

__all__ = ["SOURCE_FILES", "render_sources", "write_sources"]
