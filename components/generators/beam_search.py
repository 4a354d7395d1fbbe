"""Hashtag inference: batched beam search.

Search rules (benchmarks/beam_reference.py has a plain one-sentence version to test and time
this one against):

- `<pad>` and `<bos>` are never generated, nor `<unk>` unless `ban_unk=False`; `<eos>`
  is banned at the first step (a hashtag has at least one word).
- Each step ranks every one-token extension of the live hypotheses by cumulative
  log-probability and looks at the best 2*beam: an `<eos>` ranked within the first
  `beam` finishes its hypothesis; the first `beam` extensions that are not `<eos>` stay
  live (fairseq's rule; 2*beam candidates always hold `beam` that are not `<eos>`).
- After `max_len` words only `<eos>` is allowed, so every live hypothesis finishes.
- Score = length-normalised log-probability: the sum of the token log-probs, the
  `<eos>` included, divided by the number of those tokens (words + 1), i.e. the mean
  log-prob per emitted token (fairseq's normalisation with lenpen = 1). Without it
  beam search favours one-word hashtags (`length_norm=False` gives the raw sum, for
  comparison with decoders that use none).

Finished hypotheses are distinct word sequences by construction (live hypotheses never
coincide), so the n-best list is a ranking of different hashtags.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import nn

from components.generators.attention import Memory
from components.generators.config import BOS_ID, EOS_ID, PAD_ID, UNK_ID
from components.generators.decoder import AttentiveGRUDecoder, DecoderState

Hypothesis = tuple[list[int], float]  # (word ids without <bos>/<eos>, normalised score)
NEG_INF = float("-inf")


@contextmanager
def inference(model: nn.Module) -> Iterator[nn.Module]:
    """The bare model (unwrapped from DDP) in eval mode without autograd; mode restored after."""
    bare = getattr(model, "module", model)
    was_training = bare.training
    bare.eval()
    try:
        with torch.inference_mode():
            yield bare
    finally:
        bare.train(was_training)


def next_log_probs(decoder: AttentiveGRUDecoder, prev: torch.Tensor, state: DecoderState,
                   memory: Memory, step: int, max_len: int, ban_unk: bool) -> tuple[torch.Tensor, DecoderState]:
    """One decoder step with the search rules applied to its log-probs (N, V)."""
    logp, state, _ = decoder.step(prev, state, memory)
    logp[:, [PAD_ID, BOS_ID] + ([UNK_ID] if ban_unk else [])] = NEG_INF
    if step == 0:
        logp[:, EOS_ID] = NEG_INF
    if step == max_len:
        eos = logp[:, EOS_ID].clone()
        logp.fill_(NEG_INF)
        logp[:, EOS_ID] = eos
    return logp, state


def beam_search(model: nn.Module, src: torch.Tensor, src_len: torch.Tensor, *, beam: int = 20,
                max_len: int = 10, fused: torch.Tensor | None = None,
                conv: torch.Tensor | None = None, conv_len: torch.Tensor | None = None,
                n_best: int | None = None, ban_unk: bool = True,
                length_norm: bool = True) -> list[list[Hypothesis]]:
    """Each sentence's n-best (default `beam`) hashtags, best first. `length_norm=False` ranks
    finished hashtags by their summed log-probability instead (no length penalty).

    All B sentences and their beams advance together as one (B*beam)-row decoder batch;
    row b*beam + k is beam k of sentence b.
    """
    if beam < 1 or max_len < 1:
        raise ValueError(f"beam and max_len must be >= 1, got {beam} and {max_len}")
    k, n_best = beam, n_best or beam
    with inference(model) as m:
        memory, state = m.encode(src, src_len, fused=fused, conv=conv, conv_len=conv_len)
        b = src.size(0)
        dev = memory.values.device
        # Step 0 has one live hypothesis per sentence (`<bos>`), so it runs on b rows, not
        # b*k: the other k-1 would be -inf copies costing a full vocabulary projection each.
        width = 1
        scores = torch.zeros(b, 1, device=dev)
        history = torch.empty(b, 0, dtype=torch.long, device=dev)
        prev = torch.full((b,), BOS_ID, dtype=torch.long, device=dev)
        finished: list[list[Hypothesis]] = [[] for _ in range(b)]
        for step in range(max_len + 1):
            if step == 1:
                memory = memory.repeat_each(k)
            logp, state = next_log_probs(m.decoder, prev, state, memory, step, max_len, ban_unk)
            vocab = logp.size(-1)
            cand = logp.view(b, width, vocab).add_(scores.unsqueeze(2)).view(b, width * vocab)  # in place: no new N*V buffer
            top, idx = cand.topk(min(2 * k, width * vocab), dim=1)
            origin, tok = idx // vocab, idx % vocab
            is_eos = tok == EOS_ID
            done = is_eos & torch.isfinite(top)
            done[:, k:] = False
            if done.any():  # Python lists once per step: per-element tensor indexing is slow
                words, parents, values = history.tolist(), origin.tolist(), top.tolist()
                for s, r in done.nonzero().tolist():
                    hyp = words[s * width + parents[s][r]]
                    finished[s].append((hyp, values[s][r] / (len(hyp) + 1) if length_norm else values[s][r]))
            if step == max_len:
                break
            # Stable order: non-<eos> candidates by rank, then the <eos> ones; keep k. With a
            # vocabulary smaller than 2k, step 0 can offer fewer than k: the missing beams copy
            # the last one with a score of -inf, so they never rank above a real one.
            position = torch.arange(top.size(1), device=dev).expand_as(top)
            keep = torch.where(is_eos, position + top.size(1), position).argsort(1)[:, :k]
            scores = top.gather(1, keep).masked_fill(is_eos.gather(1, keep), NEG_INF)
            if keep.size(1) < k:
                pad = k - keep.size(1)
                keep = torch.cat([keep, keep[:, -1:].expand(b, pad)], 1)
                scores = torch.cat([scores, scores.new_full((b, pad), NEG_INF)], 1)
            picked = (torch.arange(b, device=dev).unsqueeze(1) * width + origin.gather(1, keep)).view(-1)
            prev = tok.gather(1, keep).view(-1)
            state = state.index_select(picked)
            history = torch.cat([history.index_select(0, picked), prev.unsqueeze(1)], 1)
            width = k
    return [sorted(hyps, key=lambda h: -h[1])[:n_best] for hyps in finished]
