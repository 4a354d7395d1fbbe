"""Emoji-hashtag association analyses: one cell = one data set, one analysis.

    python experiments/emoji_hashtags/association.py --scale cpu
    python experiments/emoji_hashtags/table1.py --scale cpu
    python experiments/emoji_hashtags/figure2.py --scale cpu

`association`: tweet-level shares with hashtags only / emojis only / both / neither and the
lift (papers/emoji-hashtag-association.txt, "Frequency Association"). `table1`: the top co-used
emojis of the most used hashtags, a text table attached to the table's parent run. `figure2`:
emoji-PPMI vectors of the most frequent hashtags, cosine distances, hierarchical clustering
(single and complete linkage), one heatmap + dendrogram PNG per linkage and the flat clusters.

Input rules (each tested in tests/test_emoji_hashtag_analysis.py):
- hashtags are lower-cased (`#MothersDay` = `#mothersday`); emojis are canonicalised
  (`canonical_emoji`: `❤️` = `❤`); presence per tweet, repeats count once;
- an empty text is a tweet with neither hashtag nor emoji (it stays in the denominator);
- a one-character hashtag (`#a`) is a hashtag; `#1` is not (a hashtag needs a letter);
- an emoji outside TweetEval's 20 is counted like any other, in shares and co-occurrence.

Counting streams over the tweets into a `CooccurrenceCounter` (memory grows with the
vocabularies, not the tweets); `scale_check` measures that on TweetEval resampled with
replacement, e.g. 1,000,000 tweets:

    python -c "from experiments.emoji_hashtags.analysis_task import scale_check; print(scale_check(1_000_000))"

The tables do not shard the count across Ray tasks: cells (one per data set) already run
in parallel, each holds one CPU of a Tune trial, and nested tasks would wait for the same
CPUs; 100k tweets count in seconds. A corpus of millions goes through
`experiments.emoji_hashtags.resampled_cooccurrence` (shards as Ray tasks, merged with
`CooccurrenceCounter.merge`).
"""

from __future__ import annotations

import functools
import time
import tracemalloc
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import cophenet
from scipy.spatial.distance import squareform

from components.analysis import (
    CooccurrenceCounter,
    cosine_distances,
    counter_ppmi,
    flat_clusters,
    hierarchical_clustering,
    plot_heatmap_dendrogram,
    shares_from_counts,
)
from components.data import (
    data_file,
    dataset_sha256s,
    load_raw_tweets_2023,
    load_tweeteval_emoji,
    tweeteval_mapping,
)
from components.text import canonical_emoji, extract_emojis, extract_hashtags
from experiments.emoji_hashtags.resampled_cooccurrence import resampled_cooccurrence
from orchestration.spec import RunSettings
from orchestration.task import Task

Analysis = Literal["association", "table1", "figure2"]
# tweeteval_label: the label emoji put back into the text (every tweet then has an emoji);
# tweeteval_text: the text as published (its label emoji cut out);
# raw_tweets_2023: original texts, emojis and hashtags intact.
Source = Literal["tweeteval_label", "tweeteval_text", "raw_tweets_2023"]
DATASETS = ("tweeteval_emoji", "raw_tweets_2023")

Tweet = tuple[list[str], list[str]]  # (lower-cased hashtags, canonical emojis)


@dataclass(frozen=True)
class AnalysisConfig(RunSettings):
    analysis: Analysis = "association"
    source: Source = "tweeteval_label"
    max_tweets: int = 0                 # 0: every tweet; smoke keeps a uniform sample
    sample_seed: int = 0                # which sample (a cell's seed changes nothing here)
    top_hashtags: int = 30              # table1 / figure2: the most frequent hashtags shown
    hashtags: tuple[str, ...] = ()      # table1: hand-picked hashtags instead (as the paper)
    top_emojis: int = 5                 # table1: co-used emojis per hashtag
    linkages: tuple[str, ...] = ("single", "complete")  # figure2: the paper's, and its fix
    n_clusters: int = 6                 # figure2: flat clusters cut from each tree


def data_sha256s(cfg: AnalysisConfig) -> dict[str, str]:
    # The runner asks with the first row's config only, so check every source a table may read.
    out: dict[str, str] = {}
    for name in DATASETS:
        for path, sha in dataset_sha256s(name).items():
            data_file(path)  # raises DataError when missing or not the pinned file
            out[path] = sha
    return out


