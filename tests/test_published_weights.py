"""DeepMoji's published weights: torchMoji's key layout, hard-sigmoid gates, its attention order.

The checkpoint is one the test writes itself in torchMoji's layout (random values, tiny sizes);
the reference forward pass is written here from torchMoji's model_def.py, one text at a time.
"""

import pytest
import torch

from components.data.files import file_sha256
from components.emoji_encoder.published import (
    KEY_MAP,
    WEIGHTS_ENV,
    PublishedWeightsError,
    load_torchmoji,
    published_weights_path,
)

V, E, H, C = 12, 4, 3, 5


def torchmoji_state(seed=0, V=V, C=C) -> dict:
    g = torch.Generator().manual_seed(seed)
    shapes = {"embed.weight": (V, E), "attention_layer.attention_vector": (4 * H + E,),
              "output_layer.0.weight": (C, 4 * H + E), "output_layer.0.bias": (C,)}
    for layer, width in (("lstm_0", E), ("lstm_1", 2 * H)):
        for suffix in ("l0", "l0_reverse"):
            shapes |= {f"{layer}.weight_ih_{suffix}": (4 * H, width), f"{layer}.weight_hh_{suffix}": (4 * H, H),
                       f"{layer}.bias_ih_{suffix}": (4 * H,), f"{layer}.bias_hh_{suffix}": (4 * H,)}
    return {k: torch.randn(*s, generator=g) for k, s in shapes.items()}


def reference_logits(state: dict, tokens: list[int]) -> torch.Tensor:
    """torchMoji's forward for one unpadded text, step by step."""
    hs = lambda x: torch.clamp(0.2 * x + 0.5, 0, 1)  # noqa: E731 - Keras's hard sigmoid

    def lstm(layer, suffix, xs):
        h, c, out = torch.zeros(H), torch.zeros(H), []
        w = {k: state[f"{layer}.{k}_{suffix}"] for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}
        for x in xs:
            z = w["weight_ih"] @ x + w["bias_ih"] + w["weight_hh"] @ h + w["bias_hh"]
            i, f, g, o = z[:H], z[H:2 * H], z[2 * H:3 * H], z[3 * H:]
            c = hs(f) * c + hs(i) * torch.tanh(g)
            h = hs(o) * torch.tanh(c)
            out.append(h)
        return out

    def bilstm(layer, xs):
        fwd, bwd = lstm(layer, "l0", xs), lstm(layer, "l0_reverse", xs[::-1])[::-1]
        return [torch.cat([a, b]) for a, b in zip(fwd, bwd, strict=True)]

    emb = [torch.tanh(state["embed.weight"][t]) for t in tokens]
    l0 = bilstm("lstm_0", emb)
    l1 = bilstm("lstm_1", l0)
    steps = torch.stack([torch.cat([a, b, e]) for a, b, e in zip(l1, l0, emb, strict=True)])  # torchMoji's order
    weights = torch.softmax(steps @ state["attention_layer.attention_vector"], dim=0)
    pooled = (weights[:, None] * steps).sum(0)
    return state["output_layer.0.weight"] @ pooled + state["output_layer.0.bias"]


def test_a_torchmoji_checkpoint_loads_and_computes_torchmojis_forward(tmp_path):
    state = torchmoji_state()
    path = tmp_path / "pytorch_model.bin"
    torch.save(state, path)
    model = load_torchmoji(path, sha256=file_sha256(path))
    assert model.config.gates == "hard_sigmoid" and (model.config.embed_dim, model.config.hidden) == (E, H)
    texts = [[3, 5, 7, 2], [2, 9], [11]]
    tokens = torch.zeros(3, 4, dtype=torch.long)
    for row, text in enumerate(texts):
        tokens[row, :len(text)] = torch.tensor(text)
    with torch.no_grad():
        logits = model(tokens, torch.tensor([len(t) for t in texts]))
    for row, text in enumerate(texts):
        torch.testing.assert_close(logits[row], reference_logits(state, text), rtol=1e-5, atol=1e-5)


