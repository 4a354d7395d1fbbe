"""Emoji-hashtag association analyses (papers/emoji-hashtag-association.txt).

Streaming co-occurrence counts, PPMI, cosine-distance hierarchical clustering with its
heatmap + dendrogram figure, and tweet-level shares with lift. Plain numpy/scipy/matplotlib.
"""

from .clustering import (
    LINKAGE_METHODS,
    cosine_distances,
    flat_clusters,
    hierarchical_clustering,
    plot_heatmap_dendrogram,
)
from .cooccurrence import DEFAULT_BUFFER_PAIRS, CooccurrenceCounter
from .lift import Shares, shares_from_counts, tweet_level_shares
from .ppmi import counter_ppmi, ppmi_matrix

__all__ = [
    "DEFAULT_BUFFER_PAIRS",
    "LINKAGE_METHODS",
    "CooccurrenceCounter",
    "Shares",
    "cosine_distances",
    "counter_ppmi",
    "flat_clusters",
    "hierarchical_clustering",
    "plot_heatmap_dendrogram",
    "ppmi_matrix",
    "shares_from_counts",
    "tweet_level_shares",
]
