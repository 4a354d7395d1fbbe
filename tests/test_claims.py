"""Claims: the verdict statistics against scipy/statsmodels, and verdicts from a real table."""

from __future__ import annotations

import io
import math
import os
from contextlib import redirect_stdout
from pathlib import Path

import numpy as np
import pytest
from mlflow.tracking import MlflowClient

from orchestration import Experiment, Metric, Row, SpecError
from orchestration.claims import (
    HELD,
    INCONCLUSIVE,
    REVERSED,
    Better,
    mcnemar_counts,
    mcnemar_verdict,
    paired_t_verdict,
)

TABLE = str(Path(__file__).with_name("claims_table.py"))


def test_mcnemar_matches_statsmodels_on_a_hand_case():
    from statsmodels.stats.contingency_tables import mcnemar

    a = np.array([1] * 30 + [0] * 10 + [1] * 50 + [0] * 10, bool)   # 30 only a, 10 only b
    b = np.array([0] * 30 + [1] * 10 + [1] * 50 + [0] * 10, bool)
    assert mcnemar_counts(a, b) == (30, 10)
    verdict, d, low, high, p = mcnemar_verdict(30, 10, 100, 0.05)
    assert p == pytest.approx(mcnemar([[50, 30], [10, 10]], exact=True).pvalue, rel=1e-9)
    assert verdict == HELD and d == pytest.approx(0.2)
    # Wald's interval of a paired difference: sqrt(b + c - (b - c)^2 / n) / n
    se = math.sqrt(40 - 400 / 100) / 100
    assert (low, high) == pytest.approx((0.2 - 1.96 * se, 0.2 + 1.96 * se))
    assert mcnemar_verdict(10, 30, 100, 0.05)[0] == REVERSED
    assert mcnemar_verdict(12, 10, 100, 0.05)[0] == INCONCLUSIVE
    assert mcnemar_verdict(0, 0, 100, 0.05)[4] == 1.0


def test_paired_t_matches_scipy_on_a_hand_case():
    from scipy import stats

    better, worse = np.array([0.52, 0.55, 0.50, 0.56]), np.array([0.48, 0.49, 0.47, 0.50])
    verdict, d, low, high, p = paired_t_verdict(better, worse, 0.05)
    assert p == pytest.approx(stats.ttest_rel(better, worse).pvalue)
    ci = stats.ttest_rel(better, worse).confidence_interval(0.95)
    assert (low, high) == pytest.approx((ci.low, ci.high))
    assert verdict == HELD and d == pytest.approx(0.0475)
    assert paired_t_verdict(worse, better, 0.05)[0] == REVERSED
    assert paired_t_verdict(better[:1], worse[:1], 0.05)[0] == INCONCLUSIVE  # one pair: no test
    assert paired_t_verdict(worse + 0.1, worse, 0.05)[0] == INCONCLUSIVE    # no spread: nothing to test


def test_a_claim_naming_an_unknown_row_or_metric_is_refused_when_the_file_loads():
    from claims_task import CONSTRUCTED, ConstructedConfig

    def build(claim):
        return Experiment(id="t/x", title="x", task=CONSTRUCTED,
                          scales={s: ConstructedConfig() for s in ("smoke", "cpu", "paper")},
                          rows=(Row("a"), Row("b")), metrics=(Metric("accuracy", "Acc"),), claims=(claim,))

    with pytest.raises(SpecError, match=r"claim 1 .*unknown rows \['c'\]; rows are a, b"):
        build(Better("a", than="c", metric="accuracy"))
    with pytest.raises(SpecError, match=r"unknown metric 'f1'; metrics are accuracy"):
        build(Better("a", than="b", metric="f1"))
    with pytest.raises(SpecError, match=r"test must be one of mcnemar, paired_t"):
        build(Better("a", than="b", metric="accuracy", test="wilcoxon"))


