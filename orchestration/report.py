"""The finished table: mean ± std over seeds beside the paper's column, and figures."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from orchestration.spec import Experiment


def cells_frame(records: list[dict]) -> pd.DataFrame:
    """One row per cell: row, seed, grid values, metrics."""
    return pd.DataFrame.from_records(records)


def _fmt(values: np.ndarray, scale: float, digits: int) -> str:
    values = values[~np.isnan(values)] * scale
    if len(values) == 0:
        return "–"
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{values.mean():.{digits}f} ± {values.std(ddof=1):.{digits}f}"


def summary_table(exp: Experiment, cells: pd.DataFrame) -> pd.DataFrame:
    """Ours (mean ± std over seeds) and, where the paper reports it, the paper's number."""
    grid_keys = list(exp.grid)
    with_paper = {m.key for m in exp.metrics if any(m.key in v for v in exp.paper.values())}
    rows = [r.name for r in exp.rows if r.name in set(cells["row"])]
    groups = cells.groupby(["row", *grid_keys], sort=False) if grid_keys else cells.groupby("row", sort=False)
    out = []
    for group_key, g in groups:
        key = group_key if isinstance(group_key, tuple) else (group_key,)
        out.append(_line(exp, key[0], dict(zip(grid_keys, key[1:], strict=False)), g, with_paper))
    out += _paper_only(exp, rows, {(e["row"], *(e[k] for k in grid_keys)) for e in out}, with_paper)
    out.sort(key=lambda e: _order((e["row"], *(e[k] for k in grid_keys)), rows, exp.grid))
    table = pd.DataFrame(out)
    if exp.transpose and grid_keys:
        table = _transpose_grid(exp, table)
    elif exp.transpose:
        table = table.set_index("row").drop(columns="seeds").T.reset_index().rename(columns={"index": "metric"})
    return table


def _line(exp: Experiment, row: str, point: Mapping, cells: pd.DataFrame | None, with_paper: set) -> dict:
    """One (row, grid point): our mean ± std over its cells ("–" with none), the paper's number beside."""
    entry = {"row": row, **point, "seeds": 0 if cells is None else len(cells)}
    for m in exp.metrics:
        vals = cells[m.key].to_numpy(dtype=float) if cells is not None and m.key in cells else np.array([np.nan])
        entry[m.label] = _fmt(vals, m.scale, m.digits)
        if m.key in with_paper:
            paper = exp.paper.get(row, {}).get(m.key)
            if isinstance(paper, Mapping):  # one number per value of the (single) grid key
                paper = paper.get(next(iter(point.values()))) if point else None
            entry[f"{m.label} [paper]"] = "–" if paper is None else f"{paper:.{m.digits}f}"
    return entry


def _paper_only(exp: Experiment, rows: list[str], present: set, with_paper: set) -> list[dict]:
    """A (row, grid point) with no cells (a partial table) but a paper number: its line still
    shows the paper's number, ours "–"."""
    if len(exp.grid) != 1:
        return []
    ((key, values),) = exp.grid.items()
    lines = [_line(exp, row, {key: v}, None, with_paper) for row in rows for v in values if (row, v) not in present]
    papers = [f"{m.label} [paper]" for m in exp.metrics if m.key in with_paper]
    return [line for line in lines if any(line[c] != "–" for c in papers)]


def _transpose_grid(exp: Experiment, table: pd.DataFrame) -> pd.DataFrame:
    """One line per grid point and metric, one column per row (e.g. benchmarks down, modes across);
    a [paper] line with no number in it is left out."""
    grid_keys = list(exp.grid)
    rows = list(dict.fromkeys(table["row"]))
    values = [c for c in table.columns if c not in ("row", "seeds", *grid_keys)]
    found = {(r["row"], tuple(r[k] for k in grid_keys)): r for r in table.to_dict("records")}
    out = []
    for point in itertools.product(*(exp.grid[k] for k in grid_keys)):
        if not any((row, point) in found for row in rows):
            continue
        for col in values:
            line = {**dict(zip(grid_keys, point, strict=True)), "metric": col}
            line.update({row: found[(row, point)][col] if (row, point) in found else "–" for row in rows})
            if not (col.endswith(" [paper]") and all(line[row] == "–" for row in rows)):
                out.append(line)
    return pd.DataFrame(out)


def _order(key, rows: list[str], grid: Mapping[str, tuple] | None = None):
    """Rows in declared order, then grid values in declared order (not sorted: a grid's
    values read in the order the experiment file gives them)."""
    row = key[0] if isinstance(key, tuple) else key
    values = key[1:] if isinstance(key, tuple) else ()
    declared = list((grid or {}).values())
    return (rows.index(row), *((list(d).index(v) if v in d else len(d), str(v))
                               for v, d in zip(values, declared, strict=False)))


