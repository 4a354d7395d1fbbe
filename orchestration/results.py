"""Results pages from the MLflow store alone: one Markdown page per paper and a scoreboard.

    python -m orchestration report                      # into docs/results/
    python -m orchestration report --out /tmp/results --scale cpu
    python -m orchestration report --store sqlite:///a/mlflow.db --store sqlite:///b/mlflow.db

For every table (parent run) the store holds, the newest finished run at the chosen scale (by
default the largest scale the store has: paper, then cpu, then smoke) gives the page its table
as printed, its figures (PNGs copied beside the page), the claims' verdicts, the commit, when it
finished and how long it took. The index (`README.md`) is the scoreboard: paper x claim x verdict.
Several stores (`--store`, repeated: tables run on different machines) make one set of pages;
a table in more than one of them is taken from the store named first.
Nothing is recomputed and no experiment file is read: a page says what the store holds.
"""

from __future__ import annotations

import argparse
import io
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from orchestration.spec import SCALES
from orchestration.tracking import TAG, tracking_uri

PREFERENCE = ("paper", "cpu", "smoke")  # the largest scale a store has is the one worth reading
OURS = ("Every number is ours, computed by this project's cells and stored in MLflow, except the "
        "columns marked **[paper]**: those are the paper's reported numbers, shown for reference only.")
SMOKE = ("**Scale `smoke`**: tiny models on a few hundred examples, what the tests run. These numbers "
         "test the machinery, not the paper: a verdict at `smoke` says nothing about a claim.")


@dataclass
class TableRun:
    paper: str        # the MLflow experiment: the paper's folder name
    table: str        # "<paper>/<table>"
    scale: str
    run_id: str
    commit: str
    finished: str
    seconds: float    # from the parent run's first start to its last end (reruns reopen it)
    cell_seconds: float  # every cell's own compute, summed
    markdown: str
    claims_md: str
    claims: pd.DataFrame
    claims_note: str
    figures: list[Path]
    partial: str = ""  # built with --finished-only: the cells it leaves out


def _latest_tables(client, scale: str | None) -> list:
    runs = []
    for exp in client.search_experiments():
        runs += client.search_runs([exp.experiment_id],
                                   filter_string=f"tags.`{TAG}kind` = 'table' and attributes.status = 'FINISHED'",
                                   order_by=["attributes.end_time DESC"], max_results=5000)
    by_table: dict[str, dict[str, object]] = {}
    for r in runs:
        t, s = r.data.tags.get(f"{TAG}table"), r.data.tags.get(f"{TAG}scale")
        by_table.setdefault(t, {}).setdefault(s, r)  # newest first: keep the first seen
    out = []
    for t in sorted(by_table):
        scales = by_table[t]
        pick = scale if scale else next((s for s in PREFERENCE if s in scales), None)
        if pick in scales:
            out.append(scales[pick])
    return out


def _read(client, run, tmp: Path) -> TableRun:
    tags = run.data.tags
    dst = tmp / run.info.run_id
    dst.mkdir()
    names = {a.path for a in client.list_artifacts(run.info.run_id)}
    files = {n: Path(client.download_artifacts(run.info.run_id, n, str(dst))) for n in names
             if n.endswith((".md", ".csv", ".png"))}
    cells = pd.read_csv(files["cells.csv"]) if "cells.csv" in files else pd.DataFrame()
    claims = pd.read_csv(files["claims.csv"]) if "claims.csv" in files else pd.DataFrame()
    end = datetime.fromtimestamp(run.info.end_time / 1000, tz=UTC)
    return TableRun(
        paper=tags[f"{TAG}table"].split("/", 1)[0], table=tags[f"{TAG}table"], scale=tags.get(f"{TAG}scale", "?"),
        run_id=run.info.run_id, commit=tags.get(f"{TAG}git_commit", "unknown"),
        finished=end.strftime("%Y-%m-%d %H:%M UTC"), seconds=(run.info.end_time - run.info.start_time) / 1000,
        cell_seconds=float(cells["cell_seconds"].sum()) if "cell_seconds" in cells else float("nan"),
        markdown=files["table.md"].read_text() if "table.md" in files else "(no table.md)",
        claims_md=files["claims.md"].read_text() if "claims.md" in files else "",
        claims=claims, claims_note=tags.get(f"{TAG}claims_note", ""),
        figures=sorted(p for n, p in files.items() if n.endswith(".png")),
        partial=tags.get(f"{TAG}partial", ""))


