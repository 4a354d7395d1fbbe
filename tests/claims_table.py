"""A table of constructed cells for the claims tests: each row's accuracy is set by its config.

    python -m orchestration run tests/claims_table.py --scale smoke

Cells draw per-item top-1 outcomes (400 items) at the row's accuracy with a seeded generator,
log them as TOP1_ARTIFACT (McNemar's input) and report the accuracy plus a fixed floor, so every
verdict is known in advance: `strong` beats `weak` (held), `weak` beating `strong` is reversed,
`strong` against its `twin` (same accuracy, other draws) is inconclusive.
"""

from __future__ import annotations

from claims_task import CONSTRUCTED, ConstructedConfig

from orchestration import Experiment, Metric, Row, run_cli
from orchestration.claims import AboveFloor, Better, Order

EXPERIMENT = Experiment(
    id="tests/claims",
    title="Constructed cells with known verdicts",
    task=CONSTRUCTED,
    scales={s: ConstructedConfig() for s in ("smoke", "cpu", "paper")},
    rows=(Row("strong", {"accuracy": 0.8}), Row("weak", {"accuracy": 0.5}),
          Row("twin", {"accuracy": 0.8, "draw": 1})),
    metrics=(Metric("accuracy", "Accuracy (%)"),),
    seeds=(0, 1, 2),
    claims=(
        Better("strong", than="weak", metric="accuracy", test="mcnemar"),   # held
        Better("weak", than="strong", metric="accuracy", test="mcnemar"),   # reversed
        Better("strong", than="twin", metric="accuracy", test="mcnemar"),   # inconclusive
        Order(("strong", "weak"), metric="accuracy"),                       # held, paired t over seeds
        AboveFloor("accuracy", floor="chance", rows=("weak",)),             # held
    ),
)

if __name__ == "__main__":
    run_cli(EXPERIMENT)