def to_markdown(table: pd.DataFrame) -> str:
    cols = [str(c) for c in table.columns]
    cells = [[str(v) for v in row] for row in table.itertuples(index=False)]
    widths = [max(len(c), *(len(r[i]) for r in cells)) if cells else len(c) for i, c in enumerate(cols)]
    line = lambda vals: "| " + " | ".join(v.ljust(w) for v, w in zip(vals, widths, strict=True)) + " |"  # noqa: E731
    return "\n".join([line(cols), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, cells)])


def caption(exp: Experiment, scale: str, n_cells: int, overrides: str = "", not_run: str = "") -> str:
    parts = [f"**{exp.title}** (`{exp.id}`, scale `{scale}`, {n_cells} cells, mean ± std over seeds)."]
    if overrides:
        parts.append(f"Overrides: `{overrides}`.")
    if not_run:  # --finished-only: what a reader must not take for a whole table
        parts.append(f"**Partial table** (built from the finished cells, nothing trained): {not_run}; a "
                     f"mean over fewer seeds, and claims pooled over grid points, use only the cells shown.")
    if exp.data_note:
        parts.append(f"Data: {exp.data_note}.")
    if exp.paper:
        parts.append(f"Columns marked [paper] are the paper's reported numbers, for reference only"
                     f"{': ' + exp.paper_note if exp.paper_note else ''}.")
    return " ".join(parts)


def _save(fig, title: str, path: Path) -> Path:
    import matplotlib.pyplot as plt

    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


@dataclass(frozen=True)
class LinePlot:
    """A metric over a grid axis, one line per row (e.g. P@1 over the embedding size)."""

    x: str
    y: Sequence[str]
    filename: str = "figure.png"
    title: str = ""

    def render(self, exp: Experiment, cells: pd.DataFrame, out_dir: Path) -> Path:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        labels = {m.key: m for m in exp.metrics}
        fig, axes = plt.subplots(1, len(self.y), figsize=(5 * len(self.y), 4), squeeze=False)
        for ax, key in zip(axes[0], self.y, strict=True):
            m = labels[key]
            for row in [r.name for r in exp.rows if r.name in set(cells["row"])]:
                g = cells[cells["row"] == row].groupby(self.x)[key]
                mean, std = g.mean() * m.scale, g.std(ddof=1).fillna(0) * m.scale
                ax.errorbar(mean.index, mean.values, yerr=std.values, marker="o", capsize=3, label=row)
            ax.set_xlabel(self.x)
            ax.set_ylabel(m.label)
            ax.set_xticks(sorted(cells[self.x].unique()))
            ax.grid(alpha=0.3)
            ax.legend()
        return _save(fig, self.title or exp.title, out_dir / self.filename)


@dataclass(frozen=True)
class GroupedBars:
    """An `Experiment.figures` spec: per panel, one group of bars per metric, one bar per row
    (mean over seeds, std as error bar). `panels`: (title, ((metric key, group label), ...))."""

    panels: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]
    filename: str = "figure.png"
    title: str = ""
    ylabel: str = "F1@1 (%)"

    def render(self, exp: Experiment, cells: pd.DataFrame, out_dir: Path) -> Path:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        rows = [r.name for r in exp.rows if r.name in set(cells["row"])]
        scale = {m.key: m.scale for m in exp.metrics}
        fig, axes = plt.subplots(1, len(self.panels), figsize=(5.5 * len(self.panels), 4.2), squeeze=False)
        for ax, (title, groups) in zip(axes[0], self.panels, strict=True):
            width = 0.8 / max(len(rows), 1)
            for j, row in enumerate(rows):
                g = cells[cells["row"] == row]
                vals = [g[k].mean() * scale[k] if k in g else np.nan for k, _ in groups]
                errs = [np.nan_to_num(g[k].std(ddof=1)) * scale[k] if k in g else 0 for k, _ in groups]
                ax.bar(np.arange(len(groups)) + (j - (len(rows) - 1) / 2) * width, vals, width,
                       yerr=errs, capsize=2, label=row)
            ax.set_xticks(np.arange(len(groups)), [label for _, label in groups])
            ax.set_title(title)
            ax.set_ylabel(self.ylabel)
            ax.set_ylim(bottom=0)
            ax.grid(axis="y", alpha=0.3)
        axes[0][0].legend(fontsize=8)
        return _save(fig, self.title or exp.title, out_dir / self.filename)
