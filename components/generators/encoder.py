"""Multi-layer bidirectional GRU encoder over padded token batches.

Both hashtag papers encode posts (and conversations) with a 2-layer Bi-GRU:
h_i = [GRU(e(x_i), h_{i-1}); GRU(e(x_i), h_{i+1})].
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from components.generators.config import PAD_ID


class EncoderOutput(NamedTuple):
    outputs: torch.Tensor  # (B, L, 2H) last layer, both directions; zeros at padding
    final: torch.Tensor  # (B, 2H) [last forward state; first backward state] of the top layer
    mask: torch.Tensor  # (B, L) bool, True at real tokens


def length_mask(lengths: torch.Tensor, max_len: int) -> torch.Tensor:
    """(B, max_len) bool mask, True for positions before each length."""
    return torch.arange(max_len, device=lengths.device).unsqueeze(0) < lengths.unsqueeze(1)


class BiGRUEncoder(nn.Module):
    """Embedding + bidirectional GRU on packed sequences.

    Packing makes the outputs at real positions independent of how much padding
    follows them, so a sentence encodes the same alone or in a batch. Empty sequences
    (a post without replies) are allowed and give zero outputs, a zero final state and
    an all-False mask.
    """

    def __init__(self, vocab_size: int, embed_dim: int, hidden: int, layers: int = 2,
                 dropout: float = 0.1, embedding: nn.Embedding | None = None) -> None:
        super().__init__()
        self.embed = embedding or nn.Embedding(vocab_size, embed_dim, padding_idx=PAD_ID)
        self.drop = nn.Dropout(dropout)
        self.gru = nn.GRU(self.embed.embedding_dim, hidden, num_layers=layers,
                          bidirectional=True, batch_first=True,
                          dropout=dropout if layers > 1 else 0.0)
        self.out_dim = 2 * hidden

    def forward(self, tokens: torch.Tensor, lengths: torch.Tensor) -> EncoderOutput:
        max_len = tokens.size(1)
        lengths = lengths.to(tokens.device)
        emb = self.drop(self.embed(tokens))
        # pack_padded_sequence rejects length 0; such rows are zeroed below.
        packed = pack_padded_sequence(emb, lengths.clamp(min=1).cpu(), batch_first=True,
                                      enforce_sorted=False)
        out, h_n = self.gru(packed)
        outputs, _ = pad_packed_sequence(out, batch_first=True, total_length=max_len)
        final = torch.cat([h_n[-2], h_n[-1]], dim=-1)
        present = (lengths > 0).to(outputs.dtype)
        outputs = outputs * present.view(-1, 1, 1)
        final = final * present.view(-1, 1)
        return EncoderOutput(outputs, final, length_mask(lengths, max_len))