# ------------------------------------------------------------------------------- data

def load_texts(source: str, max_tweets: int = 0, seed: int = 0) -> tuple[list[str], list[str] | None]:
    """Texts of a source and, for `tweeteval_label`, the label emoji to put back into each.

    TweetEval: train, val and test (100,000 tweets). raw_tweets_2023: `original_text`, one
    row per tweet id (34 tweets sit in both of its CSVs). `max_tweets` > 0 keeps a uniform
    sample without replacement, in corpus order.
    """
    if source in ("tweeteval_label", "tweeteval_text"):
        frame = pd.concat([load_tweeteval_emoji(s) for s in ("train", "val", "test")], ignore_index=True)
        texts, labels = frame["text"].tolist(), frame["emoji"].tolist()
    elif source == "raw_tweets_2023":
        frame = load_raw_tweets_2023().drop_duplicates("id")
        texts, labels = frame["original_text"].tolist(), None
    else:
        raise ValueError(f"unknown source {source!r}; sources: {', '.join(Source.__args__)}")
    if source != "tweeteval_label":
        labels = None
    if 0 < max_tweets < len(texts):
        keep = np.sort(np.random.default_rng(seed).choice(len(texts), max_tweets, replace=False))
        texts = [texts[i] for i in keep]
        labels = None if labels is None else [labels[i] for i in keep]
    return texts, labels


def tweet_items(texts: Iterable[str], put_back: Iterable[str] | None = None) -> Iterator[Tweet]:
    """(hashtags, emojis) of each text, one at a time, under the module's input rules.

    `put_back[i]` (TweetEval's label) is appended to text i before extraction, so it is
    counted exactly as an emoji written in the text would be.
    """
    extras = iter(put_back) if put_back is not None else None
    for text in texts:
        if extras is not None:
            text = f"{text} {next(extras)}"  # the space keeps it from joining a ZWJ sequence
        yield ([h.lower() for h in extract_hashtags(text)],
               [canonical_emoji(e) for e in extract_emojis(text)])


def count(tweets: Iterable[Tweet]) -> CooccurrenceCounter:
    counter = CooccurrenceCounter()
    counter.update_many(tweets)
    return counter


def scale_check(n_tweets: int = 1_000_000, seed: int = 0) -> dict[str, float]:
    """Peak traced memory (MB) and seconds of `resampled_cooccurrence` on TweetEval + labels.

    The pool (the 100k extracted tweets, the data set itself) is built before tracing starts:
    what is measured is what grows with `n_tweets`.
    """
    pool = list(tweet_items(*load_texts("tweeteval_label")))
    start = time.time()
    tracemalloc.start()
    try:
        counter, ppmi = resampled_cooccurrence(pool, n_tweets, seed)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return {"n_tweets": counter.n_tweets, "peak_mb": peak / 1e6, "seconds": time.time() - start,
            "hashtags": ppmi.shape[0], "emojis": ppmi.shape[1], "ppmi_nnz": ppmi.nnz}


# --------------------------------------------------------------------------- analyses

def association(counter: CooccurrenceCounter, label_emojis: Sequence[str]) -> dict[str, float]:
    """Shares (fractions), P(hashtag), P(emoji), lift = P(both) / (P(hashtag) P(emoji))."""
    s = shares_from_counts(counter.n_tweets, counter.n_with_hashtag, counter.n_with_emoji,
                           counter.n_with_both)
    metrics = {"hashtag_only": s.hashtag_only, "emoji_only": s.emoji_only, "both": s.both,
               "neither": s.neither, "p_hashtag": s.p_hashtag, "p_emoji": s.p_emoji,
               "n_tweets": float(counter.n_tweets)}
    if not np.isnan(s.lift):
        metrics["lift"] = s.lift
    mentions = counter.emoji_counts
    if mentions.sum() > 0:  # (tweet, emoji) pairs whose emoji is not one of TweetEval's labels
        labels = set(label_emojis)
        outside = np.array([e not in labels for e in counter.emojis])
        metrics["emoji_outside_20"] = float(mentions[outside].sum() / mentions.sum())
    return metrics


