"""DeepMoji's encoder (Felbo et al., 2017): embedding, two BiLSTMs, skip-attention, softmax.

    tokens -> embedding (tanh, spatial dropout) -> BiLSTM 1 -> BiLSTM 2
           -> attention over [embedding; lstm1; lstm2] at every step -> dropout -> linear

The attention reads all three layers so a transfer task can use low-level (word) as
well as high-level (sentence) features; at the paper's sizes the representation is
256 + 2*512 + 2*512 = 2304-d and the model has 22.4M parameters with a 50k vocabulary.
Every size derives from `EmojiEncoderConfig`, so tests and smoke runs shrink it freely.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import asdict, dataclass, replace
from typing import Any

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from .hard_sigmoid_lstm import HardSigmoidLSTM
from .tokenizer import VocabMismatchError

LAYER_GROUPS: tuple[str, ...] = ("embedding", "lstm1", "lstm2", "attention", "head")


@dataclass
class EmojiEncoderConfig:
    """Sizes and dropout rates; defaults are DeepMoji's (dropouts: its transfer setting)."""

    vocab_size: int
    n_classes: int
    embed_dim: int = 256
    hidden: int = 512  # per direction, per BiLSTM layer
    embed_dropout: float = 0.25  # spatial: whole embedding channels, not words
    final_dropout: float = 0.5
    gates: str = "sigmoid"  # "hard_sigmoid": Keras's, which DeepMoji's published weights need

    def __post_init__(self) -> None:
        if self.gates not in ("sigmoid", "hard_sigmoid"):
            raise ValueError(f"gates must be 'sigmoid' or 'hard_sigmoid', got {self.gates!r}")

    @property
    def representation_dim(self) -> int:
        return self.embed_dim + 4 * self.hidden

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> EmojiEncoderConfig:
        return cls(**d)


class SpatialDropout(nn.Module):
    """Drop whole embedding channels for a sequence (Keras SpatialDropout1D).

    DeepMoji drops channels rather than words because its texts are short: losing one
    word can flip the emotion, losing a channel everywhere only blurs every word a bit.
    """

    def __init__(self, p: float) -> None:
        super().__init__()
        self.p = p

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (N, T, D)
        if not self.training or self.p == 0.0:
            return x
        keep = x.new_empty(x.shape[0], 1, x.shape[2]).bernoulli_(1.0 - self.p)
        return x * keep / (1.0 - self.p)


