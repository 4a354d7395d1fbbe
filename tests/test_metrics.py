"""components.metrics, each checked against a hand computation written beside it."""

from __future__ import annotations

from math import comb

import numpy as np
import pytest
from rouge_score import rouge_scorer

from components.metrics import (
    f1_at_k,
    hashtag_rouge,
    hashtag_tokens,
    hit_at_k,
    hits_at_k,
    map_at_k,
    mcnemar_exact,
    mean_hashtag_rouge,
    mrr,
    normalize_hashtag,
    precision_at_k,
    precision_at_k_single,
    recall_at_k,
    rouge_1,
    rouge_su4,
)

# Post 1: golds {a, c, d}, top-3 [a, b, c] -> hits a, c = 2.  Post 2: golds {y}, [x, y, z] -> 1.
PREDS = [["a", "b", "c"], ["x", "y", "z"]]
GOLDS = [["a", "c", "d"], ["y"]]


def test_precision_recall_f1_at_k_with_several_golds():
    assert hits_at_k(PREDS, GOLDS, 3) == [2, 1]
    # P@3 = 3 / (3 * 2) = 0.5; R@3 = 3 / (3 + 1) = 0.75; F1 = 2 * .5 * .75 / 1.25 = 0.6
    assert precision_at_k(PREDS, GOLDS, 3) == pytest.approx(0.5)
    assert recall_at_k(PREDS, GOLDS, 3) == pytest.approx(0.75)
    assert f1_at_k(PREDS, GOLDS, 3) == pytest.approx(0.6)
    # K=1: only post 1's `a` hits. P = 1/2, R = 1/4, F1 = 2 * (1/8) / (3/4) = 1/3
    assert f1_at_k(PREDS, GOLDS, 1) == pytest.approx(1 / 3)
    # No hit at all: P = R = 0 -> F1 = 0, not a division error.
    assert f1_at_k([["q"]], [["a"]], 1) == 0.0


def test_map_at_k_with_hits_at_positions_1_and_3():
    preds = [["a", "x", "b", "y", "z"], ["x", "q"]]
    golds = [["a", "b"], ["q"]]
    # Post 1: hits at 1 and 3 -> (P@1 + P@3) / |gold| = (1/1 + 2/3) / 2 = 5/6.
    # Post 2: hit at 2 -> (1/2) / 1 = 1/2.  MAP@5 = (5/6 + 1/2) / 2 = 2/3.
    assert map_at_k(preds, golds, 5) == pytest.approx(2 / 3)
    # K=2: post 1 keeps only the hit at 1 -> 1/2; post 2 -> 1/2. MAP@2 = 1/2.
    assert map_at_k(preds, golds, 2) == pytest.approx(0.5)
    # Divided by |gold_i| even when |gold_i| > K: golds {a, b, c}, K=1, hit at 1 -> 1/3.
    assert map_at_k([["a"]], [["a", "b", "c"]], 1) == pytest.approx(1 / 3)


def test_stemming_and_deduplication():
    assert normalize_hashtag("#Running Shoes") == ("run", "shoe")
    assert normalize_hashtag("Running", stem=False) == ("running",)
    assert hits_at_k([["running"]], [["run"]], 1) == [1]
    assert hits_at_k([["running"]], [["run"]], 1, stem=False) == [0]
    # `run` and `running` are one prediction after normalization, so the top 2 are
    # [run, shoe] (both gold) rather than [run, running]: P@2 = 2 / 2 = 1.
    assert precision_at_k([["run", "running", "shoes"]], [["shoe", "run"]], 2) == 1.0
    # Duplicate golds count once: |gold| = 1, so R@1 = 1.
    assert recall_at_k([["run"]], [["run", "Running"]], 1) == 1.0


def test_ranking_metrics_validate_inputs():
    with pytest.raises(ValueError):
        f1_at_k([["a"]], [["a"], ["b"]], 1)
    with pytest.raises(ValueError):
        map_at_k([["a"]], [[]], 1)
    with pytest.raises(ValueError):
        precision_at_k([["a"]], [["a"]], 0)


def test_hit_at_k_and_mrr_with_ties():
    scores = np.array([[0.5, 0.5, 0.1],   # true 1: nothing strictly higher -> rank 1
                       [0.2, 0.9, 0.9],   # true 0: two classes higher      -> rank 3
                       [0.3, 0.2, 0.1]])  # true 2: two classes higher      -> rank 3
    true = np.array([1, 0, 2])
    assert hit_at_k(scores, true, 1) == pytest.approx(1 / 3)
    assert hit_at_k(scores, true, 2) == pytest.approx(1 / 3)
    assert hit_at_k(scores, true, 3) == 1.0
    assert precision_at_k_single(scores, true, 1) == hit_at_k(scores, true, 1)
    # MRR = (1/1 + 1/3 + 1/3) / 3 = 5/9
    assert mrr(scores, true) == pytest.approx(5 / 9)
    # -inf scores (classes a model never saw) rank last.
    assert mrr(np.array([[-np.inf, 0.2]]), [0]) == pytest.approx(1 / 2)


def test_hit_at_k_and_mrr_on_ranked_lists():
    ranked = [[":)", "XD"], [":("]]
    true = ["XD", ":/"]  # ranks 2 and absent
    assert hit_at_k(ranked, true, 1) == 0.0
    assert hit_at_k(ranked, true, 2) == 0.5
    assert mrr(ranked, true) == pytest.approx((1 / 2 + 0) / 2)
    # An integer array of top-k indices is a ranking only when told so.
    top2 = np.array([[2, 0], [1, 2]])
    assert hit_at_k(top2, [0, 0], 2, ranked=True) == 0.5


