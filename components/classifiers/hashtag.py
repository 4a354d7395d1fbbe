"""Supervised tweet -> hashtag classifiers of "zero-shot hashtag recommendation" (sec. 5).

Every model reads padded token ids `(B, L)` (pad id 0, right padding) and `lengths (B,)`,
and is split as `forward = out(dropout(features(tokens, lengths)))`, with `out` the
softmax layer's linear part (the loss applies the softmax). `features` is the
pre-softmax representation that the zero-shot methods consume:

* `ann`: h = tanh(W · mean_{t<len} e_t + b)                      -> `hidden` (1024)
* `cnn`: [max_t softplus(conv_k(E))]_{k=3,5,7} -> FC 1024 ReLU -> FC 256 ReLU -> 256
* `gru`: last state of `n_layers` stacked GRUs of `hidden` units -> `hidden` (1024)
* `gru_attention`: one GRU, u_t = vᵀ tanh(W h_t + b), α = softmax_{t<len}(u),
  c = Σ_t α_t h_t                                                -> `hidden` (1024)
* `transformer`: TransformerEncoder(e_t + p_t), mean over t < len -> `embed_dim` (150)

Outputs at valid steps never depend on how much padding follows (packed GRUs, masked
attention and pooling, zero pad embeddings for the CNN). Lengths of 0 are read as 1.
All Linear/Conv/GRU weights are Xavier-uniform with zero biases (the paper's sec. 7).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from components.registry import Registry

PAD_ID = 0  # same as components.text.vocab.PAD_ID
CNN_WIDTHS = (3, 5, 7)
CNN_FILTERS = 32
CNN_FC = (1024, 256)
TRANSFORMER_INNER_DROPOUT = 0.1  # Vaswani et al.'s rate; `dropout` (0.5) is for the head


@dataclass(frozen=True)
class HashtagClassifierConfig:
    """Sizes at the paper's values; `n_layers` is both the GRU stack and encoder depth."""

    vocab_size: int
    n_classes: int
    embed_dim: int = 150
    hidden: int = 1024
    dropout: float = 0.5
    n_heads: int = 5
    n_layers: int = 2
    max_len: int = 64


def valid_mask(lengths: torch.Tensor, max_len: int) -> torch.Tensor:
    """(B, L) bool, True at the first max(len, 1) steps."""
    steps = torch.arange(max_len, device=lengths.device)
    return steps.unsqueeze(0) < lengths.clamp(min=1).unsqueeze(1)


