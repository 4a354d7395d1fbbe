"""Run a table: check everything that can be checked, train only the missing cells, report."""

from __future__ import annotations

import logging
import math
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from orchestration import claims
from orchestration.cells import PendingCell, run_cells
from orchestration.leases import Leases
from orchestration.report import caption, cells_frame, summary_table, to_markdown
from orchestration.runtime import ensure_ray, home, quiet_environment
from orchestration.spec import Cell, Experiment, SpecError, config_dict, resolve_cells, stable_hash
from orchestration.tracking import (
    TAG,
    RunSink,
    Tracker,
    TrackingError,
    check_reachable,
    git_commit,
    tracking_uri,
)
from orchestration.train import STOP_REASONS

log = logging.getLogger("emojitags.run")


class CellsFailed(RuntimeError):
    """Some cells did not finish; the table was not written."""


@dataclass
class TableResult:
    experiment: Experiment
    scale: str
    table: pd.DataFrame
    cells: pd.DataFrame
    markdown: str       # the caption and the table
    claims: str         # the claims' verdicts, as printed under the table ("" when none)
    parent_run_id: str
    trained: int
    reused: int
    seconds: float


def _metric_name(s: str) -> str:
    return re.sub(r"[^A-Za-z0-9_\-. /]", "", s).strip()


@dataclass
class _Plan:
    """What a table will do, settled before MLflow holds anything."""

    cells: list[Cell]
    data: dict[str, str]
    shown: str        # the overrides as the user gave them, for captions and tags
    table_key: str
    not_run: str = ""  # a partial table (--finished-only): the cells it leaves out, as told


def check(exp: Experiment, scale: str, overrides: dict[str, Any] | None = None,
          run: dict[str, Any] | None = None) -> _Plan:
    """Everything that can fail on bad input fails here, before MLflow or EMOJITAGS_HOME is written."""
    cells = resolve_cells(exp, scale, overrides, run)
    data = exp.task.data_sha256s(cells[0].config)
    cells = resolve_cells(exp, scale, overrides, run, data_sha256s=data, task_version=exp.task.version)
    shown = " ".join([*(f"{k}={v}" for k, v in (overrides or {}).items()),
                      *(f"{k}={','.join(map(str, v))}" for k, v in (run or {}).items())])
    table_key = stable_hash({"table": exp.id, "scale": scale, "cells": sorted(c.key for c in cells)})
    return _Plan(cells, data, shown, table_key)


def run_experiment(exp: Experiment, scale: str, overrides: dict[str, Any] | None = None,
                   run: dict[str, Any] | None = None, force: bool = False,
                   finished_only: bool = False) -> TableResult:
    """Train the table's missing cells and write it; with `finished_only`, train nothing and write
    a partial table from the cells the store has finished (the rest shown "–" and named)."""
    start = time.time()
    quiet_environment()
    if force and finished_only:
        raise SpecError("--force retrains every cell and --finished-only trains none: give one of them")
    plan = check(exp, scale, overrides, run)
    uri = tracking_uri()
    check_reachable(uri)
    tracker = Tracker(uri, exp.paper_id)
    runs = tracker.cell_runs()  # one query serves both: what is done, and what each row cost
    finished = {} if force else tracker.finished_cells(runs)
    if finished_only:
        plan = _finished_part(exp, scale, plan, finished, uri)
    pending_cells = longest_first([c for c in plan.cells if c.key not in finished], tracker.row_seconds(scale, runs))
    reused = len(plan.cells) - len(pending_cells)
    print(f"{exp.id} [{scale}]: {len(plan.cells)} cells, {reused} already finished, "
          f"{len(pending_cells)} to run  (MLflow: {uri})", flush=True)
    if plan.not_run:
        print(f"{exp.id}: partial table, {plan.not_run}", flush=True)

    commit = git_commit()
    parent = tracker.open_parent(exp.id, plan.table_key, {
        f"{TAG}table": exp.id, f"{TAG}scale": scale, f"{TAG}git_commit": commit,
        f"{TAG}overrides": plan.shown or "(none)", f"{TAG}title": exp.title,
        **({f"{TAG}claims_note": exp.claims_note} if exp.claims_note else {}),
        **({f"{TAG}partial": plan.not_run[:4000]} if plan.not_run else {}),
        "mlflow.note.content": caption(exp, scale, len(plan.cells), plan.shown, plan.not_run),
        **{f"data.{k}": v for k, v in plan.data.items()}})
    phases = {"check_seconds": time.time() - start}  # where a table's time goes (benchmarks/table_profile.py)
    failed, finished, trained = _train_claimed(exp, tracker, parent, pending_cells, scale, commit, plan.data,
                                               force, phases, finished)
    missing = [c for c in plan.cells if c.key not in finished]
    if missing:
        parent.set_tags({f"{TAG}missing_cells": ", ".join(c.label for c in missing)[:4000]})
        parent.terminate("FAILED")
        detail = "; ".join(f"{c.label}: {failed.get(c.key, 'did not finish')}" for c in missing[:5])
        raise CellsFailed(f"{len(missing)} of {len(plan.cells)} cells failed, no table written "
                          f"(rerun the same command to retry only those): {detail}")

    mark = time.time()
    frame, table, md, claims_md = _write_table(exp, scale, plan, finished, tracker, parent)
    phases["table_seconds"] = time.time() - mark
    parent.log_metrics({f"phase.{k}": v for k, v in phases.items()})
    parent.terminate("FINISHED")
    return TableResult(exp, scale, table, frame, md, claims_md, parent.run_id, trained, len(plan.cells) - trained,
                       time.time() - start)


