"""Tests for components.analysis: co-occurrence counts, PPMI, clustering, heatmap, lift."""

from __future__ import annotations

import itertools
import math
import pickle
import tracemalloc
from collections import Counter
from collections.abc import Iterator

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.spatial.distance import cdist

from components.analysis import (
    CooccurrenceCounter,
    cosine_distances,
    flat_clusters,
    hierarchical_clustering,
    plot_heatmap_dendrogram,
    ppmi_matrix,
    shares_from_counts,
    tweet_level_shares,
)

# Five tweets, already extracted. Tweet 2 repeats a hashtag and an emoji: presence counts once.
FIVE_TWEETS = [
    (["a", "b"], ["x"]),
    (["a", "a"], ["x", "y", "x"]),
    ([], ["y"]),
    (["b"], []),
    (["c"], ["y"]),
]
#                  x  y
FIVE_EXPECTED = [[2, 1],  # a
                 [1, 0],  # b
                 [0, 1]]  # c


def tweet_pool(n: int, seed: int = 0, n_hashtags: int = 500,
               n_emojis: int = 50) -> list[tuple[list[str], list[str]]]:
    """`n` random tweets, already extracted: 0-4 hashtags and 0-3 emojis, repeats possible."""
    rng = np.random.default_rng(seed)
    tags = [f"tag{i}" for i in range(n_hashtags)]
    emojis = [chr(0x1F600 + i) for i in range(n_emojis)]
    return [([tags[i] for i in rng.integers(0, n_hashtags, rng.integers(0, 5)).tolist()],
             [emojis[j] for j in rng.integers(0, n_emojis, rng.integers(0, 4)).tolist()])
            for _ in range(n)]


def tweet_stream(pool: list, n: int, seed: int = 0,
                 block: int = 10_000) -> Iterator[tuple[list[str], list[str]]]:
    """`n` tweets drawn lazily from `pool`; the first k do not depend on `n`.

    Drawing from a pool built beforehand keeps per-tweet allocations (each one slow under
    tracemalloc) out of the measured stream, and the stream itself out of memory.
    """
    rng = np.random.default_rng(seed)
    for start in range(0, n, block):
        for k in rng.integers(0, len(pool), min(block, n - start)).tolist():
            yield pool[k]


def cells(counter: CooccurrenceCounter) -> dict[tuple[str, str], int]:
    """Non-zero cells by name, independent of vocabulary order."""
    m, hashtags, emojis = counter.matrix()
    coo = m.tocoo()
    return {(hashtags[r], emojis[c]): int(v) for r, c, v in zip(coo.row, coo.col, coo.data, strict=True) if v}


def brute_force(tweets) -> tuple[Counter, Counter, Counter]:
    pairs, tags, emos = Counter(), Counter(), Counter()
    for hashtags, emojis in tweets:
        hs, es = set(hashtags), set(emojis)
        tags.update(hs)
        emos.update(es)
        pairs.update(itertools.product(hs, es))
    return pairs, tags, emos


# ----------------------------------------------------------------------------- counting

def test_counts_on_five_tweets():
    counter = CooccurrenceCounter(buffer_pairs=2)  # forces several flushes
    for hashtags, emojis in FIVE_TWEETS:
        counter.update(hashtags, emojis)
    m, hashtags, emojis = counter.matrix()
    assert (hashtags, emojis) == (["a", "b", "c"], ["x", "y"])
    assert m.dtype == np.int64 and sp.isspmatrix_csr(m)
    np.testing.assert_array_equal(m.toarray(), FIVE_EXPECTED)
    np.testing.assert_array_equal(counter.hashtag_counts, [2, 2, 1])
    np.testing.assert_array_equal(counter.emoji_counts, [2, 3])
    assert counter.n_tweets == 5
    assert (counter.n_with_hashtag, counter.n_with_emoji, counter.n_with_both) == (4, 4, 3)
    assert counter.top_hashtags(2) == [("a", 2), ("b", 2)]
    assert counter.top_emojis_for("a", 5) == [("x", 2), ("y", 1)]
    assert counter.top_emojis_for("b", 5) == [("x", 1)]
    with pytest.raises(KeyError):
        counter.top_emojis_for("nope", 5)


