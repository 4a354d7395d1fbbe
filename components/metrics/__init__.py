"""Evaluation metrics shared by every table: one definition each (REPRODUCTION.md)."""

from components.metrics.ranking import (
    f1_at_k,
    hit_at_k,
    hit_at_k_ties,
    hits_at_k,
    map_at_k,
    mrr,
    normalize_hashtag,
    precision_at_k,
    precision_at_k_single,
    recall_at_k,
    stem_word,
    top1_correct,
)
from components.metrics.rouge import (
    Score,
    hashtag_rouge,
    hashtag_tokens,
    mean_hashtag_rouge,
    rouge_1,
    rouge_su4,
)
from components.metrics.significance import McNemarResult, mcnemar_exact

__all__ = [
    "McNemarResult", "Score",
    "f1_at_k", "hashtag_rouge", "hashtag_tokens", "hit_at_k", "hit_at_k_ties", "hits_at_k", "map_at_k",
    "mcnemar_exact", "mean_hashtag_rouge", "mrr", "normalize_hashtag", "precision_at_k",
    "precision_at_k_single", "recall_at_k", "rouge_1", "rouge_su4", "stem_word", "top1_correct",
]