def chosen_hashtags(cfg: AnalysisConfig, counter: CooccurrenceCounter) -> list[str]:
    if cfg.hashtags:
        return [h.lstrip("#").lower() for h in cfg.hashtags]
    return [h for h, _ in counter.top_hashtags(cfg.top_hashtags)]


def table1(cfg: AnalysisConfig, counter: CooccurrenceCounter, tweets: Iterable[Tweet]) -> pd.DataFrame:
    """Per hashtag: its tweets, top co-used emojis, and the share of its tweets holding one.

    `tweets` is a second pass over the same stream (for the coverage, a per-tweet fact).
    A hand-picked hashtag never seen gets a row with 0 tweets.
    """
    chosen = chosen_hashtags(cfg, counter)
    seen = set(counter.hashtags)
    top = {h: counter.top_emojis_for(h, cfg.top_emojis) if h in seen else [] for h in chosen}
    wanted = {h: {e for e, _ in top[h]} for h in chosen}
    covered = dict.fromkeys(chosen, 0)
    for hashtags, emojis in tweets:
        for h in set(hashtags) & wanted.keys():
            covered[h] += bool(wanted[h].intersection(emojis))
    n = dict(zip(counter.hashtags, counter.hashtag_counts.tolist(), strict=True))
    return pd.DataFrame([{
        "hashtag": f"#{h}", "tweets": n.get(h, 0),
        "top_emojis": " ".join(e for e, _ in top[h]),
        "counts": " ".join(str(c) for _, c in top[h]),
        "coverage": covered[h] / n[h] if n.get(h) else float("nan")} for h in chosen])


def table1_metrics(frame: pd.DataFrame) -> dict[str, float]:
    found = frame[frame["tweets"] > 0]
    top1 = [int(c.split()[0]) / t if c else 0.0 for c, t in zip(found["counts"], found["tweets"], strict=True)]
    if found.empty:  # only hand-picked hashtags the data never hold
        return {"hashtags_shown": 0.0}
    return {"hashtags_shown": float(len(found)), "tweets_of_shown_mean": float(found["tweets"].mean()),
            "coverage_mean": float(found["coverage"].mean()), "coverage_min": float(found["coverage"].min()),
            "top1_share_mean": float(np.mean(top1)),
            # 10 hashtags x 5 emojis: 50 if every hashtag has its own emojis, 5 if all share them
            "distinct_top_emojis": float(len({e for s in found["top_emojis"] for e in s.split()}))}


def table1_markdown(frame: pd.DataFrame, title: str) -> str:
    lines = [f"**{title}**", "", "| hashtag | tweets | top co-used emojis (tweets) | tweets holding one |",
             "|---|---|---|---|"]
    for r in frame.itertuples(index=False):
        pairs = " ".join(f"{e} ({c})" for e, c in zip(r.top_emojis.split(), r.counts.split(), strict=True))
        cov = "–" if np.isnan(r.coverage) else f"{100 * r.coverage:.1f}%"
        lines.append(f"| {r.hashtag} | {r.tweets} | {pairs or '(never seen)'} | {cov} |")
    return "\n".join(lines) + "\n"


@functools.cache
def _font_chars() -> frozenset[int]:
    from matplotlib import font_manager, ft2font
    path = font_manager.findfont(font_manager.FontProperties(family=["sans-serif"]))
    return frozenset(ft2font.FT2Font(path).get_charmap())


def plot_label(tag: str) -> str:
    """`#tag` as the figure can print it: characters its font lacks would be empty boxes.

    Hangul syllables are written as their romanised Unicode names (`언` -> `eon`), anything
    else missing as `?`; such a label ends in `*`. The clusters file keeps the original.
    """
    chars = _font_chars()
    out = []
    for ch in tag:
        if ord(ch) in chars:
            out.append(ch)
        else:
            name = unicodedata.name(ch, "")
            out.append(name.rsplit(" ", 1)[-1].lower() if name.startswith("HANGUL SYLLABLE") else "?")
    text = "".join(out)
    return f"#{text}" + ("*" if text != tag else "")


