"""Attention over encoder memories: the decoder's global attention and bi-attention.

Both hashtag papers score a decoder state s against a memory vector h bilinearly,
s W_att h (Luong's "general" score), so that is the one decoder attention here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import torch
from torch import nn


@dataclass
class Memory:
    """What the decoder attends over, with the token ids the copy mechanism scatters onto."""

    values: torch.Tensor  # (B, L, D)
    mask: torch.Tensor  # (B, L) bool, True at real positions
    ids: torch.Tensor  # (B, L) source token ids behind each position

    def repeat_each(self, k: int) -> Memory:
        """Each row k times in a row: row b becomes rows b*k .. b*k+k-1 (beam layout)."""
        return Memory(self.values.repeat_interleave(k, 0), self.mask.repeat_interleave(k, 0),
                      self.ids.repeat_interleave(k, 0))

    @staticmethod
    def concat(parts: list[Memory]) -> Memory:
        """Memories side by side along the length axis (the paper's v = [v^p; v^c])."""
        return Memory(torch.cat([p.values for p in parts], 1), torch.cat([p.mask for p in parts], 1),
                      torch.cat([p.ids for p in parts], 1))


def masked_softmax(scores: torch.Tensor, mask: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Softmax over `mask`ed-in entries; a row with none gives all zeros, not NaN."""
    # The dtype's minimum rather than -inf: an all-masked row stays finite (uniform), and
    # multiplying by the mask then zeroes it without NaN gradients.
    filled = scores.masked_fill(~mask, torch.finfo(scores.dtype).min)
    return torch.softmax(filled, dim=dim) * mask.to(scores.dtype)


class BilinearAttention(nn.Module):
    """Global attention with score(s, h) = s W h (both papers' beta_i / alpha^d_ti).

    The query is projected once (s W, size D) instead of projecting every memory
    vector, which keeps a beam step at O(N·L·D) after the beams have been expanded.
    """

    def __init__(self, query_dim: int, memory_dim: int) -> None:
        super().__init__()
        self.proj = nn.Linear(query_dim, memory_dim, bias=False)

    def forward(self, query: torch.Tensor, memory: torch.Tensor,
                mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """query (N, Dq), memory (N, L, D), mask (N, L) -> context (N, D), weights (N, L)."""
        scores = torch.bmm(memory, self.proj(query).unsqueeze(2)).squeeze(2)
        weights = masked_softmax(scores, mask)
        return torch.bmm(weights.unsqueeze(1), memory).squeeze(1), weights


class BiAttentionOutput(NamedTuple):
    post: torch.Tensor  # v^p (B, Lp, d): post states fused with post-aware conversation context
    conv: torch.Tensor  # v^c (B, Lc, d): conversation states fused with conversation-aware post context
    post_to_conv: torch.Tensor  # alpha^c (B, Lp, Lc), eq. (3)
    conv_to_post: torch.Tensor  # alpha^p (B, Lc, Lp)


class BiAttention(nn.Module):
    """Bi-attention between post and conversation encodings, then the merge layer.

    Follows the conversation paper's eqs. (3)-(6):
        f(h^p_i, h^c_j) = h^p_i W_bi-att h^c_j
        alpha^c_ij = softmax_j f(h^p_i, h^c_j);   r^c_i = sum_j alpha^c_ij h^c_j
        v^p = tanh(W_p [h^p; r^c] + b_p);         v^c = tanh(W_c [h^c; r^p] + b_c)

    Deviation: the paper gives the conversation-aware post attention r^p only as
    "analogously". Here it reuses the same score matrix, transposed and normalised over
    the post (alpha^p_ji = softmax_i f(h^p_i, h^c_j)), as BiDAF's shared similarity
    matrix does, so one W_bi-att serves both directions (the paper's figure 4
    visualises a single bi-attention matrix). BiDAF's max-pooled query-to-context
    attention is not used.
    """

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.bilinear = nn.Linear(dim, dim, bias=False)  # W_bi-att
        self.merge_post = nn.Linear(2 * dim, dim)  # W_p, b_p
        self.merge_conv = nn.Linear(2 * dim, dim)  # W_c, b_c

    def forward(self, post: torch.Tensor, post_mask: torch.Tensor, conv: torch.Tensor,
                conv_mask: torch.Tensor) -> BiAttentionOutput:
        scores = torch.bmm(post, self.bilinear(conv).transpose(1, 2))  # (B, Lp, Lc)
        post_to_conv = masked_softmax(scores, conv_mask.unsqueeze(1))
        conv_to_post = masked_softmax(scores.transpose(1, 2), post_mask.unsqueeze(1))
        r_conv = torch.bmm(post_to_conv, conv)  # (B, Lp, d)
        r_post = torch.bmm(conv_to_post, post)  # (B, Lc, d)
        v_post = torch.tanh(self.merge_post(torch.cat([post, r_conv], -1)))
        v_conv = torch.tanh(self.merge_conv(torch.cat([conv, r_post], -1)))
        return BiAttentionOutput(v_post, v_conv, post_to_conv, conv_to_post)
