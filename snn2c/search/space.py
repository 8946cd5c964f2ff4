"""The search space of `snn2c search`: one TrainConfig per Optuna trial.

Architecture (encoder kind and fields, the strength of the penalty that learns each
input's encoding, hidden layers and widths, readout, steps,
neuron model, weight width, decoder) and the training hyperparameters that
matter (learning rate, epochs, weight decay, surrogate slope). Conditional
choices are named by their parent (`fields` only for population encoders), so
Optuna's samplers see a tree, not a flat box. The readout's leak is fixed to
none (beta = 1), the setting under which a one-hidden-layer network with a
current encoder runs in the counting form (docs/fixed-point.md).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from snn2c.contract import Encoder
from snn2c.train.trainer import TrainConfig

# the encoders the search tries, a subset of Encoder (docs/search.md, "The space")
ENCODERS = ("population", "direct", "population_latency", "rate_periodic")
DECODERS = ("membrane", "rate", "population")
NEURONS = ("lif", "izhikevich")
WIDTHS = (4, 6, 8, 12, 16, 24, 32, 48)
FIELD_PENALTIES = (0.0, 0.2, 0.5, 1.0)  # 0: every input gets `fields` fields


def suggest(trial: Any, base: TrainConfig) -> TrainConfig:
    """The trial's configuration: `base` (dataset, seed, ...) with the searched fields."""
    encoder = trial.suggest_categorical("encoder", ENCODERS)
    values: dict[str, Any] = {"encoder": encoder, "readout_leak_shift": None}
    if Encoder(encoder).gaussian:
        values["neurons_per_feature"] = trial.suggest_int("fields", 2, 8)
        values["sigma"] = trial.suggest_float("sigma", 0.08, 0.5, log=True)
    if encoder == Encoder.POPULATION:  # per-feature encodings, learned (docs/training.md)
        values["field_penalty"] = trial.suggest_categorical("field_penalty", FIELD_PENALTIES)
    layers = trial.suggest_int("layers", 1, 2)
    values["hidden"] = tuple(trial.suggest_categorical(f"width_{i}", WIDTHS) for i in range(layers))
    values["readout"] = trial.suggest_categorical("readout", (1, 2, 4, 8))
    values["steps"] = trial.suggest_categorical("steps", (4, 8, 12, 16, 24, 32))
    values["neuron"] = trial.suggest_categorical("neuron", NEURONS)
    values["weight_bits"] = trial.suggest_categorical("weight_bits", (8, 16))
    values["decoder"] = trial.suggest_categorical("decoder", DECODERS)
    values["lr"] = trial.suggest_float("lr", 5e-4, 2e-2, log=True)
    values["epochs"] = trial.suggest_int("epochs", 30, base.epochs, step=10)
    values["weight_decay"] = trial.suggest_categorical("weight_decay", (0.0, 1e-4, 1e-3, 1e-2))
    values["slope"] = trial.suggest_float("slope", 1.0, 25.0, log=True)
    return dataclasses.replace(base, **values)
