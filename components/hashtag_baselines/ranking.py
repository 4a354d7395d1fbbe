"""Unsupervised and random hashtag rankings: RANDOM, TF-IDF over n-grams, LDA words.

Each returns, per post, a list of hashtags best first (words joined by a space), the
shape every ranking metric takes.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np


def random_rankings(candidates: Sequence[str], n_posts: int, k: int, seed: int) -> list[list[str]]:
    """RANDOM: for each post, k distinct candidates in a uniformly random order."""
    if not candidates:
        raise ValueError("RANDOM needs at least one candidate hashtag")
    rng = np.random.default_rng(seed)
    k = min(k, len(candidates))
    return [[candidates[i] for i in rng.choice(len(candidates), k, replace=False)] for _ in range(n_posts)]


def frequency_weighted_rankings(occurrences: Sequence[str], n_posts: int, k: int, seed: int) -> list[list[str]]:
    """RANDOM as the conversation paper draws it: k distinct tags per post, each drawn with
    probability proportional to its count among the training tag occurrences (without
    replacement), so frequent tags come up more often."""
    counts = Counter(occurrences)
    if not counts:
        raise ValueError("RANDOM needs at least one training hashtag occurrence")
    tags = sorted(counts)
    p = np.array([counts[t] for t in tags], dtype=np.float64)
    p /= p.sum()
    rng = np.random.default_rng(seed)
    k = min(k, len(tags))
    return [[tags[i] for i in rng.choice(len(tags), k, replace=False, p=p)] for _ in range(n_posts)]


def ngrams(tokens: Sequence[str], max_n: int) -> list[str]:
    """Every contiguous word n-gram with n <= max_n, in order of first position, then length."""
    return [" ".join(tokens[i:i + n]) for i in range(len(tokens))
            for n in range(1, max_n + 1) if i + n <= len(tokens)]


class TfidfNgramRanker:
    """TF-IDF: a post's own n-grams (n <= max_n) by tf(g, post) * idf(g).

    idf(g) = ln((1 + N) / (1 + df(g))) + 1 over a corpus of N documents (scikit-learn's
    smoothed idf). The corpus should hold the posts being ranked too (it is unsupervised:
    no labels are read), so every n-gram of a post has df >= 1; otherwise every unseen
    5-gram would share the highest idf and crowd out the words. Ties go to the shorter
    n-gram, then to the earlier one: among equally rare candidates a hashtag is more
    likely a word or two (Weibo hashtags average 2.7 words) than a 5-gram.
    """

    def __init__(self, max_n: int = 5) -> None:
        if max_n < 1:
            raise ValueError(f"max_n must be >= 1, got {max_n}")
        self.max_n = max_n

    def rank(self, posts: Sequence[Sequence[str]], corpus: Iterable[Sequence[str]], k: int) -> list[list[str]]:
        grams = [ngrams(p, self.max_n) for p in posts]
        wanted = {g for gs in grams for g in gs}  # df only for what is scored: bounded memory
        df: Counter = Counter()
        n_docs = 0
        for doc in corpus:
            n_docs += 1
            df.update(wanted.intersection(ngrams(doc, self.max_n)))
        out = []
        for gs in grams:
            tf = Counter(gs)
            first = {g: i for i, g in reversed(list(enumerate(gs)))}
            score = {g: n * (math.log((1 + n_docs) / (1 + df[g])) + 1) for g, n in tf.items()}
            out.append(sorted(tf, key=lambda g: (-score[g], g.count(" "), first[g]))[:k])
        return out


def _tokens(doc: Sequence[str]) -> Sequence[str]:
    return doc  # the text is already word-segmented


class LdaWordRanker:
    """LDA: words ranked by p(w | d) = sum_z p(z | d) p(w | z) under a topic model.

    The paper used the `lda` package (collapsed Gibbs sampling); scikit-learn's
    variational LDA stands in. Words in more than `max_df` of the training documents
    (function words) or fewer than `min_df` are left out of the model's vocabulary, so
    LDA can only ever answer with single words (the paper's point about it).
    """

    def __init__(self, n_topics: int = 50, max_iter: int = 20, seed: int = 0, min_df: int = 2,
                 max_df: float = 0.5) -> None:
        from sklearn.decomposition import LatentDirichletAllocation
        from sklearn.feature_extraction.text import CountVectorizer

        self.vectorizer = CountVectorizer(analyzer=_tokens, min_df=min_df, max_df=max_df)
        self.lda = LatentDirichletAllocation(n_components=n_topics, max_iter=max_iter,
                                             learning_method="batch", random_state=seed)

    def fit(self, docs: Sequence[Sequence[str]]) -> LdaWordRanker:
        counts = self.vectorizer.fit_transform(docs)
        self.lda.fit(counts)
        topics = self.lda.components_
        self.word_given_topic = topics / topics.sum(1, keepdims=True)
        self.words = self.vectorizer.get_feature_names_out()
        return self

    def rank(self, docs: Sequence[Sequence[str]], k: int, chunk: int = 256) -> list[list[str]]:
        out = []
        for s in range(0, len(docs), chunk):  # (chunk, V) scores at a time: V is ~10^4 words
            theta = self.lda.transform(self.vectorizer.transform(docs[s:s + chunk]))
            scores = theta @ self.word_given_topic
            top = np.argsort(-scores, axis=1, kind="stable")[:, :k]
            out.extend([[str(self.words[j]) for j in row] for row in top])
        return out


__all__ = ["LdaWordRanker", "TfidfNgramRanker", "frequency_weighted_rankings", "ngrams", "random_rankings"]
