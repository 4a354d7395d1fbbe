"""Zero-shot hashtag scorers: each returns an (N, U) score matrix over candidate labels."""

from components.zsl.conse import ConSE, cosine_scores
from components.zsl.dem import DEM, LabelMapper
from components.zsl.eszsl import ESZSL, one_hot_labels

__all__ = ["DEM", "ESZSL", "ConSE", "LabelMapper", "cosine_scores", "one_hot_labels"]
