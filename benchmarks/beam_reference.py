"""A reference beam search, one unpadded sentence at a time: the batched search in
components/generators/beam_search.py is tested against it (tests/test_generators.py) and timed
against it (benchmarks/beam.py). Written independently and plainly, with the same rules."""

from __future__ import annotations

import torch
from torch import nn

from components.generators.beam_search import NEG_INF, Hypothesis, inference, next_log_probs
from components.generators.config import BOS_ID, EOS_ID


def _one(t: torch.Tensor | None, i: int, length: int | None = None) -> torch.Tensor | None:
    """Row i alone, cut to its own length (no padding) when one is given."""
    if t is None:
        return None
    row = t[i:i + 1]
    return row if length is None else row[:, : max(length, 1)]


def beam_search_one(model: nn.Module, src: torch.Tensor, src_len: torch.Tensor, *,
                    beam: int = 20, max_len: int = 10, fused: torch.Tensor | None = None,
                    conv: torch.Tensor | None = None, conv_len: torch.Tensor | None = None,
                    n_best: int | None = None, ban_unk: bool = True) -> list[list[Hypothesis]]:
    """Reference beam search: one unpadded sentence at a time, hypotheses as Python lists.

    Same rules and scores as `beam_search`; written independently and plainly so the
    batched version can be tested against it (and timed against it).
    """
    n_best = n_best or beam
    out = []
    with inference(model) as m:
        for i in range(src.size(0)):
            n, c = int(src_len[i]), None if conv_len is None else int(conv_len[i])
            memory, state = m.encode(_one(src, i, n), src_len[i:i + 1], fused=_one(fused, i),
                                     conv=_one(conv, i, c), conv_len=_one(conv_len, i))
            live: list[Hypothesis] = [([], 0.0)]
            finished: list[Hypothesis] = []
            for step in range(max_len + 1):
                prev = torch.tensor([h[-1] if h else BOS_ID for h, _ in live], device=src.device)
                logp, state = next_log_probs(m.decoder, prev, state, memory.repeat_each(len(live)),
                                             step, max_len, ban_unk)
                vocab = logp.size(-1)
                cumulative = torch.tensor([s for _, s in live], device=src.device).unsqueeze(1)
                top, idx = (cumulative + logp).view(-1).topk(min(2 * beam, logp.numel()))
                next_live, parents = [], []
                for rank, (score, flat) in enumerate(zip(top.tolist(), idx.tolist(), strict=True)):
                    if score == NEG_INF:
                        break
                    parent, token = divmod(flat, vocab)
                    words = live[parent][0]
                    if token == EOS_ID:
                        if rank < beam:
                            finished.append((words, score / (len(words) + 1)))
                    elif len(next_live) < beam:
                        next_live.append((words + [token], score))
                        parents.append(parent)
                if step == max_len or not next_live:
                    break
                live = next_live
                state = state.index_select(torch.tensor(parents, device=src.device))
            out.append(sorted(finished, key=lambda h: -h[1])[:n_best])
    return out
