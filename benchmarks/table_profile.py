"""Figure 6: where a whole table's wall time goes, read from the MLflow store it ran into.

    python experiments/table2.py --scale cpu          # from an empty store, then:
    python -m benchmarks table_profile                # MLFLOW_TRACKING_URI or ./mlflow.db

The parent run's `phase.*` metrics (orchestration/runner.py) give checking the inputs, Ray's
start, `prepare` (data stages and the encoders' pretraining), the cells and writing the table;
the pretraining runs (kind `stage`, experiment `deepmoji`) that started inside this table's run
split `prepare`; the cells' own `train_seconds` / `decode_seconds` / `cell_seconds` split the
cell time (summed over cells: two run at once on 2 cores, so the cell sum is about twice the
cells' wall time). "other in cells" is data loading and MLflow logging inside a cell. The
"breakdown of wall" puts these together as shares of the table's wall time.
"""

from __future__ import annotations

import os

from benchmarks.common import write_result

TABLE = "emoji_hashtags/table2"


def run(table: str = TABLE, uri: str | None = None) -> dict:
    from mlflow.tracking import MlflowClient

    uri = uri or os.environ.get("MLFLOW_TRACKING_URI", "sqlite:///mlflow.db")
    client = MlflowClient(uri)
    exps = [e.experiment_id for e in client.search_experiments()]
    parents = client.search_runs(exps, filter_string=f"tags.`emojitags.table` = '{table}' and "
                                 "tags.`emojitags.kind` = 'table' and attributes.status = 'FINISHED'",
                                 order_by=["attributes.start_time DESC"], max_results=1)
    if not parents:
        raise SystemExit(f"error: no finished run of {table} in {uri}; run the table first")
    parent = parents[0]
    t0, t1 = parent.info.start_time, parent.info.end_time
    cells = client.search_runs([parent.info.experiment_id],
                               filter_string=f"tags.`mlflow.parentRunId` = '{parent.info.run_id}'")
    stages = [r for r in client.search_runs(exps, filter_string="tags.`emojitags.kind` = 'stage'")
              if t0 <= r.info.start_time <= t1 and r.info.end_time]
    wall = (t1 - t0) / 1000
    phases = {k[len("phase."):]: v for k, v in parent.data.metrics.items() if k.startswith("phase.")}
    pretrain = sum((r.info.end_time - r.info.start_time) / 1000 for r in stages)
    m = [c.data.metrics for c in cells]
    train, decode = sum(x.get("train_seconds", 0) for x in m), sum(x.get("decode_seconds", 0) for x in m)
    cell_total = sum(x.get("cell_seconds", 0) for x in m)
    figures = {
        "table": table, "parent run": parent.info.run_id, "cells": len(cells), "wall seconds": wall,
        "phases (wall seconds)": phases or "not recorded (a run before phase timing was added)",
        "pretraining wall seconds": pretrain, "pretraining runs": len(stages),
        "cell seconds (sum over cells)": cell_total, "training (sum)": train, "decoding (sum)": decode,
        "other in cells (sum)": cell_total - train - decode,
        "shares of wall": {"pretraining": pretrain / wall,
                           **{k: v / wall for k, v in phases.items() if k != "prepare_seconds"}},
        "shares of cell time": {"training": train / cell_total, "decoding": decode / cell_total,
                                "other (data, MLflow)": (cell_total - train - decode) / cell_total}
        if cell_total else {},
    }
    if phases and cell_total:
        # The split of the wall time: cells run two at a time, so their wall time is split
        # in the proportions of the cells' summed train / decode / other seconds.
        cells_wall = phases["cells_seconds"]
        parts = {"checking inputs": phases["check_seconds"], "Ray start": phases["ray_start_seconds"],
                 "data preparation": phases["prepare_seconds"] - pretrain, "pretraining": pretrain,
                 "training": cells_wall * train / cell_total, "decoding": cells_wall * decode / cell_total,
                 "data loading + MLflow logging in cells": cells_wall * (cell_total - train - decode) / cell_total,
                 "writing the table (MLflow)": phases["table_seconds"]}
        parts["rest (the phase timers vs the run's own start and end)"] = wall - sum(phases.values())
        figures["breakdown of wall (shares)"] = {k: v / wall for k, v in parts.items()}
    write_result("table_profile", figures, {"wall seconds": {"goal": "< 3600 (issue 4)", "met": wall < 3600}})
    return figures
