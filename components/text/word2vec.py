"""Skip-gram word2vec (gensim) and the hashtag label embeddings of "zero-shot hashtag
recommendation" (sec. 4): a hashtag's vector is its own (`#tag`, learnt from the contexts it
was written in) when the tag is common enough, else the mean of its segmented words' vectors.

Vectors are stored as `word2vec.json` (words, counts) + `word2vec.npy` (float32 matrix), never
as gensim's own files: those are pickles, and loading one runs whatever it names.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

WORDS_FILE, VECTORS_FILE = "word2vec.json", "word2vec.npy"


@dataclass
class WordVectors:
    words: list[str]
    vectors: np.ndarray      # (V, D) float32, row i is words[i]
    counts: list[int]        # corpus counts, same order

    def __post_init__(self) -> None:
        self.vectors = np.asarray(self.vectors, dtype=np.float32)
        if self.vectors.ndim != 2 or not (self.vectors.shape[0] == len(self.words) == len(self.counts)):
            raise ValueError(f"word vectors: {len(self.words)} words, {len(self.counts)} counts, "
                             f"vectors of shape {self.vectors.shape}")
        self._index = {w: i for i, w in enumerate(self.words)}

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    def __contains__(self, word: object) -> bool:
        return word in self._index

    def __len__(self) -> int:
        return len(self.words)

    def count(self, word: str) -> int:
        i = self._index.get(word)
        return 0 if i is None else self.counts[i]

    def vector(self, word: str) -> np.ndarray:
        return self.vectors[self._index[word]]

    def save(self, folder: Path) -> None:
        np.save(folder / VECTORS_FILE, self.vectors, allow_pickle=False)
        (folder / WORDS_FILE).write_text(json.dumps({"words": self.words, "counts": self.counts},
                                                    ensure_ascii=False))

    @classmethod
    def load(cls, folder: Path) -> WordVectors:
        """Plain arrays only (`allow_pickle=False`); a malformed file is a one-line ValueError."""
        path = folder / WORDS_FILE
        try:
            meta = json.loads(path.read_text())
            words, counts = meta["words"], meta["counts"]
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise ValueError(f"{path}: not a word list ({type(e).__name__}: {e})") from None
        try:
            vectors = np.load(folder / VECTORS_FILE, allow_pickle=False)
            return cls(list(words), vectors, list(counts))
        except ValueError as e:
            raise ValueError(f"{folder / VECTORS_FILE}: {e}") from None


def train_word2vec(sentences: Sequence[Sequence[str]], dim: int = 150, window: int = 5,
                   min_count: int = 2, epochs: int = 5, negative: int = 5, seed: int = 0,
                   workers: int = 1) -> WordVectors:
    """Skip-gram with negative sampling (the paper's choice: better for rare words than CBOW).

    gensim is deterministic for a seed only with `workers=1` (and a fixed PYTHONHASHSEED)."""
    from gensim.models import Word2Vec

    if not any(len(s) for s in sentences):
        raise ValueError("word2vec needs at least one non-empty sentence")
    model = Word2Vec(sentences=[list(s) for s in sentences], vector_size=dim, window=window,
                     min_count=min_count, sg=1, negative=negative, epochs=epochs, seed=seed,
                     workers=workers)
    words = list(model.wv.index_to_key)
    counts = [int(model.wv.get_vecattr(w, "count")) for w in words]
    return WordVectors(words, model.wv.vectors.copy(), counts)


def embedding_matrix(tokens: Sequence[str], wv: WordVectors, seed: int = 0,
                     skip: int = 0) -> tuple[np.ndarray, int]:
    """Rows for a vocabulary's `tokens`: the word2vec vector where there is one, else a draw
    from N(0, σ²) with σ the vectors' own spread (so unknown words start at the same scale).
    The first `skip` rows (special tokens) are drawn too. Returns (matrix, rows found)."""
    rng = np.random.default_rng(seed)
    sigma = float(wv.vectors.std()) if len(wv) else 0.1
    out = rng.normal(0.0, sigma, size=(len(tokens), wv.dim)).astype(np.float32)
    found = 0
    for i, t in enumerate(tokens):
        if i >= skip and t in wv:
            out[i] = wv.vector(t)
            found += 1
    return out, found


def label_embeddings(tags: Sequence[str], wv: WordVectors, segment: Callable[[str], list[str]],
                     min_count: int = 20, prefix: str = "#") -> tuple[np.ndarray, list[str]]:
    """(len(tags), D) label vectors and where each came from.

    `tag` (no `#`) -> the vector of `prefix + tag` when word2vec saw it at least `min_count`
    times ("own"); else the mean of the vectors of its segmented words that word2vec knows
    ("words": `sundayfunday` -> mean(sunday, funday)); else zeros ("none": cosine 0 to all).
    """
    out = np.zeros((len(tags), wv.dim), dtype=np.float32)
    sources = []
    for i, tag in enumerate(tags):
        own = prefix + tag
        if own in wv and wv.count(own) >= min_count:
            out[i], source = wv.vector(own), "own"
        else:
            known = [w for w in segment(tag) if w in wv]
            source = "words" if known else "none"
            if known:
                out[i] = np.mean([wv.vector(w) for w in known], axis=0)
        sources.append(source)
    return out, sources


__all__ = ["WordVectors", "embedding_matrix", "label_embeddings", "train_word2vec"]
