"""Classifiers: dialogue emoji models (S/F/H-LSTM); hashtag classifiers come later."""

from components.classifiers.dialogue import HierarchicalLSTM, SequenceLSTM

__all__ = ["HierarchicalLSTM", "SequenceLSTM"]
