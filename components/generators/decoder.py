"""Attentive GRU decoder with an optional copy mechanism.

Per step t (both papers' decoder): s_t = GRU([e(y_{t-1}); c_{t-1}], s_{t-1}) with input
feeding, c_t = global attention of s_t over the memory, and
P_vocab = softmax(W_v [s_t; c_t] + b_v).

With `copy=True`, a pointer-generator (See et al., 2017) mixes in the attention weights:
P(w) = p_gen P_vocab(w) + (1 - p_gen) sum_{i: x_i = w} a_ti,
p_gen = sigmoid(w_g [s_t; c_t; e(y_{t-1})] + b_g). Deviations: the papers cite Gu et al.
(2016)'s CopyNet; the pointer-generator is its common simpler form. Source words are
copied by their in-vocabulary id only (no per-sentence extended vocabulary): a source
word outside the vocabulary is `<unk>` in the input, so copying it can only produce
`<unk>`, which beam search bans anyway.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from components.generators.attention import BilinearAttention, Memory


@dataclass
class DecoderState:
    hidden: torch.Tensor  # (N, H) GRU state s_t
    feed: torch.Tensor  # (N, D) last attentional context c_t, fed to the next step

    def index_select(self, index: torch.Tensor) -> DecoderState:
        """Rows picked by `index` (beam search reorders hypotheses with this)."""
        return DecoderState(self.hidden.index_select(0, index), self.feed.index_select(0, index))

    def repeat_each(self, k: int) -> DecoderState:
        return DecoderState(self.hidden.repeat_interleave(k, 0), self.feed.repeat_interleave(k, 0))


class AttentiveGRUDecoder(nn.Module):
    """One GRU layer with attention over a `Memory`, projecting to the target vocabulary.

    The first state comes from the encoder's final state through a bridge:
    s_0 = tanh(W h_final + b); with fusion (SEQ2SEQ-Emoji/-Word) it is the emoji
    paper's z = W_t [h_final; v_e] + b_t, linear without tanh, as that paper writes it.
    """

    def __init__(self, embedding: nn.Embedding, vocab_size: int, hidden: int, memory_dim: int,
                 final_dim: int, fusion_dim: int = 0, dropout: float = 0.1, copy: bool = False,
                 input_feed: bool = True) -> None:
        super().__init__()
        self.embed = embedding
        emb_dim = embedding.embedding_dim
        self.input_feed, self.copy, self.fusion_dim = input_feed, copy, fusion_dim
        self.memory_dim = memory_dim
        self.bridge = nn.Linear(final_dim + fusion_dim, hidden)
        self.cell = nn.GRUCell(emb_dim + (memory_dim if input_feed else 0), hidden)
        self.attention = BilinearAttention(hidden, memory_dim)
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(hidden + memory_dim, vocab_size)  # W_v, b_v
        self.gen_gate = nn.Linear(hidden + memory_dim + emb_dim, 1) if copy else None

    def initial_state(self, final: torch.Tensor, fused: torch.Tensor | None = None) -> DecoderState:
        """s_0 from the encoder's final state (and the frozen encoder's vector, if fused)."""
        if self.fusion_dim:
            if fused is None or fused.size(-1) != self.fusion_dim:
                got = None if fused is None else tuple(fused.shape)
                raise ValueError(f"decoder expects a fused vector of size {self.fusion_dim}, got {got}")
            hidden = self.bridge(torch.cat([final, fused.to(final.dtype)], -1))
        else:
            if fused is not None:
                raise ValueError("fused vector given but the model has fusion_dim=0")
            hidden = torch.tanh(self.bridge(final))
        return DecoderState(hidden, final.new_zeros(final.size(0), self.memory_dim))

    def _features(self, prev: torch.Tensor, state: DecoderState, memory: Memory):
        emb = self.drop(self.embed(prev))
        inp = torch.cat([emb, state.feed], -1) if self.input_feed else emb
        hidden = self.cell(inp, state.hidden)
        context, weights = self.attention(hidden, memory.values, memory.mask)
        return emb, torch.cat([hidden, context], -1), DecoderState(hidden, context), weights

    def step(self, prev: torch.Tensor, state: DecoderState,
             memory: Memory) -> tuple[torch.Tensor, DecoderState, torch.Tensor]:
        """prev (N,) token ids -> log P(y_t) (N, V), next state, attention weights (N, L)."""
        emb, features, state, weights = self._features(prev, state, memory)
        logp = self._output(self.drop(features), features, emb, weights, memory.ids)
        return logp, state, weights

    def _output(self, dropped: torch.Tensor, features: torch.Tensor | None = None, emb: torch.Tensor | None = None,
                weights: torch.Tensor | None = None, ids: torch.Tensor | None = None) -> torch.Tensor:
        """Log P over the vocabulary from a step's features (rows: any set of positions); the
        copy mix also reads the undropped features, the input embedding, attention and source ids."""
        logits = self.out(dropped)
        if not self.copy:
            return torch.log_softmax(logits, -1)
        p_gen = torch.sigmoid(self.gen_gate(torch.cat([features, emb], -1)))
        probs = p_gen * torch.softmax(logits, -1)
        probs = probs.scatter_add(1, ids, (1 - p_gen) * weights)
        # Words neither generated nor present in the source have probability ~0; the
        # floor keeps their log finite for the loss and for beam search.
        return probs.clamp_min(1e-12).log()

    def forward(self, tgt_in: torch.Tensor, state: DecoderState, memory: Memory,
                target_mask: torch.Tensor | None = None) -> torch.Tensor:
        """Teacher forcing: tgt_in (B, T) starting with `<bos>` -> log-probs (B, T, V).

        With `target_mask` (B, T) bool, only the positions it marks are projected onto the
        vocabulary (and, copying, mixed with their copy distributions): log-probs (N, V) of
        those positions in row-major order, the same values the full output holds there. The
        (T x V) projection at padded positions is skipped (the loss ignores them); dropout
        draws as before.
        """
        if target_mask is not None:
            steps = []
            for t in range(tgt_in.size(1)):
                emb, features, state, weights = self._features(tgt_in[:, t], state, memory)
                steps.append((self.drop(features), features, emb, weights)[:4 if self.copy else 1])
            picked = [torch.stack(parts, 1)[target_mask] for parts in zip(*steps, strict=True)]
            # each picked position's source ids, through its batch row
            ids = memory.ids[target_mask.nonzero()[:, 0]] if self.copy else None
            return self._output(*picked, ids=ids)
        steps = []
        for t in range(tgt_in.size(1)):
            logp, state, _ = self.step(tgt_in[:, t], state, memory)
            steps.append(logp)
        return torch.stack(steps, 1)
