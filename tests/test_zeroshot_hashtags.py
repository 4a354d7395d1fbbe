"""Zero-shot hashtag recommendation: the data set, word2vec, the splits, ESZSL, and the three
tables end to end at smoke scale (one module-scoped run of each, sharing the Ray session)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from mlflow.tracking import MlflowClient

from components.data import DataError
from components.data.hashtag_corpus import build_hashtag_corpus, tweet_words
from components.data.splits import stratified_folds, stratified_holdout
from components.metrics import hit_at_k_ties
from components.text.word2vec import WordVectors, label_embeddings, train_word2vec
from components.zsl import DEM, ESZSL
from experiments.zeroshot_hashtags.data import ZeroShotConfig, load_data
from experiments.zeroshot_hashtags.zsl import equal_test_tweets, load_features, zsl_split
from orchestration.cli import load_experiment
from orchestration.runner import run_experiment
from orchestration.spec import SpecError

ROOT = Path(__file__).resolve().parents[1]
EXP = ROOT / "experiments" / "zeroshot_hashtags"
FLOOR_ROWS = ("TF-IDF + logistic regression (floor)", "mean word2vec + logistic regression (floor)")
T2_ROWS = ("RNN with attention", *FLOOR_ROWS)
T3_ROWS = ("40/10 ConSE", "40/10 ESZSL", "40/10 DEM", "25/25 DEM")


# ---- components -------------------------------------------------------------------------

def test_corpus_keeps_tweets_with_exactly_one_label_and_cuts_every_hashtag():
    texts = ["#Love this sunny day at the beach", "#love #tbt old times with good friends",
             "#tbt throwback to summer camp days", "#love", "#love so much fun tonight #random",
             "#tbt remember the summer camp days", "#tbt throwback to summer camp days", "#i hate mondays so much"] * 2
    corpus = build_hashtag_corpus(texts, n_labels=2, min_label_tweets=2, min_words=2)
    assert corpus.tags == ["love", "tbt"]  # `#i` (one letter) is never a label
    kept = [texts[i] for i in corpus.source_index]
    assert all(("#love" in t.lower()) != ("#tbt" in t) for t in kept)  # never both labels
    assert not any(w.startswith("#") or w in ("random", "this", "the") for ws in corpus.words for w in ws)
    assert corpus.stats["n_multi_label"] == 2 and corpus.stats["n_short"] == 2  # "#love" alone: no words
    assert corpus.stats["n_duplicate"] == 6  # the 7th text (= the 3rd), then every repeat
    assert corpus.stats["n_examples"] == 4 and list(np.bincount(corpus.labels)) == [2, 2]
    assert tweet_words("@Bob check https://x.co/a :) #Tag Ünïcode ok", frozenset()) == ["user", "check", "ok"]
    with pytest.raises(DataError, match="only 2 hashtags are in >= 3 tweets, 3 labels wanted"):
        build_hashtag_corpus(texts, n_labels=3, min_label_tweets=3, min_words=2)


def test_word_vectors_round_trip_and_label_embedding_sources(tmp_path):
    sentences = [["#sundayfunday", "sunday", "fun", "beach"], ["sunday", "funday", "beach"],
                 ["#tbt", "old", "photo"]] * 20
    wv = train_word2vec(sentences, dim=8, min_count=1, epochs=1, workers=1)
    wv.save(tmp_path)
    back = WordVectors.load(tmp_path)
    assert back.words == wv.words and np.array_equal(back.vectors, wv.vectors)
    vecs, sources = label_embeddings(["sundayfunday", "sundayfunday", "zzzqqq"], wv,
                                     lambda t: ["sunday", "funday"] if t == "sundayfunday" else ["zzz"],
                                     min_count=10)
    assert sources == ["own", "own", "none"]
    np.testing.assert_allclose(vecs[0], wv.vector("#sundayfunday"))
    vecs, sources = label_embeddings(["sundayfunday"], wv, lambda t: ["sunday", "funday", "nope"], min_count=100)
    assert sources == ["words"]
    np.testing.assert_allclose(vecs[0], (wv.vector("sunday") + wv.vector("funday")) / 2, rtol=1e-5)
    (tmp_path / "word2vec.json").write_text("{not json")
    with pytest.raises(ValueError, match="word2vec.json: not a word list"):
        WordVectors.load(tmp_path)


def test_folds_and_holdouts_are_stratified():
    labels = np.repeat(np.arange(4), [5, 7, 10, 2])
    folds = stratified_folds(labels, 5, seed=3)
    sizes = np.bincount(folds, minlength=5)
    assert sizes.max() - sizes.min() <= 1
    for c in range(4):
        per = np.bincount(folds[labels == c], minlength=5)
        assert per.max() - per.min() <= 1
    held = stratified_holdout(labels, 0.2, seed=0)
    assert all(held[labels == c].any() and not held[labels == c].all() for c in range(4))


def test_zero_shot_split_never_trains_on_an_unseen_hashtag():
    labels = np.repeat(np.arange(10), 12)
    tests = {}
    for setting in ("zero-shot", "few-shot"):
        cfg = ZeroShotConfig(n_labels=10, split="6/4", setting=setting, few_shot_min=2, few_shot_max=3)
        s = zsl_split(cfg, labels, draw=1)
        tests[setting] = s["test"]
        train = np.concatenate([s["train"], s["val"]])
        assert len(s["unseen"]) == 4 and not np.intersect1d(train, s["test"]).size
        assert set(labels[s["test"]]) == set(s["unseen"])
        given = np.bincount(labels[train], minlength=10)[s["unseen"]]
        if setting == "zero-shot":
            assert not given.any() and set(s["classes"]) == set(range(10)) - set(s["unseen"])
            assert 4 * (12 - 3) <= len(s["test"]) <= 4 * (12 - 2)  # the draw's few-shot tweets are not tested
        else:
            assert ((2 <= given) & (given <= 3)).all() and len(s["classes"]) == 10
    assert np.array_equal(tests["zero-shot"], tests["few-shot"])  # paired: the same test tweets
    assert not np.array_equal(zsl_split(cfg, labels, 1)["unseen"], zsl_split(cfg, labels, 2)["unseen"])
    with pytest.raises(SpecError, match="seen \\+ unseen = 10 labels"):
        zsl_split(dataclasses.replace(cfg, split="6/5"), labels, 0)


def test_every_unseen_hashtag_gets_the_same_test_count_and_a_cap_too_large_says_what_fits():
    labels = np.concatenate([np.repeat(np.arange(8), 20), np.repeat([8, 9], 9)])  # two small hashtags
    cfg = ZeroShotConfig(n_labels=10, split="6/4", few_shot_min=2, few_shot_max=3)
    test = zsl_split(cfg, labels, draw=3)["test"]
    picked = equal_test_tweets(labels, test, 5, draw=3, shots_max=3)
    assert np.isin(picked, test).all() and np.bincount(labels[picked], minlength=10)[np.unique(labels[test])].tolist() == [5] * 4
    assert np.array_equal(picked, equal_test_tweets(labels, test, 5, draw=3, shots_max=3))  # seeded by the draw
    with pytest.raises(SpecError, match=r"test_per_unseen=19: an unseen hashtag has \d+ test tweets left .* "
                                        r"the smallest hashtag has 9 tweets, so at most 6"):
        equal_test_tweets(labels, test, 19, draw=3, shots_max=3)


def eszsl_objective(X, Y, S, V, gamma, lam):
    """‖XᵀVS − Y‖² + γ‖VS‖² + λ‖XᵀV‖² + γλ‖V‖², X (d, m), S (a, z)."""
    return (np.sum((X.T @ V @ S - Y) ** 2) + gamma * np.sum((V @ S) ** 2)
            + lam * np.sum((X.T @ V) ** 2) + gamma * lam * np.sum(V ** 2))


def test_eszsl_closed_form_is_the_minimum_of_its_objective():
    rng = np.random.default_rng(4)
    m, d, z, a, gamma, lam = 30, 6, 4, 5, 0.5, 2.0
    X, y, S = rng.normal(size=(m, d)), np.arange(m) % z, rng.normal(size=(z, a))
    Y = np.eye(z)[y]
    V = ESZSL(gamma, lam).fit(X, y, S).V
    # a direct solve: the objective is least squares in vec(V), so stack its four terms
    A = np.vstack([np.kron(S, X), np.sqrt(gamma) * np.kron(S, np.eye(d)),
                   np.sqrt(lam) * np.kron(np.eye(a), X), np.sqrt(gamma * lam) * np.eye(d * a)])
    b = np.concatenate([Y.reshape(-1, order="F"), np.zeros(A.shape[0] - m * z)])
    direct = np.linalg.lstsq(A, b, rcond=None)[0].reshape(d, a, order="F")
    np.testing.assert_allclose(V, direct, atol=1e-8)
    best = eszsl_objective(X.T, Y, S.T, V, gamma, lam)
    for _ in range(5):  # and every nearby V is worse
        assert eszsl_objective(X.T, Y, S.T, V + 1e-3 * rng.normal(size=V.shape), gamma, lam) > best


def test_ties_are_broken_at_random_in_expectation_and_dem_ranks_by_cosine():
    scores = np.array([[0.0, 0.0, 0.0, 0.0], [3.0, 1.0, 2.0, 0.0]])
    assert hit_at_k_ties(scores, [2, 2], 1) == pytest.approx((1 / 4 + 0) / 2)
    assert hit_at_k_ties(scores, [2, 2], 2) == pytest.approx((2 / 4 + 1) / 2)
    dem = DEM(relu=False).fit(np.eye(3), np.arange(3), np.eye(3), epochs=1)
    feats = np.array([[2.0, 0.0, 0.0]])
    np.testing.assert_allclose(dem.scores(feats, np.eye(3), metric="cosine")[0],
                               [np.dot(feats[0], g) / np.linalg.norm(feats[0]) / np.linalg.norm(g)
                                for g in dem.map_labels(np.eye(3))])
    with pytest.raises(ValueError, match="metric must be"):
        dem.scores(feats, np.eye(3), metric="dot")


# ---- the three tables at smoke scale -------------------------------------------------------

@pytest.fixture(scope="module")
def tables(table_workspace):
    root = table_workspace
    out = {"root": root}
    out["t1"] = run_experiment(load_experiment(str(EXP / "table1.py")), "smoke")
    out["t2"] = run_experiment(load_experiment(str(EXP / "table2.py")), "smoke", {"folds": (0, 1)},
                               {"rows": T2_ROWS, "seeds": (0, 1)})
    out["t3"] = run_experiment(load_experiment(str(EXP / "table3.py")), "smoke", None,
                               {"rows": T3_ROWS, "seeds": (0,)})
    out["smoke"] = load_experiment(str(EXP / "table3.py")).scales["smoke"]
    yield out


def test_table1_counts_the_smoke_data_set(tables):
    result = tables["t1"]
    table = result.table.set_index("metric")["tweeteval_emoji"]
    assert table["examples"] == "600" and table["label hashtags"] == "50"  # 12 per hashtag
    assert table["tweets [paper]"] == "321385" and table["word2vec dimensions [paper]"] == "150"
    cell = result.cells.iloc[0]
    assert cell["n_with_hashtag"] <= cell["n_tweets"] == 100_000
    assert cell["n_label_tweets"] >= cell["n_multi_label"] + cell["n_short"] + cell["n_duplicate"] + 50 * 12
    client = MlflowClient(f"sqlite:///{tables['root'] / 'mlflow.db'}")
    assert "table1_labels.md" in {a.path for a in client.list_artifacts(result.parent_run_id)}


def test_table2_searches_inside_each_training_fold_then_scores_the_test_fold(tables):
    result = tables["t2"]
    assert list(result.table["row"]) == list(T2_ROWS)
    assert list(result.table["accuracy (%) [paper]"]) == ["47.0", "–", "–"]
    floors = result.cells[result.cells["row"].isin(FLOOR_ROWS)]
    assert len(floors) == 4 and floors["accuracy"].between(0, 1).all() and floors["chosen_c"].isin([0.1, 1, 10]).all()
    assert (floors["n_test"] + floors["n_train"] + floors["n_val"] == 600).all()  # the neural rows' folds
    cells = result.cells[~result.cells["row"].isin(FLOOR_ROWS)]
    assert len(cells) == 2 and set(cells["seed"]) == {0, 1}
    for m in ("accuracy", "precision", "recall", "f1"):
        assert cells[m].between(0, 1).all()
    assert (cells["n_train"] + cells["n_val"] + cells["n_test"] == 600).all()
    assert cells["n_test"].between(100, 140).all()  # a fifth of 600
    lr = tables["smoke"].lr
    assert cells["tuned_lr"].between(lr / 3, lr * 3).all() and cells["tuned_dropout"].between(0.1, 0.6).all()
    searches = sorted((tables["root"] / "home" / "stages" / "zeroshot_search").glob("*/best.json"))
    assert len(searches) == 2  # one per (model, fold), each its own Optuna study
    first, second = (pd.read_csv(p.parent / "search_trials.csv") for p in searches)
    assert not first["config/lr"].isin(second["config/lr"]).any()
    for path in searches:
        trials = pd.read_csv(path.parent / "search_trials.csv")
        assert len(trials) == tables["smoke"].search_samples
        assert json.loads(path.read_text())["val_loss"] == pytest.approx(trials["val_loss"].min())


def test_table3_hits_are_ordered_and_zero_shot_never_trained_on_unseen_tweets(tables):
    result = tables["t3"]
    cells = result.cells
    assert len(cells) == len(T3_ROWS) * 2
    assert ((0 <= cells["hit_at_1"]) & (cells["hit_at_1"] <= cells["hit_at_2"])
            & (cells["hit_at_2"] <= cells["hit_at_5"]) & (cells["hit_at_5"] <= 1)).all()
    assert (cells["chance_hit_at_1"] * cells["n_unseen"]).round(6).eq(1).all()
    assert cells[["hit_at_1_class_avg", "hit_at_5_class_avg"]].stack().between(0, 1).all()
    # the same count of test tweets per unseen hashtag: the most frequent one is chance
    assert (cells["n_test"] == cells["n_unseen"] * tables["smoke"].test_per_unseen).all()
    assert np.allclose(cells["frequent_hit_at_1"], cells["chance_hit_at_1"])
    for _, one_draw in cells.groupby(["row", "seed"]):  # zero- and few-shot scored on the same tweets
        assert one_draw["n_test"].nunique() == 1
    eszsl = cells[cells["row"] == "40/10 ESZSL"]  # its γ, λ chosen on held-out seen hashtags
    assert eszsl["eszsl_gamma"].isin([0.01, 0.1, 1.0, 10.0]).all() and eszsl["eszsl_select_hit_at_1"].between(0, 1).all()
    dem = cells[cells["row"] == "40/10 DEM"]  # and DEM's λ
    assert dem["dem_weight_decay"].isin(tables["smoke"].dem_grid).all() and dem["dem_select_hit_at_1"].between(0, 1).all()
    zero, few = cells[cells["setting"] == "zero-shot"], cells[cells["setting"] == "few-shot"]
    assert (zero["n_train_unseen"] == 0).all()
    smoke = tables["smoke"]
    assert (few["n_train_unseen"] >= smoke.few_shot_min * few["n_unseen"]).all()
    assert (few["n_train_unseen"] <= smoke.few_shot_max * few["n_unseen"]).all()
    # From the feature models' own stages: what each really trained on.
    stages = sorted((tables["root"] / "home" / "stages" / "zeroshot_features").glob("*/split.npz"))
    assert len(stages) == 4  # 2 splits x 2 settings, shared by the methods of a split
    data = load_data(smoke, next((tables["root"] / "home" / "stages" / "zeroshot_hashtags_data").iterdir()))
    n_zero = 0
    for path in stages:
        split, model = load_features(smoke, data, path.parent)
        trained = data.labels[np.concatenate([split["train"], split["val"]])]
        assert model.out.out_features == len(split["classes"]) == len(np.unique(trained))
        if len(split["classes"]) < smoke.n_labels:  # zero-shot
            n_zero += 1
            assert not np.isin(trained, split["unseen"]).any()
            assert np.isin(data.labels[split["test"]], split["unseen"]).all()
    assert n_zero == 2
