"""Co-occurrence counts of a large corpus resampled from a pool, in-process or sharded over Ray.

    from experiments.emoji_hashtags.resampled_cooccurrence import parallel_resampled_cooccurrence
    counter, ppmi = parallel_resampled_cooccurrence(pool, 5_000_000, workers=2)

`pool` holds extracted tweets, `(hashtags, emojis)` each (`tweet_items` in
experiments/emoji_hashtags/analysis_task.py). In the parallel path each Ray task counts
`n_tweets / workers` tweets drawn with its own seed (shard i: `seed * 1000 + i`), so the
result equals the serial counts of those shards merged, whatever the number of machines.
The pool goes to the object store once; the counters come back (a counter ships its CSR
counts, not its buffers) and are merged on the driver, which also computes PPMI. This
module imports only the counting components, so a fresh Ray worker starts counting fast.
Used by `scale_check` and `python -m benchmarks cooccurrence`; the analysis tables count
100k tweets in seconds and do not shard.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import scipy.sparse as sp

from components.analysis import CooccurrenceCounter, counter_ppmi
from orchestration.runtime import parallel_map

Tweet = tuple[list[str], list[str]]  # (lower-cased hashtags, canonical emojis)


def resampled_cooccurrence(pool: Sequence[Tweet], n_tweets: int, seed: int = 0, block: int = 10_000,
                           with_ppmi: bool = True) -> tuple[CooccurrenceCounter, sp.csr_matrix | None]:
    """Count `n_tweets` tweets drawn with replacement from `pool`, then PPMI of every hashtag.

    Draws are made `block` at a time, so the stream itself never sits in memory. A shard of
    a parallel count (`with_ppmi=False`) leaves PPMI to whoever merges the shards.
    """
    rng = np.random.default_rng(seed)

    def stream() -> Iterator[Tweet]:
        for start in range(0, n_tweets, block):
            for k in rng.integers(0, len(pool), min(block, n_tweets - start)).tolist():
                yield pool[k]

    counter = CooccurrenceCounter()
    counter.update_many(stream())
    return counter, (counter_ppmi(counter) if with_ppmi else None)


def shard_seed(seed: int, shard: int) -> int:
    return seed * 1000 + shard


def _count_shard(pool: Sequence[Tweet], n_tweets: int, seed: int) -> CooccurrenceCounter:
    return resampled_cooccurrence(pool, n_tweets, seed, with_ppmi=False)[0]


def parallel_resampled_cooccurrence(pool: Sequence[Tweet], n_tweets: int, workers: int, seed: int = 0,
                                    pool_ref=None) -> tuple[CooccurrenceCounter, sp.csr_matrix]:
    """`n_tweets` drawn from `pool` and counted by `workers` Ray tasks, merged, then PPMI.

    `pool_ref` (what `orchestration.runtime.share(pool)` returned) lets repeated calls share one upload.
    """
    if workers < 1 or n_tweets < workers:
        raise ValueError(f"workers must be >= 1 and <= n_tweets, got workers={workers}, n_tweets={n_tweets}")
    sizes = [n_tweets // workers + (1 if i < n_tweets % workers else 0) for i in range(workers)]
    shards = parallel_map(_count_shard, pool_ref if pool_ref is not None else list(pool),
                          [(size, shard_seed(seed, i)) for i, size in enumerate(sizes)])
    total = shards[0]
    for other in shards[1:]:
        total.merge(other)
    return total, counter_ppmi(total)
