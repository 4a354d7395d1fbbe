"""Training and decoding a `Seq2Seq` on sources stored once: batches carry source indices.

A source text with several gold hashtags is one row of `src` and several (index, target)
pairs, so it is stored once however many hashtags it has. `Seq2SeqObjective.loss` and
`.evaluate` are a `FitProblem`'s; the objective is plain picklable data for Ray Train workers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from components.generators.beam_search import beam_search
from components.generators.config import PAD_ID
from components.generators.seq2seq import seq2seq_loss


@dataclass
class Seq2SeqObjective:
    src: np.ndarray                    # (sources, width) padded token ids
    src_len: np.ndarray
    index_key: str = "src_index"       # the batch array holding source indices
    fused: np.ndarray | None = None    # per source: a frozen encoder's vector, fused into the decoder
    conv: np.ndarray | None = None     # per source: its conversation (the dual encoder reads it)
    conv_len: np.ndarray | None = None
    eval_chunk: int = 512

    def inputs(self, idx: np.ndarray, device: torch.device, fused: np.ndarray | None = None) -> dict:
        """The model's inputs for sources `idx`, cut to the widest of them; `fused` (aligned
        with `idx`) replaces the stored vectors."""
        # A batch of empty conversations keeps a width of one (all padding): zero states.
        width = max(int(self.src_len[idx].max()), 1)
        out = {"src": torch.as_tensor(self.src[idx, :width]).to(device),
               "src_len": torch.as_tensor(self.src_len[idx])}
        if self.conv is not None:
            cw = max(int(self.conv_len[idx].max()), 1)
            out |= {"conv": torch.as_tensor(self.conv[idx, :cw]).to(device),
                    "conv_len": torch.as_tensor(self.conv_len[idx])}
        vectors = fused if fused is not None else (None if self.fused is None else self.fused[idx])
        if vectors is not None:
            out["fused"] = torch.as_tensor(vectors).to(device)
        return out

    def loss(self, model, batch) -> torch.Tensor:
        tgt = batch["tgt"]
        width = int((tgt != PAD_ID).sum(1).max())
        inputs = self.inputs(batch[self.index_key].cpu().numpy(), tgt.device)
        return seq2seq_loss(model, {**inputs, "tgt": tgt[:, :width]})

    def evaluate(self, model, arrays: dict[str, np.ndarray]) -> dict[str, float]:
        device = next(model.parameters()).device
        total, tokens, chunk = 0.0, 0, self.eval_chunk
        for s in range(0, len(arrays[self.index_key]), chunk):
            tgt = torch.as_tensor(arrays["tgt"][s:s + chunk]).to(device)
            n = int((tgt[:, 1:] != PAD_ID).sum())  # the loss is a mean over these tokens
            batch = {self.index_key: torch.as_tensor(arrays[self.index_key][s:s + chunk]), "tgt": tgt}
            total += float(self.loss(model, batch)) * n
            tokens += n
        return {"val_loss": total / max(tokens, 1)}


def generate(model, obj: Seq2SeqObjective, idx: np.ndarray, words: list[str], beam: int, max_len: int,
             n_best: int, fused: np.ndarray | None = None, chunk: int = 64,
             by_length: bool = False, length_norm: bool = True) -> list[list[str]]:
    """Each source's n-best hashtags (words joined by spaces), best first, in the order of `idx`,
    by batched beam search on the model's device. `by_length` decodes in order of length, so a
    chunk pads to similar lengths (conversations run from 0 to hundreds of words)."""
    device = next(model.parameters()).device
    order = np.arange(len(idx))
    if by_length:
        lengths = obj.conv_len[idx] if obj.conv is not None else obj.src_len[idx]
        order = np.lexsort((obj.src_len[idx], lengths))
    out: list[list[str]] = [[] for _ in idx]
    for s in range(0, len(order), chunk):
        rows = order[s:s + chunk]
        inp = obj.inputs(idx[rows], device, None if fused is None else fused[rows])
        hyps = beam_search(model, inp["src"], inp["src_len"], beam=beam, max_len=max_len, n_best=n_best,
                           fused=inp.get("fused"), conv=inp.get("conv"), conv_len=inp.get("conv_len"),
                           length_norm=length_norm)
        for r, h in zip(rows.tolist(), hyps, strict=True):
            out[r] = [" ".join(words[i] for i in ids) for ids, _ in h]
    return out