def test_a_table_prints_held_reversed_and_inconclusive_and_recomputes_them(table_workspace):
    from orchestration.cli import load_experiment, main
    from orchestration.runner import run_experiment

    result = run_experiment(load_experiment(TABLE), "smoke")
    verdicts = [line.split("**")[1] for line in result.claims.splitlines() if line.startswith("| ") and "**" in line]
    assert verdicts == [HELD, REVERSED, INCONCLUSIVE, HELD, HELD]
    client = MlflowClient()
    parent = client.get_run(result.parent_run_id)
    assert parent.data.tags["claim.01"] == "held: strong vs weak on accuracy"
    assert parent.data.tags["claim.02"].startswith("reversed:") and parent.data.tags["claim.03"].startswith("inconclusive:")
    assert "claims.md" in {a.path for a in client.list_artifacts(result.parent_run_id)}

    out = io.StringIO()
    with redirect_stdout(out):  # the table command: verdicts from the store, nothing trained
        assert main(["table", TABLE]) == 0
    assert "**held**" in out.getvalue() and "**reversed**" in out.getvalue() and "**inconclusive**" in out.getvalue()
    again = run_experiment(load_experiment(TABLE), "smoke")
    assert again.trained == 0 and again.claims == result.claims

    # The results pages, from the store alone.
    out = table_workspace / "results"
    with redirect_stdout(io.StringIO()):
        assert main(["report", "--out", str(out)]) == 0
    page, index = (out / "tests.md").read_text(), (out / "README.md").read_text()
    assert "## `tests/claims` (scale `smoke`)" in page and "Constructed cells with known verdicts" in page
    assert "**reversed**" in page and "marked **[paper]**" in page and "test the machinery, not the paper" in page
    assert "| [tests](tests.md) | `tests/claims` | smoke | strong above weak on Accuracy (%) | strong vs weak | **held** |" in index
    assert "held 3 · reversed 1 · inconclusive 1" in index
    # Pages from several stores (tables run on different machines): an empty one adds nothing.
    empty, here = f"sqlite:///{table_workspace / 'other.db'}", os.environ["MLFLOW_TRACKING_URI"]
    with redirect_stdout(io.StringIO()):
        assert main(["report", "--out", str(out / "both"), "--store", empty, "--store", here]) == 0
    both = (out / "both" / "README.md").read_text()
    assert f"Built from `{empty}`, `{here}`" in both and "held 3 · reversed 1 · inconclusive 1" in both
    assert (out / "both" / "tests.md").read_text() == page


def test_a_grid_point_against_another_of_the_same_row():
    import pandas as pd
    from claims_task import CONSTRUCTED, ConstructedConfig

    from orchestration.claims import evaluate

    exp = Experiment(id="t/x", title="x", task=CONSTRUCTED, scales={s: ConstructedConfig() for s in ("smoke", "cpu", "paper")},
                     rows=(Row("a"),), metrics=(Metric("accuracy", "Acc"),), grid={"setting": ("zero", "few")},
                     claims=(Better("a", than="a", metric="accuracy", where={"setting": "few"},
                                    than_where={"setting": "zero"}),))
    accuracy = {"zero": (0.40, 0.41, 0.42), "few": (0.60, 0.63, 0.61)}
    cells = pd.DataFrame([{"row": "a", "setting": s, "seed": k, "accuracy": accuracy[s][k], "run_id": ""}
                          for s in accuracy for k in range(3)])
    (v,) = evaluate(exp, cells)
    assert (v.better, v.worse, v.n) == ("a (setting=few)", "a (setting=zero)", 3)
    assert v.verdict == HELD and v.difference == pytest.approx((0.20 + 0.22 + 0.19) / 3)


