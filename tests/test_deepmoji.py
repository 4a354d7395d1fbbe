"""DeepMoji pretraining and transfer end to end at smoke scale: tables, the cached encoder stage,
a Ray Train worker killed mid-epoch, corrupted data and a mismatched vocabulary."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from mlflow.tracking import MlflowClient

from components.data import BENCHMARKS, DataError
from components.data.splits import holdout_mask
from components.emoji_encoder import DeepMojiTokenizer, VocabMismatchError
from components.text.frequency_matched import frequency_matched_words, word_examples
from experiments.deepmoji.encoder_stage import PretrainConfig, load_pretrained, pretraining_data
from orchestration.claims import evaluate
from orchestration.cli import load_experiment
from orchestration.runner import run_experiment

ROOT = Path(__file__).resolve().parents[1]
PRETRAIN, TRANSFER = ROOT / "experiments/deepmoji/pretrain.py", ROOT / "experiments/deepmoji/transfer.py"
EMOJI_ROW = "BiLSTM+attention (DeepMoji)"
MODES = ["last", "full", "new", "chain-thaw", "no pretraining"]


def _encoders(home: Path) -> dict[str, int]:
    """Finished encoder stages -> mtime of their weights."""
    root = home / "stages" / "deepmoji_encoder"
    return {p.name: (p / "encoder.pt").stat().st_mtime_ns for p in root.iterdir()
            if (p / ".complete").is_file()}


@pytest.fixture(scope="module")
def runs(table_workspace):
    root = table_workspace
    pretrain = run_experiment(load_experiment(str(PRETRAIN)), "smoke")
    before = _encoders(root / "home")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        transfer = run_experiment(load_experiment(str(TRANSFER)), "smoke", run={"seeds": (0,)})
    yield {"root": root, "pretrain": pretrain, "transfer": transfer, "before": before,
           "after": _encoders(root / "home"), "log": out.getvalue()}


def test_pretrain_table_has_our_rows_and_tweeteval_baselines(runs):
    result = runs["pretrain"]
    table = result.table.set_index("row")
    assert list(table.index) == [r.name for r in result.experiment.rows]
    assert list(table.columns) == ["seeds", "Macro-F1 (%)", "Macro-F1 (%) [paper]", "Top-1 (%)", "Top-5 (%)"]
    assert list(table["Macro-F1 (%) [paper]"]) == ["–", "29.3", "24.7", "25.8", "30.9", "33.4", "–", "–", "–"]
    cells = result.cells.set_index("row")
    trained = cells.loc[[EMOJI_ROW, "SVM, TF-IDF 1-2 grams", "BiLSTM+attention, 20 words"]]
    assert ((0 <= trained["top1"]) & (trained["top1"] <= trained["top5"]) & (trained["top5"] <= 1)).all()
    assert ((0 <= trained["macro_f1"]) & (trained["macro_f1"] <= 1)).all()
    assert cells.loc["LSTM (published)", "top1"] != cells.loc["LSTM (published)", "top1"]  # NaN: not run
    assert cells.loc[EMOJI_ROW, "n_test"] == 400
    for floor, row in (("most frequent emoji (floor)", EMOJI_ROW), ("most frequent word (floor)",
                                                                   "BiLSTM+attention, 20 words")):
        # the same test tweets as its trained row; one label for all: macro-F1 at most 2/(1+20)
        assert cells.loc[floor, "n_test"] == cells.loc[row, "n_test"]
        assert 0 < cells.loc[floor, "top1"] <= cells.loc[floor, "top5"] <= 1
        assert cells.loc[floor, "macro_f1"] <= 2 / 21


def test_pretraining_cell_logs_its_curve_and_the_encoder_stage(runs):
    client = MlflowClient(f"sqlite:///{runs['root'] / 'mlflow.db'}")
    run_id = runs["pretrain"].cells.set_index("row").loc[EMOJI_ROW, "run_id"]
    assert len(client.get_metric_history(run_id, "val_loss")) == 2  # smoke: 2 epochs
    assert {a.path for a in client.list_artifacts(run_id, "pretrained_encoder")} == {
        "pretrained_encoder/encoder.pt", "pretrained_encoder/tokenizer.json", "pretrained_encoder/config.json"}
    key = client.get_run(run_id).data.tags["emojitags.pretrained_encoder"]
    enc = load_pretrained(runs["root"] / "home" / "stages" / "deepmoji_encoder" / key)
    assert len(enc.labels) == 20 and enc.model.config.n_classes == 20
    assert enc.info["built_by_run"] == run_id
    words = [s for s in runs["before"] if s != key]
    assert len(words) == 1  # the word-target encoder
    labels = load_pretrained(runs["root"] / "home" / "stages" / "deepmoji_encoder" / words[0]).labels
    assert len(set(labels)) == 20 and all(w.isalpha() for w in labels)


def test_transfer_table_has_benchmarks_down_and_modes_across(runs):
    result = runs["transfer"]
    table = result.table
    assert list(table.columns) == ["benchmark", "metric", *MODES, "chance floor"]
    assert list(dict.fromkeys(table["benchmark"])) == list(BENCHMARKS)
    ours = table[table["metric"] == "acc. / F1 (%)"]
    paper = table[table["metric"] == "acc. / F1 (%) [paper]"].set_index("benchmark")
    assert len(ours) == 8 and len(paper) == 8
    assert paper.loc["SS-Twitter", "chain-thaw"] == "88.0" and paper.loc["SE0714", "chain-thaw"] == "37.0"
    assert paper.loc["kaggle-insults", "last"] == "79.6" and paper.loc["SS-Twitter", "last"] == "–"
    cells = result.cells
    assert len(cells) == 48 and set(cells["row"]) == {*MODES, "chance floor"}
    trained, floor = cells[cells["row"] != "chance floor"], cells[cells["row"] == "chance floor"]
    assert trained["score"].between(0, 1).all() and trained["f1"].between(0, 1).all()
    one_model = trained["benchmark"].isin(["SS-Twitter", "SS-Youtube", "SCv1", "SCv2-GEN", "kaggle-insults"])
    assert trained.loc[one_model, "accuracy"].between(0, 1).all()
    assert trained.loc[~one_model, "accuracy"].isna().all()  # one binary model per class: F1 only
    assert dict(zip(trained["benchmark"], trained["n_models"], strict=True)) == {
        "SS-Twitter": 1, "SS-Youtube": 1, "SE0714": 3, "Olympic": 4, "PsychExp": 7, "SCv1": 1, "SCv2-GEN": 1,
        "kaggle-insults": 1}
    # every cell logs its benchmark's floor, the value the floor column shows
    floors = dict(zip(floor["benchmark"], floor["score"], strict=True))
    assert (trained["floor_score"] == trained["benchmark"].map(floors)).all()
    assert 0 < min(floors.values()) and max(floors.values()) < 1
    verdicts = evaluate(result.experiment, cells)
    # per benchmark: every mode against its floor, and each pretrained mode against no pretraining
    assert len({v.claim for v in verdicts if v.worse == "floor_score"}) == 8
    for mode in ("last", "full", "chain-thaw"):
        assert sum(v.better == mode and v.worse == "no pretraining" for v in verdicts) == 8 + 1  # + pooled


def test_transfer_reuses_the_cached_encoder_without_training_it(runs):
    assert runs["after"] == runs["before"]  # no new stage, weights untouched
    client = MlflowClient(f"sqlite:///{runs['root'] / 'mlflow.db'}")
    cells = runs["transfer"].cells
    chain = client.get_run(cells[cells["row"] == "chain-thaw"]["run_id"].iloc[0])
    key = chain.data.tags["emojitags.pretrained_encoder"]
    assert key in runs["before"] and chain.data.tags["emojitags.pretrained_encoder_reused"] == "true"
    assert f"reusing pretrained encoder {key}" in runs["log"]
    # chain-thaw logged one validation curve per step, not six curves on top of each other
    assert {f"step{i}.val_loss" for i in range(6)} <= set(chain.data.metrics)


@pytest.mark.slow
def test_a_ray_train_worker_killed_mid_epoch_resumes_from_the_last_checkpoint(workspace, ray_session, monkeypatch):
    marker = workspace / "killed"
    # The driver hands this to every Ray Train worker (rank 1 SIGKILLs itself in epoch 1).
    monkeypatch.setenv("EMOJITAGS_FAULT_KILL_WORKER", f"1:1:{marker}")
    result = run_experiment(load_experiment(str(PRETRAIN)), "smoke", {"workers": 2, "epochs": 3, "patience": 3},
                            {"rows": (EMOJI_ROW,), "seeds": (0,)})
    assert result.trained == 1
    assert marker.read_text() == "killed"  # rank 1 really died in epoch 1
    client = MlflowClient()
    run = client.get_run(result.cells["run_id"].iloc[0])
    assert run.info.status == "FINISHED" and run.data.params["workers"] == "2"
    assert run.data.tags["emojitags.resumed_from_epoch"] == "0"
    steps = sorted(m.step for m in client.get_metric_history(run.info.run_id, "val_loss"))
    assert steps == [0, 1, 2]  # one value per epoch: the curve went on, nothing restarted at 0
    assert 0 <= run.data.metrics["top1"] <= run.data.metrics["top5"] <= 1


@pytest.mark.parametrize("path, corrupted", [
    (PRETRAIN, "tweeteval_emoji/train_labels.txt"),
    (TRANSFER, "deepmoji_benchmarks/SE0714/raw.pickle"),
])
def test_a_corrupted_data_file_stops_before_any_training(path, corrupted, workspace, monkeypatch):
    data = workspace / "data"
    for name in ("tweeteval_emoji", "deepmoji_benchmarks"):
        shutil.copytree(Path(os.environ["EMOJITAGS_DATA_DIR"]) / name, data / name)
    target = data / corrupted
    target.chmod(0o644)
    blob = bytearray(target.read_bytes())
    blob[len(blob) // 2] ^= 0x01  # one flipped bit
    target.write_bytes(bytes(blob))
    monkeypatch.setenv("EMOJITAGS_DATA_DIR", str(data))
    with pytest.raises(DataError, match=f"{corrupted}.*sha256"):
        run_experiment(load_experiment(str(path)), "smoke", run={"seeds": (0,)})
    assert not (workspace / "home" / "cells").exists() and not (workspace / "home" / "stages").exists()
    assert MlflowClient().get_experiment_by_name("deepmoji") is None  # nothing was tracked


def test_a_vocabulary_that_does_not_match_the_weights_fails_before_training(runs, workspace):
    stages = runs["root"] / "home" / "stages"
    shutil.copytree(stages, workspace / "home" / "stages")
    key = next(iter(runs["after"]))
    stage = workspace / "home" / "stages" / "deepmoji_encoder" / key
    enc = load_pretrained(stage)
    vocab = list(enc.tokenizer.vocab)
    vocab[-1], vocab[-2] = vocab[-2], vocab[-1]  # same words, two ids swapped
    other = DeepMojiTokenizer(enc.tokenizer.max_len, enc.tokenizer.vocab_size, vocab)
    with pytest.raises(VocabMismatchError, match="vocabulary"):
        load_pretrained(stage, other)
    for k in runs["after"]:  # every stage of the copy now disagrees with its weights
        path = workspace / "home" / "stages" / "deepmoji_encoder" / k / "tokenizer.json"
        tok = DeepMojiTokenizer.from_dict(json.loads(path.read_text()))
        tok.vocab[-1], tok.vocab[-2] = tok.vocab[-2], tok.vocab[-1]
        path.write_text(json.dumps(DeepMojiTokenizer(tok.max_len, tok.vocab_size, tok.vocab).to_dict()))
    with pytest.raises(VocabMismatchError, match="delete it to rebuild"):
        run_experiment(load_experiment(str(TRANSFER)), "smoke", run={"seeds": (0,), "rows": ("chain-thaw",)})
    assert not (workspace / "home" / "cells").exists()


def test_frequency_matched_words_and_word_examples():
    docs = [["i", "love", "cats"]] * 9 + [["the", "dogs", "love", "amp"]] * 5 + [["cats", "dogs"]] * 2
    # love: 14 tweets, cats: 11, dogs: 7; "i", "the" are stopwords, "amp" is HTML debris
    assert frequency_matched_words(docs, [12, 6]) == ["cats", "dogs"]
    out, labels = word_examples(docs, ["cats", "dogs"])
    assert len(out) == 14 and out[0] == ["i", "love"] and labels[0] == 0  # "cats dogs" tweets dropped
    assert labels[-1] == 1 and out[-1] == ["the", "love", "amp"]
    # "angeles" only ever follows "los": picking both would leave "angeles" no tweet of its own
    places = [["los", "angeles"]] * 6 + [["los"]] * 2 + [["beach"]] * 4
    assert frequency_matched_words(places, [8, 6]) == ["los", "beach"]


def test_holdout_keeps_tweets_out_of_pretraining_but_not_out_of_the_test_split(workspace):
    texts = [f"tweet {i}" for i in range(2000)]
    mask = holdout_mask(texts, seed=0, fraction=0.25)
    assert 0.2 < mask.mean() < 0.3 and (holdout_mask(texts, 0, 0.25) == mask).all()
    assert (holdout_mask(texts[::-1], 0, 0.25) == mask[::-1]).all()  # by text, not position
    assert not (holdout_mask(texts, 1, 0.25) == mask).all()
    cfg = PretrainConfig(max_train=50, max_val=20, max_test=30, holdout_fraction=1.0)
    meta = json.loads((pretraining_data(cfg) / "meta.json").read_text())
    assert meta["sizes"] == {"train": 0, "val": 0, "test": 30}
    assert np.sum(meta["label_counts"]) == 0


def test_an_encoder_built_outside_a_cell_gets_its_own_mlflow_run_and_is_then_reused(workspace, capsys):
    from experiments.deepmoji.encoder_stage import pretrained_encoder
    from experiments.deepmoji.scales import PRETRAIN_SCALES

    cfg = dataclasses.replace(PRETRAIN_SCALES["smoke"], max_train=100, max_val=30, epochs=1)
    path = pretrained_encoder(cfg)
    assert f"built pretrained encoder {path.name}" in capsys.readouterr().out
    client = MlflowClient()
    (run,) = client.search_runs([client.get_experiment_by_name("deepmoji").experiment_id],
                                filter_string="tags.`emojitags.kind` = 'stage'")
    assert run.info.status == "FINISHED" and len(client.get_metric_history(run.info.run_id, "val_loss")) == 1
    assert "pretrained_encoder/encoder.pt" in {a.path for a in client.list_artifacts(run.info.run_id, "pretrained_encoder")}
    assert not (path.parent / f".work-{path.name}").exists()  # build checkpoints cleaned up
    mtime = (path / "encoder.pt").stat().st_mtime_ns
    # execution settings are not part of the key: the same encoder whatever runs it
    assert pretrained_encoder(dataclasses.replace(cfg, workers=2, threads=2)) == path
    assert (path / "encoder.pt").stat().st_mtime_ns == mtime
    assert len(client.search_runs([run.info.experiment_id])) == 1
    assert load_pretrained(path).info["built_by_run"] == run.info.run_id
    # registered: version 1 of the encoder kind's model, its source the stage run, named in its tags
    (version,) = client.search_model_versions("name = 'deepmoji-encoder-emojis'")
    assert version.run_id == run.info.run_id and version.tags["stage_key"] == path.name
    assert client.get_run(run.info.run_id).data.tags["emojitags.model.deepmoji-encoder-emojis"] == "1"
    assert [d.dataset.name for d in client.get_run(run.info.run_id).inputs.dataset_inputs] == ["tweeteval_emoji"]
