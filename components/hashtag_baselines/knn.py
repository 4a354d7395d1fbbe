"""A training-free floor: the labels of a query's TF-IDF nearest neighbours, voted.

    ranker = TfidfNeighbourVote(n_neighbours=10).fit(train_docs, train_labels)
    ranker.rank(test_docs, k=5)   # per test doc, its k best labels

A document is a token list (the text is already segmented). Each of a query's `n_neighbours`
most cosine-similar training documents gives each of its labels its similarity; labels are
ranked by their summed votes (ties: the label more frequent in training, then the first
seen). A query that shares no word with any training document gets the most frequent
training labels. Nothing is learned beyond document frequencies: if a trained model does
not beat this, it has not learned more than word overlap with its training set.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from components.text.featurizers import identity


class TfidfNeighbourVote:
    def __init__(self, n_neighbours: int = 10, chunk: int = 512) -> None:
        if n_neighbours < 1:
            raise ValueError(f"n_neighbours must be >= 1, got {n_neighbours}")
        self.n_neighbours, self.chunk = n_neighbours, chunk

    def fit(self, docs: Sequence[Sequence[str]], labels: Sequence[Sequence[str]]) -> TfidfNeighbourVote:
        from sklearn.feature_extraction.text import TfidfVectorizer

        if len(docs) != len(labels) or not docs:
            raise ValueError(f"need one label list per training document and at least one; "
                             f"got {len(docs)} documents, {len(labels)} label lists")
        self.vectorizer = TfidfVectorizer(analyzer=identity, sublinear_tf=True)  # rows L2-normalised
        self.matrix = self.vectorizer.fit_transform(docs)
        counts = Counter(t for ts in labels for t in ts)
        if not counts:
            raise ValueError("the training documents carry no label")
        self.labels = list(counts)  # first-seen order
        self.index = {t: j for j, t in enumerate(self.labels)}
        self.doc_labels = [[self.index[t] for t in dict.fromkeys(ts)] for ts in labels]
        self.frequency = np.array([counts[t] for t in self.labels], dtype=np.float64)
        return self

    def rank(self, docs: Sequence[Sequence[str]], k: int) -> list[list[str]]:
        n = min(self.n_neighbours, self.matrix.shape[0])
        # A tiny frequency share breaks ties among equal votes and ranks a query with no neighbour.
        prior = self.frequency / (self.frequency.sum() * 1e6)
        out = []
        for s in range(0, len(docs), self.chunk):
            sims = (self.vectorizer.transform(docs[s:s + self.chunk]) @ self.matrix.T).toarray()
            nearest = np.argpartition(-sims, n - 1, axis=1)[:, :n]
            for row, idx in zip(sims, nearest, strict=True):
                votes = prior.copy()
                for j in idx:
                    if row[j] > 0:
                        votes[self.doc_labels[j]] += row[j]
                top = np.argsort(-votes, kind="stable")[:k]
                out.append([self.labels[t] for t in top])
        return out


__all__ = ["TfidfNeighbourVote"]
