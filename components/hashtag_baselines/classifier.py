"""CLASSIFIER: hashtag recommendation as classification over the hashtags seen in training.

After Gong & Zhang (2016), "Hashtag recommendation using attention-based convolutional
neural network": a global channel (convolutions of widths 1-3 over all the words,
max-pooled over time) beside a local attention channel (a window of `window` words
around each position scores it as a trigger word; the trigger words feed a layer of
their own), both concatenated into a softmax over hashtags.

Deviation: the original keeps the trigger words whose window score passes a threshold
(a hard selection); here their scores are a softmax over positions that weights the
embeddings (a soft selection), which trains end to end with plain gradients.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from components.generators.attention import masked_softmax
from components.generators.config import PAD_ID


class AttentionCNN(nn.Module):
    def __init__(self, vocab_size: int, n_labels: int, embed_dim: int = 100, filters: int = 100,
                 widths: tuple[int, ...] = (1, 2, 3), window: int = 5, dropout: float = 0.5) -> None:
        super().__init__()
        if window % 2 == 0:
            raise ValueError(f"the attention window must be odd (centred on a word), got {window}")
        self.embed = nn.Embedding(vocab_size, embed_dim, padding_idx=PAD_ID)
        self.convs = nn.ModuleList(nn.Conv1d(embed_dim, filters, w, padding=w - 1) for w in widths)
        self.trigger = nn.Conv1d(embed_dim, 1, window, padding=window // 2)  # window score per word
        self.local = nn.Linear(embed_dim, filters)
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(filters * (len(widths) + 1), n_labels)

    def forward(self, tokens: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """tokens (B, L), lengths (B,) -> logits (B, n_labels). An empty text gives zeros to
        both channels, so its logits are the output bias (the label prior)."""
        mask = torch.arange(tokens.size(1), device=tokens.device)[None] < lengths.to(tokens.device)[:, None]
        emb = self.drop(self.embed(tokens)).transpose(1, 2)  # (B, E, L)
        pooled = []
        for conv in self.convs:
            h = F.relu(conv(emb))[:, :, : tokens.size(1)]  # the windows that end at position t
            pooled.append(h.masked_fill(~mask[:, None], 0.0).amax(2))  # ReLU >= 0: 0 is neutral
        weights = masked_softmax(torch.tanh(self.trigger(emb)).squeeze(1), mask)  # (B, L)
        attended = torch.bmm(emb, weights[:, :, None]).squeeze(2)  # trigger words, softly selected
        local = F.relu(self.local(attended))
        return self.out(self.drop(torch.cat([*pooled, local], 1)))


__all__ = ["AttentionCNN"]
