"""The dialogue tables' protocol: balanced classes, folds grouped by speaker or conversation, the floors.
No Ray: the sampler and the splits on made-up labels, then the real stage at smoke size."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from components.data.splits import balanced_sample, grouped_folds
from experiments.dialogue_emoji.scales import BALANCED_EMOTICONS, FOLDS, SCALES
from experiments.dialogue_emoji.task import DialogueConfig, cell_split, prepare, speaker_habit
from orchestration.spec import SpecError


def test_the_balanced_sample_has_the_same_count_of_each_most_used_class_and_is_seeded():
    labels = np.array([0] * 50 + [1] * 30 + [2] * 20 + [3] * 5)
    idx = balanced_sample(labels, classes=3, seed=1)
    assert np.bincount(labels[idx], minlength=4).tolist() == [20, 20, 20, 0]  # the 3rd class's count
    assert (idx == balanced_sample(labels, 3, seed=1)).all() and not (idx == balanced_sample(labels, 3, seed=2)).all()
    assert np.bincount(labels[balanced_sample(labels, 2, per_class=7)]).tolist() == [7, 7]
    with pytest.raises(ValueError, match="the 3 most frequent classes have 50, 30, 20 examples; at most 20"):
        balanced_sample(labels, 3, per_class=21)
    with pytest.raises(ValueError, match="classes=5: the data hold 4 classes"):
        balanced_sample(labels, 5)


def test_grouped_folds_keep_each_group_in_one_fold_and_balance_their_sizes():
    rng = np.random.default_rng(0)
    groups = rng.integers(0, 60, 500)
    folds = grouped_folds(groups, 5, seed=3)
    for g in np.unique(groups):
        assert len(set(folds[groups == g].tolist())) == 1
    sizes = np.bincount(folds, minlength=5)
    assert sizes.max() - sizes.min() <= np.bincount(groups).max()
    assert (folds == grouped_folds(groups, 5, seed=3)).all()
    with pytest.raises(ValueError, match="n_folds=5: the data hold 3 groups"):
        grouped_folds([1, 2, 3, 1], 5)


def test_a_speaker_grouped_split_shares_no_speaker_and_no_conversation_between_training_and_test():
    rng = np.random.default_rng(0)
    conv = np.repeat(np.arange(60), 6)
    pairs = rng.integers(0, 25, (60, 2))  # each conversation's two speakers, drawn from 25
    speaker = pairs[conv, np.tile([0, 1], 180)]  # turns alternate between them
    arrays = {"split": grouped_folds(speaker, 5, seed=0), "conversation": conv, "speaker": speaker}
    cfg = DialogueConfig(cv_folds=5, cv_group="speaker")
    tested = []
    for seed in range(5):
        split = cell_split(cfg, arrays, seed)
        for groups in (speaker, conv):
            assert set(groups[split == 2]).isdisjoint(groups[split == 0])
        assert set(speaker[split == 1]).isdisjoint(speaker[split == 0]) and (split == 1).any()
        left_out = split == -1
        assert left_out.any() and np.isin(conv[left_out], conv[split == 2]).all()  # only for a shared conversation
        tested.append(np.flatnonzero(split == 2))
    assert sorted(np.concatenate(tested).tolist()) == list(range(len(conv)))  # every example tested once


def test_a_conversation_grouped_split_shares_no_conversation_between_training_and_test():
    conv = np.repeat(np.arange(40), 5)
    arrays = {"split": grouped_folds(conv, 5, seed=0), "conversation": conv, "speaker": conv % 7}
    cfg = DialogueConfig(cv_folds=5, cv_group="conversation")
    tests = []
    for seed in range(5):
        split = cell_split(cfg, arrays, seed)
        assert set(conv[split == 2]).isdisjoint(conv[split != 2])  # train and validation alike
        assert set(conv[split == 1]).isdisjoint(conv[split == 0]) and (split == 1).any()
        tests.append(np.flatnonzero(split == 2))
    assert sorted(np.concatenate(tests).tolist()) == list(range(len(conv)))  # every example tested once


def test_the_speaker_habit_floor_guesses_each_speakers_most_used_label():
    speakers = np.array([0, 0, 0, 1, 1, 0, 1, 2])
    labels = np.array([2, 2, 1, 1, 1, 0, 0, 0])
    split = np.array([0, 0, 0, 0, 0, 2, 2, 2])  # speaker 2 has no training example
    assert speaker_habit(speakers, labels, split, 3).tolist() == [2, 1, 1]  # majority (1) for speaker 2


def test_bad_protocol_values_are_refused_with_what_was_expected():
    with pytest.raises(SpecError, match="cv_folds=1: expected 0"):
        DialogueConfig(cv_folds=1).check()
    with pytest.raises(SpecError, match="seed 5: with cv_folds=5 a cell's seed is its test fold, 0..4"):
        DialogueConfig(cv_folds=5).check_seed(5)
    with pytest.raises(SpecError, match="per_class=3 needs classes >= 1"):
        DialogueConfig(per_class=3).check()
    with pytest.raises(SpecError, match="cv_group='reply': expected one of speaker, conversation"):
        DialogueConfig(cv_group="reply").check()


def test_the_smoke_stage_is_balanced_grouped_and_names_the_declared_emoticons(tmp_path, monkeypatch):
    monkeypatch.setenv("EMOJITAGS_HOME", str(tmp_path))
    stage = prepare(SCALES["smoke"])
    arrays = dict(np.load(stage / "arrays.npz"))
    assert json.loads((stage / "emoticons.json").read_text()) == [
        [":)", "XD", ";)", ":(", ":P", ":D", ":/", "<3", "XP", ":'("].index(e) for e in BALANCED_EMOTICONS]
    counts = np.bincount(arrays["label"])
    assert len(counts) == 4 and len(set(counts.tolist())) == 1
    assert set(arrays["split"].tolist()) == set(range(FOLDS))
    for s in np.unique(arrays["speaker"]):  # the smoke scale groups its folds by speaker
        assert len(set(arrays["split"][arrays["speaker"] == s].tolist())) == 1
    too_many = dataclasses.replace(SCALES["smoke"], per_class=10_000)
    with pytest.raises(SpecError, match=r"dialogue data \(800 examples\): per_class=10000: .* at most \d+"):
        prepare(too_many)