def _finished_part(exp: Experiment, scale: str, plan: _Plan, finished: dict, uri: str) -> _Plan:
    """The plan cut to the cells the store has finished, and what it leaves out, said once per
    (row, grid point) with its seeds."""
    done = [c for c in plan.cells if c.key in finished]
    if not done:
        raise SpecError(f"--finished-only: none of the {len(plan.cells)} cells of {exp.id} at scale {scale} "
                        f"has finished in {uri}; run them first")
    left: dict[str, list[int]] = {}
    for c in plan.cells:
        if c.key not in finished:
            point = " ".join(map(str, c.grid_point.values()))
            left.setdefault(f"{c.row}{' · ' + point if point else ''}", []).append(c.seed)
    not_run = "; ".join(f"{k} (seed{'s' if len(v) > 1 else ''} {','.join(map(str, v))})" for k, v in left.items())
    if not_run:
        not_run = f"{len(plan.cells) - len(done)} of {len(plan.cells)} cells not run: {not_run}"
    key = stable_hash({"table": exp.id, "scale": scale, "partial": sorted(c.key for c in done)})
    return _Plan(done, plan.data, plan.shown, key if not_run else plan.table_key, not_run)


def longest_first(cells: list[Cell], row_seconds: dict[str, float]) -> list[Cell]:
    """The cells whose row took longest before go first (rows never timed first of all, in their
    declared order), so that a table's tail, when cores fall idle, is its short cells."""
    return sorted(cells, key=lambda c: -row_seconds.get(c.row, math.inf))


def _train_claimed(exp: Experiment, tracker: Tracker, parent: RunSink, cells: list[Cell], scale: str,
                   commit: str, data: dict[str, str], force: bool, phases: dict[str, float],
                   finished: dict) -> tuple[dict[str, str], dict, int]:
    """Train the cells no other driver holds; wait for (or take over) the ones another holds.
    Returns ({key: error}, the store's finished cells, how many cells this driver trained)."""
    if not cells:
        return {}, finished, 0
    leases = Leases(home())
    failed: dict[str, str] = {}
    waiting = cells
    told, trained = False, 0
    try:
        while waiting:
            mine = [c for c in waiting if leases.claim(c.key)]
            if mine and not force:  # finished while we were looking: reuse, do not retrain
                finished = tracker.finished_cells()
                for c in [c for c in mine if c.key in finished]:
                    leases.release(c.key)
                mine = [c for c in mine if c.key not in finished]
            if mine:
                more, finished = _train(exp, tracker, parent, mine, scale, commit, data, force, phases)
                failed |= more
                trained += len(mine)
                for c in mine:
                    leases.release(c.key)
            else:
                finished = tracker.finished_cells()
            waiting = [c for c in waiting if c.key not in finished and c not in mine]
            if waiting and not mine:
                if not told:
                    print(f"{exp.id}: waiting for {len(waiting)} cells that another driver is training "
                          f"(they are taken over if its claim is not renewed for {leases.ttl:.0f} s)", flush=True)
                    told = True
                time.sleep(min(10.0, leases.ttl / 4))
    finally:
        leases.release_all()
    return failed, finished, trained


