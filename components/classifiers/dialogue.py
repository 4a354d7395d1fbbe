"""Dialogue encoders of "emoji recommendation in multi-turn dialogue" with a softmax head.

S-LSTM reads the reply alone, F-LSTM the dialogue flattened into one sequence; both
take the last hidden state. H-LSTM reads each turn with a shared word-level LSTM and
the turns' last states with a sentence-level LSTM (the paper's eqs. 1-2). Dropout sits
before the softmax layer, as in the paper.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence


def last_hidden(lstm: nn.LSTM, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Last hidden state of each sequence; lengths of 0 give a zero state."""
    safe = lengths.clamp(min=1).cpu()
    _, (h, _) = lstm(pack_padded_sequence(x, safe, batch_first=True, enforce_sorted=False))
    return h[-1] * (lengths > 0).unsqueeze(-1).to(h.dtype)


class SequenceLSTM(nn.Module):
    """S-LSTM (reply tokens) or F-LSTM (flattened dialogue tokens): the input decides."""

    def __init__(self, vocab_size: int, n_classes: int, dim: int, dropout: float = 0.5) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab_size, dim, padding_idx=0)
        self.lstm = nn.LSTM(dim, dim, batch_first=True)
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(dim, n_classes)

    def forward(self, tokens: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        return self.out(self.drop(last_hidden(self.lstm, self.embed(tokens), lengths)))


class HierarchicalLSTM(nn.Module):
    """H-LSTM over (batch, turns, words); turns are right-aligned so the reply is last."""

    def __init__(self, vocab_size: int, n_classes: int, dim: int, dropout: float = 0.5) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab_size, dim, padding_idx=0)
        self.word_lstm = nn.LSTM(dim, dim, batch_first=True)
        self.turn_lstm = nn.LSTM(dim, dim, batch_first=True)
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(dim, n_classes)

    def forward(self, turns: torch.Tensor, turn_lengths: torch.Tensor) -> torch.Tensor:
        b, t, w = turns.shape
        flat_len = turn_lengths.reshape(b * t)
        present = flat_len > 0
        sent = turns.new_zeros((b * t, self.word_lstm.hidden_size), dtype=torch.float32)
        if present.any():
            words = self.embed(turns.reshape(b * t, w)[present])
            sent[present] = last_hidden(self.word_lstm, words, flat_len[present])
        sent = sent.reshape(b, t, -1)
        n_turns = (turn_lengths > 0).sum(dim=1)
        # Right-aligned turns: drop the empty leading slots by rolling each dialogue left.
        shift = t - n_turns
        idx = (torch.arange(t, device=turns.device).unsqueeze(0) + shift.unsqueeze(1)) % t
        sent = sent.gather(1, idx.unsqueeze(-1).expand(-1, -1, sent.size(-1)))
        return self.out(self.drop(last_hidden(self.turn_lstm, sent, n_turns)))
