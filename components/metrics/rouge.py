"""ROUGE-1 and ROUGE-SU4 for hashtags, as REPRODUCTION.md's "Metrics" section defines them.

A post's score is the F-measure of its top-1 predicted hashtag against each gold hashtag,
averaged over the gold hashtags; the corpus score is the mean over posts.

Tokens: English hashtags are lowercased, split on anything that is not a letter or digit,
and Porter-stemmed when longer than 3 characters (the rule of ROUGE-1.5.5 and Google's
`rouge_score`, which it matches exactly on ASCII text; unlike `rouge_score`, non-ASCII
letters are kept rather than deleted). Chinese hashtags are compared character by
character, whitespace removed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Hashable, Sequence
from typing import Literal, NamedTuple

from components.metrics.ranking import stem_word

_NON_ALNUM_RE = re.compile(r"[\W_]+")


class Score(NamedTuple):
    """p = matches / candidate units, r = matches / reference units, f = 2pr / (p + r)."""

    p: float
    r: float
    f: float


def _overlap_score(candidate: Counter, reference: Counter) -> Score:
    """P/R/F of clipped counts: a unit matches at most as often as the other side has it."""
    n_cand, n_ref = sum(candidate.values()), sum(reference.values())
    if n_cand == 0 or n_ref == 0:
        return Score(0.0, 0.0, 0.0)
    matches = sum((candidate & reference).values())
    p, r = matches / n_cand, matches / n_ref
    return Score(p, r, 0.0 if matches == 0 else 2 * p * r / (p + r))


def rouge_1(candidate_tokens: Sequence[Hashable], reference_tokens: Sequence[Hashable]) -> Score:
    """ROUGE-1 of one candidate against one reference (clipped unigram overlap)."""
    return _overlap_score(Counter(candidate_tokens), Counter(reference_tokens))


def _su_units(tokens: Sequence[Hashable], skip_distance: int) -> Counter:
    units: Counter = Counter((t,) for t in tokens)
    n = len(tokens)
    for i in range(n):
        for j in range(i + 1, min(n, i + skip_distance + 2)):
            units[(tokens[i], tokens[j])] += 1
    return units


def rouge_su4(candidate_tokens: Sequence[Hashable], reference_tokens: Sequence[Hashable],
              skip_distance: int = 4) -> Score:
    """ROUGE-SU4: skip-bigrams with at most `skip_distance` tokens between them, plus unigrams.

    For a token sequence w_1..w_n the units are
        U(w)  = {(w_i)} for 1 <= i <= n                                  (unigrams)
              + {(w_i, w_j)} for 1 <= i < j <= n with j - i <= skip_distance + 1
    as a multiset; with counts c_X(u) of unit u in X,
        matches = sum_u min(c_cand(u), c_ref(u))
        P = matches / |U(cand)|,  R = matches / |U(ref)|,  F = 2PR / (P + R).
    skip_distance = 4 is ROUGE-1.5.5's `-2 4 -u` (skip distance 0 would be plain bigrams;
    Lin 2004). ROUGE-1.5.5 itself, as a side effect of its implementation, omits the last
    token's unigram; here every unigram counts, so a one-word hashtag that equals its gold
    scores 1 rather than 0.
    """
    if skip_distance < 0:
        raise ValueError(f"skip_distance must be >= 0, got {skip_distance}")
    return _overlap_score(_su_units(candidate_tokens, skip_distance),
                          _su_units(reference_tokens, skip_distance))


def hashtag_tokens(tag: str, lang: Literal["en", "zh"] = "en") -> list[str]:
    """ROUGE tokens of a hashtag: stemmed English words, or Chinese characters."""
    text = tag.lower().replace("#", " ")
    if lang == "zh":
        return [c for c in text if not c.isspace()]
    if lang != "en":
        raise ValueError(f"unknown language {lang!r}; expected 'en' or 'zh'")
    words = [w for w in _NON_ALNUM_RE.split(text) if w]
    return [stem_word(w) if len(w) > 3 else w for w in words]


def hashtag_rouge(top1: str | None, golds: Sequence[str], kind: Literal["rouge1", "su4"] = "rouge1",
                  lang: Literal["en", "zh"] = "en") -> float:
    """F of the top-1 prediction against each gold hashtag, averaged over the golds.

    A missing prediction (None or empty) scores 0.
    """
    if not golds:
        raise ValueError("a post needs at least one gold hashtag")
    if kind not in ("rouge1", "su4"):
        raise ValueError(f"unknown ROUGE kind {kind!r}; expected 'rouge1' or 'su4'")
    score = rouge_1 if kind == "rouge1" else rouge_su4
    cand = hashtag_tokens(top1 or "", lang)
    return sum(score(cand, hashtag_tokens(g, lang)).f for g in golds) / len(golds)


def mean_hashtag_rouge(top1s: Sequence[str | None], golds: Sequence[Sequence[str]],
                       kind: Literal["rouge1", "su4"] = "rouge1",
                       lang: Literal["en", "zh"] = "en") -> float:
    """Corpus ROUGE: `hashtag_rouge` averaged over posts."""
    if len(top1s) != len(golds):
        raise ValueError(f"{len(top1s)} predictions for {len(golds)} gold lists")
    if not golds:
        raise ValueError("no posts to score")
    return sum(hashtag_rouge(t, g, kind, lang) for t, g in zip(top1s, golds, strict=True)) / len(golds)