def masked_mean(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean of x (B, L, D) over the steps where mask (B, L) is True."""
    m = mask.unsqueeze(-1).to(x.dtype)
    return (x * m).sum(1) / m.sum(1)


def _xavier(module: nn.Module) -> None:
    for m in module.modules():
        if isinstance(m, nn.Linear | nn.Conv1d):
            nn.init.xavier_uniform_(m.weight)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.GRU):
            for name, p in m.named_parameters():
                (nn.init.xavier_uniform_ if name.startswith("weight") else nn.init.zeros_)(p)


class HashtagClassifier(nn.Module):
    """Shared embedding (optionally from word2vec, optionally frozen) and softmax head.

    Subclasses build their encoder, then call `_finish(feature_dim)`.
    """

    def __init__(self, config: HashtagClassifierConfig, embedding_init: np.ndarray | None = None,
                 freeze_embeddings: bool = False) -> None:
        super().__init__()
        self.config = config
        self.embed = nn.Embedding(config.vocab_size, config.embed_dim, padding_idx=PAD_ID)
        if embedding_init is not None:
            want = (config.vocab_size, config.embed_dim)
            if tuple(embedding_init.shape) != want:
                raise ValueError(f"embedding_init has shape {embedding_init.shape}, "
                                 f"expected {want}")
            with torch.no_grad():
                self.embed.weight.copy_(torch.as_tensor(embedding_init, dtype=torch.float32))
                # The CNN's padding invariance needs pad rows to read as zero padding.
                self.embed.weight[PAD_ID].zero_()
        self.embed.weight.requires_grad_(not freeze_embeddings)

    def _finish(self, feature_dim: int) -> None:
        self.feature_dim = feature_dim
        self.drop = nn.Dropout(self.config.dropout)
        self.out = nn.Linear(feature_dim, self.config.n_classes)
        _xavier(self)

    def features(self, tokens: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def forward(self, tokens: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        return self.out(self.drop(self.features(tokens, lengths)))


HASHTAG_CLASSIFIERS: Registry[type[HashtagClassifier]] = Registry("hashtag classifier")


@HASHTAG_CLASSIFIERS.register("ann")
class ANNClassifier(HashtagClassifier):
    """Baseline: mean word vector -> one tanh layer of `hidden` units -> softmax."""

    def __init__(self, config: HashtagClassifierConfig, embedding_init: np.ndarray | None = None,
                 freeze_embeddings: bool = False) -> None:
        super().__init__(config, embedding_init, freeze_embeddings)
        self.hidden = nn.Linear(config.embed_dim, config.hidden)
        self._finish(config.hidden)

    def features(self, tokens: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        mean = masked_mean(self.embed(tokens), valid_mask(lengths, tokens.size(1)))
        return torch.tanh(self.hidden(mean))


@HASHTAG_CLASSIFIERS.register("cnn")
class CNNClassifier(HashtagClassifier):
    """Kim-style CNN: 32 filters each of widths 3, 5, 7, max over time, FC 1024, FC 256.

    Convolutions are "same"-padded so tweets shorter than 7 tokens still give a map, and
    the max runs over valid positions only. Softplus ("SoftReLU") after the convolutions
    and ReLU after the FC layers, as the paper's sec. 7.4 reports; dropout after both FCs.
    """

    def __init__(self, config: HashtagClassifierConfig, embedding_init: np.ndarray | None = None,
                 freeze_embeddings: bool = False) -> None:
        super().__init__(config, embedding_init, freeze_embeddings)
        self.convs = nn.ModuleList(nn.Conv1d(config.embed_dim, CNN_FILTERS, k, padding=k // 2)
                                   for k in CNN_WIDTHS)
        self.fc1 = nn.Linear(CNN_FILTERS * len(CNN_WIDTHS), CNN_FC[0])
        self.fc2 = nn.Linear(CNN_FC[0], CNN_FC[1])
        self.fc_drop = nn.Dropout(config.dropout)
        self._finish(CNN_FC[1])

    def features(self, tokens: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        x = self.embed(tokens).transpose(1, 2)  # (B, D, L) for Conv1d
        invalid = ~valid_mask(lengths, tokens.size(1)).unsqueeze(1)
        pooled = [F.softplus(conv(x)).masked_fill(invalid, -math.inf).amax(-1)
                  for conv in self.convs]
        h = self.fc_drop(F.relu(self.fc1(torch.cat(pooled, -1))))
        return F.relu(self.fc2(h))


def _run_gru(gru: nn.GRU, x: torch.Tensor, lengths: torch.Tensor
             ) -> tuple[torch.Tensor, torch.Tensor]:
    """Packed GRU: (outputs (B, L, H) zero past each length, last states (layers, B, H))."""
    packed = pack_padded_sequence(x, lengths.clamp(min=1).cpu(), batch_first=True,
                                  enforce_sorted=False)
    out, h = gru(packed)
    out, _ = pad_packed_sequence(out, batch_first=True, total_length=x.size(1))
    return out, h


@HASHTAG_CLASSIFIERS.register("gru")
class GRUClassifier(HashtagClassifier):
    """Stacked GRUs (`n_layers`, paper 2, each `hidden` = 1024); the top layer's last state."""

    def __init__(self, config: HashtagClassifierConfig, embedding_init: np.ndarray | None = None,
                 freeze_embeddings: bool = False) -> None:
        super().__init__(config, embedding_init, freeze_embeddings)
        self.gru = nn.GRU(config.embed_dim, config.hidden, num_layers=config.n_layers,
                          batch_first=True)
        self._finish(config.hidden)

    def features(self, tokens: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        _, h = _run_gru(self.gru, self.embed(tokens), lengths)
        return h[-1]


@HASHTAG_CLASSIFIERS.register("gru_attention")
class AttentionGRUClassifier(HashtagClassifier):
    """One GRU of `hidden` units and additive attention pooling (Bahdanau-style scorer).

    u_t = vᵀ tanh(W h_t + b); α = softmax over valid t; features = Σ_t α_t h_t.
    """

    def __init__(self, config: HashtagClassifierConfig, embedding_init: np.ndarray | None = None,
                 freeze_embeddings: bool = False) -> None:
        super().__init__(config, embedding_init, freeze_embeddings)
        self.gru = nn.GRU(config.embed_dim, config.hidden, batch_first=True)
        self.att_proj = nn.Linear(config.hidden, config.hidden)
        self.att_score = nn.Linear(config.hidden, 1, bias=False)
        self._finish(config.hidden)

    def attention(self, tokens: torch.Tensor, lengths: torch.Tensor
                  ) -> tuple[torch.Tensor, torch.Tensor]:
        """(pooled (B, H), weights α (B, L), zero at padding)."""
        out, _ = _run_gru(self.gru, self.embed(tokens), lengths)
        u = self.att_score(torch.tanh(self.att_proj(out))).squeeze(-1)
        u = u.masked_fill(~valid_mask(lengths, tokens.size(1)), -math.inf)
        alpha = torch.softmax(u, dim=-1)
        return torch.einsum("bl,blh->bh", alpha, out), alpha

    def features(self, tokens: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        return self.attention(tokens, lengths)[0]


@HASHTAG_CLASSIFIERS.register("transformer")
class TransformerClassifier(HashtagClassifier):
    """Post-norm TransformerEncoder over word + learned position embeddings, masked mean.

    d_model = `embed_dim` (so word2vec vectors enter unprojected), `n_heads` heads,
    feed-forward width `hidden`, `n_layers` layers; padded keys are masked out.
    """

    def __init__(self, config: HashtagClassifierConfig, embedding_init: np.ndarray | None = None,
                 freeze_embeddings: bool = False) -> None:
        super().__init__(config, embedding_init, freeze_embeddings)
        self.positions = nn.Embedding(config.max_len, config.embed_dim)
        layer = nn.TransformerEncoderLayer(config.embed_dim, config.n_heads, config.hidden,
                                           TRANSFORMER_INNER_DROPOUT, batch_first=True)
        # No nested tensors: keeps train and eval on the same (padded) code path.
        self.encoder = nn.TransformerEncoder(layer, config.n_layers, enable_nested_tensor=False)
        self._finish(config.embed_dim)

    def features(self, tokens: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        length = tokens.size(1)
        if length > self.config.max_len:
            raise ValueError(f"sequence length {length} exceeds max_len {self.config.max_len}")
        mask = valid_mask(lengths, length)
        x = self.embed(tokens) + self.positions(torch.arange(length, device=tokens.device))
        return masked_mean(self.encoder(x, src_key_padding_mask=~mask), mask)
