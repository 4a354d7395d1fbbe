"""Table-level significance: McNemar's exact test of one row against each other row, per seed.

    Experiment(..., significance=McNemar(reference="<the row every other row is tested against>"))

Each cell logs its per-test-item top-1 outcomes (a 0/1 `.npy`, items in one fixed order shared
by every row) as an MLflow artifact; the runner hands the finished cells here. For every row
and seed (and grid point), the reference row's cell of the same seed is paired item by item
with it (components.metrics.mcnemar_exact). The table gains one column, the median p over the
seeds followed by each seed's p; `significance.csv` (b, c, p per row and seed) goes to the
table's parent run. Reading the outcomes from MLflow rather than from the cells' directories
works the same with a local store and a remote server.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from components.metrics import mcnemar_exact
from orchestration.spec import SpecError


@contextlib.contextmanager
def _no_progress_bars() -> Iterator[None]:
    """MLflow draws a progress bar per download; one per cell would bury the table."""
    key = "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"
    old = os.environ.get(key)
    os.environ[key] = "false"
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = old


# The one name of the per-item top-1 outcomes a cell logs for McNemar's test (a bool .npy).
TOP1_ARTIFACT = "top1_correct.npy"


@dataclass(frozen=True)
class McNemar:
    reference: str                      # the row every other row is tested against
    artifact: str = TOP1_ARTIFACT  # each cell's per-item outcomes, logged at its run's root
    label: str = ""                     # the column's name; a default names the reference

    @property
    def column(self) -> str:
        return self.label or f"McNemar p vs {self.reference} (median; per seed)"

    def _outcomes(self, cells: pd.DataFrame, client) -> dict[str, np.ndarray]:
        out = {}
        with tempfile.TemporaryDirectory() as tmp, _no_progress_bars():
            for run_id in cells["run_id"]:
                dst = Path(tmp) / run_id
                dst.mkdir()
                out[run_id] = np.load(client.download_artifacts(run_id, self.artifact, str(dst))).astype(bool)
        return out

    def apply(self, exp, cells: pd.DataFrame, table: pd.DataFrame,
              client) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(the table with the p-value column, one line per tested cell: row, seed, b, c, p)."""
        if self.reference not in {r.name for r in exp.rows}:
            raise SpecError(f"experiment {exp.id}: McNemar reference row {self.reference!r} is not a row")
        if exp.transpose:
            raise SpecError(f"experiment {exp.id}: McNemar needs a table with one line per row")
        pair_keys = [*exp.grid, "seed"]
        outcomes = self._outcomes(cells, client)
        refs = {tuple(r[k] for k in pair_keys): r["run_id"]
                for r in cells[cells["row"] == self.reference].to_dict("records")}
        lines = []
        for r in cells[cells["row"] != self.reference].to_dict("records"):
            ref = refs.get(tuple(r[k] for k in pair_keys))
            if ref is None:  # the reference row was left out (rows=...) for this seed
                continue
            a, b = outcomes[ref], outcomes[r["run_id"]]
            if a.shape != b.shape:
                raise ValueError(f"{self.artifact}: {self.reference} has {a.size} items but {r['row']} "
                                 f"seed {r['seed']} has {b.size}; paired outcomes need one test set")
            test = mcnemar_exact(a, b)
            lines.append({"row": r["row"], **{k: r[k] for k in pair_keys}, "reference": self.reference,
                          "b_only_reference": test.b, "c_only_row": test.c, "p_value": test.p_value})
        details = pd.DataFrame(lines, columns=["row", *pair_keys, "reference", "b_only_reference",
                                               "c_only_row", "p_value"])
        table = table.copy()
        table[self.column] = [self._cell(details, line, list(exp.grid)) for line in table.to_dict("records")]
        return table, details

    @staticmethod
    def _cell(details: pd.DataFrame, line: dict, grid_keys: list[str]) -> str:
        mine = details[details["row"] == line["row"]]
        for k in grid_keys:
            mine = mine[mine[k] == line[k]]
        if mine.empty:
            return "–"
        ps = mine.sort_values("seed")["p_value"].to_numpy()
        each = ", ".join(f"{p:.3g}" for p in ps)
        return each if len(ps) == 1 else f"{np.median(ps):.3g} ({each})"


__all__ = ["McNemar"]