class AttentionPooling(nn.Module):
    """One learned vector scores each step; softmax over valid steps; weighted sum."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.vector = nn.Parameter(torch.empty(dim))
        nn.init.normal_(self.vector, std=0.05)  # DeepMoji's init

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        scores = (x @ self.vector).masked_fill(~mask, float("-inf"))
        weights = torch.softmax(scores, dim=1)  # padded steps get exactly 0
        return (weights.unsqueeze(-1) * x).sum(dim=1), weights


class DeepMojiEncoder(nn.Module):
    """`forward(tokens, lengths) -> logits`; `encode` gives the attention output."""

    def __init__(self, config: EmojiEncoderConfig) -> None:
        super().__init__()
        self.config = config
        c = config
        self.embed = nn.Embedding(c.vocab_size, c.embed_dim, padding_idx=0)
        self.embed_dropout = SpatialDropout(c.embed_dropout)
        if c.gates == "hard_sigmoid":
            self.lstm1, self.lstm2 = HardSigmoidLSTM(c.embed_dim, c.hidden), HardSigmoidLSTM(2 * c.hidden, c.hidden)
        else:
            self.lstm1 = nn.LSTM(c.embed_dim, c.hidden, batch_first=True, bidirectional=True)
            self.lstm2 = nn.LSTM(2 * c.hidden, c.hidden, batch_first=True, bidirectional=True)
        self.attention = AttentionPooling(c.representation_dim)
        self.final_dropout = nn.Dropout(c.final_dropout)
        self.head = nn.Linear(c.representation_dim, c.n_classes)
        self._init_weights()

    def _init_weights(self) -> None:
        # Keras defaults, as DeepMoji (and torchMoji, to match it) used.
        nn.init.uniform_(self.embed.weight, -0.5, 0.5)
        with torch.no_grad():
            self.embed.weight[0].zero_()  # <pad>: an empty text reads tanh(0) = 0
        for lstm in (self.lstm1, self.lstm2):
            for name, p in lstm.named_parameters():
                if "weight_ih" in name:
                    nn.init.xavier_uniform_(p)
                elif "weight_hh" in name:
                    nn.init.orthogonal_(p)
                else:
                    nn.init.zeros_(p)
        self._init_head(self.head)

    @staticmethod
    def _init_head(head: nn.Linear) -> None:
        nn.init.xavier_uniform_(head.weight)
        nn.init.zeros_(head.bias)

    @property
    def representation_dim(self) -> int:
        return self.config.representation_dim

    def _features(self, tokens: torch.Tensor,
                  lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        # An empty text is read as one <pad> step so attention always has a valid step.
        lengths = lengths.clamp(min=1).cpu()
        tokens = tokens[:, :int(lengths.max())]  # steps past the longest text are all pad
        steps = tokens.shape[1]
        emb = self.embed_dropout(torch.tanh(self.embed(tokens)))

        def run(lstm: nn.Module, x: torch.Tensor) -> torch.Tensor:
            if isinstance(lstm, HardSigmoidLSTM):
                return lstm(x, lengths)
            # Packing keeps the backward direction from starting on padding.
            packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
            out, _ = lstm(packed)
            return pad_packed_sequence(out, batch_first=True, total_length=steps)[0]

        h1 = run(self.lstm1, emb)
        h2 = run(self.lstm2, h1)
        valid = lengths.to(tokens.device)
        mask = torch.arange(steps, device=tokens.device)[None, :] < valid[:, None]
        return self.attention(torch.cat([emb, h1, h2], dim=-1), mask)

    def encode(self, tokens: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """(N, representation_dim): the attention-weighted sum, before the final dropout."""
        return self._features(tokens, lengths)[0]

    def attention_weights(self, tokens: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """(N, T') weights over steps (T' = longest length in the batch); rows sum to 1."""
        return self._features(tokens, lengths)[1]

    def forward(self, tokens: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        return self.head(self.final_dropout(self.encode(tokens, lengths)))

    def layer_groups(self) -> OrderedDict[str, list[nn.Parameter]]:
        """Parameters by chain-thaw unit, input to output (dropouts have none)."""
        return OrderedDict([
            ("embedding", list(self.embed.parameters())),
            ("lstm1", list(self.lstm1.parameters())),
            ("lstm2", list(self.lstm2.parameters())),
            ("attention", list(self.attention.parameters())),
            ("head", list(self.head.parameters())),
        ])

    def replace_head(self, n_classes: int) -> None:
        """A fresh softmax layer for a transfer task; the encoder's weights are kept."""
        old = self.head
        self.head = nn.Linear(self.representation_dim, n_classes).to(old.weight.device,
                                                                     old.weight.dtype)
        self._init_head(self.head)
        self.config = replace(self.config, n_classes=n_classes)

    def checkpoint(self, vocab_hash: str) -> dict[str, Any]:
        """Weights, config and the hash of the vocabulary the ids came from."""
        return {"config": self.config.to_dict(), "vocab_hash": vocab_hash,
                "state_dict": self.state_dict()}

    @classmethod
    def from_checkpoint(cls, ckpt: dict[str, Any], vocab_hash: str) -> DeepMojiEncoder:
        """Rebuild from `checkpoint()`; refuses a tokenizer with another vocabulary."""
        if ckpt["vocab_hash"] != vocab_hash:
            raise VocabMismatchError(
                f"checkpoint was trained on vocabulary {ckpt['vocab_hash'][:12]}, "
                f"the tokenizer has {vocab_hash[:12]}")
        model = cls(EmojiEncoderConfig.from_dict(ckpt["config"]))
        model.load_state_dict(ckpt["state_dict"])
        return model
