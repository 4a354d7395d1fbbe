"""Hashtags from conversations (the conversation paper's Tables 2-6): input rules, the baselines,
the table's scoring by hand, and every table at smoke scale through `run_experiment` (one Ray
session, one MLflow store: Tables 5 and 6 must find Table 4's cells)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from mlflow.tracking import MlflowClient

from components.data import DataError
from components.data.weibo import parse_weibo_split
from components.generators import generate
from components.hashtag_baselines import (
    BIO_B,
    BIO_I,
    BIO_O,
    LdaWordRanker,
    MemoryTagger,
    TfidfNeighbourVote,
    TfidfNgramRanker,
    best_span,
    bio_labels,
    frequency_weighted_rankings,
    random_rankings,
)
from components.text import Vocabulary
from experiments.conversation_hashtags.data import Post, tag_coverage, tag_pairs
from experiments.conversation_hashtags.generators import fit_problem, model_config, objective
from experiments.conversation_hashtags.stats_task import presence
from experiments.conversation_hashtags.task import ConvHashtagConfig, check, score
from orchestration.cli import load_experiment
from orchestration.runner import run_experiment
from orchestration.spec import SpecError

ROOT = Path(__file__).resolve().parents[1]
TABLES = {n: ROOT / f"experiments/conversation_hashtags/{n}.py" for n in ("table2", "table3", "table4", "table5",
                                                                          "table6")}
GENERATOR_ROWS = ("SEQ2SEQ", "SEQ2SEQ-COPY", "OUR MODEL")
TABLE6_ROWS = ("SEQ2SEQ", "SEQ2SEQ (post+conv)", "OUR MODEL")


# ---- bad input (no Ray) --------------------------------------------------------------------------

def _split_files(tmp_path: Path, posts: str, convs: str, tags: str) -> list[Path]:
    paths = []
    for kind, text in (("post", posts), ("conv", convs), ("tag", tags)):
        paths.append(tmp_path / f"valid_{kind}.txt")
        paths[-1].write_text(text, encoding="utf-8")
    return paths


def test_an_empty_conversation_and_empty_tag_items_parse(tmp_path):
    posts = parse_weibo_split(*_split_files(tmp_path, "甲 乙\n丙 丁\n", "\n回复 一\n", "标签 一;;标签 二;\n丙\n"))
    assert posts[0].conversation == [] and posts[1].conversation == ["回复", "一"]
    assert posts[0].hashtags == ["标签 一", "标签 二"] and posts[1].hashtags == ["丙"]


def test_misaligned_files_name_every_file_and_its_count(tmp_path):
    with pytest.raises(DataError) as err:
        parse_weibo_split(*_split_files(tmp_path, "a\nb\nc\n", "x\ny\n", "t\nt\nt\n"))
    message = str(err.value)
    assert "\n" not in message
    for part in ("valid_post.txt has 3", "valid_conv.txt 2", "valid_tag.txt 3"):
        assert part in message


def test_a_tag_line_without_any_hashtag_is_a_clear_error(tmp_path):
    with pytest.raises(DataError, match=r"valid_tag\.txt line 2: no hashtag"):
        parse_weibo_split(*_split_files(tmp_path, "a\nb\n", "x\ny\n", "t\n ; ;\n"))


def test_bad_configs_fail_before_anything_runs():
    with pytest.raises(SpecError, match="model"):
        check(ConvHashtagConfig(model="bert"))
    with pytest.raises(SpecError, match="holdout_fraction"):
        check(ConvHashtagConfig(holdout_fraction=1.0))


# ---- every generator on posts without replies ----------------------------------------------------

VARIANTS = [{"model": "seq2seq", "input": i} for i in ("post", "conv", "post_conv")] + \
           [{"model": "dual", "attend": a, "copy": c} for a in ("both", "post", "conv") for c in (False, True)]


@pytest.mark.parametrize("switches", VARIANTS, ids=lambda s: "-".join(map(str, s.values())))
def test_every_generator_trains_and_decodes_posts_whose_conversations_are_all_empty(switches):
    posts = [Post(["今天", "天气", "好"], [], ["天气"]), Post(["好"], [], ["好 天气", "今天"])]
    vocab = Vocabulary.build([p.post for p in posts])
    post = np.array([vocab.encode(p.post) + [0] * (3 - len(p.post)) for p in posts])
    conv = np.zeros((2, 4), dtype=np.int64)  # no replies at all: every length is 0
    owners, tgt = tag_pairs(posts, np.arange(2), vocab, max_tag_len=3)
    assert owners.tolist() == [0, 1, 1]  # one training pair per gold hashtag
    cfg = ConvHashtagConfig(embed_dim=8, hidden=8, beam=2, **switches)
    torch.manual_seed(0)
    from components.generators import Seq2Seq

    model = Seq2Seq(model_config(cfg, len(vocab)))
    obj = objective({"post": post, "post_len": np.array([3, 1]), "conv": conv, "conv_len": np.zeros(2, dtype=np.int64)},
                    model.cfg.conversation)
    if model.cfg.conversation:
        assert obj.inputs(np.arange(2), torch.device("cpu"))["conv"].shape == (2, 1)  # width one, all padding
    loss = obj.loss(model, {"post": torch.as_tensor(owners), "tgt": torch.as_tensor(tgt)})
    loss.backward()
    assert torch.isfinite(loss) and all(p.grad is None or torch.isfinite(p.grad).all() for p in model.parameters())
    preds = generate(model, obj, np.array([1, 0]), vocab.tokens, beam=2, max_len=3, n_best=2, by_length=True)
    assert len(preds) == 2 and all(1 <= len(p) <= 2 and all(p) for p in preds)


@pytest.mark.parametrize("switches, expected", [({"model": "seq2seq", "input": "post"}, [3, 1, 1]),
                                                ({"model": "seq2seq", "input": "conv"}, [4, 0, 0]),
                                                ({"model": "dual"}, [7, 1, 1])])
def test_generator_batches_are_bucketed_by_what_the_encoders_read(switches, expected):
    arrays = {"post": np.zeros((2, 3), dtype=np.int64), "post_len": np.array([3, 1]),
              "conv": np.zeros((2, 4), dtype=np.int64), "conv_len": np.array([4, 0]),
              "train_post": np.array([0, 1, 1]), "train_tgt": np.zeros((3, 4), dtype=np.int64),
              "holdout_post": np.array([0]), "holdout_tgt": np.zeros((1, 4), dtype=np.int64)}
    problem, settings = fit_problem(ConvHashtagConfig(embed_dim=8, hidden=8, **switches), arrays, 10, seed=0)
    assert settings.bucket_by == "length" and problem.train["length"].tolist() == expected
    problem, settings = fit_problem(ConvHashtagConfig(bucket=False, **switches), arrays, 10, seed=0)
    assert settings.bucket_by is None and "length" not in problem.train


def test_the_extractor_reads_an_empty_conversation_as_a_zero_memory():
    torch.manual_seed(0)
    tagger = MemoryTagger(10, embed_dim=4, hidden=4, dropout=0.0).eval()
    post, lens = torch.tensor([[4, 5, 6]]), torch.tensor([3])
    empty = tagger(post, lens, torch.zeros(1, 1, dtype=torch.long), torch.tensor([0]))
    other = tagger(post, lens, torch.zeros(1, 5, dtype=torch.long), torch.tensor([0]))
    assert empty.shape == (1, 3, 3) and torch.allclose(empty, other)


# ---- the table's scoring, by hand ----------------------------------------------------------------

def test_table_scores_chinese_hashtags_by_characters_as_computed_by_hand():
    preds = [["北京 欢迎 你", "北京"], [], ["愚人节快乐"]]
    golds = [["北京", "欢迎 你"], ["测试"], ["愚人节 快乐"]]
    s = score(preds, golds)
    # Post 1, ROUGE-SU4 (skip distance 4, unigrams + skip-bigrams of characters): 北京欢迎你 has
    # 5 + 10 units. Against 北京 (2 + 1 units, all matched): P = 3/15, R = 1, F = 1/3; against
    # 欢迎你 (3 + 3, all matched): P = 6/15, R = 1, F = 4/7; mean 19/42. Post 2 answers nothing: 0.
    # Post 3 differs from its gold only in segmentation: 1.
    assert s["rouge_su4"] == pytest.approx((19 / 42 + 0 + 1) / 3)
    # ROUGE-1: post 1 against 北京 P = 2/5 -> F = 4/7; against 欢迎你 P = 3/5 -> F = 3/4.
    assert s["rouge1"] == pytest.approx(((4 / 7 + 3 / 4) / 2 + 0 + 1) / 3)
    # F1@1: one hit (post 3) in 3 top-1 slots, 4 gold hashtags: P = 1/3, R = 1/4.
    assert s["f1_at_1"] == pytest.approx(2 / 7)
    # F1@5: post 1's second answer 北京 is gold too: 2 hits, P = 2 / 15, R = 2 / 4.
    assert s["f1_at_5"] == pytest.approx(2 * (2 / 15) * (1 / 2) / (2 / 15 + 1 / 2))
    assert s["map_at_5"] == pytest.approx(((1 / 2) / 2 + 0 + 1) / 3)
    assert "f1_at_5" not in score(preds, golds, ranked=False)


# ---- baselines ------------------------------------------------------------------------------------

def test_tfidf_prefers_frequent_rare_ngrams_then_shorter_ones():
    corpus = [["a", "b", "c"], ["a", "d"], ["a", "e"], ["x", "x", "a"]]
    (ranked,) = TfidfNgramRanker(5).rank([["x", "x", "a"]], corpus, k=4)
    assert ranked[0] == "x"             # tf 2, df 1
    assert ranked[1:3] == ["x x", "x a"]  # df 1 bigrams before the trigram, in order
    assert "a" not in ranked           # in every document: the lowest idf


def test_random_ranks_distinct_training_hashtags_reproducibly():
    cands = [f"tag {i}" for i in range(20)]
    a, b = random_rankings(cands, 3, 5, seed=1), random_rankings(cands, 3, 5, seed=1)
    assert a == b and all(len(set(r)) == 5 and set(r) <= set(cands) for r in a)
    assert a != random_rankings(cands, 3, 5, seed=2)


def test_random_draws_frequent_training_hashtags_more_often():
    occurrences = ["common"] * 90 + ["rare"] * 10 + ["mid"] * 30
    ranked = frequency_weighted_rankings(occurrences, 2000, 1, seed=0)
    firsts = [r[0] for r in ranked]
    assert abs(firsts.count("common") / 2000 - 90 / 130) < 0.04 and firsts.count("rare") < firsts.count("mid")
    assert all(len(set(r)) == 3 for r in frequency_weighted_rankings(occurrences, 50, 5, seed=1))  # k capped
    assert frequency_weighted_rankings(occurrences, 5, 2, seed=3) == frequency_weighted_rankings(occurrences, 5, 2, 3)


def test_knn_vote_ranks_the_hashtags_of_the_nearest_training_posts():
    docs = [["猫", "可爱"], ["猫", "睡觉"], ["股票", "涨"], ["股票", "跌", "涨"]]
    tags = [["猫咪"], ["猫咪", "午睡"], ["股市"], ["股市"]]
    vote = TfidfNeighbourVote(n_neighbours=2).fit(docs, tags)
    (cat, stock, nothing) = vote.rank([["猫"], ["涨", "股票"], ["天气"]], k=2)
    assert cat == ["猫咪", "午睡"]      # both cat posts vote 猫咪; one votes 午睡
    assert stock[0] == "股市"
    assert nothing == ["猫咪", "股市"]  # no shared word: the most frequent training hashtags
    with pytest.raises(ValueError, match="one label list per training document"):
        TfidfNeighbourVote().fit(docs, tags[:2])


def test_the_vocabulary_keeps_every_training_hashtag_word_when_asked():
    posts = [Post(["a", "a", "b"], ["a", "c"], ["rare word"]), Post(["a", "b"], [], ["b"])]
    cut = Vocabulary.build([p.post + p.conv for p in posts], max_size=6)
    kept = Vocabulary.build([p.post + p.conv for p in posts], max_size=7, keep=["rare", "word", "b"])
    idx = np.arange(2)
    assert tag_coverage(posts, idx, cut) == 0.5 and tag_coverage(posts, idx, kept) == 0.0
    assert len(kept) == 7 and "a" not in kept  # the kept words come first, then by frequency
    with pytest.raises(ValueError, match="cannot hold the 3 tokens to keep"):
        Vocabulary.build([["x"]], max_size=6, keep=["p", "q", "r"])


def test_lda_ranks_single_words_of_its_vocabulary():
    docs = [["猫", "狗", "鱼"], ["猫", "狗"], ["车", "路", "灯"], ["车", "路"]] * 3
    ranked = LdaWordRanker(n_topics=2, max_iter=5, seed=0, min_df=1, max_df=1.0).fit(docs).rank([["猫"]], k=3)
    assert len(ranked[0]) == 3 and all(w in {"猫", "狗", "鱼", "车", "路", "灯"} for w in ranked[0])


def test_bio_labels_and_the_extracted_span():
    assert bio_labels(["我", "爱", "北京", "天安门", "啊"], ["北京 天安门", "啊"]) == [BIO_O, BIO_O, BIO_B, BIO_I, BIO_B]
    probs = np.array([[0.9, 0.05, 0.05], [0.2, 0.7, 0.1], [0.3, 0.1, 0.6], [0.8, 0.1, 0.1]])
    assert best_span(probs) == (1, 3)
    quiet = np.array([[0.9, 0.05, 0.05], [0.6, 0.3, 0.1], [0.5, 0.1, 0.4]])
    assert best_span(quiet, always=False) is None and best_span(quiet) == (1, 2)


def test_presence_in_characters_survives_a_different_segmentation():
    from components.data import WeiboPost

    post = WeiboPost(["愚人 节", "快乐"], ["愚人节", "快乐", "啊"], ["愚人节 快乐"])
    shares = presence([post])
    assert shares["present_post"] == 1.0 and shares["present_post_words"] == 0.0
    assert shares["present_conv_words"] == 1.0 and shares["present_either"] == 1.0


# ---- the tables at smoke scale --------------------------------------------------------------------

@pytest.fixture(scope="module")
def runs(table_workspace):
    root = table_workspace
    uri = f"sqlite:///{root / 'mlflow.db'}"
    out = {"root": root, "client": MlflowClient(uri)}
    for name in ("table2", "table3", "table4"):
        out[name] = run_experiment(load_experiment(str(TABLES[name])), "smoke", run={"seeds": (0,)})
    out["searches_after_table4"] = _searches(root)
    out["table5"] = run_experiment(load_experiment(str(TABLES["table5"])), "smoke", run={"seeds": (0,)})
    # One of its four new rows keeps the test short (each costs a search and a cell); the
    # other switches are trained in test_every_generator_trains_and_decodes_...
    out["table6"] = run_experiment(load_experiment(str(TABLES["table6"])), "smoke",
                                   run={"seeds": (0,), "rows": TABLE6_ROWS})
    out["searches"] = _searches(root)
    yield out


def _searches(root: Path) -> list[Path]:
    stages = root / "home" / "stages" / "weibo_search"
    return sorted(p for p in stages.iterdir() if (p / ".complete").is_file()) if stages.is_dir() else []


def test_table4_has_every_row_metric_and_reference_column(runs):
    result = runs["table4"]
    print(result.markdown)
    table = result.table.set_index("row")
    assert list(table.index) == ["RANDOM", "kNN VOTE (post)", "kNN VOTE (post+conv)", "LDA", "TF-IDF", "EXTRACTOR",
                                 "CLASSIFIER (post only)", "CLASSIFIER (post+conv)", *GENERATOR_ROWS]
    assert table.loc["kNN VOTE (post)", "F1@1 (%) [paper]"] == "–"  # our floor: no paper value
    assert table.loc["OUR MODEL", "F1@1 (%) [paper]"] == "31.96" and table.loc["LDA", "ROUGE-SU4 (%) [paper]"] == "–"
    assert table.loc["EXTRACTOR", "F1@5 (%)"] == "–" and table.loc["EXTRACTOR", "F1@1 (%)"] != "–"
    assert "McNemar p vs OUR MODEL (median; per seed)" in table.columns
    cells = result.cells
    assert result.trained == len(cells) == 11
    generators = cells[cells["row"].isin(GENERATOR_ROWS)]
    assert (generators["train_tag_oov_share"] == 0).all()  # the vocabulary spells every training hashtag
    assert generators["length_norm_f1_at_1"].between(0, 1).all()  # the other ranking, scored too
    for key in ("f1_at_1", "rouge1", "rouge_su4", "rouge1_unseen"):
        assert ((cells[key] >= 0) & (cells[key] <= 1)).all(), key
    assert cells["n_test"].nunique() == 1 and cells["n_test"].iloc[0] == 100  # one paired test set
    assert (cells["n_test_unseen_paper"] <= cells["n_test_unseen"]).all()
    assert "paper's own test split" in result.markdown  # the caption says what it trained and tested on


def test_each_generator_row_trains_with_its_own_searched_hyperparameters(runs):
    assert len(runs["searches_after_table4"]) == len(GENERATOR_ROWS)  # one search per generator row
    cells = runs["table4"].cells.set_index("row")
    client = runs["client"]
    for row in GENERATOR_ROWS:
        run = client.get_run(cells.loc[row, "run_id"])
        lr = float(run.data.params["tuned.lr"])
        assert 1e-3 / 3 <= lr <= 3e-3 and 0 <= float(run.data.params["tuned.dropout"]) <= 0.3
        assert "search_trials.csv" in {a.path for a in client.list_artifacts(run.info.run_id)}
    baseline = client.get_run(cells.loc["CLASSIFIER (post only)", "run_id"])
    assert not any(k.startswith("tuned.") for k in baseline.data.params)


def test_table5_reuses_table4s_cells(runs):
    result = runs["table5"]
    assert result.trained == 0 and result.reused == 6
    mine = result.cells.set_index("row")["run_id"]
    table4 = runs["table4"].cells.set_index("row")["run_id"]
    assert all(mine[r] == table4[r] for r in mine.index)
    assert result.table.set_index("row").loc["OUR MODEL", "ROUGE-1 (%), unseen in training [paper]"] == "12.55"


def test_table6_trains_only_the_ablation_rows_each_after_its_search(runs):
    result = runs["table6"]
    assert result.trained == 1 and result.reused == 2  # SEQ2SEQ and OUR MODEL are Table 4's cells
    assert len(runs["searches"]) == len(GENERATOR_ROWS) + 1
    assert list(result.table["row"]) == list(TABLE6_ROWS)
    table = result.table.set_index("row")
    assert table.loc["SEQ2SEQ (post+conv)", "F1@1 (%) [paper]"] == "29.85"
    assert table.loc["OUR MODEL", "F1@1 (%)"] == runs["table4"].table.set_index("row").loc["OUR MODEL", "F1@1 (%)"]


def test_tables2_and_3_describe_the_public_splits(runs):
    t2 = runs["table2"].cells.set_index("row")
    both, valid, test = t2.loc["valid + test"], t2.loc["valid (our training)"], t2.loc["test"]
    assert both["posts"] == valid["posts"] + test["posts"]
    assert both["avg_post_len"] == pytest.approx((valid["avg_post_len"] * valid["posts"] + test["avg_post_len"]
                                                  * test["posts"]) / both["posts"])
    tags_only = t2.loc["train_tag.txt (hashtags only)"]
    assert tags_only["posts"] > both["posts"] and np.isnan(tags_only.get("avg_post_len", np.nan))
    assert runs["table2"].table.set_index("row").loc["valid + test", "# of posts [paper]"] == "40171"
    t3 = runs["table3"].cells
    assert (t3["present_either"] >= t3[["present_post", "present_conv"]].max(axis=1)).all()
    assert (t3["present_either"] <= t3["present_post"] + t3["present_conv"]).all()
    assert (t3["present_post"] >= t3["present_post_words"]).all()  # a run of words is a run of characters
    assert runs["table3"].trained == 0  # its rows are Table 2's cells (same task, names, config)

