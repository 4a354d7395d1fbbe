"""Emoji-hashtag association, Table 1 and Figure 2 at smoke scale, the input rules, and
the co-occurrence + PPMI path in bounded memory on resampled TweetEval."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from mlflow.tracking import MlflowClient

from experiments.emoji_hashtags.analysis_task import (
    association,
    count,
    plot_label,
    scale_check,
    tweet_items,
)
from orchestration.cli import load_experiment
from orchestration.runner import run_experiment

ROOT = Path(__file__).resolve().parents[1]
TWEETEVAL_20 = ["❤", "😍", "😂", "💕", "🔥", "😊", "😎", "✨", "💙", "😘",
                "📷", "🇺🇸", "☀", "💜", "😉", "💯", "😁", "🎄", "📸", "😜"]


@pytest.fixture(scope="module")
def store(table_workspace):
    """One MLflow store for the module: a new SQLite store spends seconds on migrations."""
    return table_workspace


def run(name: str):
    exp = load_experiment(str(ROOT / "experiments" / "emoji_hashtags" / f"{name}.py"))
    return run_experiment(exp, "smoke")


def parent_artifacts(result) -> set[str]:
    return {a.path for a in MlflowClient().list_artifacts(result.parent_run_id)}


# ------------------------------------------------------------------------- input rules

def test_empty_text_is_a_tweet_with_neither():
    assert list(tweet_items([""])) == [([], [])]
    counter = count(tweet_items(["", "#a 🦄"]))
    assert counter.n_tweets == 2 and counter.n_with_hashtag == counter.n_with_emoji == 1


def test_one_character_hashtag_is_kept_and_case_is_folded():
    assert list(tweet_items(["#a and #A and #B #1"])) == [(["a", "a", "b"], [])]


def test_emoji_outside_tweeteval_is_counted_and_canonicalised():
    (tags, emojis), = tweet_items(["#Cat 🦄 ❤️"])
    assert tags == ["cat"] and emojis == ["🦄", "❤"]  # ❤️ loses its variation selector
    counter = count(tweet_items(["#cat 🦄", "🦄"]))
    assert counter.top_emojis_for("cat", 5) == [("🦄", 1)]
    metrics = association(counter, TWEETEVAL_20)
    assert metrics["p_emoji"] == 1.0 and metrics["emoji_outside_20"] == 1.0


def test_label_put_back_gives_every_tweet_an_emoji():
    items = list(tweet_items(["", "#sun"], put_back=["☀", "😂"]))
    assert items == [([], ["☀"]), (["sun"], ["😂"])]


def test_association_shares_and_lift_on_four_tweets():
    m = association(count(tweet_items(["", "#a", "🦄", "#b 😂"])), TWEETEVAL_20)
    assert [m[k] for k in ("hashtag_only", "emoji_only", "both", "neither")] == [0.25] * 4
    assert m["lift"] == pytest.approx(0.25 / (0.5 * 0.5))
    assert m["emoji_outside_20"] == 0.5


def test_plot_label_romanises_what_the_font_cannot_draw():
    assert plot_label("workersday") == "#workersday"
    assert plot_label("언포기븐") == "#eonpogibeun*"


# --------------------------------------------------------------- tables at smoke scale

def test_association_table(store):
    result = run("association")
    table, cells = result.table, result.cells
    assert list(table["row"]) == ["TweetEval + label emoji", "TweetEval text only", "raw tweets 2023"]
    assert list(table["lift [paper]"]) == ["1.44"] * 3
    assert list(table["user-level Pearson"]) == ["–"] * 3  # no user ids: never invented
    assert list(table["user-level Pearson [paper]"]) == ["0.223"] * 3
    assert "user id" in result.markdown
    for r in cells.to_dict("records"):
        shares = [r["hashtag_only"], r["emoji_only"], r["both"], r["neither"]]
        assert sum(shares) == pytest.approx(1.0) and r["n_tweets"] == 2000
        assert r["p_hashtag"] == pytest.approx(r["hashtag_only"] + r["both"])
        if not math.isnan(r.get("lift", math.nan)):
            assert r["lift"] == pytest.approx(r["both"] / (r["p_hashtag"] * r["p_emoji"]))
    by_row = cells.set_index("row")
    assert by_row.loc["TweetEval + label emoji", "p_emoji"] == 1.0  # the label put back
    assert by_row.loc["TweetEval + label emoji", "lift"] == pytest.approx(1.0)


def test_table1_writes_its_emoji_lists_to_the_parent_run(store):
    result = run("table1")
    assert list(result.table["row"]) == ["TweetEval + label emoji", "raw tweets 2023"]
    artifacts = parent_artifacts(result)
    for source in ("tweeteval_label", "raw_tweets_2023"):
        assert {f"table1_{source}.md", f"table1_{source}.csv"} <= artifacts
    cells = result.cells.set_index("row")
    assert (cells["hashtags_shown"] == 10).all()
    assert ((cells["coverage_min"] <= cells["coverage_mean"]) & (cells["coverage_mean"] <= 1)).all()
    assert (cells["distinct_top_emojis"] <= 50).all()


def test_figure2_logs_a_png_per_linkage_and_the_clusters(store):
    result = run("figure2")
    artifacts = parent_artifacts(result)
    for source in ("tweeteval_label", "raw_tweets_2023"):
        assert {f"figure2_{source}_single.png", f"figure2_{source}_complete.png",
                f"figure2_{source}_clusters.txt"} <= artifacts
    cells = result.cells.set_index("row")
    assert (cells["n_hashtags"] == 30).all()
    assert ((cells["cophenetic_single"] > 0) & (cells["cophenetic_single"] <= 1)).all()
    text = Path(MlflowClient().download_artifacts(result.parent_run_id, "figure2_tweeteval_label_clusters.txt",
                                                   str(store))).read_text()
    assert "single linkage" in text and "complete linkage" in text and "cluster" in text


# ---------------------------------------------------------------------- bounded memory

def test_cooccurrence_and_ppmi_of_200k_resampled_tweets_in_bounded_memory():
    # The same path handles 1,000,000 tweets (scale_check(1_000_000)); 200k keeps the
    # suite fast. Memory is bounded by the vocabularies, so the peak does not grow with n.
    stats = scale_check(200_000, seed=0)
    assert stats["n_tweets"] == 200_000
    assert stats["peak_mb"] < 100, stats
    assert stats["ppmi_nnz"] > 0 and stats["emojis"] >= 20


def test_ray_shards_merged_equal_the_serial_counts_of_the_same_shards(ray_session):
    from experiments.emoji_hashtags.resampled_cooccurrence import (
        parallel_resampled_cooccurrence,
        resampled_cooccurrence,
        shard_seed,
    )

    pool = list(tweet_items(["#a x 😂", "#b #a ❤️", "#c", "😂 😂 #b", "nothing", "#d 🔥 ❤"]))
    counter, ppmi = parallel_resampled_cooccurrence(pool, 3001, workers=2, seed=4)
    serial, _ = resampled_cooccurrence(pool, 1501, shard_seed(4, 0), with_ppmi=False)
    serial.merge(resampled_cooccurrence(pool, 1500, shard_seed(4, 1), with_ppmi=False)[0])
    assert counter.n_tweets == serial.n_tweets == 3001
    got, want = counter.matrix(), serial.matrix()
    assert got[1:] == want[1:] and (got[0] != want[0]).nnz == 0
    assert ppmi.shape == (4, 3)
    with pytest.raises(ValueError, match="workers"):
        parallel_resampled_cooccurrence(pool, 10, workers=0)