def figure2(cfg: AnalysisConfig, counter: CooccurrenceCounter, out: Path, title: str) -> tuple[dict[str, float], list[Path]]:
    """Heatmap + dendrogram per linkage, the flat clusters as text; metrics of each tree."""
    tags = [h for h, _ in counter.top_hashtags(cfg.top_hashtags)]
    if len(tags) < 2:
        raise ValueError(f"figure2 needs at least 2 hashtags, the data hold {len(tags)}")
    ppmi = counter_ppmi(counter, tags)
    dist = cosine_distances(ppmi)
    emojis = np.array(counter.emojis)
    dense = ppmi.toarray()
    metrics = {"n_hashtags": float(len(tags)), "zero_vectors": float((dense.sum(axis=1) == 0).sum()),
               "mean_distance": float(squareform(dist, checks=False).mean())}
    lines, files = [], []
    for method in cfg.linkages:
        z = hierarchical_clustering(dist, method)
        with np.errstate(invalid="ignore", divide="ignore"):
            coph = cophenet(z, squareform(dist, checks=False))[0]
        if np.isfinite(coph):  # undefined when every distance is the same
            metrics[f"cophenetic_{method}"] = float(coph)
        labels = flat_clusters(z, cfg.n_clusters)
        sizes = np.bincount(labels)[1:]
        metrics[f"singletons_{method}"] = float((sizes == 1).sum())
        metrics[f"largest_cluster_{method}"] = float(sizes.max())
        path = out / f"figure2_{cfg.source}_{method}.png"
        plot_heatmap_dendrogram(dist, [plot_label(t) for t in tags], z, f"{title}, {method} linkage", path)
        files.append(path)
        lines.append(f"## {method} linkage: {len(sizes)} flat clusters (maxclust {cfg.n_clusters})")
        for c in np.argsort(-sizes, kind="stable") + 1:
            members = np.flatnonzero(labels == c)
            # The emojis that weigh most in the members' PPMI vectors name the cluster's topic.
            weight = dense[members].sum(axis=0)
            best = " ".join(emojis[j] for j in np.argsort(-weight, kind="stable")[:5] if weight[j] > 0)
            lines.append(f"cluster {c} ({len(members)}): {' '.join('#' + tags[i] for i in members)}"
                         f"   top PPMI emojis: {best or '(none)'}")
        lines.append("")
    clusters = out / f"figure2_{cfg.source}_clusters.txt"
    romanised = [f"{plot_label(t)} = #{t}" for t in tags if plot_label(t).endswith("*")]
    note = f"figure labels romanised: {', '.join(romanised)}\n" if romanised else ""
    clusters.write_text(f"{title}\n{note}\n" + "\n".join(lines))
    return metrics, [*files, clusters]


# ------------------------------------------------------------------------------- cell

def run_cell(cfg: AnalysisConfig, ctx) -> dict[str, float]:
    texts, labels = load_texts(cfg.source, cfg.max_tweets, cfg.sample_seed)
    counter = count(tweet_items(texts, labels))
    title = f"{cfg.source}, {counter.n_tweets:,} tweets"
    out = Path(ctx.work_dir) / "artifacts"
    out.mkdir(parents=True, exist_ok=True)
    if cfg.analysis == "association":
        return association(counter, tweeteval_mapping())
    if cfg.analysis == "table1":
        frame = table1(cfg, counter, tweet_items(texts, labels))
        (out / f"table1_{cfg.source}.md").write_text(table1_markdown(frame, f"Top co-used emojis, {title}"))
        frame.to_csv(out / f"table1_{cfg.source}.csv", index=False)
        for suffix in ("md", "csv"):
            ctx.log_table_artifact(out / f"table1_{cfg.source}.{suffix}")
        return table1_metrics(frame)
    if cfg.analysis == "figure2":
        metrics, files = figure2(cfg, counter, out, title)
        for f in files:
            ctx.log_table_artifact(f)
        return metrics
    raise ValueError(f"unknown analysis {cfg.analysis!r}; analyses: {', '.join(Analysis.__args__)}")


EMOJI_HASHTAG_ANALYSIS = Task("emoji_hashtag_analysis", AnalysisConfig, run_cell, data_sha256s)

__all__ = ["AnalysisConfig", "load_texts", "resampled_cooccurrence", "scale_check", "tweet_items"]
