"""snn2c: train and compile fixed-point LIF spiking networks for regression on MCUs."""

__version__ = "0.1.0"
