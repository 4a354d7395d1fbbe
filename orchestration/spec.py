"""What an experiment file declares: rows, metrics, seeds, scales and the paper's numbers.

An experiment is a table (or figure) of a paper. Its *cells* are rows × grid points ×
seeds; each cell is one Tune trial and one MLflow child run. A cell's config is the
scale's config, then the command line's `key=value` overrides, then the row's params,
then the grid point: later ones win.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from orchestration.task import Task

SCALES = ("smoke", "cpu", "paper")


class SpecError(ValueError):
    """A bad experiment declaration or command-line override (a one-line message)."""


def execution(default: Any) -> Any:
    """A config field that changes how a cell runs, not what it computes (kept out of cache keys;
    out of the config's repr too, which is how a config nested in another enters its key)."""
    return field(default=default, repr=False, metadata={"execution": True})


@dataclass(frozen=True)
class RunSettings:
    """Fields every task config has; subclass it for a task's own knobs."""

    workers: int = execution(1)       # >1: train through a Ray Train TorchTrainer (DDP)
    use_gpu: bool = execution(False)  # GPU per worker, on a cluster that has them
    threads: int = execution(1)       # torch threads in an in-process cell
    tail_threads: bool = execution(True)  # once no cell waits, running cells take idle cores (cores.py)


@dataclass(frozen=True)
class Metric:
    key: str                 # as logged to MLflow, e.g. "p_at_1"
    label: str               # as printed, e.g. "P@1 (%)"
    scale: float = 100.0     # shown ×100 (percent); 1.0 for raw values
    digits: int = 1


@dataclass(frozen=True)
class Row:
    name: str
    params: Mapping[str, Any] = field(default_factory=dict)
    scales: tuple[str, ...] = ()  # the scales it runs at (a row that needs what only `paper` has); () every scale

    def runs_at(self, scale: str) -> bool:
        return not self.scales or scale in self.scales


@dataclass(frozen=True)
class Experiment:
    id: str                                  # "<paper>/<table>", the MLflow parent run's name
    title: str
    task: Task                               # what each cell computes (orchestration.task)
    scales: Mapping[str, Any]                # scale -> task config (a RunSettings subclass)
    rows: Sequence[Row]
    metrics: Sequence[Metric]
    seeds: Sequence[int] = (0, 1, 2)
    grid: Mapping[str, Sequence[Any]] = field(default_factory=dict)  # crossed with rows
    paper: Mapping[str, Mapping[str, float]] = field(default_factory=dict)  # row -> metric -> value
    paper_note: str = ""                     # where the paper's column comes from
    data_note: str = ""                      # what data the table ran on, for its caption
    transpose: bool = False                  # metrics as table rows, experiment rows as columns
    figures: Sequence[Any] = ()              # orchestration.report figure specs
    significance: Any = None                 # orchestration.significance.McNemar, optional
    claims: Sequence[Any] = ()               # orchestration.claims: what the paper asserts of this table
    claims_note: str = ""                    # why a table states no claim (a descriptive table)

    def __post_init__(self) -> None:
        if not isinstance(self.task, Task):
            raise SpecError(f"experiment {self.id}: task must be an orchestration.task.Task, got {self.task!r}")
        config_type = self.task.config_type
        wrong = [s for s, cfg in self.scales.items() if not isinstance(cfg, config_type)]
        if wrong:
            raise SpecError(f"experiment {self.id}: scale configs {wrong} must be {config_type.__name__}")
        if "/" not in self.id:
            raise SpecError(f"experiment id must be '<paper>/<table>', got {self.id!r}")
        missing = [s for s in SCALES if s not in self.scales]
        if missing:
            raise SpecError(f"experiment {self.id}: scales {missing} are not declared")
        names = [r.name for r in self.rows]
        if len(set(names)) != len(names):
            raise SpecError(f"experiment {self.id}: duplicate row names {names}")
        for r in self.rows:
            if bad := [x for x in r.scales if x not in SCALES]:
                raise SpecError(f"experiment {self.id}, row {r.name}: unknown scales {bad}; scales: {', '.join(SCALES)}")
        unknown = set(self.paper) - set(names)
        if unknown:
            raise SpecError(f"experiment {self.id}: paper numbers for unknown rows {sorted(unknown)}")
        from orchestration.claims import check_claims

        check_claims(self)

    @property
    def paper_id(self) -> str:
        return self.id.split("/", 1)[0]

    def config_type(self) -> type:
        return type(self.scales["smoke"])


@dataclass(frozen=True)
class Cell:
    experiment_id: str
    task: str            # the task's name (part of the key)
    row: str
    seed: int
    grid_point: Mapping[str, Any]
    config: Any          # the task config with everything applied
    key: str             # content hash: same key, same result

    @property
    def label(self) -> str:
        point = " ".join(f"{k}={v}" for k, v in self.grid_point.items())
        return f"{self.row}{' ' + point if point else ''} seed={self.seed}"


# ---- overrides -------------------------------------------------------------------------

RUN_KEYS = {"seeds": "comma-separated ints, e.g. seeds=0,1", "rows": "comma-separated row names"}


def field_types(config_type: type) -> dict[str, Any]:
    hints = typing.get_type_hints(config_type)
    return {f.name: hints[f.name] for f in dataclasses.fields(config_type)}


def parse_value(key: str, raw: str, tp: Any) -> Any:
    """Parse `raw` as the annotated type `tp`; a SpecError names the key and the type."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        if raw.lower() in ("none", "null") and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return parse_value(key, raw, inner[0])
    if origin is tuple:
        item = args[0] if args else str
        return tuple(parse_value(key, x.strip(), item) for x in raw.split(",") if x.strip())
    if origin is typing.Literal:
        if raw not in [str(a) for a in args]:
            raise SpecError(f"override {key}={raw}: expected one of {', '.join(map(str, args))}")
        return next(a for a in args if str(a) == raw)
    try:
        if tp is bool:
            if raw.lower() not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError
            return raw.lower() in ("true", "1", "yes")
        if tp in (int, float, str):
            return tp(raw)
    except ValueError:
        raise SpecError(f"override {key}={raw}: expected {tp.__name__}") from None
    raise SpecError(f"override {key}: fields of type {tp} cannot be set from the command line")


def parse_overrides(exp: Experiment, items: Sequence[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split `key=value` items into (config overrides, run-level overrides), typed."""
    types_ = field_types(exp.config_type())
    config, run = {}, {}
    for item in items:
        if "=" not in item:
            raise SpecError(f"override {item!r}: expected key=value")
        key, raw = item.split("=", 1)
        if key == "seeds":
            run["seeds"] = parse_value(key, raw, tuple[int, ...])
            if not run["seeds"] or len(set(run["seeds"])) != len(run["seeds"]):
                raise SpecError(f"override seeds={raw}: expected distinct comma-separated ints, e.g. seeds=0,1")
        elif key == "rows":
            names = [r.name for r in exp.rows]
            wanted = [x.strip() for x in raw.split(",") if x.strip()]
            if not wanted:
                raise SpecError(f"override rows={raw}: expected comma-separated row names; rows are {', '.join(names)}")
            bad = [w for w in wanted if w not in names]
            if bad:
                raise SpecError(f"override rows={raw}: unknown rows {bad}; rows are {', '.join(names)}")
            run["rows"] = tuple(wanted)
        elif key in types_:
            config[key] = parse_value(key, raw, types_[key])
        else:
            valid = sorted(types_) + sorted(RUN_KEYS)
            raise SpecError(f"unknown override key {key!r}; valid keys: {', '.join(valid)}")
    return config, run


# ---- cells -----------------------------------------------------------------------------

def config_dict(config: Any, *, include_execution: bool = True) -> dict[str, Any]:
    out = {}
    for f in dataclasses.fields(config):
        if include_execution or not f.metadata.get("execution"):
            out[f.name] = getattr(config, f.name)
    return out


def stable_hash(obj: Any, n: int = 16) -> str:
    blob = json.dumps(obj, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:n]


def resolve_cells(exp: Experiment, scale: str, overrides: Mapping[str, Any] | None = None,
                  run: Mapping[str, Any] | None = None,
                  data_sha256s: Mapping[str, str] | None = None, task_version: int = 1) -> list[Cell]:
    if scale not in SCALES:
        raise SpecError(f"unknown scale {scale!r}; scales: {', '.join(SCALES)}")
    run = run or {}
    from orchestration.validate import check_config

    base = dataclasses.replace(exp.scales[scale], **(overrides or {}))
    rows = [r for r in exp.rows if r.name in run.get("rows", [r.name for r in exp.rows])]
    if elsewhere := [r for r in rows if not r.runs_at(scale) and "rows" in run]:
        raise SpecError(f"experiment {exp.id}: row {elsewhere[0].name!r} runs only at scale "
                        f"{', '.join(elsewhere[0].scales)}, not {scale}")
    rows = [r for r in rows if r.runs_at(scale)]
    seeds = run.get("seeds", exp.seeds)
    grid_keys = list(exp.grid)
    points = [dict(zip(grid_keys, values, strict=True))
              for values in itertools.product(*(exp.grid[k] for k in grid_keys))]
    cells = []
    for row in rows:
        try:
            row_cfg = dataclasses.replace(base, **row.params)
        except TypeError as e:
            raise SpecError(f"experiment {exp.id}, row {row.name}: {e}") from None
        for point in points:
            cfg = dataclasses.replace(row_cfg, **point)
            where = f"experiment {exp.id}, scale {scale}, row {row.name}"
            check_config(cfg, where + "".join(f", {k}={v}" for k, v in point.items()))
            for seed in seeds:
                if hasattr(cfg, "check_seed"):  # a task whose seed means more than initialisation
                    try:
                        cfg.check_seed(int(seed))
                    except SpecError as e:
                        raise SpecError(f"{where}: {e}") from None
                key = stable_hash({"task": exp.task.name, "row": row.name, "config": config_dict(cfg, include_execution=False),
                                   "seed": seed, "data": dict(data_sha256s or {}),
                                   "task_version": task_version})
                cells.append(Cell(exp.id, exp.task.name, row.name, int(seed), point, cfg, key))
    return cells
