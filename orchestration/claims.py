"""What a paper claims about its table, and whether our cells bear it out.

    Experiment(..., claims=(
        Better("OURS", than="*", metric="f1_at_1", test="mcnemar",
               text="the proposed model beats every baseline on F1@1 (Table 2)"),
        Order(("BIG", "MEDIUM", "SMALL"), metric="p_at_1"),
        AboveFloor("p_at_1", floor="majority_p_at_1"),
    ))

Every claim becomes one or more *comparisons* of two sides paired unit by unit, and each
comparison a verdict:

- **held**: significant (p < alpha, two-sided) in the claimed direction;
- **reversed**: significant against it;
- **inconclusive**: neither, with the observed difference and its 95% interval.

Tests: `mcnemar` pairs the two rows' per-item top-1 outcomes (each cell's TOP1_ARTIFACT) of the
same seed and grid point and sums the discordant counts over the pairs (the exact binomial test
on b + c; the interval is Wald's for a paired difference of proportions); `paired_t` pairs the
rows' metric over seeds (or folds) and grid points (scipy's ttest_rel; with one pair there is no
test and the verdict is inconclusive). A floor is a metric each cell logs beside the one it
bounds (the majority class, chance), compared the same way.

Claims change no cell key: they are computed from finished cells, so `python -m orchestration
table FILE` recomputes them from the store without training.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from orchestration.spec import SpecError

TESTS = ("mcnemar", "paired_t")
HELD, REVERSED, INCONCLUSIVE = "held", "reversed", "inconclusive"


@dataclass(frozen=True)
class Better:
    """`row` scores higher than each row of `than` ("*": every other row) on `metric`."""

    row: str
    than: str | Sequence[str]
    metric: str
    test: str = "paired_t"
    alpha: float = 0.05
    lower_is_better: bool = False
    where: Mapping[str, Any] = field(default_factory=dict)  # grid point(s) the claim is about
    text: str = ""
    # The other side's grid point when it differs (one setting against another of the same row):
    # the keys it names are then not paired on.
    than_where: Mapping[str, Any] = field(default_factory=dict)

    def comparisons(self, rows: Sequence[str]) -> list[tuple[str, str]]:
        than = [r for r in rows if r != self.row] if self.than == "*" else _names(self.than)
        return [(self.row, other) for other in than]

    def named_rows(self) -> list[str]:
        return [self.row, *([] if self.than == "*" else _names(self.than))]


@dataclass(frozen=True)
class Order:
    """`rows`, best first, each above the next on `metric`."""

    order: Sequence[str]
    metric: str
    test: str = "paired_t"
    alpha: float = 0.05
    lower_is_better: bool = False
    where: Mapping[str, Any] = field(default_factory=dict)
    text: str = ""

    def comparisons(self, rows: Sequence[str]) -> list[tuple[str, str]]:
        return list(zip(self.order[:-1], self.order[1:], strict=True))

    def named_rows(self) -> list[str]:
        return list(self.order)


@dataclass(frozen=True)
class AboveFloor:
    """Each row of `rows` (default: every row) scores above `floor`, a metric its cells log."""

    metric: str
    floor: str
    rows: Sequence[str] = ()
    alpha: float = 0.05
    where: Mapping[str, Any] = field(default_factory=dict)
    text: str = ""
    test: str = "paired_t"
    lower_is_better: bool = False

    def comparisons(self, rows: Sequence[str]) -> list[tuple[str, str]]:
        return [(r, self.floor) for r in (self.rows or rows)]

    def named_rows(self) -> list[str]:
        return list(self.rows)


Claim = Better | Order | AboveFloor


def _names(x: str | Sequence[str]) -> list[str]:
    return [x] if isinstance(x, str) else list(x)


def describe(claim: Claim, metric_labels: Mapping[str, str]) -> str:
    if claim.text:
        return claim.text
    label = metric_labels.get(claim.metric, claim.metric)
    if isinstance(claim, Order):
        return f"{' > '.join(claim.order)} on {label}"
    if isinstance(claim, AboveFloor):
        return f"{', '.join(claim.rows) or 'every row'} above its floor ({claim.floor}) on {label}"
    than = "every other row" if claim.than == "*" else ", ".join(_names(claim.than))
    return f"{claim.row} above {than} on {label}"


def check_claims(exp) -> None:
    """Refuse a claim naming an unknown row, metric, grid key or test (when the file loads)."""
    rows = [r.name for r in exp.rows]
    metrics = [m.key for m in exp.metrics]
    for i, c in enumerate(exp.claims):
        name = f"experiment {exp.id}, claim {i + 1} ({describe(c, {})})"
        unknown = [r for r in c.named_rows() if r not in rows]
        if unknown:
            raise SpecError(f"{name}: unknown rows {unknown}; rows are {', '.join(rows)}")
        if c.metric not in metrics:
            raise SpecError(f"{name}: unknown metric {c.metric!r}; metrics are {', '.join(metrics)}")
        if c.test not in TESTS:
            raise SpecError(f"{name}: test must be one of {', '.join(TESTS)}, got {c.test!r}")
        if isinstance(c, AboveFloor) and c.test != "paired_t":
            raise SpecError(f"{name}: a floor is a logged metric, compared with test='paired_t'")
        bad = [k for k in [*c.where, *getattr(c, "than_where", {})] if k not in exp.grid]
        if bad:
            raise SpecError(f"{name}: `where` names {bad}, not grid keys of this experiment "
                            f"({', '.join(exp.grid) or 'it has no grid'})")
        if not 0 < c.alpha < 1:
            raise SpecError(f"{name}: alpha must be in (0, 1), got {c.alpha}")


# ---- the statistics --------------------------------------------------------------------

@dataclass
class Verdict:
    claim: str
    better: str
    worse: str
    metric: str
    test: str
    verdict: str
    difference: float   # better - worse, in the metric's units (a rate for McNemar)
    low: float          # 95% interval of the difference
    high: float
    p_value: float
    n: int              # pairs: items (McNemar) or seeds x grid points (paired t)


def mcnemar_counts(a: np.ndarray, b: np.ndarray) -> tuple[int, int]:
    """(items only `a` got right, items only `b` got right)."""
    a, b = np.asarray(a, bool), np.asarray(b, bool)
    return int(np.sum(a & ~b)), int(np.sum(~a & b))


def mcnemar_verdict(b: int, c: int, n: int, alpha: float) -> tuple[str, float, float, float, float]:
    """(verdict, difference, low, high, p) for `better` right alone on b items, `worse` on c, of n."""
    from scipy.stats import binomtest

    p = 1.0 if b + c == 0 else float(binomtest(b, b + c, 0.5).pvalue)
    d = (b - c) / n if n else 0.0
    se = math.sqrt(max(b + c - (b - c) ** 2 / n, 0.0)) / n if n else 0.0
    return _verdict(d, p, alpha), d, d - 1.96 * se, d + 1.96 * se, p


def paired_t_verdict(better: np.ndarray, worse: np.ndarray, alpha: float) -> tuple[str, float, float, float, float]:
    """(verdict, mean difference, low, high, p) of a two-sided paired t test."""
    from scipy import stats

    diff = np.asarray(better, float) - np.asarray(worse, float)
    d = float(diff.mean()) if len(diff) else float("nan")
    if len(diff) < 2:
        return INCONCLUSIVE, d, float("nan"), float("nan"), float("nan")
    if np.all(diff == diff[0]):
        # No spread over the pairs (deterministic rows: the seeds replicate nothing), so there is
        # nothing for a t test to weigh the difference against: inconclusive, whatever its size.
        return INCONCLUSIVE, d, d, d, float("nan")
    res = stats.ttest_rel(better, worse)
    half = stats.t.ppf(0.975, len(diff) - 1) * diff.std(ddof=1) / math.sqrt(len(diff))
    return _verdict(d, float(res.pvalue), alpha), d, d - half, d + half, float(res.pvalue)


def _verdict(d: float, p: float, alpha: float) -> str:
    if p < alpha and d > 0:
        return HELD
    if p < alpha and d < 0:
        return REVERSED
    return INCONCLUSIVE


# ---- claims over a table's cells -------------------------------------------------------

def evaluate(exp, cells: pd.DataFrame, client=None) -> list[Verdict]:
    """Every claim's comparisons on the finished cells (`cells.csv`: row, seed, grid, metrics, run_id)."""
    labels = {m.key: m.label for m in exp.metrics}
    rows = [r.name for r in exp.rows if r.name in set(cells["row"])]
    outcomes = _Outcomes(client)
    out = []
    for claim in exp.claims:
        than_where = getattr(claim, "than_where", {}) or {}
        pair_keys = [*(k for k in exp.grid if k not in than_where), "seed"]
        frame, other = _at(cells, claim.where), _at(cells, than_where or claim.where)
        sign = -1.0 if claim.lower_is_better else 1.0
        for better, worse in claim.comparisons(rows):
            if better not in rows or (worse not in rows and not isinstance(claim, AboveFloor)):
                continue  # a row left out of this run (rows=...): nothing to compare
            mine = frame[frame["row"] == better].set_index(pair_keys)
            if isinstance(claim, AboveFloor):
                if claim.floor not in mine:
                    raise SpecError(f"experiment {exp.id}: floor {claim.floor!r} is not a metric its cells log")
                theirs = mine[[claim.floor]].rename(columns={claim.floor: claim.metric})
            else:
                theirs = other[other["row"] == worse].set_index(pair_keys)
            common = mine.index.intersection(theirs.index)
            if len(common) == 0 or claim.metric not in mine or claim.metric not in theirs:
                continue  # a grid point this run left out, or a metric its cells did not log
            if claim.test == "mcnemar":
                b = c = n = 0
                for key in common:
                    hb, hw = outcomes.get(mine.loc[key, "run_id"]), outcomes.get(theirs.loc[key, "run_id"])
                    if hb.shape != hw.shape:
                        raise ValueError(f"{better} and {worse} were tested on different items ({hb.size} vs {hw.size})")
                    bb, cc = mcnemar_counts(hb, hw)
                    b, c, n = b + bb, c + cc, n + hb.size
                verdict, d, lo, hi, p = mcnemar_verdict(b, c, n, claim.alpha)
            else:
                n = len(common)
                verdict, d, lo, hi, p = paired_t_verdict(sign * mine.loc[common, claim.metric].to_numpy(),
                                                         sign * theirs.loc[common, claim.metric].to_numpy(),
                                                         claim.alpha)
                d, lo, hi = sign * d, *sorted((sign * lo, sign * hi))
            if than_where:
                better, worse = (f"{better} ({_point(claim.where)})", f"{worse} ({_point(than_where)})")
            out.append(Verdict(describe(claim, labels), better, worse, claim.metric, claim.test, verdict,
                               d, lo, hi, p, n))
    return out


