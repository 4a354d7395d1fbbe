"""DeepMoji encoder: tokenizer conventions, architecture, padding, chain-thaw, F1 tuning."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from components.emoji_encoder import (
    DEEPMOJI_THRESHOLDS,
    LAYER_GROUPS,
    TRANSFER_MODES,
    DeepMojiEncoder,
    DeepMojiTokenizer,
    EmojiEncoderConfig,
    VocabMismatchError,
    adam_param_groups,
    chain_thaw_schedule,
    class_averaged_f1,
    freeze_all_but,
    tokenize,
    trainable_groups,
    transfer_lr,
    tune_class_thresholds,
    tune_threshold,
    uses_pretrained,
)

TINY = dict(embed_dim=8, hidden=6)


@pytest.fixture(autouse=True)
def one_thread():
    # Tensors this small gain nothing from intra-op threads, and on a shared machine
    # oversubscribed threads turn the full config's orthogonal init into seconds.
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def tiny_model(vocab_size: int = 30, n_classes: int = 3, **kw) -> DeepMojiEncoder:
    torch.manual_seed(0)
    return DeepMojiEncoder(EmojiEncoderConfig(vocab_size, n_classes, **{**TINY, **kw}))


# ---- tokenizer ---------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Sooooo HAPPY!!!!", ["soo", "happy", "!!"]),
    ("@bob look http://t.co/AbC www.x.org", ["<user>", "look", "<url>", "<url>"]),
    ("#Blessed #tbt 2024 3.5", ["#blessed", "#tbt", "<number>", "<number>"]),
    ("lol😂😂 ok", ["lol", "😂", "😂", "ok"]),
    ("I ❤️ you 👍🏽 🇺🇸", ["i", "❤", "you", "👍", "🇺🇸"]),  # no selector, no skin tone
    ("don't stop, red-haired...", ["don't", "stop", ",", "red-haired", ".."]),
    ("great :) :D <3 ?!", ["great", ":)", ":d", "<3", "?", "!"]),
    ("", []),
])
def test_tokenizer_conventions(text, expected):
    assert tokenize(text) == expected


def test_vocab_encode_and_roundtrip():
    texts = ["good good day", "bad day", "good 😂", "rare"]
    tok = DeepMojiTokenizer(max_len=3).build_vocab(texts, min_count=2)
    assert tok.vocab[:2] == ["<pad>", "<unk>"]
    assert tok.vocab[5:] == ["good", "day"]  # by count, then alphabetical
    ids, lengths = tok.encode(["good day 😂 good", "", "rare"])
    assert ids.dtype == np.int64 and ids.shape == (3, 3)
    assert ids.tolist() == [[5, 6, 1], [0, 0, 0], [1, 0, 0]]  # truncated; 😂 and rare unknown
    assert lengths.tolist() == [3, 0, 1]
    again = DeepMojiTokenizer.from_dict(json.loads(json.dumps(tok.to_dict())))
    assert again == tok and again.vocab_hash() == tok.vocab_hash()
    capped = DeepMojiTokenizer(vocab_size=6).build_vocab(texts)
    assert len(capped) == 6 and capped.vocab[-1] == "good"


def test_vocab_hash_mismatch_is_detected():
    tok = DeepMojiTokenizer().build_vocab(["a b c", "a b"])
    other = DeepMojiTokenizer().build_vocab(["a b c", "c c"])  # same tokens, other order
    assert tok.vocab_hash() != other.vocab_hash()
    with pytest.raises(VocabMismatchError):
        other.check_hash(tok.vocab_hash())
    d = tok.to_dict()
    d["vocab"] = d["vocab"][:-1]
    with pytest.raises(VocabMismatchError):
        DeepMojiTokenizer.from_dict(d)
    model = tiny_model(vocab_size=len(tok))
    ckpt = model.checkpoint(tok.vocab_hash())
    restored = DeepMojiEncoder.from_checkpoint(ckpt, tok.vocab_hash())
    assert torch.equal(restored.head.weight, model.head.weight)
    with pytest.raises(VocabMismatchError):
        DeepMojiEncoder.from_checkpoint(ckpt, other.vocab_hash())


# ---- model -------------------------------------------------------------------------

def test_full_config_gives_2304_dims():
    model = DeepMojiEncoder(EmojiEncoderConfig(vocab_size=100, n_classes=64)).eval()
    assert model.representation_dim == 2304
    tokens = torch.randint(1, 100, (2, 5))
    with torch.no_grad():
        rep = model.encode(tokens, torch.tensor([5, 2]))
        logits = model(tokens, torch.tensor([5, 2]))
    assert rep.shape == (2, 2304) and logits.shape == (2, 64)
    assert model.lstm1.hidden_size == 512 and model.lstm2.input_size == 1024


def test_attention_ignores_padding():
    model = tiny_model().eval()
    lengths = torch.tensor([4, 2, 0])
    tokens = torch.tensor([[3, 4, 5, 6, 0, 0], [7, 8, 0, 0, 0, 0], [0] * 6])
    noisy = tokens.clone()
    noisy[0, 4:], noisy[1, 2:], noisy[2, 1:] = 9, 11, 12  # only padded positions change
    with torch.no_grad():
        out, out_noisy = model(tokens, lengths), model(noisy, lengths)
        weights = model.attention_weights(tokens, lengths)
    assert torch.allclose(out, out_noisy, atol=1e-6)
    assert torch.isfinite(out).all()
    assert torch.all(weights[1, 2:] == 0) and torch.allclose(weights.sum(1), torch.ones(3))


def test_tiny_model_learns_a_synthetic_task():
    # The label is whether token 3 occurs: learnable within a few steps.
    rng = np.random.default_rng(0)
    tokens = torch.as_tensor(rng.integers(4, 30, (64, 8)))
    labels = torch.as_tensor(rng.integers(0, 2, 64))
    positive = torch.nonzero(labels == 1).squeeze(1)
    tokens[positive, torch.as_tensor(rng.integers(0, 8, len(positive)))] = 3
    lengths = torch.full((64,), 8)
    model = tiny_model(n_classes=2, embed_dropout=0.0, final_dropout=0.0)
    opt = torch.optim.Adam(model.parameters(), lr=0.02)
    losses = []
    for _ in range(15):
        opt.zero_grad()
        loss = F.cross_entropy(model(tokens, lengths), labels)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]


def test_layer_groups_partition_parameters():
    model = tiny_model()
    groups = model.layer_groups()
    assert tuple(groups) == LAYER_GROUPS
    ids = [id(p) for params in groups.values() for p in params]
    assert len(ids) == len(set(ids))
    assert set(ids) == {id(p) for p in model.parameters()}


def test_replace_head_keeps_encoder():
    model = tiny_model(n_classes=5)
    before = model.lstm2.weight_hh_l0.clone()
    model.replace_head(2)
    assert model.head.out_features == 2 and model.config.n_classes == 2
    assert torch.equal(model.lstm2.weight_hh_l0, before)
    assert model(torch.tensor([[3, 4]]), torch.tensor([2])).shape == (1, 2)


# ---- transfer ----------------------------------------------------------------------

def test_chain_thaw_schedule_and_freezing():
    schedule = chain_thaw_schedule()
    assert schedule == [("head",), ("embedding",), ("lstm1",), ("lstm2",), ("attention",),
                        ("embedding", "lstm1", "lstm2", "attention", "head")]
    model = tiny_model()
    for step, groups in enumerate(schedule):
        assert trainable_groups("chain-thaw", step) == groups
        freeze_all_but(model, groups)
        for name, params in model.layer_groups().items():
            assert all(p.requires_grad == (name in groups) for p in params), (step, name)
    assert trainable_groups("last") == ("head",)
    assert trainable_groups("full") == trainable_groups("new") == LAYER_GROUPS
    assert [uses_pretrained(m) for m in TRANSFER_MODES] == [True, True, False, True]
    with pytest.raises(ValueError):
        trainable_groups("chain-thaw")
    with pytest.raises(ValueError):
        freeze_all_but(model, ["lstm3"])


def test_adam_param_groups_follow_deepmoji_rates():
    model = tiny_model()
    freeze_all_but(model, trainable_groups("chain-thaw", 0))
    assert [(g["name"], g["lr"]) for g in adam_param_groups(model, "chain-thaw", 0)] == [
        ("head", 1e-3)]
    freeze_all_but(model, trainable_groups("full"))
    groups = {g["name"]: g for g in adam_param_groups(model, "full")}
    assert groups["head"]["lr"] == 1e-3 and groups["lstm1"]["lr"] == 1e-4
    assert groups["embedding"]["weight_decay"] == 1e-6
    torch.optim.Adam(list(groups.values()))  # accepted as is


def test_tune_threshold_hand_example():
    scores = np.array([0.9, 0.8, 0.3, 0.2, 0.1])
    y = np.array([1, 0, 1, 0, 0])
    # Predicting the top 1..5 as positive gives F1 2/3, 1/2, 4/5, 2/3, 4/7: best cut is
    # between 0.3 and 0.2.
    assert tune_threshold(scores, y) == pytest.approx(0.25)
    # On DeepMoji's grid (0.01..0.49) the lowest threshold with F1 4/5 is 0.20.
    assert tune_threshold(scores, y, DEEPMOJI_THRESHOLDS) == pytest.approx(0.2)
    assert tune_threshold(scores, np.zeros(5)) == pytest.approx(0.9)  # predict nothing


def test_class_averaged_f1_hand_example():
    scores = np.array([[0.9, 0.1], [0.6, 0.7], [0.2, 0.8], [0.4, 0.3]])
    y = np.array([[1, 0], [0, 1], [0, 1], [1, 0]])
    # class 0 at 0.5: predicts rows 0, 1 -> tp 1, F1 = 2*1 / (2 + 2) = 0.5
    # class 1 at 0.5: predicts rows 1, 2 -> tp 2, F1 = 1
    assert class_averaged_f1(scores, y, [0.5, 0.5]) == pytest.approx(0.75)
    assert class_averaged_f1(scores, y, 0.5) == pytest.approx(0.75)
    assert class_averaged_f1(scores, np.array([0, 1, 1, 0]), 0.5) == pytest.approx(0.75)
    # Tuned per class on the same data: class 0 (sorted labels 1, 0, 1, 0) is best cut
    # below its third score, F1 4/5; class 1 separates perfectly.
    thresholds = tune_class_thresholds(scores, y)
    assert thresholds == pytest.approx([0.3, 0.5])
    assert class_averaged_f1(scores, y, thresholds) == pytest.approx(0.9)
    # Binary task with one score column.
    assert class_averaged_f1(scores[:, 0], y[:, 0], 0.5) == pytest.approx(0.5)


def test_the_engine_trains_full_mode_with_deepmojis_per_layer_rates():
    from components.training.early_stopping import LRSchedule
    from components.training.loop import FitSettings, make_optimizer
    from experiments.deepmoji.transfer_task import deepmoji_param_groups

    model = tiny_model()
    freeze_all_but(model, trainable_groups("full"))
    lr = transfer_lr("full")                      # the step's base rate: the encoder's 1e-4
    s = FitSettings(epochs=1, batch_size=4, lr=lr, patience=1)
    opt = make_optimizer(model, s, deepmoji_param_groups("full", None, lr, model))
    by_param = {id(p): g for g in opt.param_groups for p in g["params"]}
    layers = model.layer_groups()
    assert {round(by_param[id(p)]["lr"], 12) for p in layers["head"]} == {1e-3}
    assert {round(by_param[id(p)]["lr"], 12) for name in ("embedding", "lstm1", "lstm2", "attention")
            for p in layers[name]} == {1e-4}
    assert {by_param[id(p)]["weight_decay"] for p in layers["embedding"]} == {1e-6}
    assert {by_param[id(p)]["weight_decay"] for p in layers["lstm2"]} == {0.0}
    schedule = LRSchedule("plateau", 0.5, 1, None, "min", lr)
    schedule.lr *= 0.5
    schedule.apply(opt)                           # a plateau lowers every layer alike
    assert {round(g["lr"] / g["lr_scale"], 12) for g in opt.param_groups} == {5e-5}
