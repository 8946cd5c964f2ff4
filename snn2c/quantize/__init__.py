"""Quantize: float IR -> fixed-point plan (integer tables, shifts, range proof)."""

from snn2c.quantize.plan import (
    QuantizedDecoder,
    QuantizedEncoder,
    QuantizedLayer,
    QuantizedNetwork,
)
from snn2c.quantize.quantizer import load_model, quantize

__all__ = [
    "QuantizedDecoder",
    "QuantizedEncoder",
    "QuantizedLayer",
    "QuantizedNetwork",
    "load_model",
    "quantize",
]
