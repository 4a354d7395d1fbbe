"""Bag-of-words featurizers over already tokenized documents.

The vectorizers take lists of tokens, not strings: tokenization happens once, in
`TweetTokenizer` (or the Weibo corpus's own segmentation), and sklearn must neither
re-tokenize nor lowercase (`:D` is not `:d`). sklearn's word analyzer still builds the
n-grams, joining tokens with a space.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # imported where a featurizer is built: scikit-learn takes seconds to import
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer


def identity(tokens: Sequence[str]) -> Sequence[str]:
    """Pass tokens through unchanged (a module-level function, so vectorizers pickle)."""
    return tokens


def bow_featurizer(kind: Literal["tfidf", "count"] = "tfidf", ngram_range: tuple[int, int] = (1, 1),
                   min_df: int | float = 1,
                   max_features: int | None = None) -> TfidfVectorizer | CountVectorizer:
    """An unfitted sklearn vectorizer for token lists; use `fit_transform`/`transform`.

    `vec.fit_transform([["i", "love", "#tbt"], ["😂", "love"]])` gives a sparse matrix.
    """
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

    options = dict(tokenizer=identity, preprocessor=identity, token_pattern=None,
                   lowercase=False, ngram_range=ngram_range, min_df=min_df,
                   max_features=max_features)
    if kind == "tfidf":
        return TfidfVectorizer(**options)
    if kind == "count":
        return CountVectorizer(**options)
    raise ValueError(f"unknown featurizer kind {kind!r}; expected 'tfidf' or 'count'")
