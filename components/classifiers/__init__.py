"""Classifiers: dialogue emoji models (S/F/H-LSTM); hashtag classifiers come later."""

from components.classifiers.dialogue import DIALOGUE_MODELS, HierarchicalLSTM, SequenceLSTM

__all__ = ["DIALOGUE_MODELS", "HierarchicalLSTM", "SequenceLSTM"]
