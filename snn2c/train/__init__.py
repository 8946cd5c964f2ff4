"""Training: surrogate-gradient LIF regression in torch, quantization-aware, exported to the IR.

This sub-package is the only place in snn2c that imports torch (the compiler
path never does). Modules, one job each:

- ``datasets``  offline datasets and the seeded train/validation/test split (numpy only);
- ``neurons``   the LIF step in float with surrogate-gradient spikes;
- ``encoders``  the contract's encoders in torch (float semantics of docs/fixed-point.md);
- ``qat``       fake quantization on the contract's grid (straight-through estimator);
- ``model``     the spiking regressor (encoder, LIF layers, decoder);
- ``baseline``  the float MLP reported beside the SNN;
- ``linear``    least-squares linear regression, the other baseline (numpy only);
- ``export``    torch model -> ``snn2c.ir.Network``;
- ``trainer``   the whole recipe: float training, QAT fine-tuning, export, metrics.
"""
