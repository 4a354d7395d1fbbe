"""Hashtag generators: encoder(s) + attentive GRU decoder, switched by `Seq2SeqConfig`.

`Seq2Seq` covers every generator of both papers (see config.py for the switches). For
the conversation paper's dual encoder, a second Bi-GRU reads the conversation with the
post's embedding table, `BiAttention` fuses the two, and the decoder attends over
[v^p; v^c] (or one of them for the ablations).

Deviation: the conversation paper does not say how the decoder's first state is made
(OpenNMT passes the encoder's final state on). Here the bridge reads the concatenated
final states of the encoders that are used ([post; conversation] for the dual encoder).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from components.generators.attention import BiAttention, Memory
from components.generators.config import PAD_ID, Seq2SeqConfig
from components.generators.decoder import AttentiveGRUDecoder, DecoderState
from components.generators.encoder import BiGRUEncoder, EncoderOutput


def concat_padded(a: torch.Tensor, a_len: torch.Tensor, b: torch.Tensor,
                  b_len: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Each row of `a` followed directly by the same row of `b`, padding moved to the end."""
    out = a.new_full((a.size(0), a.size(1) + b.size(1)), PAD_ID)
    out[:, : a.size(1)] = a
    # b's padding lands at or after a_len + b_len, where only padding belongs.
    pos = a_len.to(a.device).unsqueeze(1) + torch.arange(b.size(1), device=a.device)
    out.scatter_(1, pos, b)
    return out, a_len + b_len


class Seq2Seq(nn.Module):
    """forward() is teacher-forced; `encode` + `decoder.step` are what beam search uses."""

    def __init__(self, cfg: Seq2SeqConfig) -> None:
        super().__init__()
        self.cfg = cfg
        h, d = cfg.hidden, cfg.memory_dim
        self.encoder = BiGRUEncoder(cfg.src_vocab, cfg.embed_dim, h, cfg.enc_layers, cfg.dropout)
        self.conv_encoder = None
        self.bi_attention = None
        if cfg.dual:
            self.conv_encoder = BiGRUEncoder(cfg.src_vocab, cfg.embed_dim, h, cfg.enc_layers,
                                             cfg.dropout, embedding=self.encoder.embed)
            self.bi_attention = BiAttention(d)
        final_dim = 2 * d if cfg.dual else d
        tgt_embed = (self.encoder.embed if cfg.share_embeddings
                     else nn.Embedding(cfg.tgt_vocab, cfg.embed_dim, padding_idx=PAD_ID))
        self.decoder = AttentiveGRUDecoder(tgt_embed, cfg.tgt_vocab, h, d, final_dim,
                                           cfg.fusion_dim, cfg.dropout, cfg.copy, cfg.input_feed)
        if cfg.init_uniform > 0:
            for p in self.parameters():
                nn.init.uniform_(p, -cfg.init_uniform, cfg.init_uniform)
            with torch.no_grad():  # keep <pad> embedded as zeros
                self.encoder.embed.weight[PAD_ID].zero_()
                self.decoder.embed.weight[PAD_ID].zero_()

    def encode(self, src: torch.Tensor, src_len: torch.Tensor, *, fused: torch.Tensor | None = None,
               conv: torch.Tensor | None = None,
               conv_len: torch.Tensor | None = None) -> tuple[Memory, DecoderState]:
        """Inputs -> the decoder's memory and first state.

        The conv-only variant ignores `src` (it still sets the batch size for search).
        """
        cfg = self.cfg
        if cfg.conversation and (conv is None or conv_len is None):
            raise ValueError("a conversation model needs conv and conv_len")
        if not cfg.conversation:
            enc = self.encoder(src, src_len)
            return self._memory(enc, src), self.decoder.initial_state(enc.final, fused)
        if not cfg.use_post:  # SEQ2SEQ (conv only)
            enc = self.encoder(conv, conv_len)
            return self._memory(enc, conv), self.decoder.initial_state(enc.final, fused)
        if not cfg.bi_attention:  # SEQ2SEQ (post+conv): one sequence, one encoder
            joined, joined_len = concat_padded(src, src_len, conv, conv_len)
            enc = self.encoder(joined, joined_len)
            return self._memory(enc, joined), self.decoder.initial_state(enc.final, fused)
        post = self.encoder(src, src_len)
        talk = self.conv_encoder(conv, conv_len)
        fusion = self.bi_attention(post.outputs, post.mask, talk.outputs, talk.mask)
        parts = []
        if cfg.attend_post:
            parts.append(Memory(fusion.post, post.mask, src))
        if cfg.attend_conv:
            parts.append(Memory(fusion.conv, talk.mask, conv))
        final = torch.cat([post.final, talk.final], -1)
        return Memory.concat(parts), self.decoder.initial_state(final, fused)

    @staticmethod
    def _memory(enc: EncoderOutput, tokens: torch.Tensor) -> Memory:
        return Memory(enc.outputs, enc.mask, tokens)

    def forward(self, src: torch.Tensor, src_len: torch.Tensor, tgt_in: torch.Tensor, *,
                fused: torch.Tensor | None = None, conv: torch.Tensor | None = None,
                conv_len: torch.Tensor | None = None,
                target_mask: torch.Tensor | None = None) -> torch.Tensor:
        """Teacher forcing: tgt_in (B, T) begins with `<bos>` -> log-probs (B, T, tgt_vocab);
        with `target_mask` (B, T), only the marked positions: (N, tgt_vocab)."""
        memory, state = self.encode(src, src_len, fused=fused, conv=conv, conv_len=conv_len)
        return self.decoder(tgt_in, state, memory, target_mask)


def seq2seq_loss(model: nn.Module, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    """Mean NLL per non-pad target token; usable as `FitProblem.loss`.

    `batch` holds src, src_len, tgt (B, T) = `<bos>` words `<eos>` then padding, and
    fused / conv / conv_len where the configuration uses them. It calls `model(...)`,
    never a method, so a DistributedDataParallel wrapper still syncs gradients. A `Seq2Seq`
    (wrapped or not) projects onto the vocabulary only at the real target positions; the
    value is the same as over the whole padded (B, T, V) output.
    """
    tgt = batch["tgt"]
    kwargs = {"fused": batch.get("fused"), "conv": batch.get("conv"), "conv_len": batch.get("conv_len")}
    gold = tgt[:, 1:]
    if isinstance(getattr(model, "module", model), Seq2Seq):
        real = gold != PAD_ID
        logp = model(batch["src"], batch["src_len"], tgt[:, :-1], target_mask=real, **kwargs)
        return F.nll_loss(logp.float(), gold[real])
    logp = model(batch["src"], batch["src_len"], tgt[:, :-1], **kwargs)
    return F.nll_loss(logp.reshape(-1, logp.size(-1)), gold.reshape(-1), ignore_index=PAD_ID)
