"""Table 3 of "zero-shot hashtag recommendation": ConSE, ESZSL and DEM on unseen hashtags.

One cell = one method, one seen/unseen split ("40/10"), one setting (zero-shot or few-shot),
one draw of the unseen hashtags (the cell's seed). The tweet feature is the pre-softmax layer
(`features`, `hidden` units) of the GRU×2 classifier trained on the training labels only:
the seen hashtags, plus in the few-shot setting each unseen hashtag's 5-10 given tweets.

That model is a cached stage (`zeroshot_features/<key>`, keyed by the data stage, the model's
fields, the split, the setting and the draw): the three methods' cells of one draw share it;
the first to need it trains it (through `ctx.fit`), the others wait on a file lock and reuse it.
`split.npz` in the stage records exactly which tweets it trained on.

Every method scores the test tweets against the unseen hashtags only; hit@K = the true
hashtag among the top K (ties broken at random, in expectation), plain and averaged per unseen
hashtag (`hit_at_k_class_avg`: each hashtag counts the same, however many tweets it has). The
test tweets are the same in both settings: the unseen hashtags' tweets minus the few-shot
tweets of the draw, which the few-shot setting trains on and the zero-shot setting leaves
unused, so the two settings are scored on identical tweets (paired). With `test_per_unseen` = N,
N of each unseen hashtag's test tweets (drawn by the draw, again the same in both settings), so
every unseen hashtag weighs the same. Floor beside chance: always naming the unseen hashtag most
frequent among the test tweets (`frequent_hit_at_1`; equal to chance with equal counts).
"""

from __future__ import annotations

import dataclasses
import functools
import json
from pathlib import Path

import numpy as np
import torch

from components.data.splits import stratified_holdout
from components.metrics import hit_at_k_ties
from components.training import ClassifyObjective, FitProblem
from components.zsl import DEM, ESZSL, ConSE
from components.zsl.select import select_dem, select_eszsl
from components.zsl.splits import draw_unseen, few_shot_mask, parse_split
from experiments.zeroshot_hashtags.data import HashtagData, ZeroShotConfig, load_data
from experiments.zeroshot_hashtags.supervised import classifier, fit_settings
from orchestration.spec import SpecError
from orchestration.stages import cached_stage, stage_dir, stage_lock

FEATURE_STAGE, FEATURE_VERSION = "zeroshot_features", 2  # 2: test tweets shared by both settings
METHODS = ("conse", "eszsl", "dem")
FEATURE_MODEL = "gru"  # sec. 6: "the pre-FC layer from RNN model (same as described in Section 5.3)"
MODEL_FIELDS = ("hidden", "n_layers", "dropout", "lr", "batch_size", "epochs", "patience", "val_fraction",
                "max_len", "w2v_dim")


def zsl_split(cfg: ZeroShotConfig, labels: np.ndarray, draw: int) -> dict[str, np.ndarray]:
    """unseen label ids; `classes`, the labels the feature model learns (its output order);
    `train` / `val` (its early-stopping split) and `test` tweet indices."""
    try:
        _, n_unseen = parse_split(cfg.split, cfg.n_labels)
    except ValueError as e:
        raise SpecError(str(e)) from None
    if cfg.setting not in ("zero-shot", "few-shot"):
        raise SpecError(f"setting must be 'zero-shot' or 'few-shot', got {cfg.setting!r}")
    unseen = draw_unseen(cfg.n_labels, n_unseen, draw)
    is_unseen = np.isin(labels, unseen)
    # The draw's few-shot tweets: trained on in the few-shot setting, and in both settings kept
    # out of the test tweets, so the settings are scored on the same tweets.
    shots = few_shot_mask(labels, unseen, cfg.few_shot_min, cfg.few_shot_max, draw)
    given = shots if cfg.setting == "few-shot" else np.zeros(len(labels), dtype=bool)
    seen = np.setdiff1d(np.arange(cfg.n_labels), unseen)
    classes = seen if cfg.setting == "zero-shot" else np.concatenate([seen, unseen])
    train_all = np.flatnonzero(~is_unseen | given)
    held = stratified_holdout(labels[train_all], cfg.val_fraction, seed=draw)
    return {"unseen": unseen, "classes": classes, "train": train_all[~held], "val": train_all[held],
            "test": np.flatnonzero(is_unseen & ~shots)}