def test_update_many_matches_update_and_rejects_strings():
    one = CooccurrenceCounter()
    one.update_many(iter(FIVE_TWEETS))
    np.testing.assert_array_equal(one.matrix()[0].toarray(), FIVE_EXPECTED)
    with pytest.raises(TypeError):
        one.update("#abc", ["x"])


def test_merge_equals_one_counter_over_all_tweets():
    tweets = tweet_pool(3_000, seed=7, n_hashtags=60, n_emojis=20)
    whole = CooccurrenceCounter(buffer_pairs=997)
    whole.update_many(tweets)
    left, right = CooccurrenceCounter(buffer_pairs=101), CooccurrenceCounter(buffer_pairs=4096)
    left.update_many(tweets[:1_000])
    right.update_many(reversed(tweets[1_000:]))  # reversed: a different vocabulary order
    right = pickle.loads(pickle.dumps(right))  # as a Ray worker would ship it back
    assert right.hashtags != whole.hashtags

    merged = CooccurrenceCounter().merge(left).merge(right)
    assert cells(merged) == cells(whole)
    assert dict(zip(merged.hashtags, merged.hashtag_counts.tolist(), strict=True)) == dict(
        zip(whole.hashtags, whole.hashtag_counts.tolist(), strict=True))
    assert dict(zip(merged.emojis, merged.emoji_counts.tolist(), strict=True)) == dict(
        zip(whole.emojis, whole.emoji_counts.tolist(), strict=True))
    for attr in ("n_tweets", "n_with_hashtag", "n_with_emoji", "n_with_both"):
        assert getattr(merged, attr) == getattr(whole, attr)
    assert cells(left) == cells(CooccurrenceCounter().merge(left))  # merge leaves `other` intact


def test_memory_stays_bounded_and_counts_are_exact():
    pool = tweet_pool(20_000, seed=1)  # built before tracing: it is the input, not the counter
    tracemalloc.start()
    try:
        counter = CooccurrenceCounter()  # default 1M-pair buffers
        counter.update_many(tweet_stream(pool, 200_000, seed=2))
        m, _, _ = counter.matrix()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50e6, f"peak traced memory {peak / 1e6:.1f} MB"
    assert counter.n_tweets == 200_000 and m.shape == (500, 50)
    assert m.sum() > 200_000  # more pairs than tweets: the buffers were really exercised

    subset = list(itertools.islice(tweet_stream(pool, 200_000, seed=2), 20_000))
    small = CooccurrenceCounter(buffer_pairs=4096)
    small.update_many(subset)
    pairs, tags, emos = brute_force(subset)
    assert cells(small) == dict(pairs)
    assert dict(zip(small.hashtags, small.hashtag_counts.tolist(), strict=True)) == dict(tags)
    assert dict(zip(small.emojis, small.emoji_counts.tolist(), strict=True)) == dict(emos)


# --------------------------------------------------------------------------------- PPMI

def test_ppmi_hand_computed_and_clipped():
    counter = CooccurrenceCounter()
    counter.update_many(FIVE_TWEETS)
    m, _, _ = counter.matrix()
    ppmi = ppmi_matrix(m, counter.n_tweets, counter.hashtag_counts, counter.emoji_counts)
    assert sp.isspmatrix_csr(ppmi) and ppmi.dtype == np.float64
    # (a, x): p = 2/5, p(a) = 2/5, p(x) = 2/5 -> log(0.4 / 0.16) = log 2.5
    assert ppmi[0, 0] == pytest.approx(math.log(2.5))
    assert ppmi[2, 1] == pytest.approx(math.log((1 / 5) / ((1 / 5) * (3 / 5))))
    # (a, y): log((1/5) / ((2/5)(3/5))) = log(5/6) < 0 -> clipped, and not stored
    assert ppmi[0, 1] == 0.0 and ppmi[1, 1] == 0.0
    assert ppmi.nnz == 3 and ppmi.data.min() > 0
    # Rows only need the global marginals: a subset of hashtags gives the same rows.
    rows = [2, 0]
    sub = ppmi_matrix(m[rows], counter.n_tweets, counter.hashtag_counts[rows], counter.emoji_counts)
    np.testing.assert_allclose(sub.toarray(), ppmi.toarray()[rows])
    with pytest.raises(ValueError):
        ppmi_matrix(m, 5, counter.hashtag_counts[:2], counter.emoji_counts)


