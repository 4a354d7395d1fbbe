"""Hashtag generators: shapes of every variant, masking, copy, learning, beam search."""

from __future__ import annotations

import pytest
import torch

from benchmarks.beam_reference import beam_search_one
from components.generators import (
    BOS_ID,
    EOS_ID,
    BiAttention,
    BiGRUEncoder,
    Seq2Seq,
    Seq2SeqConfig,
    beam_search,
    concat_padded,
    seq2seq_loss,
)

V = 30
VARIANTS = {
    "plain": {},
    "copy": {"copy": True},
    "fusion": {"fusion_dim": 16},
    "dual": {"conversation": True},
    "dual_post_att_only": {"conversation": True, "attend_conv": False},
    "dual_conv_att_only": {"conversation": True, "attend_post": False},
    "conv_only": {"conversation": True, "use_post": False},
    "post_plus_conv": {"conversation": True, "bi_attention": False},
}


def tiny(**kw) -> Seq2Seq:
    base = {"embed_dim": 8, "hidden": 8, "share_embeddings": True}
    return Seq2Seq(Seq2SeqConfig(V, V, **(base | kw)))


def padded(lengths: list[int], seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    lens = torch.tensor(lengths)
    width = max(max(lengths), 1)
    tokens = torch.randint(4, V, (len(lengths), width), generator=g)
    return tokens * (torch.arange(width) < lens[:, None]), lens


def batch_for(model: Seq2Seq, lengths=(5, 2, 7, 1), conv_lengths=(3, 0, 6, 2)) -> dict:
    src, src_len = padded(list(lengths), 1)
    conv, conv_len = padded(list(conv_lengths), 2)
    tgt = torch.tensor([[BOS_ID, 5, 6, EOS_ID], [BOS_ID, 7, EOS_ID, 0],
                        [BOS_ID, 8, 9, EOS_ID], [BOS_ID, 4, EOS_ID, 0]])
    batch = {"src": src, "src_len": src_len, "tgt": tgt}
    if model.cfg.conversation:
        batch |= {"conv": conv, "conv_len": conv_len}
    if model.cfg.fusion_dim:
        batch["fused"] = torch.randn(len(lengths), model.cfg.fusion_dim,
                                     generator=torch.Generator().manual_seed(3))
    return batch


def inputs(batch: dict) -> dict:
    return {k: batch[k] for k in ("fused", "conv", "conv_len") if k in batch}


@pytest.mark.parametrize("name", list(VARIANTS))
def test_every_variant_gives_log_probs_loss_and_hypotheses(name):
    torch.manual_seed(0)
    model = tiny(**VARIANTS[name])
    batch = batch_for(model)
    logp = model(batch["src"], batch["src_len"], batch["tgt"][:, :-1], **inputs(batch))
    assert logp.shape == (4, 3, V)
    assert torch.allclose(logp.exp().sum(-1), torch.ones(4, 3), atol=1e-5)
    loss = seq2seq_loss(model, batch)
    loss.backward()
    assert loss.ndim == 0 and torch.isfinite(loss)
    assert all(p.grad is None or torch.isfinite(p.grad).all() for p in model.parameters())
    hyps = beam_search(model, batch["src"], batch["src_len"], beam=3, max_len=4, **inputs(batch))
    assert len(hyps) == 4 and all(1 <= len(h) <= 3 for h in hyps)
    assert model.training  # beam search restores the training mode it found


def test_config_rejects_inconsistent_switches():
    with pytest.raises(ValueError, match="copy"):
        Seq2SeqConfig(10, 12, copy=True)
    with pytest.raises(ValueError, match="attend"):
        Seq2SeqConfig(10, 10, conversation=True, attend_post=False, attend_conv=False)
    with pytest.raises(ValueError, match="fused"):
        tiny(fusion_dim=4).eval()(*padded([2], 0), torch.tensor([[BOS_ID]]))


def test_padding_does_not_change_real_positions():
    torch.manual_seed(0)
    enc = BiGRUEncoder(V, 8, 6, layers=2, dropout=0.0).eval()
    src, lens = padded([6, 3, 1], 4)
    batched = enc(src, lens)
    for i, n in enumerate(lens.tolist()):
        alone = enc(src[i:i + 1, :n], lens[i:i + 1])
        assert torch.allclose(batched.outputs[i, :n], alone.outputs[0], atol=1e-6)
        assert torch.allclose(batched.final[i], alone.final[0], atol=1e-6)
        assert not batched.outputs[i, n:].any() and batched.mask[i].sum() == n
    empty = enc(torch.zeros(1, 3, dtype=torch.long), torch.tensor([0]))
    assert not empty.outputs.any() and not empty.final.any() and not empty.mask.any()


def test_whole_model_scores_a_sentence_the_same_alone_or_in_a_batch():
    torch.manual_seed(0)
    model = tiny(conversation=True, copy=True).eval()
    batch = batch_for(model)
    full = model(batch["src"], batch["src_len"], batch["tgt"][:, :-1], **inputs(batch))
    n, c = int(batch["src_len"][2]), int(batch["conv_len"][2])
    alone = model(batch["src"][2:3, :n], batch["src_len"][2:3], batch["tgt"][2:3, :-1],
                  conv=batch["conv"][2:3, :c], conv_len=batch["conv_len"][2:3])
    assert torch.allclose(full[2], alone[0], atol=1e-5)


@torch.no_grad()
def test_copy_distribution_sums_to_one_and_copies_source_words():
    torch.manual_seed(0)
    model = tiny(copy=True).eval()
    src, lens = padded([5, 2], 5)
    memory, state = model.encode(src, lens)
    logp, _, weights = model.decoder.step(torch.full((2,), BOS_ID), state, memory)
    assert torch.allclose(logp.exp().sum(-1), torch.ones(2), atol=1e-5)
    assert torch.allclose(weights.sum(-1), torch.ones(2), atol=1e-6)
    assert not weights[1, 2:].any()  # padding gets no attention, hence nothing to copy
    model.decoder.gen_gate.bias.fill_(-50.0)  # p_gen ~ 0: all probability is copied
    probs = model.decoder.step(torch.full((2,), BOS_ID), state, memory)[0].exp()
    for i, n in enumerate(lens.tolist()):
        source = sorted(set(src[i, :n].tolist()))
        assert probs[i, source].sum().item() == pytest.approx(1.0, abs=1e-5)


def test_bi_attention_handles_an_empty_conversation():
    att = BiAttention(4)
    post, conv = torch.randn(2, 3, 4), torch.randn(2, 5, 4)
    post_mask = torch.ones(2, 3, dtype=torch.bool)
    conv_mask = torch.tensor([[True] * 5, [False] * 5])
    out = att(post, post_mask, conv, conv_mask)
    assert out.post.shape == (2, 3, 4) and out.conv.shape == (2, 5, 4)
    assert torch.isfinite(out.post).all() and not out.post_to_conv[1].any()
    assert torch.allclose(out.post_to_conv[0].sum(-1), torch.ones(3))


def test_concat_padded_moves_padding_to_the_end():
    a, a_len = torch.tensor([[5, 6, 0], [7, 0, 0]]), torch.tensor([2, 1])
    b, b_len = torch.tensor([[8, 0], [9, 10]]), torch.tensor([1, 2])
    joined, joined_len = concat_padded(a, a_len, b, b_len)
    assert joined.tolist() == [[5, 6, 8, 0, 0], [7, 9, 10, 0, 0]]
    assert joined_len.tolist() == [3, 3]


def test_batched_beam_search_equals_one_sentence_at_a_time():
    for kw in ({}, {"conversation": True, "copy": True}):
        torch.manual_seed(0)
        model = tiny(**kw)
        batch = batch_for(model)
        args = (model, batch["src"], batch["src_len"])
        opts = {"beam": 5, "max_len": 4, **inputs(batch)}
        batched, single = beam_search(*args, **opts), beam_search_one(*args, **opts)
        for got, want in zip(batched, single, strict=True):
            assert [h for h, _ in got] == [h for h, _ in want]
            assert [s for _, s in got] == pytest.approx([s for _, s in want], abs=1e-5)
            assert len({tuple(h) for h, _ in got}) == len(got) == 5  # distinct, n-best = beam
            assert [s for _, s in got] == sorted((s for _, s in got), reverse=True)


def test_without_length_norm_hashtags_rank_by_their_summed_log_probability():
    torch.manual_seed(0)
    model = tiny()
    batch = batch_for(model)
    args = (model, batch["src"], batch["src_len"])
    normed = beam_search(*args, beam=6, max_len=4)
    raw = beam_search(*args, beam=6, max_len=4, length_norm=False)
    for a, b in zip(normed, raw, strict=True):
        assert {tuple(h) for h, _ in a} == {tuple(h) for h, _ in b}  # the same finished set ...
        mean = {tuple(h): s for h, s in a}
        for h, s in b:  # ... scored as sums: the mean per emitted token times the tokens
            assert s == pytest.approx(mean[tuple(h)] * (len(h) + 1), abs=1e-5)
        assert [s for _, s in b] == sorted((s for _, s in b), reverse=True)


def test_tiny_model_learns_to_copy_and_beam_search_finds_the_target():
    torch.manual_seed(0)
    src, lens = padded([4, 3, 2, 4, 3, 2, 4, 3, 2, 4, 3, 2], 6)
    tgt = torch.zeros(len(lens), 6, dtype=torch.long)
    for i, n in enumerate(lens.tolist()):
        tgt[i, : n + 2] = torch.tensor([BOS_ID, *src[i, :n].tolist(), EOS_ID])
    model = Seq2Seq(Seq2SeqConfig(V, V, share_embeddings=True, embed_dim=16, hidden=32,
                                  enc_layers=1, dropout=0.0))
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    batch = {"src": src, "src_len": lens, "tgt": tgt}
    for _ in range(150):
        opt.zero_grad()
        loss = seq2seq_loss(model, batch)
        loss.backward()
        opt.step()
    assert loss.item() < 0.02
    best = beam_search(model, src, lens, beam=4, max_len=6, n_best=2)
    for i, n in enumerate(lens.tolist()):
        assert best[i][0][0] == src[i, :n].tolist()
        assert len(best[i]) == 2 and best[i][0][1] > -0.05