def equal_test_tweets(labels: np.ndarray, test: np.ndarray, per_label: int, draw: int, shots_max: int) -> np.ndarray:
    """`per_label` of each unseen hashtag's test tweets (seeded by the draw), so every unseen
    hashtag weighs the same and naming the most frequent one is no better than chance."""
    rng = np.random.default_rng([draw, per_label])
    out = []
    for c in np.unique(labels[test]).tolist():
        idx = test[labels[test] == c]
        if len(idx) < per_label:
            smallest = int(np.bincount(labels).min())
            raise SpecError(f"test_per_unseen={per_label}: an unseen hashtag has {len(idx)} test tweets left "
                            f"after its few-shot ones; the smallest hashtag has {smallest} tweets, so at most "
                            f"{smallest - shots_max} (smallest minus few_shot_max) holds for every draw")
        out.append(rng.choice(idx, per_label, replace=False))
    return np.sort(np.concatenate(out))


def _feature_key(cfg: ZeroShotConfig, data: HashtagData, draw: int) -> dict:
    fields = {f: getattr(cfg, f) for f in MODEL_FIELDS}
    few = (cfg.few_shot_min, cfg.few_shot_max) if cfg.setting == "few-shot" else None
    return {**fields, "data": data.stage.name, "split": cfg.split, "setting": cfg.setting, "few": few,
            "draw": draw, "version": FEATURE_VERSION}


def _classes_problem(cfg: ZeroShotConfig, data: HashtagData, split: dict) -> FitProblem:
    """The classifier over `classes` (label ids remapped to output positions)."""
    position = np.full(cfg.n_labels, -1)
    position[split["classes"]] = np.arange(len(split["classes"]))

    def part(idx: np.ndarray) -> dict[str, np.ndarray]:
        arrays = data.subset(idx)
        return {**arrays, "label": position[arrays["label"]]}

    gru = dataclasses.replace(cfg, model=FEATURE_MODEL)
    objective = ClassifyObjective()
    return FitProblem(classifier(gru, len(split["classes"]), len(data.embeddings), data.embeddings),
                      part(split["train"]), part(split["val"]), objective.loss, objective.evaluate)


def _build_features(cfg: ZeroShotConfig, data: HashtagData, split: dict, draw: int, ctx, name: str,
                    out: Path) -> None:
    problem = _classes_problem(cfg, data, split)
    if (problem.train["label"] < 0).any():  # a tweet of an unseen, ungiven label: never trained on
        raise AssertionError("feature-model training holds a tweet of a label it does not learn")
    # checkpoints named by the stage, not by its temporary folder, so a killed build resumes
    result = ctx.fit(problem, fit_settings(cfg, seed=draw), name=f"features-{name}")
    torch.save(result.model.state_dict(), out / "model.pt")
    np.savez(out / "split.npz", **split)
    (out / "info.json").write_text(json.dumps({"best_epoch": result.best_epoch, "best_val_loss": result.best_value,
                                               "history": result.history}, default=str))


def feature_stage(cfg: ZeroShotConfig, data: HashtagData, draw: int, ctx) -> Path:
    """The draw's feature model, trained here unless a finished one exists (a lock keeps two
    cells from training the same one)."""
    key = _feature_key(cfg, data, draw)
    final = stage_dir(FEATURE_STAGE, key)
    with stage_lock(final):
        split = zsl_split(cfg, data.labels, draw)
        build = functools.partial(_build_features, cfg, data, split, draw, ctx, final.name)
        return cached_stage(FEATURE_STAGE, key, build)


def load_features(cfg: ZeroShotConfig, data: HashtagData, stage: Path) -> tuple[dict, torch.nn.Module]:
    """(the split the model trained on, the model in eval mode); weights only, never code."""
    with np.load(stage / "split.npz", allow_pickle=False) as z:
        split = {k: z[k] for k in z.files}
    gru = dataclasses.replace(cfg, model=FEATURE_MODEL)
    model = classifier(gru, len(split["classes"]), len(data.embeddings), None)()
    model.load_state_dict(torch.load(stage / "model.pt", map_location="cpu", weights_only=True))
    return split, model.eval()


@torch.no_grad()
def encode(model, arrays: dict[str, np.ndarray], chunk: int = 512) -> tuple[np.ndarray, np.ndarray]:
    """(features, softmax probabilities) of the tweets in `arrays`."""
    feats, probs = [], []
    for s in range(0, len(arrays["tokens"]), chunk):
        f = model.features(torch.as_tensor(arrays["tokens"][s:s + chunk]), torch.as_tensor(arrays["lengths"][s:s + chunk]))
        feats.append(f.double().numpy())
        probs.append(torch.softmax(model.out(f), dim=-1).double().numpy())
    return np.concatenate(feats), np.concatenate(probs)