# --------------------------------------------------------------------------- clustering

def test_cosine_distances_match_scipy():
    rng = np.random.default_rng(3)
    x = rng.random((8, 12)) * (rng.random((8, 12)) < 0.5)
    x[:, 0] += 0.1  # no zero rows here
    expected = cdist(x, x, "cosine")
    np.fill_diagonal(expected, 0.0)
    np.testing.assert_allclose(cosine_distances(x), expected, atol=1e-12)
    np.testing.assert_allclose(cosine_distances(sp.csr_matrix(x)), expected, atol=1e-12)


def test_cosine_distances_zero_rows():
    x = np.array([[1.0, 0.0], [0.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    d = cosine_distances(sp.csr_matrix(x))
    assert not np.isnan(d).any()
    np.testing.assert_array_equal(np.diag(d), 0.0)
    np.testing.assert_array_equal(d[1, [0, 2, 3]], 1.0)
    np.testing.assert_array_equal(d[:, 3], [1.0, 1.0, 1.0, 0.0])
    assert d[0, 2] == pytest.approx(1 - 1 / math.sqrt(2))
    hierarchical_clustering(d, "complete")  # still clusters


def test_single_and_complete_linkage_differ():
    # Points on a line at 0, 1, 2.1, 4: single linkage chains C onto {A, B} (gap 1.1),
    # complete linkage pairs C with D (1.9 < 2.1, the farthest A-C distance).
    pos = np.array([0.0, 1.0, 2.1, 4.0])
    dist = np.abs(pos[:, None] - pos[None, :])
    single = hierarchical_clustering(dist, "single")
    complete = hierarchical_clustering(dist, "complete")
    np.testing.assert_allclose(single[:, 2], [1.0, 1.1, 1.9])
    np.testing.assert_allclose(complete[:, 2], [1.0, 1.9, 4.0])
    s, c = flat_clusters(single, 2), flat_clusters(complete, 2)
    assert s[0] == s[1] == s[2] != s[3]
    assert c[0] == c[1] != c[2] == c[3]
    with pytest.raises(ValueError):
        hierarchical_clustering(dist, "ward")


def test_heatmap_png_written(tmp_path):
    rng = np.random.default_rng(5)
    x = rng.random((30, 20)) * (rng.random((30, 20)) < 0.3)
    labels = [f"#Hashtag{i:02d}LongName" for i in range(30)]
    dist = cosine_distances(x)
    path = plot_heatmap_dendrogram(dist, labels, hierarchical_clustering(dist, "single"),
                                   "emoji-PPMI cosine distance", tmp_path / "fig" / "heat.png")
    assert path.exists() and path.stat().st_size > 10_000
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --------------------------------------------------------------------------------- lift

def test_lift_hand_computed():
    # 10 tweets: 2 both, 1 hashtag only, 3 emoji only, 4 neither.
    has_h = np.array([1, 1, 1, 0, 0, 0, 0, 0, 0, 0], dtype=bool)
    has_e = np.array([1, 1, 0, 1, 1, 1, 0, 0, 0, 0], dtype=bool)
    s = tweet_level_shares(has_h, has_e)
    assert (s.both, s.hashtag_only, s.emoji_only, s.neither) == pytest.approx((0.2, 0.1, 0.3, 0.4))
    assert (s.p_hashtag, s.p_emoji) == pytest.approx((0.3, 0.5))
    assert s.lift == pytest.approx(0.2 / (0.3 * 0.5))
    with pytest.raises(TypeError):
        tweet_level_shares(has_h.astype(int), has_e)
    assert math.isnan(tweet_level_shares(has_h, np.zeros(10, dtype=bool)).lift)


def test_lift_from_counter_matches_arrays():
    counter = CooccurrenceCounter()
    counter.update_many(FIVE_TWEETS)
    from_counts = shares_from_counts(counter.n_tweets, counter.n_with_hashtag,
                                     counter.n_with_emoji, counter.n_with_both)
    from_arrays = tweet_level_shares(np.array([bool(h) for h, _ in FIVE_TWEETS]),
                                     np.array([bool(e) for _, e in FIVE_TWEETS]))
    assert from_counts == from_arrays
    assert from_counts.lift == pytest.approx(0.6 / (0.8 * 0.8))
