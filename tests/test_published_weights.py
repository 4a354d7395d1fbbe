"""DeepMoji's published weights: torchMoji's key layout, hard-sigmoid gates, its attention order.

The checkpoint is one the test writes itself in torchMoji's layout (random values, tiny sizes);
the reference forward pass is written here from torchMoji's model_def.py, one text at a time.
"""

import dataclasses
from pathlib import Path

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


# ---- where the file comes from: a download lands whole, checked, or not at all

def test_a_download_lands_whole_with_its_sha256_recorded_and_checked_on_every_use(tmp_path):
    from components.emoji_encoder.published import download_weights

    src = tmp_path / "origin.bin"
    torch.save(torchmoji_state(), src)
    dest = tmp_path / "cache" / "pytorch_model.bin"
    assert published_weights_path(download_to=dest, url=src.as_uri(), min_bytes=1) == dest
    assert (tmp_path / "cache" / "pytorch_model.bin.sha256").read_text().strip() == file_sha256(src)
    assert not list((tmp_path / "cache").glob("*.part"))
    assert published_weights_path(download_to=dest, url="http://127.0.0.1:9/never-asked") == dest  # cached
    with open(dest, "ab") as f:
        f.write(b"x")
    with pytest.raises(PublishedWeightsError, match=r"pytorch_model.bin: sha256 [0-9a-f]{64} is not the one recorded"):
        published_weights_path(download_to=dest)
    with pytest.raises(PublishedWeightsError, match=r"the download is \d+ bytes, under the"):
        download_weights(tmp_path / "small" / "w.bin", src.as_uri())  # torchMoji's 80 MB floor
    bad = torchmoji_state()
    del bad["embed.weight"]
    torch.save(bad, tmp_path / "bad.bin")
    with pytest.raises(PublishedWeightsError, match="not torchMoji's key layout: missing key 'embed.weight'"):
        download_weights(tmp_path / "b" / "w.bin", (tmp_path / "bad.bin").as_uri(), min_bytes=1)
    assert not list((tmp_path / "small").iterdir()) and not list((tmp_path / "b").iterdir())


def test_offline_without_the_variable_the_error_names_it(tmp_path, monkeypatch):
    monkeypatch.delenv(WEIGHTS_ENV, raising=False)
    with pytest.raises(PublishedWeightsError, match=f"127.0.0.1:9/w.bin cannot be read .*set {WEIGHTS_ENV}"):
        published_weights_path(download_to=tmp_path / "cache" / "w.bin", url="http://127.0.0.1:9/w.bin")
    assert not list(tmp_path.iterdir())  # not even the folder


def test_a_pinned_sha256_refuses_any_other_file(tmp_path, monkeypatch):
    from components.emoji_encoder.published import SHA256_ENV

    torch.save(torchmoji_state(), tmp_path / "w.bin")
    monkeypatch.setenv(SHA256_ENV, "f" * 64)
    with pytest.raises(PublishedWeightsError, match=r"w.bin: sha256 [0-9a-f]{64} does not match the expected f{64}"):
        load_torchmoji(tmp_path / "w.bin")
    monkeypatch.setenv(SHA256_ENV, file_sha256(tmp_path / "w.bin"))
    assert load_torchmoji(tmp_path / "w.bin").config.gates == "hard_sigmoid"


# ---- the published model as an encoder stage, and who reads it

def _published_file(tmp_path, monkeypatch, seed=0):
    from components.data import deepmoji_vocabulary, deepmoji_wanted_emojis

    path = tmp_path / f"published-{seed}.bin"
    torch.save(torchmoji_state(seed, V=len(deepmoji_vocabulary()), C=len(deepmoji_wanted_emojis())), path)
    monkeypatch.setenv(WEIGHTS_ENV, str(path))
    monkeypatch.setenv("EMOJITAGS_HOME", str(tmp_path / "home"))
    return path


def test_the_published_stage_serves_torchmojis_model_to_every_table(tmp_path, monkeypatch):
    from components.data import deepmoji_vocabulary, deepmoji_wanted_emojis
    from experiments.deepmoji.encoder_stage import (
        PretrainConfig,
        encoder_dir,
        load_pretrained,
        pretrained_encoder,
    )

    path = _published_file(tmp_path, monkeypatch)
    cfg = PretrainConfig(model="published")
    stage = pretrained_encoder(cfg)
    assert stage == encoder_dir(cfg) and (stage / ".complete").is_file()
    enc = load_pretrained(stage)
    assert enc.labels == deepmoji_wanted_emojis() and enc.model.config.gates == "hard_sigmoid"
    vocab = deepmoji_vocabulary()
    ids, lengths = enc.tokenizer.encode(["i love you"])
    assert ids[0][:3].tolist() == [vocab["i"], vocab["love"], vocab["you"]]
    with torch.no_grad():
        ours = enc.model(torch.as_tensor(ids), torch.as_tensor(lengths))[0]
    state = torch.load(path, weights_only=True)
    assert torch.allclose(ours, reference_logits(state, ids[0][:3].tolist()), atol=1e-5)
    assert pretrained_encoder(cfg) == stage  # reused, not rebuilt
    _published_file(tmp_path, monkeypatch, seed=1)
    assert encoder_dir(cfg) != stage  # another file is another stage


def test_at_paper_scale_seq2seq_emoji_reads_the_published_model_and_seq2seq_word_a_trained_one():
    from experiments.emoji_hashtags.generation_task import pretrain_config
    from experiments.emoji_hashtags.scales_generation import SCALES

    for scale, emoji_model in (("cpu", "deepmoji"), ("smoke", "deepmoji"), ("paper", "published")):
        cfg = SCALES[scale]
        assert pretrain_config(dataclasses.replace(cfg, fusion="emojis")).model == emoji_model
        assert pretrain_config(dataclasses.replace(cfg, fusion="words")).model == "deepmoji"


def test_the_transfer_tables_published_row_runs_at_paper_only():
    from experiments.deepmoji.transfer import EXPERIMENT
    from orchestration.spec import SpecError, resolve_cells

    row = "published weights (chain-thaw)"
    assert row not in {c.row for c in resolve_cells(EXPERIMENT, "cpu")}
    paper = [c for c in resolve_cells(EXPERIMENT, "paper") if c.row == row]
    assert len(paper) == 8 * 3 and {c.config.pretrain.model for c in paper} == {"published"}
    with pytest.raises(SpecError, match="runs only at scale paper, not cpu"):
        resolve_cells(EXPERIMENT, "cpu", run={"rows": [row]})


def test_the_headline_at_paper_offline_stops_in_one_line_naming_the_variable(tmp_path, monkeypatch, capsys):
    from components.emoji_encoder import published
    from orchestration.cli import main

    monkeypatch.delenv(WEIGHTS_ENV, raising=False)
    monkeypatch.setenv("EMOJITAGS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    monkeypatch.setattr(published, "DOWNLOAD_URL", "http://127.0.0.1:9/pytorch_model.bin")
    table2 = str(Path(__file__).resolve().parents[1] / "experiments/emoji_hashtags/table2.py")
    assert main(["run", table2, "--scale", "paper", "rows=SEQ2SEQ-Emoji", "seeds=0"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and WEIGHTS_ENV in err and "\n" not in err
    assert not (tmp_path / "mlflow.db").exists() and not (tmp_path / "home" / "cells").exists()