def test_sigmoid_gates_would_compute_something_else(tmp_path):
    state = torchmoji_state(1)
    torch.save(state, tmp_path / "w.bin")
    model = load_torchmoji(tmp_path / "w.bin")
    plain = type(model)(type(model.config)(V, C, E, H))  # nn.LSTM, sigmoid gates, same weights
    plain.load_state_dict(model.state_dict())
    tokens, lengths = torch.tensor([[3, 5, 7]]), torch.tensor([3])
    with torch.no_grad():
        assert not torch.allclose(plain.eval()(tokens, lengths), model(tokens, lengths), atol=1e-3)


def test_a_wrong_file_is_refused_in_one_line_naming_it(tmp_path, monkeypatch):
    state = torchmoji_state()
    good = tmp_path / "pytorch_model.bin"
    torch.save(state, good)
    with pytest.raises(PublishedWeightsError, match=r"pytorch_model.bin: sha256 [0-9a-f]{64} does not match"):
        load_torchmoji(good, sha256="0" * 64)
    del state["lstm_1.bias_hh_l0"]
    state["lstm_2.weight"] = torch.zeros(1)
    torch.save(state, tmp_path / "other.bin")
    with pytest.raises(PublishedWeightsError, match=r"other.bin: not torchMoji's key layout: missing key 'lstm_1.bias_hh_l0'"):
        load_torchmoji(tmp_path / "other.bin")
    monkeypatch.delenv(WEIGHTS_ENV, raising=False)
    with pytest.raises(PublishedWeightsError, match=WEIGHTS_ENV):
        published_weights_path()
    with pytest.raises(PublishedWeightsError, match="nowhere.bin: no such weights file"):
        published_weights_path(tmp_path / "nowhere.bin")
    monkeypatch.setenv(WEIGHTS_ENV, str(good))
    assert published_weights_path() == good
    assert len(KEY_MAP) == 20  # embed, 2 BiLSTMs x 8, attention, softmax weight and bias


def test_torchmojis_vocabulary_keeps_its_ids_in_our_tokenizer():
    from components.emoji_encoder.published import torchmoji_tokenizer

    vocab = {"CUSTOM_MASK": 0, "CUSTOM_UNKNOWN": 1, "CUSTOM_AT": 2, "CUSTOM_URL": 3, "CUSTOM_NUMBER": 4,
             "CUSTOM_BREAK": 5, "the": 6, "love": 7, "\U0001f602": 8}
    tok = torchmoji_tokenizer(vocab)
    assert tok.ids("The love \U0001f602 zebra @bob 42") == [6, 7, 8, 1, 2, 4]
    with pytest.raises(PublishedWeightsError, match="without gaps"):
        torchmoji_tokenizer({**vocab, "gap": 10})


def test_top_emojis_prints_each_texts_top_k_from_the_published_weights(tmp_path, capsys):
    from components.data import deepmoji_vocabulary, deepmoji_wanted_emojis
    from experiments.deepmoji import top_emojis

    vocab, emojis = deepmoji_vocabulary(), deepmoji_wanted_emojis()  # the real files, random weights
    torch.save(torchmoji_state(V=len(vocab), C=len(emojis)), tmp_path / "w.bin")
    top_emojis.main(["--weights", str(tmp_path / "w.bin"), "-k", "3", "i love you", "i hate rain"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "i love you" and lines[2] == "i hate rain"
    model = load_torchmoji(tmp_path / "w.bin")
    with torch.no_grad():
        ids = torch.tensor([[vocab["i"], vocab["love"], vocab["you"]]])
        probs = torch.softmax(model(ids, torch.tensor([3])), -1)[0]
    best = probs.argsort(descending=True)[:3].tolist()
    assert lines[1].split() == [x for i in best for x in (emojis[i], f"{float(probs[i]):.1%}")]


def test_top_emojis_without_a_cached_encoder_says_how_to_build_one(tmp_path, monkeypatch):
    from experiments.deepmoji import top_emojis

    monkeypatch.setenv("EMOJITAGS_HOME", str(tmp_path))
    with pytest.raises(SystemExit, match=r"no cached smoke encoder at .*pretrain.py --scale smoke"):
        top_emojis.main(["--scale", "smoke", "hello"])
