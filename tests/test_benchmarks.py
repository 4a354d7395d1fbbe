"""The benchmarks run (at toy sizes) and write whole JSON results; their figures are not
asserted here: timings belong to `python -m benchmarks`, not to the test suite."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import ROOT

from benchmarks import beam, featurize, levers, tail
from benchmarks.common import RESULTS_ENV


@pytest.fixture
def results(tmp_path, monkeypatch):
    monkeypatch.setenv(RESULTS_ENV, str(tmp_path))
    return tmp_path


def test_batched_and_one_at_a_time_beam_search_agree_and_the_result_is_written(results):
    figures = beam.run(n_tweets=4, batch=2, beam=4, max_len=4)
    assert figures["same best hypothesis"] == 1.0  # the speed-up compares equal work
    saved = json.loads((results / "beam.json").read_text())
    assert saved["figures"]["tweets"] == 4 and "torch" in saved["machine"]["versions"]
    assert set(saved["goals"]) == {"speed-up"} and isinstance(saved["goals"]["speed-up"]["met"], bool)


def test_featurize_times_every_installed_tokenizer_on_the_same_tweets(results):
    figures = featurize.run(n=300)
    assert figures["tweets"] == 300
    assert figures["ours (tokens + emojis + hashtags) tweets/s"] > 0
    assert figures["nltk TweetTokenizer tweets/s"] > 0  # nltk is a project dependency
    assert figures["tweets where one pass and the three helpers differ"] == 0
    assert (results / "featurize.json").is_file() and not list(results.glob("*.tmp"))


def test_the_levers_and_the_tail_write_a_ratio_and_a_quality_check_per_lever(results, monkeypatch):
    monkeypatch.setattr(levers, "synthetic", lambda n, vocab, seed: _small(n, vocab, seed))
    figures = levers.run(models=("dual",), vocabs=(50,), steps=1, rounds=1, quality_steps=1, quality_vocab=50)
    assert len([k for k in figures if "speed-up" in k]) == len(levers.VARIANTS) - 1  # every lever but fp32
    saved = json.loads((results / "levers.json").read_text())
    assert all(isinstance(g["met"], bool) for g in saved["goals"].values())
    assert set(saved["goals"]) == {f"dual quality: {n} val loss vs fp32 (relative)"
                                           for n in levers.VARIANTS if n != "fp32"}
    monkeypatch.setattr(tail, "synthetic", lambda n, vocab, seed: _small(n, vocab, seed))
    figures = tail.run(models=("seq2seq",), vocab=50, steps=1, rounds=1)
    assert figures["seq2seq: 2 threads speed-up vs 1 (median of rounds)"] > 0
    assert (results / "tail.json").is_file()


_real_synthetic = levers.synthetic


def _small(n: int, vocab: int, seed: int):
    return _real_synthetic(min(n, levers.BATCH * 8), vocab, seed)


@pytest.mark.subprocess
def test_an_unknown_benchmark_is_an_error_naming_the_valid_ones():
    done = subprocess.run([sys.executable, "-m", "benchmarks", "nope"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2 and "tune_cells" in done.stderr and "'nope'" in done.stderr