ROUGE_PAIRS = [
    ("sunday funday", "funday sunday"),
    ("running shoes", "run shoe"),
    ("happy birthday", "happy new year"),
    ("throwback thursday", "flashback friday"),
    ("the cats are running", "a cat runs"),
    ("New Year's Eve", "new year"),
    ("love love love", "love"),
    ("music festival", "festival of music"),
    ("game of thrones", "thrones game"),
    ("world cup 2018", "world cup"),
    ("was has", "was"),
    ("studies studying", "study"),
    ("NBA Finals", "nba finals 2023"),
    ("los angeles", "la"),
    ("photo of the day", "picture of the day"),
    ("generously generated", "generous generation"),
    ("happily ever after", "happy"),
    ("a b c d e", "e d c b a"),
    ("playing games", "played game"),
    ("black lives matter", "all lives matter"),
]


@pytest.mark.parametrize("candidate, reference", ROUGE_PAIRS)
def test_rouge_1_matches_rouge_score(candidate, reference):
    scorer = rouge_scorer.RougeScorer(["rouge1"], use_stemmer=True)
    expected = scorer.score(reference, candidate)["rouge1"]
    got = rouge_1(hashtag_tokens(candidate), hashtag_tokens(reference))
    assert got.f == pytest.approx(expected.fmeasure, abs=1e-9)
    assert got.p == pytest.approx(expected.precision, abs=1e-9)
    assert got.r == pytest.approx(expected.recall, abs=1e-9)


def test_rouge_1_clips_repeats():
    # cand {love: 3}, ref {love: 1}: 1 match; P = 1/3, R = 1, F = 2 * (1/3) / (4/3) = 1/2
    assert rouge_1(["love"] * 3, ["love"]) == pytest.approx((1 / 3, 1.0, 0.5))
    assert rouge_1([], ["a"]) == (0.0, 0.0, 0.0)


def test_rouge_su4_by_hand():
    # cand a b c: units a, b, c, (a,b), (a,c), (b,c)             -> 6
    # ref  a c b: units a, c, b, (a,c), (a,b), (c,b)             -> 6
    # matches: a, b, c, (a,b), (a,c) = 5 -> P = R = F = 5/6
    assert rouge_su4(list("abc"), list("acb")) == pytest.approx((5 / 6, 5 / 6, 5 / 6))
    # Skip distance 4 = at most 4 tokens between the pair (j - i <= 5).
    # cand a..g (7 tokens): 7 unigrams + pairs with j - i <= 5: 5+5+4+3+2+1+0 = 20 -> 27 units.
    cand = list("abcdefg")
    # ref a f: units a, f, (a,f); (a,f) is 5 apart -> a cand unit. 3 matches:
    # P = 3/27 = 1/9, R = 3/3 = 1, F = 2 * (1/9) / (10/9) = 0.2
    assert rouge_su4(cand, list("af")).f == pytest.approx(0.2)
    # ref a g: (a,g) is 6 apart -> not a cand unit. 2 matches:
    # P = 2/27, R = 2/3, F = 2 * (4/81) / (20/27) = 2/15
    assert rouge_su4(cand, list("ag")).f == pytest.approx(2 / 15)
    # One-word hashtag equal to its gold: units {w} on both sides -> 1.
    assert rouge_su4(["tbt"], ["tbt"]).f == 1.0


def test_hashtag_rouge_averages_over_golds():
    # gold 1 `sunday funday` = top-1 -> 1; gold 2 `funday`: P = 1/2, R = 1, F = 2/3.
    # Average (1 + 2/3) / 2 = 5/6.
    assert hashtag_rouge("#Sunday Funday", ["sunday funday", "funday"]) == pytest.approx(5 / 6)
    # Stemming: `running shoes` vs `run shoe` is a full match.
    assert hashtag_rouge("running shoes", ["run shoe"]) == pytest.approx(1.0)
    assert hashtag_rouge(None, ["x"]) == 0.0
    assert mean_hashtag_rouge(["a", "b"], [["a"], ["c"]]) == pytest.approx(0.5)
    with pytest.raises(ValueError):
        hashtag_rouge("a", [])


def test_chinese_hashtag_rouge_is_character_level():
    assert hashtag_tokens("新冠 肺炎", lang="zh") == ["新", "冠", "肺", "炎"]
    # 新冠肺炎 vs 肺炎疫情: 肺, 炎 match -> P = R = F = 2/4; vs 新冠 肺炎: 1. Mean 0.75.
    assert hashtag_rouge("新冠肺炎", ["肺炎疫情", "新冠 肺炎"], lang="zh") == pytest.approx(0.75)
    # SU4 vs 肺炎疫情: cand units 4 + pairs (3+2+1) = 10, ref 10;
    # matches 肺, 炎, (肺,炎) = 3 -> F = 3/10.
    assert hashtag_rouge("新冠肺炎", ["肺炎疫情"], kind="su4", lang="zh") == pytest.approx(0.3)


def test_mcnemar_exact_by_hand():
    # b = 1 (only A right), c = 6 (only B right), 3 concordant pairs.
    a = [1, 0, 0, 0, 0, 0, 0, 1, 1, 0]
    b = [0, 1, 1, 1, 1, 1, 1, 1, 1, 0]
    result = mcnemar_exact(a, b)
    assert (result.b, result.c) == (1, 6)
    # Two-sided exact: 2 * P(X <= 1), X ~ Bin(7, 1/2) = 2 * (C(7,0) + C(7,1)) / 2^7 = 0.125
    assert result.p_value == pytest.approx(2 * (comb(7, 0) + comb(7, 1)) / 2**7)
    assert result.p_value == pytest.approx(0.125)
    assert mcnemar_exact([True, False], [True, False]).p_value == 1.0
    with pytest.raises(ValueError):
        mcnemar_exact([True], [True, False])
