"""Streaming hashtag x emoji co-occurrence counts in memory bounded by the vocabularies.

Counting is by presence per tweet: a tweet adds 1 to each distinct (hashtag, emoji) pair it
holds, and 1 to each distinct hashtag and each distinct emoji, however often they repeat.
That is what the paper's p(h, e), p(h), p(e) ("observing h and e in a Tweet") need.

Pairs are written into two preallocated int32 buffers and folded into a running CSR matrix
whenever the buffers fill, so memory grows with the number of distinct hashtags, emojis and
non-zero cells, never with the number of tweets. Counters built on shards of a corpus (one
per Ray worker) are combined with :meth:`CooccurrenceCounter.merge`.

Strings are used as given: normalising case (``#Trump`` vs ``#trump``) is the caller's job.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

DEFAULT_BUFFER_PAIRS = 1 << 20


def _grown(m: sp.csr_matrix, shape: tuple[int, int]) -> sp.csr_matrix:
    """`m` padded with empty rows/columns to `shape` (vocabularies only ever grow)."""
    if m.shape == shape:
        return m
    extra_rows = shape[0] - m.shape[0]
    indptr = np.concatenate([m.indptr, np.full(extra_rows, m.indptr[-1], dtype=m.indptr.dtype)])
    return sp.csr_matrix((m.data, m.indices, indptr), shape=shape)


@dataclass
class _Vocabulary:
    """Strings -> ids in first-seen order, with the number of tweets holding each."""

    index: dict[str, int] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)
    # A plain list: a Python int increment is several times cheaper than a numpy one.
    counts: list[int] = field(default_factory=list)

    def id_of(self, name: str) -> int:
        """The id of `name`, added with a zero count if new."""
        i = self.index.get(name)
        if i is None:
            i = self.index[name] = len(self.names)
            self.names.append(name)
            self.counts.append(0)
        return i

    def count_tweet(self, items: Iterable[str]) -> list[int]:
        """Ids of the distinct `items` of one tweet, in first-seen order; counts each once.

        A tweet has a handful of tags, so a linear `in` on the ids beats building a set or
        dict per tweet (and set order would make ids depend on string hash randomisation).
        Kept short on purpose: tracemalloc's per-allocation cost grows with the size of
        the function allocating, and this is where most allocations happen.
        """
        ids: list[int] = []
        index, counts = self.index, self.counts
        for name in items:
            i = index.get(name)
            if i is None:
                i = self.id_of(name)
            elif i in ids:
                continue
            counts[i] += 1
            ids.append(i)
        return ids


class CooccurrenceCounter:
    """Hashtag x emoji tweet co-occurrence counts, fed one tweet at a time.

    Hashtags and emojis get integer ids in order of first appearance, so the row/column
    order of :meth:`matrix` is deterministic for a given tweet order.
    """

    def __init__(self, buffer_pairs: int = DEFAULT_BUFFER_PAIRS) -> None:
        if buffer_pairs < 1:
            raise ValueError(f"buffer_pairs must be >= 1, got {buffer_pairs}")
        self.buffer_pairs = int(buffer_pairs)
        self.n_tweets = 0
        self.n_with_hashtag = 0
        self.n_with_emoji = 0
        self.n_with_both = 0
        self._tags = _Vocabulary()
        self._emojis = _Vocabulary()
        self._counts = sp.csr_matrix((0, 0), dtype=np.int64)
        # Allocated on first use, so merged-only or unpickled counters stay small.
        self._rows: np.ndarray | None = None
        self._cols: np.ndarray | None = None
        self._pos = 0

    # ------------------------------------------------------------------ feeding

    def update(self, hashtags: Iterable[str], emojis: Iterable[str]) -> None:
        """Count one tweet, given its (already extracted) hashtags and emojis."""
        self.update_many(((hashtags, emojis),))

    def update_many(self, tweets: Iterable[tuple[Iterable[str], Iterable[str]]]) -> None:
        """Count every ``(hashtags, emojis)`` tweet of `tweets`; any iterable, read once."""
        if self._rows is None:
            self._rows = np.empty(self.buffer_pairs, dtype=np.int32)
            self._cols = np.empty(self.buffer_pairs, dtype=np.int32)
        # Element writes through a memoryview are ~3x faster than numpy slice assignment
        # for the 1-10 pairs a tweet has; this loop is the whole cost of counting.
        rows, cols = memoryview(self._rows), memoryview(self._cols)
        cap, pos = self.buffer_pairs, self._pos
        count_tags, count_emojis = self._tags.count_tweet, self._emojis.count_tweet
        n = n_h = n_e = n_both = 0
        try:
            for hashtags, emojis in tweets:
                if isinstance(hashtags, str) or isinstance(emojis, str):
                    # Iterating a string would count its characters as tags.
                    raise TypeError("hashtags and emojis must be collections of strings, not str")
                n += 1
                h_ids = count_tags(hashtags)
                e_ids = count_emojis(emojis)
                if h_ids:
                    n_h += 1
                if e_ids:
                    n_e += 1
                    if h_ids:
                        n_both += 1
                for i in h_ids:
                    for j in e_ids:
                        if pos == cap:
                            self._pos = pos
                            self._flush()
                            pos = 0
                        rows[pos] = i
                        cols[pos] = j
                        pos += 1
        finally:
            # An input iterator that raises midway leaves every tweet before it counted.
            self._pos = pos
            self.n_tweets += n
            self.n_with_hashtag += n_h
            self.n_with_emoji += n_e
            self.n_with_both += n_both

    def _flush(self) -> None:
        """Fold the buffered pairs into the running CSR matrix and empty the buffers."""
        shape = (len(self._tags.names), len(self._emojis.names))
        n = self._pos
        if n:
            # int32 data cannot overflow: one chunk adds at most `buffer_pairs` to a cell.
            chunk = sp.coo_matrix(
                (np.ones(n, dtype=np.int32), (self._rows[:n], self._cols[:n])), shape=shape
            ).tocsr()
            self._counts = _grown(self._counts, shape) + chunk.astype(np.int64)
            self._pos = 0
        else:
            self._counts = _grown(self._counts, shape)

    # ---------------------------------------------------------------- combining

    def merge(self, other: CooccurrenceCounter) -> CooccurrenceCounter:
        """Add `other`'s counts into this counter (vocabularies remapped); returns self.

        `other` is left with the same counts (its pending pairs are flushed).
        """
        if not isinstance(other, CooccurrenceCounter):
            raise TypeError(f"can only merge a CooccurrenceCounter, got {type(other).__name__}")
        # Snapshot first: `other` may be `self`.
        counts, hashtags, emojis = other.matrix()
        h_add, e_add = other.hashtag_counts, other.emoji_counts
        totals = (other.n_tweets, other.n_with_hashtag, other.n_with_emoji, other.n_with_both)

        h_map = np.array([self._tags.id_of(h) for h in hashtags], dtype=np.int64)
        e_map = np.array([self._emojis.id_of(e) for e in emojis], dtype=np.int64)
        for i, c in zip(h_map.tolist(), h_add.tolist(), strict=True):
            self._tags.counts[i] += c
        for j, c in zip(e_map.tolist(), e_add.tolist(), strict=True):
            self._emojis.counts[j] += c
        shape = (len(self._tags.names), len(self._emojis.names))
        coo = counts.tocoo()
        remapped = sp.coo_matrix((coo.data, (h_map[coo.row], e_map[coo.col])), shape=shape)
        self._counts = _grown(self._counts, shape) + remapped.tocsr()
        self.n_tweets += totals[0]
        self.n_with_hashtag += totals[1]
        self.n_with_emoji += totals[2]
        self.n_with_both += totals[3]
        return self

    # Ray ships counters between workers: send the counts, not 8 MB of empty buffers.
    def __getstate__(self) -> dict:
        self._flush()
        state = self.__dict__.copy()
        state["_rows"] = state["_cols"] = None
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)

    # ------------------------------------------------------------------ reading

    def matrix(self) -> tuple[sp.csr_matrix, list[str], list[str]]:
        """``(counts, hashtags, emojis)``: an (H, E) int64 CSR copy and its row/column names."""
        self._flush()
        return self._counts.copy(), list(self._tags.names), list(self._emojis.names)

    @property
    def hashtags(self) -> list[str]:
        """Hashtags in row order of :meth:`matrix`."""
        return list(self._tags.names)

    @property
    def emojis(self) -> list[str]:
        """Emojis in column order of :meth:`matrix`."""
        return list(self._emojis.names)

    @property
    def hashtag_counts(self) -> np.ndarray:
        """Number of tweets holding each hashtag (int64, row order)."""
        return np.asarray(self._tags.counts, dtype=np.int64)

    @property
    def emoji_counts(self) -> np.ndarray:
        """Number of tweets holding each emoji (int64, column order)."""
        return np.asarray(self._emojis.counts, dtype=np.int64)

    def top_hashtags(self, k: int) -> list[tuple[str, int]]:
        """The `k` hashtags in most tweets, as ``(hashtag, n_tweets)``; ties by string."""
        order = sorted(range(len(self._tags.names)),
                       key=lambda i: (-self._tags.counts[i], self._tags.names[i]))
        return [(self._tags.names[i], self._tags.counts[i]) for i in order[: max(k, 0)]]

    def top_emojis_for(self, hashtag: str, k: int) -> list[tuple[str, int]]:
        """The `k` emojis most often in the same tweet as `hashtag`, as ``(emoji, count)``.

        Ties are broken by the emoji string; emojis never seen with `hashtag` are left out.
        Raises KeyError for a hashtag never counted.
        """
        if hashtag not in self._tags.index:
            raise KeyError(f"hashtag {hashtag!r} was never counted")
        self._flush()
        row = self._counts[self._tags.index[hashtag]]  # a 1 x E CSR row
        pairs = [(self._emojis.names[j], int(c)) for j, c in zip(row.indices, row.data, strict=True)
                 if c > 0]
        pairs.sort(key=lambda p: (-p[1], p[0]))
        return pairs[: max(k, 0)]