def _duration(s: float) -> str:
    if s != s:  # NaN
        return "–"
    m, sec = divmod(int(round(s)), 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def paper_page(paper: str, tables: list[TableRun], out: Path) -> str:
    lines = [f"# {paper}", "", OURS, ""]
    if any(t.scale == "smoke" for t in tables):
        lines += [SMOKE, ""]
    for t in tables:
        lines += [f"## `{t.table}` (scale `{t.scale}`)", "",
                  f"Commit `{t.commit}`, finished {t.finished}; {_duration(t.seconds)} from the table run's first start to its last finish, "
                  f"cells' own compute {_duration(t.cell_seconds)} summed. MLflow parent run `{t.run_id}`.", "",
                  *([f"**Partial**: {t.partial}.", ""] if t.partial else []),
                  t.markdown.strip(), ""]
        if t.claims_md:
            lines += [t.claims_md.strip(), ""]
        elif t.claims_note:
            lines += [f"**Claims**: none stated. {t.claims_note}", ""]
        for fig in t.figures:
            name = f"{t.table.replace('/', '__')}__{fig.name}"
            shutil.copyfile(fig, out / paper / name)
            lines += [f"![{t.table}: {fig.stem}]({paper}/{name})", ""]
    return "\n".join(lines)


def scoreboard(tables: list[TableRun]) -> str:
    lines = ["| paper | table | scale | claim | comparison | verdict |", "|---|---|---|---|---|---|"]
    for t in tables:
        link = f"[{t.paper}]({t.paper}.md)"
        if t.claims.empty:
            lines.append(f"| {link} | `{t.table}` | {t.scale} | {t.claims_note or '(none declared)'} | – | – |")
        for c in t.claims.to_dict("records"):
            lines.append(f"| {link} | `{t.table}` | {t.scale}{' (partial)' if t.partial else ''} | {c['claim']} "
                         f"| {c['better']} vs {c['worse']} | **{c['verdict']}** |")
    return "\n".join(lines)


def build(out: Path, uri: str | list[str] | None = None, scale: str | None = None) -> list[Path]:
    from mlflow.tracking import MlflowClient

    uris = [uri] if isinstance(uri, str) else list(uri or [tracking_uri()])
    out.mkdir(parents=True, exist_ok=True)
    from orchestration.significance import _no_progress_bars

    with tempfile.TemporaryDirectory() as tmp, _no_progress_bars():
        tables, seen = [], set()
        for u in uris:
            client = MlflowClient(u)
            for r in _latest_tables(client, scale):
                if r.data.tags.get(f"{TAG}table") not in seen:
                    seen.add(r.data.tags.get(f"{TAG}table"))
                    tables.append(_read(client, r, Path(tmp)))
        tables.sort(key=lambda t: t.table)
        papers: dict[str, list[TableRun]] = {}
        for t in tables:
            papers.setdefault(t.paper, []).append(t)
        written = []
        for paper, mine in papers.items():
            (out / paper).mkdir(exist_ok=True)
            page = out / f"{paper}.md"
            page.write_text(paper_page(paper, mine, out))
            written.append(page)
    counts = io.StringIO()
    verdicts = pd.concat([t.claims for t in tables if not t.claims.empty] or [pd.DataFrame({"verdict": []})])
    for v in ("held", "reversed", "inconclusive"):
        counts.write(f"{v} {int((verdicts['verdict'] == v).sum())} · ")
    index = ["# Results", "", OURS, "",
             f"Built from {', '.join(f'`{u}`' for u in uris)} by `python -m orchestration report` at "
             f"{datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}: {len(tables)} tables, comparisons "
             f"{counts.getvalue().rstrip(' ·')}.", "",
             "Pages: " + ", ".join(f"[{p}]({p}.md)" for p in papers), ""]
    if any(t.scale == "smoke" for t in tables):
        index += [SMOKE, ""]
    index += ["## Scoreboard", "", scoreboard(tables), ""]
    (out / "README.md").write_text("\n".join(index))
    return [out / "README.md", *written]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration report", description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/results", help="folder for the pages (default docs/results)")
    parser.add_argument("--scale", choices=SCALES, default=None, help="only tables run at this scale")
    parser.add_argument("--store", action="append", default=None,
                        help="an MLflow tracking URI to read (repeatable; default: MLFLOW_TRACKING_URI or ./mlflow.db)")
    args = parser.parse_args(argv)
    for p in build(Path(args.out), uri=args.store, scale=args.scale):
        print(p)
    return 0
