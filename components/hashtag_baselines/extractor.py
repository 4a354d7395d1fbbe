"""EXTRACTOR: the hashtag as a span of the post, found by sequence tagging.

After Zhang et al. (2018), "Encoding conversation context for neural keyphrase extraction
from microblog posts", as the conversation paper uses it: each post word is tagged B / I / O
(begins, continues, is outside a hashtag) by a Bi-GRU, and the conversation reaches the
tagger through a memory network (Sukhbaatar et al., 2015): every post word's embedding
queries the conversation's words, p_ij = softmax_j(e(x_i) . A(c_j)), and reads back
o_i = sum_j p_ij C(c_j) (input and output memories A and C), so the tagger reads [e(x_i); o_i].

How far this follows them: one memory hop and one BIO tag layer; Zhang et al. tag with
a joint layer (a keyword / not-keyword tag beside the position tag, Zhang et al. 2016) and
compare several conversation encoders, of which the memory network is one. A post with
an empty conversation reads o_i = 0.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from components.generators.attention import masked_softmax
from components.generators.config import PAD_ID

BIO_O, BIO_B, BIO_I = 0, 1, 2


def bio_labels(post: Sequence[str], hashtags: Sequence[str]) -> list[int]:
    """B/I/O per post word: each hashtag's words where they occur as a contiguous run
    (every occurrence, never overlapping an earlier span)."""
    labels = [BIO_O] * len(post)
    for tag in hashtags:
        words = tag.split()
        n = len(words)
        for i in range(len(post) - n + 1):
            if n and list(post[i:i + n]) == words and all(x == BIO_O for x in labels[i:i + n]):
                labels[i:i + n] = [BIO_B] + [BIO_I] * (n - 1)
    return labels


def best_span(probs: np.ndarray, always: bool = True) -> tuple[int, int] | None:
    """The tagged span (start, end) with the highest mean P(not O), from the arg-max tags
    of `probs` (L, 3); an I after an O opens a span as a B would.

    When every word's arg-max is O: None, or with `always` the span that starts at the word
    most likely to begin one and runs on while P(I) beats P(O) (an extractor that must
    answer, as the paper scores one for every post); None only for an empty post."""
    if not len(probs):
        return None
    tags = probs.argmax(1)
    spans, start = [], None
    for i, t in enumerate([*tags.tolist(), BIO_O]):
        if start is not None and t != BIO_I:
            spans.append((start, i))
            start = None
        if t in (BIO_B, BIO_I) and start is None:
            start = i
    if not spans:
        if not always:
            return None
        begin = int(probs[:, BIO_B].argmax())
        end = begin + 1
        while end < len(probs) and probs[end, BIO_I] > probs[end, BIO_O]:
            end += 1
        return begin, end
    inside = 1.0 - probs[:, BIO_O]
    return max(spans, key=lambda s: (float(inside[s[0]:s[1]].mean()), -s[0]))


class MemoryTagger(nn.Module):
    def __init__(self, vocab_size: int, embed_dim: int = 200, hidden: int = 300,
                 dropout: float = 0.1, use_memory: bool = True) -> None:
        super().__init__()
        self.use_memory = use_memory
        self.embed = nn.Embedding(vocab_size, embed_dim, padding_idx=PAD_ID)
        self.memory_in = nn.Embedding(vocab_size, embed_dim, padding_idx=PAD_ID)   # A
        self.memory_out = nn.Embedding(vocab_size, embed_dim, padding_idx=PAD_ID)  # C
        self.drop = nn.Dropout(dropout)
        self.gru = nn.GRU(embed_dim * (2 if use_memory else 1), hidden, batch_first=True, bidirectional=True)
        self.out = nn.Linear(2 * hidden, 3)

    def forward(self, post: torch.Tensor, post_len: torch.Tensor, conv: torch.Tensor | None = None,
                conv_len: torch.Tensor | None = None) -> torch.Tensor:
        """post (B, Lp), conv (B, Lc) -> tag logits (B, Lp, 3); mask positions past post_len."""
        query = self.embed(post)
        x = query
        if self.use_memory:
            if conv is None or conv_len is None:
                raise ValueError("a tagger with a memory needs conv and conv_len")
            conv_mask = torch.arange(conv.size(1), device=conv.device)[None] < conv_len.to(conv.device)[:, None]
            p = masked_softmax(torch.bmm(query, self.memory_in(conv).transpose(1, 2)), conv_mask[:, None])
            x = torch.cat([query, torch.bmm(p, self.memory_out(conv))], -1)
        packed = pack_padded_sequence(self.drop(x), post_len.clamp(min=1).cpu(), batch_first=True,
                                      enforce_sorted=False)
        out, _ = self.gru(packed)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=post.size(1))
        return self.out(self.drop(out))


__all__ = ["BIO_B", "BIO_I", "BIO_O", "MemoryTagger", "best_span", "bio_labels"]
