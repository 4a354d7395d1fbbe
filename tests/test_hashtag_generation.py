"""Hashtag generation (the emoji-hashtag paper's Table 2, Table 3, Figure 5) at smoke scale: the
tables through `run_experiment`, McNemar p-values, the frozen encoders' stage reused, the test
split disjoint from pretraining, and the data module's input rules."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from mlflow.tracking import MlflowClient

from components.data.splits import holdout_mask
from components.emoji_encoder import SPECIALS, DeepMojiTokenizer
from components.generators import Seq2SeqObjective
from components.text import UNK_ID, HashtagSegmenter, TweetTokenizer, Vocabulary, extract_hashtags
from experiments.deepmoji.encoder_stage import PretrainConfig, pretraining_frames
from experiments.emoji_hashtags.generation_data import (
    TEST,
    TEST_FRACTION,
    Example,
    encoder_inputs,
    generation_examples,
    keeps_emoji,
    load_corpus,
    source_ids,
    source_text,
    split_examples,
    training_pairs,
)
from experiments.emoji_hashtags.generation_task import HashtagGenConfig, fit_problem
from orchestration.cli import load_experiment
from orchestration.runner import run_experiment
from orchestration.significance import TOP1_ARTIFACT

ROOT = Path(__file__).resolve().parents[1]
TABLE2, TABLE3, FIGURE5 = (ROOT / f"experiments/emoji_hashtags/{n}.py" for n in ("table2", "table3", "figure5"))
HEADLINE = ROOT / "experiments/table2.py"
ROWS = ["Base (NoEmoji)", "Base (emoji as token)", "Base (Demoji)", "SEQ2SEQ-Word", "SEQ2SEQ-Emoji",
        "TF-IDF neighbours' vote (floor)", "most frequent tags (floor)"]
SEEDS = (0, 1)  # two seeds keep the file short; McNemar is still computed per seed
P_COLUMN = "McNemar p vs SEQ2SEQ-Emoji (median; per seed)"


# ---- input rules (no Ray) ----------------------------------------------------------------------

def test_generator_batches_are_bucketed_by_post_length():
    a = {"src": np.zeros((3, 4), dtype=np.int64), "src_len": np.array([4, 1, 2]),
         "train_tweet": np.array([2, 0, 0]), "train_tgt": np.zeros((3, 3), dtype=np.int64),
         "val_tweet": np.array([1]), "val_tgt": np.zeros((1, 3), dtype=np.int64)}
    obj = Seq2SeqObjective(a["src"], a["src_len"], "tweet", None)
    small = {"embed_dim": 8, "hidden": 8}
    problem, settings = fit_problem(HashtagGenConfig(**small), a, obj, 10, None, seed=0)
    assert settings.bucket_by == "length" and problem.train["length"].tolist() == [2, 4, 4]
    problem, settings = fit_problem(HashtagGenConfig(bucket=False, **small), a, obj, 10, None, seed=0)
    assert settings.bucket_by is None and "length" not in problem.train



def _frame(*texts: str, emoji: str = "😂") -> pd.DataFrame:
    return pd.DataFrame({"text": list(texts), "emoji": [emoji] * len(texts)})


SEGMENTER = HashtagSegmenter()


def test_a_tweet_without_hashtags_is_not_in_the_generation_set():
    examples = generation_examples(_frame("no tags here", "sunny #SundayFunday", "a # alone"), SEGMENTER)
    assert [e.text for e in examples] == ["sunny #SundayFunday"]
    assert examples[0].targets == ["sunday funday"] and examples[0].post == "sunny"


def test_an_empty_post_is_kept_and_reads_unk_or_only_the_emoji():
    (ex,) = generation_examples(_frame("#tbt #love", emoji="😂"), SEGMENTER)
    assert ex.post == "" and ex.targets == ["tbt", "love"]
    assert source_text(ex, "noemoji", True) == ""
    assert source_text(ex, "emoji_token", True) == "😂"
    assert source_text(ex, "demoji", True) == "face with tears of joy"
    vocab = Vocabulary.build([["😂", "face", "with", "tears", "of", "joy"]])
    ids, lengths = source_ids(["", "😂"], vocab, TweetTokenizer(), max_len=5)
    assert lengths.tolist() == [1, 1]
    assert ids[0, 0] == UNK_ID and ids[1, 0] == vocab.id_of("😂")


def test_a_one_character_hashtag_is_a_one_word_target():
    (ex,) = generation_examples(_frame("plan #a and #X"), SEGMENTER)
    assert ex.targets == ["a", "x"] and ex.post == "plan and"
    vocab = Vocabulary.build([["a", "x"]])
    tweets, tgt = training_pairs([ex], np.array([0]), vocab, max_tgt_len=3)
    assert tweets.tolist() == [0, 0]  # a tweet is copied once per gold hashtag for training
    assert tgt[0, :3].tolist() == [2, vocab.id_of("a"), 3] and tgt[1, :3].tolist() == [2, vocab.id_of("x"), 3]


def test_an_emoji_outside_the_encoders_vocabulary_is_unk():
    tok = DeepMojiTokenizer(max_len=5, vocab=[*SPECIALS, "hello", "😂"])
    ids, lengths = encoder_inputs(["hello 🦄 😂"], tok)
    assert lengths.tolist() == [3]
    assert ids[0, :3].tolist() == [tok.vocab.index("hello"), tok.vocab.index("<unk>"), tok.vocab.index("😂")]


def test_split_is_8_1_1_its_test_part_a_hash_of_the_text_and_16_percent_keep_their_emoji():
    texts = [f"tweet number {i} #tag{i}" for i in range(3000)]
    split = split_examples(texts, seed=7)
    assert (split == TEST).tolist() == holdout_mask(texts, 7, TEST_FRACTION).tolist()
    shares = np.bincount(split, minlength=3) / len(texts)
    assert abs(shares[0] - 0.8) < 0.03 and abs(shares[1] - 0.1) < 0.02 and abs(shares[2] - 0.1) < 0.02
    keep = keeps_emoji(texts, 7, 0.16)
    assert abs(keep.mean() - 0.16) < 0.02 and keep.tolist() == keeps_emoji(texts[::-1], 7, 0.16)[::-1].tolist()
    for part in (0, 1, 2):  # independent of the split: about 16% of every part
        assert abs(keep[split == part].mean() - 0.16) < 0.05
    (ex,) = generation_examples(_frame("sunny #beach", emoji="😎"), SEGMENTER)
    assert source_text(ex, "emoji_token") == "sunny"  # a tweet keeps its emoji only when drawn
    assert source_text(Example(**{**ex.__dict__, "has_emoji": True}), "emoji_token") == "sunny 😎"


GLUED = {"sundayfunday": "sunday funday", "losangeles": "los angeles", "newyork": "new york",
         "lasvegas": "las vegas", "sanfrancisco": "san francisco", "sandiego": "san diego",
         "bestfriends": "best friends", "happyhour": "happy hour", "roadtrip": "road trip",
         "santamonica": "santa monica", "longbeach": "long beach", "merrychristmas": "merry christmas",
         "nofilter": "no filter", "throwbackthursday": "throwback thursday",
         # words of their own stay whole
         "summertime": "summertime", "selfie": "selfie", "thanksgiving": "thanksgiving", "tbt": "tbt",
         "nyc": "nyc", "halloween": "halloween", "hollywood": "hollywood"}


def test_the_corpus_segmenter_splits_what_people_glue_and_keeps_real_words():
    from components.data import load_tweeteval_emoji

    texts = pd.concat([load_tweeteval_emoji(s) for s in ("train", "val", "test")])["text"]
    segmenter = HashtagSegmenter.from_corpus(texts)  # as the corpus stage builds it
    assert {tag: " ".join(segmenter.segment(tag)) for tag in GLUED} == GLUED


# ---- the tables at smoke scale -------------------------------------------------------------------

def _encoders(home: Path) -> dict[str, int]:
    root = home / "stages" / "deepmoji_encoder"
    return {p.name: (p / "encoder.pt").stat().st_mtime_ns for p in root.iterdir() if (p / ".complete").is_file()}


def _stage_runs(client: MlflowClient) -> int:
    exp = client.get_experiment_by_name("deepmoji")
    return len(client.search_runs([exp.experiment_id], "tags.`emojitags.kind` = 'stage'")) if exp else 0


@pytest.fixture(scope="module")
def runs(table_workspace):
    root = table_workspace
    uri = f"sqlite:///{root / 'mlflow.db'}"
    client = MlflowClient(uri)
    table2 = run_experiment(load_experiment(str(HEADLINE)), "smoke", run={"seeds": SEEDS})
    encoders, stage_runs = _encoders(root / "home"), _stage_runs(client)
    figure5 = run_experiment(load_experiment(str(FIGURE5)), "smoke", run={"seeds": SEEDS})
    table3 = run_experiment(load_experiment(str(TABLE3)), "smoke")
    # A new cell of a fusion row: its table's prepare asks for the encoder again.
    extra = run_experiment(load_experiment(str(TABLE2)), "smoke", run={"seeds": (2,), "rows": ("SEQ2SEQ-Emoji",)})
    yield {"root": root, "client": client, "table2": table2, "figure5": figure5, "table3": table3,
           "extra": extra, "encoders": encoders, "stage_runs": stage_runs,
           "encoders_after": _encoders(root / "home"), "stage_runs_after": _stage_runs(client)}


def test_table2_has_five_rows_paper_columns_and_metrics_in_range(runs):
    result = runs["table2"]
    print(result.markdown)
    table = result.table.set_index("row")
    assert list(table.index) == ROWS
    assert list(table.columns) == ["seeds", "F1@1 (%)", "F1@1 (%) [paper]", "MAP@5 (%)", "MAP@5 (%) [paper]",
                                   "ROUGE-1 F1 (%)", "ROUGE-1 F1 (%) [paper]", "P@1 (%)", "F1@1 ceiling (%)",
                                   P_COLUMN]
    assert table.loc["SEQ2SEQ-Emoji", "F1@1 (%) [paper]"] == "12.71"
    assert table.loc["Base (NoEmoji)", "ROUGE-1 F1 (%) [paper]"] == "16.13"
    cells = result.cells
    assert len(cells) == len(ROWS) * len(SEEDS) and result.trained == len(cells)
    for key in ("f1_at_1", "map_at_5", "rouge1", "p_at_1", "f1_at_1_popular", "f1_at_1_with_emoji"):
        assert ((cells[key] >= 0) & (cells[key] <= 1)).all(), key
    assert (cells["n_test"] > 50).all() and cells["n_test"].nunique() == 1  # one paired test set
    # one right guess of n golds scores 2/(1+n): F1@1 stays under its ceiling, P@1 above F1@1
    assert (cells["f1_at_1"] <= cells["f1_at_1_ceiling"] + 1e-9).all() and (cells["f1_at_1"] <= cells["p_at_1"] + 1e-9).all()
    assert 0.5 < cells["f1_at_1_ceiling"].iloc[0] < 1 and cells["f1_at_1_ceiling"].nunique() == 1
    floors = cells[cells["row"].str.endswith("(floor)")]
    assert len(floors) == 2 * len(SEEDS) and floors["best_epoch"].isna().all()  # nothing trained
    frequent = floors[floors["row"] == ROWS[-1]]
    assert frequent["f1_at_1"].nunique() == 1  # the same five tags for every tweet, every seed


def test_mcnemar_p_values_per_seed_from_each_cells_top1_outcomes(runs):
    result, client = runs["table2"], runs["client"]
    with open(client.download_artifacts(result.parent_run_id, "significance.csv", str(runs["root"]))) as f:
        sig = pd.read_csv(f)
    assert sorted(sig["row"].unique()) == sorted(r for r in ROWS if r != "SEQ2SEQ-Emoji")
    assert sorted(sig["seed"].unique()) == list(SEEDS)
    assert ((sig["p_value"] >= 0) & (sig["p_value"] <= 1)).all()
    table = result.table.set_index("row")
    assert table.loc["SEQ2SEQ-Emoji", P_COLUMN] == "–"
    shown = table.loc["Base (NoEmoji)", P_COLUMN]  # "median (seed 0, seed 1)"
    assert all(0 <= float(x) <= 1 for x in shown.replace("(", " ").replace(")", " ").replace(",", " ").split())
    run_id = result.cells.iloc[0]["run_id"]
    correct = np.load(client.download_artifacts(run_id, TOP1_ARTIFACT, str(runs["root"])))
    assert correct.dtype == bool and len(correct) == int(result.cells.iloc[0]["n_test"])
    assert correct.mean() == pytest.approx(result.cells.iloc[0]["p_at_1"])


def test_figure5_reuses_table2s_cells_and_draws_its_bars(runs):
    result = runs["figure5"]
    assert result.trained == 0 and result.reused == len(ROWS) * len(SEEDS)
    arts = {a.path for a in runs["client"].list_artifacts(result.parent_run_id)}
    assert {"figure5.png", "table.md", "cells.csv"} <= arts
    cells = result.cells.set_index(["row", "seed"])
    # with / without emoji: the drawn 16% of the test tweets against the rest, the same for every row
    assert cells["n_test_with_emoji"].nunique() == 1
    assert 0.05 < cells["n_test_with_emoji"].iloc[0] / cells["n_test"].iloc[0] < 0.3
    # The buckets partition the test tweets: singletons and 2..T are the rare ones.
    n = cells[["n_test_singleton", "n_test_uncommon", "n_test_popular"]].sum(axis=1)
    assert (n == cells["n_test"]).all() and (cells["n_test_rare"] + cells["n_test_popular"] == cells["n_test"]).all()


def test_table3_counts_popular_and_rare_hashtags(runs):
    result = runs["table3"]
    cell = result.cells.iloc[0]
    assert cell["tweets"] == 1_000 and cell["tweets_popular"] + cell["tweets_rare"] == 1_000
    assert cell["popular_tags"] > 0 and cell["rare_tags"] > cell["popular_tags"] and cell["threshold"] == 2
    lines = result.table.set_index("metric")
    assert lines.loc["# popular tags [paper]"].iloc[0] == "41"


def test_the_encoder_stage_is_built_once_and_then_reused(runs):
    assert len(runs["encoders"]) == 2  # one per target: emojis and words
    assert runs["stage_runs"] == 2
    assert runs["encoders_after"] == runs["encoders"]  # same stages, weights untouched
    assert runs["stage_runs_after"] == 2
    extra = runs["extra"]
    assert extra.trained == 1
    tags = runs["client"].get_run(extra.cells.iloc[0]["run_id"]).data.tags
    assert tags["emojitags.pretrained_encoder_reused"] == "true"


def _corpus(runs) -> Path:
    (stage,) = [p for p in (runs["root"] / "home" / "stages" / "hashtag_corpus").iterdir()
                if (p / ".complete").is_file()]
    return stage


def test_no_tweet_of_any_hashtag_split_reaches_either_encoders_pretraining(runs):
    home = runs["root"] / "home"
    examples, split, _ = load_corpus(_corpus(runs))
    generation_texts = {e.text for e in examples}
    assert set(split.tolist()) == {0, 1, 2}
    configs = [json.loads((stage / "config.json").read_text())["config"]
               for stage in (home / "stages" / "deepmoji_encoder").iterdir()
               if stage.is_dir() and (stage / ".complete").is_file()]
    assert sorted(c["target"] for c in configs) == ["emojis", "words"]
    for config in configs:  # what each encoder read, rebuilt from its own recorded config
        assert config["hashtag_free"] is True
        frames = pretraining_frames(PretrainConfig(**{k: config[k] for k in PretrainConfig.__dataclass_fields__
                                                      if k in config}))
        read = set().union(*(set(f["text"]) for f in frames.values()))
        assert read and not (read & generation_texts)
    # and at full size: every tweet of the generation set carries a hashtag, no pretraining tweet does
    full = pretraining_frames(PretrainConfig(hashtag_free=True))
    assert not any(extract_hashtags(t) for f in full.values() for t in f["text"])


def test_examples_round_trip_through_the_corpus_stage(runs):
    examples, split, counts = load_corpus(_corpus(runs))
    assert len(examples) == 1_000 and all(isinstance(e, Example) and e.tags and e.targets for e in examples)
    assert sum(counts.values()) == sum(len(e.tags) for e in examples)
