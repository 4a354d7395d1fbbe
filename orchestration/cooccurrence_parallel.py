"""Co-occurrence counts of a large resampled corpus, sharded over Ray tasks.

    from orchestration.cooccurrence_parallel import parallel_resampled_cooccurrence
    counter, ppmi = parallel_resampled_cooccurrence(pool, 5_000_000, workers=2)

Each task counts `n_tweets / workers` tweets drawn from the pool with its own seed (shard i
draws with seed `seed * 1000 + i`), so the result equals the serial counts of those shards
merged, whatever the number of machines. The pool goes to the object store once; the
counters come back (a counter ships its CSR counts, not its buffers) and are merged on the
driver, which also computes PPMI. Used by `python -m benchmarks cooccurrence`, which times
it on 1 and 2 workers; the analysis tables count 100k tweets in seconds and do not need it.
"""

from __future__ import annotations

from collections.abc import Sequence

import scipy.sparse as sp

from components.analysis import CooccurrenceCounter, ppmi_matrix
from orchestration.runtime import ensure_ray


def shard_seed(seed: int, shard: int) -> int:
    return seed * 1000 + shard


def _count_shard(pool: Sequence, n_tweets: int, seed: int) -> CooccurrenceCounter:
    from orchestration.tasks.emoji_hashtag_analysis import resampled_cooccurrence

    counter, _ = resampled_cooccurrence(pool, n_tweets, seed, with_ppmi=False)
    return counter


def parallel_resampled_cooccurrence(pool: Sequence, n_tweets: int, workers: int, seed: int = 0,
                                    pool_ref=None) -> tuple[CooccurrenceCounter, sp.csr_matrix]:
    """`n_tweets` drawn from `pool` and counted by `workers` Ray tasks, merged, then PPMI.

    `pool_ref` (an `ObjectRef` of `pool`) lets repeated calls share one upload.
    """
    if workers < 1 or n_tweets < workers:
        raise ValueError(f"workers must be >= 1 and <= n_tweets, got workers={workers}, n_tweets={n_tweets}")
    ensure_ray()
    import ray

    pool_ref = pool_ref if pool_ref is not None else ray.put(list(pool))
    count = ray.remote(num_cpus=1)(_count_shard)
    sizes = [n_tweets // workers + (1 if i < n_tweets % workers else 0) for i in range(workers)]
    shards = ray.get([count.remote(pool_ref, size, shard_seed(seed, i)) for i, size in enumerate(sizes)])
    total = shards[0]
    for other in shards[1:]:
        total.merge(other)
    counts, _, _ = total.matrix()
    return total, ppmi_matrix(counts, total.n_tweets, total.hashtag_counts, total.emoji_counts)
