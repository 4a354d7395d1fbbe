"""What a task sees of the orchestration while it computes one cell."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from pathlib import Path

from components.training import FitProblem, FitSettings
from orchestration.cores import CellCores
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
    cores: CellCores | None = None  # the share of idle cores this cell may take (the table's tail)

    @property
    def seed(self) -> int:
        return self.cell.seed

    def fit(self, problem: FitProblem, settings: FitSettings, name: str = "model") -> FitResult:
        cfg = self.cell.config
        result = fit(problem, settings, self.work_dir / "checkpoints" / name,
                     workers=cfg.workers, use_gpu=cfg.use_gpu, threads=cfg.threads, sink=self.sink,
                     storage_path=str(self.work_dir / "ray_train"),
                     threads_now=self.cores.threads if self.cores is not None else None)
        if result.resumed_from is not None:
            log.warning("%s: resumed from the checkpoint of epoch %d", self.cell.label, result.resumed_from)
        return result

    def log_metrics(self, metrics: dict[str, float], step: int | None = None) -> None:
        if self.sink is not None:
            self.sink.log_metrics(metrics, step)

    def log_params(self, params: dict[str, object]) -> None:
        if self.sink is not None:
            self.sink.log_params(params)

    def set_tags(self, tags: dict[str, object]) -> None:
        if self.sink is not None:
            self.sink.set_tags(tags)

    def record_stage_model(self, name: str, stage_key: str, artifact_path: str, files: list[Path]) -> str | None:
        """Tag this cell's run with the registered version of model `name` made from the cached
        stage `stage_key` (registering it from this run, its files logged, if the store has none)."""
        if self.sink is None:
            return None
        from orchestration.tracking import register_stage_model

        return register_stage_model(self.sink, name, stage_key, artifact_path, files)

    def with_metric_prefix(self, prefix: str) -> CellContext:
        """The same cell, its metrics and tags logged as `<prefix><name>` (e.g. one fit of several)."""
        if self.sink is None:
            return self
        return dataclasses.replace(self, sink=_PrefixedSink(self.sink, prefix))

    def log_artifact(self, path: str | Path, artifact_path: str | None = None) -> None:
        if self.sink is not None:
            self.sink.log_artifact(path, artifact_path)

    def log_table_artifact(self, path: str | Path, artifact_path: str | None = None) -> None:
        """Attach a file (a figure, a text table) to the table's parent run and to this cell's run."""
        self.log_artifact(path, artifact_path)
        if self.parent is not None:
            self.parent.log_artifact(path, artifact_path)


@dataclass
class _PrefixedSink:
    sink: RunSink
    prefix: str

    def log_metrics(self, metrics: dict[str, float], step: int | None = None) -> None:
        self.sink.log_metrics({f"{self.prefix}{k}": v for k, v in metrics.items()}, step)

    def set_tags(self, tags: dict[str, object]) -> None:
        self.sink.set_tags({f"{self.prefix}{k}": v for k, v in tags.items()})

    def log_params(self, params: dict[str, object]) -> None:
        self.sink.log_params({f"{self.prefix}{k}": v for k, v in params.items()})

    def log_artifact(self, path, artifact_path: str | None = None) -> None:
        self.sink.log_artifact(path, artifact_path)
