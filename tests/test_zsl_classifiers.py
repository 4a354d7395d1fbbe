"""Hashtag classifiers (shapes, learning, padding, word2vec init) and the ZSL scorers."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from components.classifiers.hashtag import (
    HASHTAG_CLASSIFIERS,
    GRUClassifier,
    HashtagClassifierConfig,
)
from components.zsl import DEM, ESZSL, ConSE

NAMES = ["ann", "cnn", "gru", "gru_attention", "transformer"]
TINY = HashtagClassifierConfig(vocab_size=24, n_classes=3, embed_dim=8, hidden=16,
                               dropout=0.1, n_heads=2, n_layers=2, max_len=16)
FEATURE_DIM = {"ann": 16, "cnn": 256, "gru": 16, "gru_attention": 16, "transformer": 8}


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Tiny models on a shared 2-core box: thread hand-offs cost more than they save."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def synthetic_batch(n: int = 48, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Class c draws its tokens from ids 4 + 6c .. 9 + 6c: separable by any bag of words."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % TINY.n_classes
    lengths = rng.integers(2, 9, size=n)
    tokens = np.zeros((n, 10), dtype=np.int64)
    for i in range(n):
        tokens[i, :lengths[i]] = rng.integers(4, 10, size=lengths[i]) + 6 * y[i]
    return torch.from_numpy(tokens), torch.from_numpy(lengths), torch.from_numpy(y)


def build(name: str, **kw):
    torch.manual_seed(0)
    return HASHTAG_CLASSIFIERS.get(name)(TINY, **kw)


def test_registry_names():
    assert list(HASHTAG_CLASSIFIERS) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_shapes_and_feature_size(name):
    model = build(name).eval()
    tokens, lengths, _ = synthetic_batch(5)
    assert model(tokens, lengths).shape == (5, TINY.n_classes)
    assert model.features(tokens, lengths).shape == (5, FEATURE_DIM[name])
    assert model.feature_dim == FEATURE_DIM[name]


def test_gru_features_are_1024_at_paper_size():
    model = GRUClassifier(HashtagClassifierConfig(vocab_size=30, n_classes=50)).eval()
    tokens, lengths = torch.tensor([[5, 6, 7, 0], [8, 9, 0, 0]]), torch.tensor([3, 2])
    with torch.no_grad():
        assert model.features(tokens, lengths).shape == (2, 1024)
        assert model(tokens, lengths).shape == (2, 50)


@pytest.mark.parametrize("name", NAMES)
def test_learns_separable_task(name):
    model = build(name)
    tokens, lengths, y = synthetic_batch()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    loss_fn = torch.nn.CrossEntropyLoss()

    def eval_loss() -> float:
        model.eval()
        with torch.no_grad():
            return float(loss_fn(model(tokens, lengths), y))

    before = eval_loss()
    for _ in range(50):
        model.train()
        opt.zero_grad()
        loss_fn(model(tokens, lengths), y).backward()
        opt.step()
    after = eval_loss()
    assert after < 0.5 * before, (before, after)


@pytest.mark.parametrize("name", NAMES)
def test_padding_does_not_change_outputs(name):
    model = build(name).eval()
    tokens, lengths, _ = synthetic_batch(6)
    longer = torch.cat([tokens, torch.zeros(6, 5, dtype=tokens.dtype)], dim=1)
    shorter = tokens[:, : int(lengths.max())]
    with torch.no_grad():
        ref = model(tokens, lengths)
        for other in (longer, shorter):
            torch.testing.assert_close(model(other, lengths), ref, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("name", NAMES)
def test_embedding_init_is_used_and_can_be_frozen(name):
    init = np.random.default_rng(1).normal(size=(TINY.vocab_size, TINY.embed_dim))
    model = build(name, embedding_init=init, freeze_embeddings=True)
    weight = model.embed.weight.detach().numpy()
    np.testing.assert_allclose(weight[1:], init[1:], rtol=1e-6)
    assert not weight[0].any()  # pad row reads as zero padding
    assert not model.embed.weight.requires_grad
    assert build(name, embedding_init=init).embed.weight.requires_grad
    with pytest.raises(ValueError, match="embedding_init"):
        build(name, embedding_init=init[:, :3])


def test_transformer_rejects_too_long_input():
    model = build("transformer")
    tokens = torch.ones(1, TINY.max_len + 1, dtype=torch.long)
    with pytest.raises(ValueError, match="max_len"):
        model(tokens, torch.tensor([3]))


def test_conse_hand_computed():
    seen = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    probs = np.array([[0.5, 0.3, 0.2]])
    # top 2: (0.5·[1,0] + 0.3·[0,1]) / 0.8 = [0.625, 0.375]
    np.testing.assert_allclose(ConSE(seen, top_t=2).predict_embedding(probs), [[0.625, 0.375]])
    # all 3: 0.5·[1,0] + 0.3·[0,1] + 0.2·[1,1] = [0.7, 0.5] (Z = 1)
    np.testing.assert_allclose(ConSE(seen).predict_embedding(probs), [[0.7, 0.5]])
    candidates = np.array([[2.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
    norm = np.hypot(0.625, 0.375)
    np.testing.assert_allclose(ConSE(seen, top_t=2).rank(probs, candidates),
                               [[0.625 / norm, 0.375 / norm, -0.625 / norm]])


def eszsl_by_normal_equations(X, Y, S, gamma, lam):
    """V minimising ‖XᵀVS − Y‖² + γ‖VS‖² + λ‖XᵀV‖² + γλ‖V‖², vec(V) column-major.

    vec(A V B) = (Bᵀ ⊗ A) vec(V), so each term is a least-squares block in vec(V).
    """
    d, a = X.shape[0], S.shape[0]
    fit = np.kron(S.T, X.T)
    reg_vs = np.kron(S.T, np.eye(d))
    reg_xv = np.kron(np.eye(a), X.T)
    gram = (fit.T @ fit + gamma * reg_vs.T @ reg_vs + lam * reg_xv.T @ reg_xv
            + gamma * lam * np.eye(d * a))
    v = np.linalg.solve(gram, fit.T @ Y.reshape(-1, order="F"))
    return v.reshape(d, a, order="F")


@pytest.mark.parametrize("coding", ["zero_one", "plus_minus"])
def test_eszsl_closed_form_matches_direct_solve(coding):
    rng = np.random.default_rng(0)
    m, d, z, a, gamma, lam = 9, 4, 3, 5, 0.7, 0.3
    X = rng.normal(size=(m, d))
    y = np.arange(m) % z
    S = rng.normal(size=(z, a))
    model = ESZSL(gamma=gamma, lam=lam, label_coding=coding).fit(X, y, S)
    Y = np.full((m, z), 0.0 if coding == "zero_one" else -1.0)
    Y[np.arange(m), y] = 1.0
    direct = eszsl_by_normal_equations(X.T, Y, S.T, gamma, lam)
    np.testing.assert_allclose(model.V, direct, atol=1e-6, rtol=1e-6)
    cands = rng.normal(size=(2, a))
    np.testing.assert_allclose(model.scores(X, cands), X @ direct @ cands.T, atol=1e-6)


def test_dem_ranks_held_out_classes_first():
    rng = np.random.default_rng(0)
    n_classes, n_seen, a, f = 24, 20, 5, 16
    S = rng.normal(size=(n_classes, a))
    true_map = rng.normal(size=(a, f))
    proto = np.maximum(S @ true_map, 0.0)  # features a ReLU layer can represent exactly
    y = np.repeat(np.arange(n_classes), 10)
    feats = proto[y] + 0.05 * rng.normal(size=(y.size, f))
    seen = y < n_seen
    model = DEM().fit(feats[seen], y[seen], S[:n_seen], epochs=400, lr=1e-2,
                      weight_decay=1e-5, seed=0)
    assert model.losses[-1] < 0.1 * model.losses[0]
    # Zero-shot: unseen tweets against the unseen labels, then against all labels.
    unseen_scores = model.scores(feats[~seen], S[n_seen:])
    assert (unseen_scores.argmax(1) == y[~seen] - n_seen).mean() >= 0.9
    assert (model.scores(feats[~seen], S).argmax(1) == y[~seen]).mean() >= 0.9


def test_dem_loss_is_the_per_example_objective():
    rng = np.random.default_rng(1)
    feats, y, S = rng.normal(size=(12, 6)), np.arange(12) % 3, rng.normal(size=(3, 4))
    lam = 0.01
    model = DEM().fit(feats, y, S, epochs=3, lr=1e-2, weight_decay=lam)
    # Refit with epochs=2 reproduces the parameters the third loss was taken at.
    twice = DEM().fit(feats, y, S, epochs=2, lr=1e-2, weight_decay=lam)
    g = twice.map_labels(S)
    w = twice.mapper.fc.weight.detach().double().numpy()
    direct = ((feats - g[y]) ** 2).sum(1).mean() + lam * (w ** 2).sum()
    assert model.losses[2] == pytest.approx(direct, rel=1e-5)


def test_linear_floors_learn_separable_words_and_choose_c_on_validation_only():
    from components.classifiers.linear import features, linear_floor

    rng = np.random.default_rng(0)
    n = 120
    labels = np.arange(n) % 3
    tokens = np.zeros((n, 6), dtype=np.int64)
    lengths = np.full(n, 4)
    for i, c in enumerate(labels):  # class c writes words 1 + 10c .. 5 + 10c, plus shared noise
        tokens[i, :4] = np.concatenate([rng.integers(1 + 10 * c, 6 + 10 * c, 3), rng.integers(40, 45, 1)])
    train, val, test = np.arange(0, 80), np.arange(80, 100), np.arange(100, 120)
    emb = rng.normal(size=(50, 8))
    for kind in ("tfidf", "mean_vectors"):
        scores, c = linear_floor(kind, tokens, lengths, labels, train, val, test, n_classes=4, embeddings=emb)
        assert scores.shape == (20, 4) and np.isneginf(scores[:, 3]).all()  # class 3 never seen: ranks last
        assert (scores.argmax(1) == labels[test]).mean() > 0.9 and c in (0.1, 1.0, 10.0)
    mean = features("mean_vectors", tokens[:1], np.array([2]), np.arange(1), emb)
    np.testing.assert_allclose(mean[0], emb[tokens[0, :2]].mean(0))  # padding past the length ignored


def test_eszsl_regularisers_are_chosen_on_held_out_seen_labels_only():
    from components.zsl.select import held_out_labels, select_eszsl

    rng = np.random.default_rng(0)
    S = rng.normal(size=(12, 5))                   # 12 labels: 0-9 seen, 10-11 unseen but given (few-shot)
    W = rng.normal(size=(5, 8))
    y = np.repeat(np.arange(12), 15)
    X = S[y] @ W + 0.1 * rng.normal(size=(len(y), 8))  # features linear in the label vector: ESZSL's model
    held = held_out_labels(range(10), 0.2, seed=3)
    assert len(held) == 2 and set(held) <= set(range(10))
    assert (held == held_out_labels(range(10), 0.2, seed=3)).all()
    gamma, lam, hit = select_eszsl(X, y, S, candidates=range(10), seed=3)
    assert gamma in (0.01, 0.1, 1.0, 10.0) and lam in (0.01, 0.1, 1.0, 10.0) and hit > 0.9
    with pytest.raises(ValueError, match="at least 4 seen labels"):
        held_out_labels(range(3), 0.2, 0)


def test_dem_weight_decay_is_chosen_on_held_out_seen_labels_only():
    from components.zsl.select import select_dem

    rng = np.random.default_rng(1)
    S = rng.normal(size=(42, 5))                   # labels 40-41 unseen: no example of them in y
    W = rng.normal(size=(5, 8))
    y = np.repeat(np.arange(40), 10)
    X = np.maximum(S[y] @ W, 0) + 0.05 * rng.normal(size=(len(y), 8))  # DEM's model: ReLU(W s)
    grid, fit = (1e-4, 1.0, 100.0), dict(seed=3, epochs=200, lr=1e-2)
    alone = {g: select_dem(X, y, S, candidates=range(40), grid=(g,), **fit)[1] for g in grid}
    lam, hit = select_dem(X, y, S, candidates=range(40), grid=grid, **fit)
    assert hit == max(alone.values()) == alone[lam] and hit > 0.5   # 8 held-out labels: chance 1/8
    S_other = S.copy()
    S_other[40:] = rng.normal(size=(2, 5))         # the unseen labels' vectors take no part
    assert select_dem(X, y, S_other, candidates=range(40), grid=grid, **fit) == (lam, hit)