def method_scores(cfg: ZeroShotConfig, method: str, train: tuple, test: tuple, S: np.ndarray,
                  split: dict, seed: int, chosen: dict | None = None) -> np.ndarray:
    """(n_test, n_unseen) scores of the test tweets against the unseen hashtags; `chosen`
    receives the regularisers picked on held-out seen hashtags."""
    (f_train, _), (f_test, p_test) = train, test
    position = np.full(cfg.n_labels, -1)
    position[split["classes"]] = np.arange(len(split["classes"]))
    y_train = position[split["y_train"]]
    S_classes, S_unseen = S[split["classes"]], S[split["unseen"]]
    if method == "conse":
        return ConSE(S_classes, cfg.conse_top_t or None).rank(p_test, S_unseen)
    if method == "eszsl":
        gamma, lam = cfg.eszsl_gamma, cfg.eszsl_lam
        if cfg.eszsl_select:  # on a fifth of the seen hashtags held out, never on the unseen ones
            n_seen = cfg.n_labels - len(split["unseen"])  # the seen labels lead `classes`
            gamma, lam, hit = select_eszsl(f_train, y_train, S_classes, np.arange(n_seen), seed=seed)
            if chosen is not None:
                chosen |= {"eszsl_gamma": gamma, "eszsl_lam": lam, "eszsl_select_hit_at_1": hit}
        return ESZSL(gamma, lam).fit(f_train, y_train, S_classes).scores(f_test, S_unseen)
    if method == "dem":
        weight_decay = cfg.dem_weight_decay
        if cfg.dem_select:  # as ESZSL's: the unseen hashtags take no part
            n_seen = cfg.n_labels - len(split["unseen"])
            weight_decay, hit = select_dem(f_train, y_train, S_classes, np.arange(n_seen), grid=cfg.dem_grid,
                                           seed=seed, epochs=cfg.dem_epochs, lr=cfg.dem_lr)
            if chosen is not None:
                chosen |= {"dem_weight_decay": weight_decay, "dem_select_hit_at_1": hit}
        dem = DEM().fit(f_train, y_train, S_classes, epochs=cfg.dem_epochs, lr=cfg.dem_lr,
                        weight_decay=weight_decay, seed=seed)
        return dem.scores(f_test, S_unseen, metric="cosine")
    raise SpecError(f"method must be one of {', '.join(METHODS)}, got {method!r}")


def run_zeroshot(cfg: ZeroShotConfig, ctx) -> dict[str, float]:
    if cfg.method not in METHODS:
        raise SpecError(f"method must be one of {', '.join(METHODS)}, got {cfg.method!r}")
    draw = ctx.seed
    data = load_data(cfg)
    stage = feature_stage(cfg, data, draw, ctx)
    split, model = load_features(cfg, data, stage)
    if cfg.test_per_unseen:  # drawn here, not in the stage: the feature model never sees test tweets
        split["test"] = equal_test_tweets(data.labels, split["test"], cfg.test_per_unseen, draw, cfg.few_shot_max)
    train_idx = np.concatenate([split["train"], split["val"]])
    split["y_train"] = data.labels[train_idx]
    train, test = encode(model, data.subset(train_idx)), encode(model, data.subset(split["test"]))
    chosen: dict[str, float] = {}
    scores = method_scores(cfg, cfg.method, train, test, data.label_embeddings, split, seed=draw, chosen=chosen)
    gold = np.searchsorted(split["unseen"], data.labels[split["test"]])  # position among the unseen
    n_unseen = len(split["unseen"])
    # ties broken at random: a label vector of zeros would otherwise tie first everywhere
    metrics = {f"hit_at_{k}": hit_at_k_ties(scores, gold, k) for k in (1, 2, 5)}
    for k in (1, 2, 5):  # each unseen hashtag weighs the same
        metrics[f"hit_at_{k}_class_avg"] = float(np.mean([hit_at_k_ties(scores[gold == c], gold[gold == c], k)
                                                          for c in np.unique(gold)]))
    metrics["frequent_hit_at_1"] = float(np.bincount(gold).max() / len(gold))
    tags = data.meta["tags"]
    ctx.set_tags({"emojitags.unseen_hashtags": " ".join(f"#{tags[i]}" for i in split["unseen"])[:4000],
                  "emojitags.feature_stage": stage.name})
    return {**metrics, **chosen, "chance_hit_at_1": 1.0 / n_unseen, "n_unseen": float(n_unseen),
            "n_test": float(len(gold)), "n_train": float(len(train_idx)),
            # tweets of unseen hashtags the feature model trained on: 0 in zero-shot
            "n_train_unseen": float(np.isin(split["y_train"], split["unseen"]).sum())}


__all__ = ["METHODS", "equal_test_tweets", "feature_stage", "load_features", "method_scores", "run_zeroshot", "zsl_split"]
