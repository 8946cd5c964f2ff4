"""snn2c search: hardware-aware search for the smallest accurate network.

- ``space``      the search space: one TrainConfig per Optuna trial;
- ``costmodel``  instructions per inference predicted from the network, calibrated
                 per board against QEMU counts (boards/cost-models/);
- ``study``      the Optuna study: objectives, pruning, storage, workers;
- ``front``      the Pareto front: exact measurement on the board, the MLP front, output.
"""
