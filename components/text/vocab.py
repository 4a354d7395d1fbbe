"""Token <-> id vocabulary, padding, and deterministic mini-batch index streams."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

PAD, UNK, BOS, EOS = "<pad>", "<unk>", "<bos>", "<eos>"
SPECIALS: tuple[str, ...] = (PAD, UNK, BOS, EOS)
PAD_ID, UNK_ID, BOS_ID, EOS_ID = range(len(SPECIALS))
_FORMAT = "emojitags.vocabulary/1"


@dataclass
class Vocabulary:
    """An ordered token list; ids 0-3 are always `<pad> <unk> <bos> <eos>`.

    Build one with `Vocabulary.build`; `tokens` is the id -> token table.
    """

    tokens: list[str] = field(default_factory=lambda: list(SPECIALS))

    def __post_init__(self) -> None:
        _check_tokens(self.tokens)
        self._index = {t: i for i, t in enumerate(self.tokens)}

    @classmethod
    def build(cls, token_lists: Iterable[Sequence[str]], max_size: int | None = None,
              min_count: int = 1, keep: Iterable[str] = ()) -> Vocabulary:
        """Most frequent tokens first, ties by token string (so builds are reproducible).

        Args:
            token_lists: tokenized documents.
            max_size: cap on `len(vocab)`, the four special tokens included, so it is the
                embedding table's row count.
            min_count: tokens seen fewer times are left out (they encode as `<unk>`).
            keep: tokens that are in whatever their count (e.g. every word of the training
                targets, so a generator can spell them); they come first, then the rest by
                frequency up to `max_size`.
        """
        if max_size is not None and max_size < len(SPECIALS):
            raise ValueError(f"max_size={max_size} leaves no room for the {len(SPECIALS)} special tokens")
        counts: Counter[str] = Counter()
        for tokens in token_lists:
            counts.update(tokens)
        kept = set(keep) - set(SPECIALS)
        for special in SPECIALS:
            counts.pop(special, None)
        if max_size is not None and len(kept) > max_size - len(SPECIALS):
            raise ValueError(f"max_size={max_size} cannot hold the {len(kept)} tokens to keep "
                             f"(plus {len(SPECIALS)} special tokens)")
        order = lambda t: (-counts[t], t)  # noqa: E731
        first = sorted(kept, key=order)
        ranked = sorted((t for t, n in counts.items() if n >= min_count and t not in kept), key=order)
        if max_size is not None:
            ranked = ranked[: max_size - len(SPECIALS) - len(first)]
        return cls(list(SPECIALS) + first + ranked)

    def __len__(self) -> int:
        return len(self.tokens)

    def __contains__(self, token: object) -> bool:
        return token in self._index

    def id_of(self, token: str) -> int:
        return self._index.get(token, UNK_ID)

    def encode(self, tokens: Iterable[str], add_bos: bool = False, add_eos: bool = False) -> list[int]:
        """Ids of `tokens`; unknown tokens map to `<unk>`."""
        get = self._index.get
        ids = [get(t, UNK_ID) for t in tokens]
        return ([BOS_ID] if add_bos else []) + ids + ([EOS_ID] if add_eos else [])

    def decode(self, ids: Iterable[int], strip_special: bool = True) -> list[str]:
        """Tokens of `ids`.

        With `strip_special`, decoding stops at the first `<eos>` (what a decoder emits after
        it is noise) and `<pad>`/`<bos>` are dropped; `<unk>` is kept, because silently
        dropping it would change the output's length and meaning.
        """
        out: list[str] = []
        for i in ids:
            i = int(i)
            if strip_special:
                if i == EOS_ID:
                    break
                if i in (PAD_ID, BOS_ID):
                    continue
            out.append(self.tokens[i])
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form for checkpoints."""
        return {"format": _FORMAT, "tokens": list(self.tokens)}

    @classmethod
    def from_dict(cls, data: Any) -> Vocabulary:
        """Inverse of `to_dict`; raises ValueError naming what is wrong."""
        if not isinstance(data, dict):
            raise ValueError(f"vocabulary must be a dict, got {type(data).__name__}")
        if data.get("format") != _FORMAT:
            raise ValueError(f"vocabulary format is {data.get('format')!r}, expected {_FORMAT!r}")
        tokens = data.get("tokens")
        if not isinstance(tokens, list):
            raise ValueError("vocabulary 'tokens' must be a list of strings")
        return cls(list(tokens))


def _check_tokens(tokens: Sequence[Any]) -> None:
    bad = [t for t in tokens if not isinstance(t, str)]
    if bad:
        raise ValueError(f"vocabulary tokens must be strings, found {bad[0]!r}")
    if tuple(tokens[: len(SPECIALS)]) != SPECIALS:
        raise ValueError(f"vocabulary must start with {list(SPECIALS)}, got {list(tokens[:len(SPECIALS)])}")
    seen: set[str] = set()
    for t in tokens:
        if t in seen:
            raise ValueError(f"vocabulary token {t!r} appears twice")
        seen.add(t)


def pad_sequences(seqs: Sequence[Sequence[int]], max_len: int | None = None,
                  pad_id: int = PAD_ID) -> tuple[np.ndarray, np.ndarray]:
    """Right-pad id sequences into an int64 (N, L) array; also return their lengths.

    `L` is `max_len` when given (a fixed width, so splits padded separately line up) and
    the longest sequence otherwise. Longer sequences keep their first `max_len` ids.
    """
    if max_len is not None and max_len < 0:
        raise ValueError(f"max_len must be >= 0, got {max_len}")
    lengths = np.array([len(s) for s in seqs], dtype=np.int64)
    if max_len is not None:
        lengths = np.minimum(lengths, max_len)
    width = max_len if max_len is not None else int(lengths.max(initial=0))
    out = np.full((len(seqs), width), pad_id, dtype=np.int64)
    for row, (seq, n) in enumerate(zip(seqs, lengths, strict=True)):
        out[row, :n] = seq[:n]
    return out, lengths


def batches(n: int, batch_size: int, shuffle: bool = True, seed: int = 0,
            drop_last: bool = False) -> Iterator[np.ndarray]:
    """Index arrays covering `range(n)` in batches; the same seed gives the same order.

    Pass `seed + epoch` for a new order each epoch.
    """
    if batch_size <= 0:
        raise ValueError(f"batch_size must be positive, got {batch_size}")
    order = np.random.default_rng(seed).permutation(n) if shuffle else np.arange(n)
    stop = n - n % batch_size if drop_last else n
    for start in range(0, stop, batch_size):
        yield order[start:start + batch_size]
