"""Two cells of unequal length on a 2-CPU Ray: once the short one ends, the long one's later
epochs take the freed core (orchestration/cores.py).

    python -m orchestration run tests/tail_table.py --scale smoke
"""

from __future__ import annotations

from tail_task import SLOW_FIT, SlowFitConfig

from orchestration import Experiment, Metric, Row, run_cli

EXPERIMENT = Experiment(
    id="tests/tail",
    title="A short and a long cell",
    task=SLOW_FIT,
    scales={s: SlowFitConfig() for s in ("smoke", "cpu", "paper")},
    # the long cell starts within the short one's 3 s and outlasts it whichever starts first
    rows=(Row("short", {"epochs": 3, "epoch_pause": 1.0}), Row("long", {"epochs": 16, "epoch_pause": 0.5})),
    metrics=(Metric("last_threads", "threads in the last epoch", scale=1.0, digits=0),),
    seeds=(0,),
)

if __name__ == "__main__":
    run_cli(EXPERIMENT)
