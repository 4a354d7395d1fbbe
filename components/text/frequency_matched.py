"""Words that stand in for labels: the complexity control of a pretrained emoji encoder.

SEQ2SEQ-Word's encoder predicts words whose document frequencies match the emojis' counts, so it
has as many classes, as many examples and the same kind of text as the emoji encoder; only what it
learns to predict differs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from components.data.errors import DataError

_NOT_WORDS = frozenset({"amp", "gt", "lt", "quot", "rt", "via", "http", "https", "www", "com"})


def frequency_matched_words(docs: Sequence[Sequence[str]], label_counts: Sequence[int],
                            max_overlap: float = 0.5) -> list[str]:
    """For each label, most frequent first, the unused word whose document frequency in `docs`
    is closest to the label's count (stopwords, placeholders, hashtags, emojis excluded).

    A word whose tweets mostly hold an already chosen word too is skipped (`angeles` after
    `los`): a tweet must hold exactly one chosen word, so it would keep almost no examples."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    where: dict[str, set[int]] = {}
    for i, d in enumerate(docs):
        for t in set(d):
            if t.isascii() and t.isalpha() and len(t) > 1 and t not in ENGLISH_STOP_WORDS | _NOT_WORDS:
                where.setdefault(t, set()).add(i)
    chosen: list[str] = []
    taken: set[int] = set()  # tweets holding a chosen word
    for count in sorted(label_counts, reverse=True):
        for w in sorted(where, key=lambda w: (abs(len(where[w]) - count), -len(where[w]), w)):
            if w not in chosen and len(where[w] & taken) <= max_overlap * len(where[w]):
                chosen.append(w)
                taken |= where[w]
                break
        else:
            raise DataError(f"only {len(chosen)} usable words in {len(docs)} tweets")
    return chosen


def word_examples(docs: Sequence[Sequence[str]], words: Sequence[str]) -> tuple[list[list[str]], np.ndarray]:
    """Tweets holding exactly one of `words` (any number of times), that word removed, labelled
    with its index; tweets with none or several are dropped."""
    index = {w: i for i, w in enumerate(words)}
    out, labels = [], []
    for d in docs:
        present = set(d) & index.keys()
        if len(present) == 1:
            (w,) = present
            out.append([t for t in d if t != w])
            labels.append(index[w])
    return out, np.array(labels, dtype=np.int64)


# ---- the tokenised data ------------------------------------------------------------