def _at(cells: pd.DataFrame, where: Mapping[str, Any]) -> pd.DataFrame:
    for k, v in where.items():
        cells = cells[cells[k].isin(_names(v) if isinstance(v, (list, tuple)) else [v])]
    return cells


def _point(where: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in where.items())


class _Outcomes:
    """Per-item top-1 outcomes of cells, read from their MLflow runs once each."""

    def __init__(self, client) -> None:
        self.client, self.cache = client, {}

    def get(self, run_id: str) -> np.ndarray:
        from orchestration.significance import TOP1_ARTIFACT, _no_progress_bars

        if run_id not in self.cache:
            if self.client is None:
                raise SpecError("a McNemar claim needs the MLflow store holding the cells' outcomes")
            with tempfile.TemporaryDirectory() as tmp, _no_progress_bars():
                self.cache[run_id] = np.load(self.client.download_artifacts(run_id, TOP1_ARTIFACT, tmp)).astype(bool)
        return self.cache[run_id]


def to_markdown(exp, verdicts: list[Verdict]) -> str:
    if not verdicts:
        return ""
    scale = {m.key: m.scale for m in exp.metrics}
    lines = ["**Claims** (the paper's, tested on our cells; two-sided, p < alpha):", "",
             "| claim | comparison | verdict | difference [95% CI] | p | test (pairs) |",
             "|---|---|---|---|---|---|"]
    for v in verdicts:
        k = 100.0 if v.test == "mcnemar" else scale.get(v.metric, 1.0)
        unit = " pts" if k == 100.0 else ""
        ci = "" if math.isnan(v.low) else f" [{k * v.low:+.2f}, {k * v.high:+.2f}]"
        p = "–" if math.isnan(v.p_value) else f"{v.p_value:.3g}"
        lines.append(f"| {v.claim} | {v.better} vs {v.worse} | **{v.verdict}** | {k * v.difference:+.2f}{unit}{ci} "
                     f"| {p} | {v.test} ({v.n}) |")
    return "\n".join(lines) + "\n"


def tags(verdicts: list[Verdict]) -> dict[str, str]:
    """One MLflow tag per comparison: `claim.<n>` = `held: A vs B on metric`."""
    return {f"claim.{i + 1:02d}": f"{v.verdict}: {v.better} vs {v.worse} on {v.metric}"[:5000]
            for i, v in enumerate(verdicts)}


def frame(verdicts: list[Verdict]) -> pd.DataFrame:
    return pd.DataFrame([vars(v) for v in verdicts])


def write(exp, verdicts: list[Verdict], out: Path) -> None:
    (out / "claims.md").write_text(to_markdown(exp, verdicts))
    frame(verdicts).to_csv(out / "claims.csv", index=False)
