"""Figure 4: co-occurrence counts + PPMI over 100k, 1M and 5M tweets (TweetEval resampled):
time and peak traced memory; and a Ray-parallel path on 1 vs 2 workers.

    python -m benchmarks cooccurrence     # goals: 5M/1M time <= 5.5x, memory flat, 2 workers >= 1.7x 1

The pool (TweetEval's 100k tweets with their label emoji put back, extracted once) is built
before tracing: what is measured is what grows with the number of tweets.
"""

from __future__ import annotations

import time
import tracemalloc

from benchmarks.common import write_result
from components.analysis import CooccurrenceCounter, ppmi_matrix
from orchestration.tasks.emoji_hashtag_analysis import (
    load_texts,
    resampled_cooccurrence,
    tweet_items,
)


def _count_shard(pool_ref, n_tweets: int, seed: int) -> CooccurrenceCounter:
    counter, _ = resampled_cooccurrence(pool_ref, n_tweets, seed)
    return counter


def parallel(pool: list, n_tweets: int, workers: int) -> float:
    """Seconds to count `n_tweets` split over `workers` Ray tasks, merged, then PPMI."""
    import ray

    from orchestration.runtime import ensure_ray

    ensure_ray()
    pool_ref = ray.put(pool)
    count = ray.remote(num_cpus=1)(_count_shard)
    start = time.perf_counter()
    shards = ray.get([count.remote(pool_ref, n_tweets // workers, seed) for seed in range(workers)])
    total = shards[0]
    for other in shards[1:]:
        total.merge(other)
    counts, _, _ = total.matrix()
    ppmi_matrix(counts, total.n_tweets, total.hashtag_counts, total.emoji_counts)
    return time.perf_counter() - start


def run(sizes: tuple[int, ...] = (100_000, 1_000_000, 5_000_000), parallel_tweets: int = 2_000_000) -> dict:
    pool = list(tweet_items(*load_texts("tweeteval_label")))
    figures: dict = {"pool tweets": len(pool)}
    for n in sizes:
        tracemalloc.start()
        start = time.perf_counter()
        counter, ppmi = resampled_cooccurrence(pool, n, seed=0)
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        figures[f"{n} tweets"] = {"seconds": seconds, "peak_mb": peak, "hashtags": ppmi.shape[0],
                                  "ppmi_nnz": ppmi.nnz}
    goals = {}
    if 1_000_000 in sizes and 5_000_000 in sizes:
        a, b = figures["1000000 tweets"], figures["5000000 tweets"]
        figures["5M/1M time"] = b["seconds"] / a["seconds"]
        figures["5M/1M peak memory"] = b["peak_mb"] / a["peak_mb"]
        goals["5M/1M time"] = {"goal": "<= 5.5", "met": figures["5M/1M time"] <= 5.5}
        goals["5M/1M peak memory"] = {"goal": "flat (<= 1.5)", "met": figures["5M/1M peak memory"] <= 1.5}
    one, two = parallel(pool, parallel_tweets, 1), parallel(pool, parallel_tweets, 2)
    figures["ray 1 worker seconds"], figures["ray 2 workers seconds"] = one, two
    figures["2 workers / 1 speed-up"] = one / two
    goals["2 workers / 1 speed-up"] = {"goal": ">= 1.7", "met": one / two >= 1.7}
    write_result("cooccurrence", figures, goals)
    return figures


