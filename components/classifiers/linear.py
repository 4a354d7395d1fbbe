"""Linear floors for a text classifier: logistic regression on TF-IDF, or on mean word vectors.

    scores = linear_floor("tfidf", tokens, lengths, labels, train, val, test, n_classes)

Inputs are padded token ids (0 is padding) as the neural classifiers read them. The inverse
regularisation C is chosen from `grid` by accuracy on `val` (never on `test`), then the model is
refit on train + val. A neural model that does not beat these learned no more than which words a
class uses.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from components.text.featurizers import identity

FEATURES = ("tfidf", "mean_vectors")


def _docs(tokens: np.ndarray, lengths: np.ndarray) -> list[list[str]]:
    return [[str(t) for t in row[:n]] for row, n in zip(tokens, lengths, strict=True)]


def features(kind: str, tokens: np.ndarray, lengths: np.ndarray, fit_on: np.ndarray,
             embeddings: np.ndarray | None = None):
    """(all examples' features, description): TF-IDF fitted on the `fit_on` rows, or each
    example's mean embedding over its real tokens."""
    if kind == "tfidf":
        from sklearn.feature_extraction.text import TfidfVectorizer

        docs = _docs(tokens, lengths)
        vec = TfidfVectorizer(analyzer=identity, sublinear_tf=True)
        vec.fit([docs[i] for i in fit_on])
        return vec.transform(docs)
    if kind == "mean_vectors":
        if embeddings is None:
            raise ValueError("mean_vectors needs the embedding matrix")
        mask = (np.arange(tokens.shape[1]) < lengths[:, None]).astype(np.float32)
        summed = np.einsum("nt,ntd->nd", mask, embeddings[tokens])
        return summed / np.maximum(mask.sum(1, keepdims=True), 1.0)
    raise ValueError(f"unknown features {kind!r}; expected one of {FEATURES}")


def linear_floor(kind: str, tokens: np.ndarray, lengths: np.ndarray, labels: np.ndarray, train: np.ndarray,
                 val: np.ndarray, test: np.ndarray, n_classes: int, embeddings: np.ndarray | None = None,
                 grid: Sequence[float] = (0.1, 1.0, 10.0), seed: int = 0) -> tuple[np.ndarray, float]:
    """Class scores (len(test), n_classes) of the test rows, and the C chosen on `val`."""
    from sklearn.linear_model import LogisticRegression

    fit_rows = np.concatenate([train, val])
    x = features(kind, tokens, lengths, fit_rows, embeddings)

    def model(c: float, rows: np.ndarray) -> LogisticRegression:
        return LogisticRegression(C=c, max_iter=2000, random_state=seed).fit(x[rows], labels[rows])

    best = max(grid, key=lambda c: (model(c, train).predict(x[val]) == labels[val]).mean())
    clf = model(best, fit_rows)
    scores = np.full((len(test), n_classes), -np.inf)
    scores[:, clf.classes_] = clf.predict_proba(x[test])
    return scores, float(best)


__all__ = ["FEATURES", "features", "linear_floor"]
