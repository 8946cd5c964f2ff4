"""The counting form: a one-hidden-layer network computed without its time steps, exactly.

Two facts of the contract, true for every model that meets the conditions below,
let the device skip the T steps and still produce the reference's bits:

1. A LIF layer driven by a constant current (layer 0 under the population and
   direct encoders) produces a spike train that depends on its integer current
   alone. For I <= 0 it never fires (V stays <= 0 < theta); for I >= theta + 1 it
   fires at every step (V >= 0 after each same-step reset, so leak(V) + I > theta).
   Between the two the count is tabulated here by running the reference's own
   neuron update on every current in [0, theta + 1]: exact by construction.
2. A non-leaky LI readout (beta = 1 in Q15, whose leak is the identity) with an
   exact synaptic scale (acc_shift <= 0, no rounding) integrates
   V_o(T) = 2^-sh sum_j W_oj n_j + T b_o, where n_j is hidden neuron j's spike count;
   the membrane decoder is linear in V, so the output accumulator is
   c + T R b + 2^-sh sum_j (R W)_j n_j: one weight per hidden neuron.

``derive`` returns the table and the folded weights, or None with the reason;
``run`` is the numpy twin of the C that uses them, tested against ``integer.run``.
"""

from __future__ import annotations

import numpy as np

from snn2c.contract import BETA_FRAC, INT32_MAX, Decoder, Leak
from snn2c.quantize.fixedpoint import rshift_round, sat32
from snn2c.quantize.plan import CountForm, QuantizedLIF, QuantizedNetwork, QuantizedNeuron
from snn2c.reference.integer import Result, _Encoder, lif_update, synaptic_current

MAX_TABLE_CURRENTS = 1 << 22  # thresholds up to 64.0 (Q16) are tabulated exhaustively
_I64 = np.int64


def why_not(qnet: QuantizedNetwork) -> str | None:
    """None if the counting form applies to qnet, else the first condition it misses."""
    if qnet.streaming:
        return "the network streams (its state carries from sample to sample)"
    if qnet.encoder.kind.spiking:
        return "the encoder emits spikes (layer 0's current changes from step to step)"
    if len(qnet.layers) != 2:
        return "not exactly one hidden layer"
    hidden, last = (layer.neuron for layer in qnet.layers)
    if not isinstance(hidden, QuantizedLIF) or not hidden.spiking or hidden.reset_delayed:
        return "the hidden layer is not LIF with a same-step reset"
    if hidden.threshold + 2 > MAX_TABLE_CURRENTS:
        return "the hidden threshold is too large to tabulate"
    if not _non_leaky_readout(last):
        return "the readout leaks (only a non-leaky readout, beta = 1, folds)"
    last_layer = qnet.layers[1]
    if last_layer.saturate or last_layer.acc_wide or last_layer.acc_shift > 0:
        return "the readout's synaptic scale rounds or saturates"
    if qnet.decoder.kind is not Decoder.MEMBRANE:
        return "the decoder is not the membrane decoder"
    return None


def _non_leaky_readout(q: QuantizedNeuron) -> bool:
    """An LI whose leak factor is exactly 1 (a 'mul' leak of 2**15 / 2**15)."""
    return (
        isinstance(q, QuantizedLIF)
        and not q.spiking
        and q.leak is Leak.MUL
        and q.beta_q15 == 1 << BETA_FRAC
    )


def spike_count_table(qnet: QuantizedNetwork) -> tuple[np.ndarray, np.ndarray]:
    """(edges, counts): layer 0's spike count as runs over the currents [0, theta + 1]."""
    layer = qnet.layers[0]
    cur = np.arange(0, _threshold(qnet) + 2, dtype=_I64)
    v = np.zeros_like(cur)
    s = np.zeros_like(cur)
    count = np.zeros_like(cur)
    for _ in range(qnet.steps):
        v, s = lif_update(layer, 0, v, cur, s)
        count += s
    # the two analytic tails the lookup relies on (a failure here is an snn2c bug)
    assert count[0] == 0 and count[-1] == qnet.steps, "counting-form tails do not hold"
    starts = np.flatnonzero(np.diff(count, prepend=-1))
    return cur[starts], count[starts]


def derive(qnet: QuantizedNetwork) -> CountForm | None:
    """The counting form of qnet, or None where it does not apply (see why_not)."""
    if why_not(qnet) is not None:
        return None
    _, last = qnet.layers
    dec = qnet.decoder
    shift = -last.acc_shift
    # exact integers (object arrays of Python ints), then the int32/int64 checks
    r = dec.weight.astype(object)
    fold = r @ last.weight.astype(object)  # (n_outputs, n_hidden): R W_1
    bias = dec.bias.astype(object) + qnet.steps * (r @ last.bias.astype(object))
    if np.abs(fold).max() > INT32_MAX:
        return None
    inner = int(qnet.steps * np.abs(fold).sum(axis=1).max())
    if int(np.abs(bias).max()) + (inner << shift) >= 2**62:
        return None
    edges, counts = spike_count_table(qnet)
    return CountForm(
        edges=edges,
        counts=counts,
        top=_threshold(qnet) + 1,
        fold_weight=fold.astype(_I64),
        fold_shift=shift,
        fold_bias=bias.astype(_I64),
        acc32=inner <= INT32_MAX,
        out_shift=dec.out_shift,
    )


def _threshold(qnet: QuantizedNetwork) -> int:
    """The hidden layer's Q16 threshold (a counting-form network's layer 0 is LIF)."""
    q = qnet.layers[0].neuron
    assert isinstance(q, QuantizedLIF)
    return q.threshold


def lookup(cf: CountForm, cur: np.ndarray) -> np.ndarray:
    """Spike counts of layer 0 for its currents, through the table."""
    k = np.searchsorted(cf.edges, np.clip(cur, 0, cf.top), side="right") - 1
    return cf.counts[k]


def run(qnet: QuantizedNetwork, cf: CountForm, x_q: np.ndarray) -> Result:
    """Whole inferences through the counting form: the same Result as integer.run."""
    x_q = np.asarray(x_q)
    enc = _Encoder(qnet.encoder, x_q)
    n = lookup(cf, synaptic_current(qnet.layers[0], 0, enc.step(0)))
    y = cf.fold_bias + (n @ cf.fold_weight.T) * (1 << cf.fold_shift)
    counts = np.zeros((x_q.shape[0], 3), dtype=_I64)
    counts[:, 1] = n.sum(axis=1)
    return Result(sat32(rshift_round(y, cf.out_shift)).astype(np.int32), counts)
