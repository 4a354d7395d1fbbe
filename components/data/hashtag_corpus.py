"""Tweets labelled by their hashtags, as "zero-shot hashtag recommendation" builds its data set
(sec. 3): every hashtag is cut out of the text, the most used hashtags become the labels.

A tweet is an example when exactly one of the label hashtags is among its hashtags (a tweet
holding two labels has no single right answer for a softmax, and in the zero-shot tables it
would carry an unseen label's text into training under a seen one); other hashtags are cut
out too and ignored. The text is cleaned as the paper's sec. 3.2: lower case, ASCII only,
`@user` -> `user`, links and stop words removed, tweets with fewer than `min_words` words
and duplicates dropped. NLTK's stop word list needs a download; scikit-learn's English list
stands in for it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from components.data.errors import DataError
from components.text.hashtags import extract_hashtags, remove_hashtags
from components.text.tokenizer import URL_TOKEN, USER_TOKEN, TweetTokenizer

_TOKENIZER = TweetTokenizer(lowercase=True, placeholders=True)


def _stopwords() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
    return frozenset(ENGLISH_STOP_WORDS)


def tweet_words(text: str, stopwords: frozenset[str] = frozenset()) -> list[str]:
    """The classifier's input: words of `text` without its hashtags, links, stop words,
    punctuation and non-ASCII tokens (emojis among them, as the paper removed them)."""
    out = []
    for t in _TOKENIZER.tokenize(remove_hashtags(text)):
        if t == USER_TOKEN:
            out.append("user")
        elif t != URL_TOKEN and t.isascii() and any(c.isalnum() for c in t) and t not in stopwords:
            out.append(t)
    return out


def corpus_tokens(text: str) -> list[str]:
    """word2vec's input (sec. 4: only links removed and mentions replaced): every token, with
    hashtags kept as `#tag` tokens so the frequent ones get vectors of their own."""
    out = []
    for t in _TOKENIZER.tokenize(text):
        if t == USER_TOKEN:
            out.append("user")
        elif t != URL_TOKEN:
            out.append(t)
    return out


@dataclass
class HashtagCorpus:
    words: list[list[str]]       # cleaned words of each example
    labels: np.ndarray           # (N,) ids into `tags`
    tags: list[str]              # label hashtags without `#`, most used first
    source_index: np.ndarray     # (N,) each example's position in the input texts
    stats: dict[str, float] = field(default_factory=dict)


def build_hashtag_corpus(texts: Sequence[str], n_labels: int = 50, min_label_tweets: int = 100,
                         min_words: int = 5, max_per_label: int = 0, seed: int = 0,
                         min_tag_len: int = 2) -> HashtagCorpus:
    """Label = the tweet's one label hashtag; labels = the `n_labels` hashtags used in the most
    tweets, each in at least `min_label_tweets` (a DataError if fewer qualify).

    `max_per_label` > 0 keeps a random sample of that many examples per label (smoke scale).
    Hashtags shorter than `min_tag_len` are never labels: in tweeteval_emoji `#i` is what is left
    of `#I❤️Hermosa` once TweetEval cut the emoji out, not a topic."""
    tag_sets = [{h.lower() for h in extract_hashtags(t)} for t in texts]
    counts = Counter(h for s in tag_sets for h in s)
    frequent = sorted((h for h, c in counts.items() if c >= min_label_tweets and len(h) >= min_tag_len),
                      key=lambda h: (-counts[h], h))
    if len(frequent) < n_labels:
        raise DataError(f"only {len(frequent)} hashtags are in >= {min_label_tweets} tweets, "
                        f"{n_labels} labels wanted (lower n_labels or min_label_tweets)")
    tags = frequent[:n_labels]
    index = {h: i for i, h in enumerate(tags)}
    stop = _stopwords()
    words, labels, source, seen = [], [], [], set()
    n_multi_label = n_short = n_duplicate = 0
    for i, (text, hs) in enumerate(zip(texts, tag_sets, strict=True)):
        present = hs & index.keys()
        if len(present) != 1:
            n_multi_label += len(present) > 1
            continue
        w = tweet_words(text, stop)
        if len(w) < min_words:
            n_short += 1
            continue
        if tuple(w) in seen:
            n_duplicate += 1
            continue
        seen.add(tuple(w))
        words.append(w)
        labels.append(index[present.pop()])
        source.append(i)
    labels_arr, source_arr = np.array(labels, dtype=np.int64), np.array(source, dtype=np.int64)
    if max_per_label > 0:
        rng = np.random.default_rng(seed)
        keep = np.sort(np.concatenate([rng.permutation(np.flatnonzero(labels_arr == c))[:max_per_label]
                                       for c in range(n_labels)]))
        words, labels_arr, source_arr = [words[i] for i in keep], labels_arr[keep], source_arr[keep]
    per_label = np.bincount(labels_arr, minlength=n_labels)
    if per_label.min() < 2:
        raise DataError(f"label #{tags[int(per_label.argmin())]} keeps {per_label.min()} examples after "
                        f"cleaning; every label needs at least 2 (lower min_words or n_labels)")
    stats = {
        "n_tweets": len(texts), "n_with_hashtag": sum(1 for s in tag_sets if s),
        "n_multi_hashtag": sum(1 for s in tag_sets if len(s) > 1), "n_unique_hashtags": len(counts),
        "n_frequent_hashtags": len(frequent), "n_labels": n_labels,
        "n_label_tweets": sum(1 for s in tag_sets if s & index.keys()),
        "n_multi_label": n_multi_label, "n_short": n_short, "n_duplicate": n_duplicate,
        "n_examples": len(words), "examples_per_label_min": int(per_label.min()),
        "examples_per_label_max": int(per_label.max()),
        "words_per_example_mean": float(np.mean([len(w) for w in words])),
    }
    return HashtagCorpus(words, labels_arr, tags, source_arr, stats)


__all__ = ["HashtagCorpus", "build_hashtag_corpus", "corpus_tokens", "tweet_words"]