def test_finished_only_writes_a_partial_table_from_the_store_and_trains_nothing(
        table_workspace, new_store, monkeypatch):
    """A table whose last cells take hours: `--finished-only` reports what has finished, says what
    has not, and a later full run is a table of its own (one seed: three cells in all)."""
    from orchestration.cli import load_experiment, main
    from orchestration.runner import run_experiment
    from orchestration.spec import parse_overrides
    from orchestration.tracking import TAG

    monkeypatch.setenv("MLFLOW_TRACKING_URI", new_store(table_workspace / "partial"))
    monkeypatch.setenv("EMOJITAGS_HOME", str(table_workspace / "partial" / "home"))
    exp = load_experiment(TABLE)
    config, one_seed = parse_overrides(exp, ["seeds=0"])
    with pytest.raises(SpecError, match="--finished-only: none of the 3 cells of tests/claims"):
        run_experiment(exp, "smoke", config, one_seed, finished_only=True)
    assert MlflowClient().search_runs([e.experiment_id for e in MlflowClient().search_experiments()]) == []
    with pytest.raises(SpecError, match="--force retrains every cell and --finished-only trains none"):
        run_experiment(exp, "smoke", config, one_seed, force=True, finished_only=True)

    some = run_experiment(exp, "smoke", *parse_overrides(exp, ["seeds=0", "rows=strong,weak"]))
    assert some.trained == 2
    part = run_experiment(exp, "smoke", config, one_seed, finished_only=True)
    assert part.trained == 0 and part.reused == 2
    assert "**Partial table**" in part.markdown and "1 of 3 cells not run: twin (seed 0)" in part.markdown
    assert set(part.table["row"]) == {"strong", "weak"}
    verdicts = [line.split("**")[1] for line in part.claims.splitlines() if line.startswith("| ") and "**" in line]
    # the claim against `twin` has nothing to compare; one seed gives a paired t nothing to test
    assert verdicts == [HELD, REVERSED, INCONCLUSIVE, INCONCLUSIVE]
    tags = MlflowClient().get_run(part.parent_run_id).data.tags
    assert tags[f"{TAG}partial"] == "1 of 3 cells not run: twin (seed 0)"

    with redirect_stdout(io.StringIO()):
        assert main(["report", "--out", str(table_workspace / "partial" / "pages")]) == 0
    page = (table_workspace / "partial" / "pages" / "tests.md").read_text()
    index = (table_workspace / "partial" / "pages" / "README.md").read_text()
    assert "**Partial**: 1 of 3 cells not run: twin (seed 0)." in page
    assert "| smoke (partial) | strong above weak" in index

    whole = run_experiment(exp, "smoke", config, one_seed)  # trains only the cell left out, into a table of its own
    assert whole.trained == 1 and whole.parent_run_id not in (part.parent_run_id, some.parent_run_id)
    assert "Partial" not in whole.markdown
    out = io.StringIO()
    with redirect_stdout(out):  # nothing missing: the whole table, through the command line
        assert main(["run", TABLE, "--scale", "smoke", "seeds=0", "--finished-only"]) == 0
    assert "3 cells, 3 already finished, 0 to run" in out.getvalue() and "0 cells trained" in out.getvalue()
    assert "Partial" not in out.getvalue()


def test_a_partial_table_keeps_the_papers_number_where_our_cells_are_missing():
    import pandas as pd
    from claims_task import CONSTRUCTED, ConstructedConfig

    from orchestration.report import summary_table

    exp = Experiment(id="t/x", title="x", task=CONSTRUCTED, scales={s: ConstructedConfig() for s in ("smoke", "cpu", "paper")},
                     rows=(Row("a"), Row("b")), metrics=(Metric("accuracy", "Acc"),), grid={"set": ("one", "two")},
                     paper={"a": {"accuracy": {"one": 50.0, "two": 70.0}}})
    cells = pd.DataFrame([{"row": r, "set": s, "seed": 0, "accuracy": 0.4, "run_id": ""}
                          for r, s in (("a", "one"), ("b", "one"), ("b", "two"))])  # `a` at `two` did not run
    table = summary_table(exp, cells)
    assert table[["row", "set", "seeds", "Acc", "Acc [paper]"]].values.tolist() == [
        ["a", "one", 1, "40.0", "50.0"], ["a", "two", 0, "–", "70.0"], ["b", "one", 1, "40.0", "–"],
        ["b", "two", 1, "40.0", "–"]]
