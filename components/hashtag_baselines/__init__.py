"""Baselines of the conversation-hashtag paper's Table 4, beside the generators.

- `frequency_weighted_rankings`: training hashtags drawn by their frequency (RANDOM);
  `random_rankings`: uniformly over distinct hashtags;
- `TfidfNeighbourVote`: the hashtags of a post's TF-IDF nearest training posts (a floor);
- `TfidfNgramRanker`: the post's word n-grams (n <= 5) by TF-IDF (TF-IDF);
- `LdaWordRanker`: words by p(w | d) under scikit-learn's LDA (LDA);
- `AttentionCNN`: a classifier over the hashtags seen in training (CLASSIFIER);
- `MemoryTagger`: sequence tagging of the post's words, the conversation read by a
  memory network (EXTRACTOR).

Inputs are token lists (the Weibo text is already word-segmented); nothing here knows
the data set's files or the orchestration.
"""

from components.hashtag_baselines.classifier import AttentionCNN
from components.hashtag_baselines.extractor import (
    BIO_B,
    BIO_I,
    BIO_O,
    MemoryTagger,
    best_span,
    bio_labels,
)
from components.hashtag_baselines.knn import TfidfNeighbourVote
from components.hashtag_baselines.ranking import (
    LdaWordRanker,
    TfidfNgramRanker,
    frequency_weighted_rankings,
    random_rankings,
)

__all__ = ["BIO_B", "BIO_I", "BIO_O", "AttentionCNN", "LdaWordRanker", "MemoryTagger",
           "TfidfNeighbourVote", "TfidfNgramRanker", "best_span", "bio_labels", "frequency_weighted_rankings",
           "random_rankings"]
