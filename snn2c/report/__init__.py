"""snn2c report: accuracy, activity, synaptic operations, energy and target cost of a model.

Stages: ``metrics`` (counts from the integer reference), ``energy`` (literature
energy models over those counts), ``target`` (flash, RAM and measured
instructions from a build folder), ``figures`` (matplotlib PNGs) and ``html``
(a self-contained report.html). Nothing here imports torch unless the baseline
ANN has to be retrained (``ann``).
"""

from snn2c.report.metrics import Activity, activity

__all__ = ["Activity", "activity"]
