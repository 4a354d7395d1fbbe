"""What a task sees of the orchestration while it computes one cell."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from components.training import FitProblem, FitSettings
from orchestration.spec import Cell
from orchestration.tracking import RunSink
from orchestration.train import FitResult, fit

log = logging.getLogger("emojitags.cell")


@dataclass
class CellContext:
    cell: Cell
    sink: RunSink | None
    work_dir: Path          # this cell's own directory: checkpoints, scratch files
    parent: RunSink | None = None  # the table's run

    @property
    def seed(self) -> int:
        return self.cell.seed

    def fit(self, problem: FitProblem, settings: FitSettings, name: str = "model") -> FitResult:
        cfg = self.cell.config
        result = fit(problem, settings, self.work_dir / "checkpoints" / name,
                     workers=cfg.workers, use_gpu=cfg.use_gpu, threads=cfg.threads, sink=self.sink,
                     storage_path=str(self.work_dir / "ray_train"))
        if result.resumed_from is not None:
            log.warning("%s: resumed from the checkpoint of epoch %d", self.cell.label, result.resumed_from)
        return result

    def log_metrics(self, metrics: dict[str, float], step: int | None = None) -> None:
        if self.sink is not None:
            self.sink.log_metrics(metrics, step)

    def log_artifact(self, path: str | Path, artifact_path: str | None = None) -> None:
        if self.sink is not None:
            self.sink.log_artifact(path, artifact_path)

    def log_table_artifact(self, path: str | Path, artifact_path: str | None = None) -> None:
        """Attach a file (a figure, a text table) to the table's parent run and to this cell's run."""
        self.log_artifact(path, artifact_path)
        if self.parent is not None:
            self.parent.log_artifact(path, artifact_path)