def _train(exp: Experiment, tracker: Tracker, parent: RunSink, cells: list[Cell], scale: str,
           commit: str, data: dict[str, str], force: bool, phases: dict[str, float]):
    """Prepare the task's stages, run the cells; return ({key: error}, the store's finished cells)."""
    mark = time.time()
    resources = ensure_ray()
    phases["ray_start_seconds"], mark = time.time() - mark, time.time()
    if exp.task.prepare is not None:
        for cfg in {stable_hash(config_dict(c.config)): c.config for c in cells}.values():
            exp.task.prepare(cfg)
    phases["prepare_seconds"], mark = time.time() - mark, time.time()
    if force:  # a forced cell starts from nothing, not from the last run's checkpoints
        for c in cells:
            shutil.rmtree(home() / "cells" / c.key, ignore_errors=True)
    pending = [_open_cell(tracker, parent, exp, c, scale, commit, data) for c in cells]
    failed = run_cells(pending, home() / "ray_results", f"{exp.id.replace('/', '__')}-{int(time.time())}",
                       resources.get("CPU", 1.0))
    phases["cells_seconds"] = time.time() - mark
    try:
        return failed, tracker.finished_cells()
    except Exception as e:  # noqa: BLE001 - the store went away while cells ran
        raise TrackingError(
            f"MLflow store {tracker.uri} failed during the run ({str(e).splitlines()[0][:200]}); cells it "
            f"could not record are not counted as finished: rerun the same command once it is back"
        ) from None


def _write_table(exp: Experiment, scale: str, plan: _Plan, finished: dict, tracker: Tracker,
                 parent: RunSink) -> tuple[pd.DataFrame, pd.DataFrame, str, str]:
    """The table, its significance, claims and figures from the finished cells, logged to the parent run."""
    frame = cells_frame([_record(c, finished[c.key]) for c in plan.cells])
    table = summary_table(exp, frame)
    significance = None
    if exp.significance is not None:  # e.g. orchestration.significance.McNemar: p-values per seed
        table, significance = exp.significance.apply(exp, frame, table, tracker.client)
    md = caption(exp, scale, len(plan.cells), plan.shown, plan.not_run) + "\n\n" + to_markdown(table) + "\n" + _stops(frame)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        (out / "table.md").write_text(md)
        table.to_csv(out / "table.csv", index=False)
        frame.to_csv(out / "cells.csv", index=False)
        if significance is not None:
            significance.to_csv(out / "significance.csv", index=False)
        for fig in exp.figures:
            fig.render(exp, frame, out)
        verdicts = claims.evaluate(exp, frame, tracker.client)
        if verdicts:
            claims.write(exp, verdicts, out)
            parent.set_tags(claims.tags(verdicts))
        for f in sorted(out.iterdir()):
            parent.log_artifact(f)
    summary = frame.groupby("row")[[m.key for m in exp.metrics if m.key in frame]].mean()
    parent.log_metrics({_metric_name(f"{row}/{k}"): v for row, r in summary.iterrows()
                        for k, v in r.items() if pd.notna(v)})
    return frame, table, md, claims.to_markdown(exp, verdicts)


def _open_cell(tracker: Tracker, parent: RunSink, exp: Experiment, cell: Cell, scale: str, commit: str,
               data: dict[str, str]) -> PendingCell:
    sink = tracker.open_cell(parent.run_id, cell.key, cell.label, {
        f"{TAG}table": cell.experiment_id, f"{TAG}row": cell.row, f"{TAG}seed": cell.seed,
        f"{TAG}scale": scale, f"{TAG}git_commit": commit, f"{TAG}config_hash": stable_hash(config_dict(cell.config)),
        f"{TAG}data_sha256": stable_hash(data), **{f"{TAG}grid.{k}": v for k, v in cell.grid_point.items()}})
    sink.log_params({**config_dict(cell.config), "seed": cell.seed, "row": cell.row})
    sink.log_datasets(data)  # the UI's Dataset column: name, digest of its sha256s, public origin
    return PendingCell(cell, sink, home() / "cells" / cell.key, home(), parent, task=exp.task)


def _stops(frame: pd.DataFrame) -> str:
    """Under the table: how the torch cells' training ended (a cap or budget means not converged)."""
    codes = [c for c in frame.columns if c == "stop_code" or c.endswith(".stop_code")]
    if not codes:
        return ""
    stops = pd.Series(frame[codes].to_numpy(dtype=float).ravel()).dropna()
    if stops.empty:
        return ""
    names = {v: k for k, v in STOP_REASONS.items()}
    counts = stops.map(lambda v: names.get(int(v), "?")).value_counts()
    capped = int(counts.get("cap", 0) + counts.get("budget", 0))
    told = ", ".join(f"{v} ended by {k}" for k, v in counts.items())
    return (f"\nTraining: {len(stops)} fits, {told}; {capped} stopped at their epoch cap or time "
            f"budget{' (not converged)' if capped else ''}.\n")


def _record(cell: Cell, run) -> dict:
    rec = {"row": cell.row, "seed": cell.seed, **cell.grid_point, "run_id": run.info.run_id}
    rec.update(run.data.metrics)
    return rec
