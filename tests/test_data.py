"""Tests for components.data: real sizes, sha256 checks, failure messages, safe unpickling."""

from __future__ import annotations

import os
import pickle
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from components.data import (
    BENCHMARKS,
    CACHE_DIR_ENV,
    DATA_DIR_ENV,
    DATASETS,
    MANIFEST,
    OFFLINE_ENV,
    DataError,
    DataFile,
    UnsafePickleError,
    data_file,
    dataset_sha256s,
    deepmoji_vocabulary,
    deepmoji_wanted_emojis,
    load_deepmoji_benchmark,
    load_raw_tweets_2023,
    load_restricted_pickle,
    load_tweeteval_emoji,
    load_weibo,
    load_weibo_train_tags,
    parse_hashtags,
    resolve_file,
    tweeteval_label_names,
    tweeteval_mapping,
    verify_file,
)
from components.data import files as files_mod
from components.data.weibo import parse_weibo_split

# An explicit EMOJITAGS_DATA_DIR wins (conftest defaults it to ../shared/data).
SHARED_DATA = Path(
    os.environ.get(DATA_DIR_ENV) or Path(__file__).resolve().parents[1].parent / "shared" / "data"
)
needs_data = pytest.mark.skipif(not SHARED_DATA.is_dir(), reason=f"{SHARED_DATA} not present")


@pytest.fixture(autouse=True)
def _data_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Never touch the network or the user's real cache from tests.
    monkeypatch.setenv(OFFLINE_ENV, "1")
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "cache"))
    if SHARED_DATA.is_dir():
        monkeypatch.setenv(DATA_DIR_ENV, str(SHARED_DATA))
    else:
        monkeypatch.delenv(DATA_DIR_ENV, raising=False)


# ---------------------------------------------------------------- manifest


@pytest.mark.skipif(not (SHARED_DATA / "SOURCES.md").is_file(), reason="no SOURCES.md")
def test_manifest_matches_sources_md() -> None:
    listed = dict(
        (m.group(2), m.group(1))
        for m in re.finditer(r"^([0-9a-f]{64})  \./(\S+)$",
                             (SHARED_DATA / "SOURCES.md").read_text(), re.MULTILINE)
    )
    assert listed == {path: f.sha256 for path, f in MANIFEST.items()}


def test_manifest_urls_are_pinned_and_grouped() -> None:
    assert {f.dataset for f in MANIFEST.values()} == set(DATASETS)
    for f in MANIFEST.values():
        assert re.fullmatch(r"https://raw\.githubusercontent\.com/[^/]+/[^/]+/[0-9a-f]{40}/.+",
                            f.url), f.url
    shas = dataset_sha256s("tweeteval_emoji")
    assert len(shas) == 7 and all(len(s) == 64 for s in shas.values())
    with pytest.raises(ValueError, match="tweeteval_emoji"):
        dataset_sha256s("nope")


# ---------------------------------------------------------------- real data


@needs_data
def test_tweeteval_sizes_and_mapping() -> None:
    sizes = {split: len(load_tweeteval_emoji(split)) for split in ("train", "val", "test")}
    assert sizes == {"train": 45_000, "val": 5_000, "test": 50_000}
    mapping = tweeteval_mapping()
    assert len(mapping) == 20 and mapping[0] == "❤" and mapping[2] == "😂"
    assert tweeteval_label_names()[0] == "red_heart"
    val = load_tweeteval_emoji("val")
    assert list(val.columns) == ["text", "label", "emoji"]
    assert val["label"].dtype == np.int64 and val["label"].between(0, 19).all()
    assert (val["emoji"] == [mapping[i] for i in val["label"]]).all()
    with pytest.raises(ValueError, match="train, val, test"):
        load_tweeteval_emoji("dev")


@needs_data
def test_weibo_sizes() -> None:
    valid, test = load_weibo("valid"), load_weibo("test")
    assert (len(valid), len(test)) == (4_013, 4_014)
    assert all(p.post and p.hashtags and all(h for h in p.hashtags) for p in valid + test)
    train_tags = load_weibo_train_tags()
    assert len(train_tags) == 32_107 and train_tags[0] == ["泰国 佛牌", "恭请 加微信 cocoDIGIT"]
    with pytest.raises(ValueError, match="valid, test"):
        load_weibo("train")


# name -> (task, n_classes, label shape after the first axis, N)
_LAYOUT = {
    "SS-Twitter": ("binary", 2, (), 2113),
    "SS-Youtube": ("binary", 2, (), 2142),
    "SE0714": ("multilabel", 3, (3,), 1250),
    "Olympic": ("multilabel", 4, (4,), 1012),
    "PsychExp": ("multiclass", 7, (), 7480),
    "SCv1": ("binary", 2, (), 1995),
    "SCv2-GEN": ("binary", 2, (), 3260),
    "kaggle-insults": ("binary", 2, (), 6182),
}


@needs_data
@pytest.mark.parametrize("name", BENCHMARKS)
def test_deepmoji_benchmark_layout(name: str) -> None:
    b = load_deepmoji_benchmark(name)
    task, n_classes, tail, n = _LAYOUT[name]
    assert (b.task, b.n_classes, b.labels.shape) == (task, n_classes, (n, *tail))
    assert len(b.texts) == n and all(isinstance(t, str) and t for t in b.texts)
    assert b.labels.min() >= 0 and b.labels.max() < (2 if b.labels.ndim == 2 else n_classes)
    everything = np.concatenate([b.train_ind, b.val_ind, b.test_ind])
    # The three splits are disjoint and together cover every example.
    assert np.array_equal(np.sort(everything), np.arange(n))


@needs_data
def test_deepmoji_texts_are_utf8_decoded_not_mojibake() -> None:
    texts = load_deepmoji_benchmark("SCv1").texts
    assert any("…" in t for t in texts)
    assert not any("â\x80" in t for t in texts)


@needs_data
def test_deepmoji_vocabulary_and_emojis() -> None:
    vocab = deepmoji_vocabulary()
    assert len(vocab) == 50_000 and vocab["CUSTOM_MASK"] == 0
    emojis = deepmoji_wanted_emojis()
    assert len(emojis) == len(set(emojis)) == 64 and emojis[0] == "😂"
    assert not any("\\" in e for e in emojis)


@needs_data
def test_raw_tweets_keep_emojis() -> None:
    tweets = load_raw_tweets_2023()
    assert len(tweets) == 12_781
    assert {"id", "created_at", "original_text", "hashtags", "source_file"} <= set(tweets.columns)
    assert tweets["source_file"].value_counts().to_dict() == {
        "SATweets.csv": 8_265, "SINGAPORETweets.csv": 4_516}
    assert tweets["original_text"].str.contains("😁").any()
    assert str(tweets["created_at"].dt.tz) == "UTC"


# ---------------------------------------------------------------- failures


@needs_data
def test_corrupted_copy_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    rel = "tweeteval_emoji/mapping.txt"
    copy = tmp_path / "data" / rel
    copy.parent.mkdir(parents=True)
    blob = bytearray((SHARED_DATA / rel).read_bytes())
    blob[0] ^= 0x01
    copy.write_bytes(bytes(blob))
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "data"))
    with pytest.raises(DataError, match="sha256") as err:
        data_file(rel)
    message = str(err.value)
    assert str(copy) in message and MANIFEST[rel].sha256[:12] in message
    assert "corrupted or a different version" in message


def test_missing_data_dir_is_one_clear_line(monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "no-such-dir"))
    with pytest.raises(DataError, match=DATA_DIR_ENV) as err:
        data_file("tweeteval_emoji/mapping.txt")
    assert "\n" not in str(err.value) and "not a directory" in str(err.value)


def test_offline_and_absent_names_file_env_and_url(monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))  # exists, but holds nothing
    rel = "weibo_conversation_hashtags/valid_tag.txt"
    with pytest.raises(DataError) as err:
        data_file(rel)
    message = str(err.value)
    assert "\n" not in message
    for part in (rel, DATA_DIR_ENV, MANIFEST[rel].url, OFFLINE_ENV):
        assert part in message


def test_download_verifies_then_moves_atomically(monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    # file:// URLs exercise the real urllib download path without a network.
    monkeypatch.delenv(OFFLINE_ENV)
    monkeypatch.delenv(DATA_DIR_ENV, raising=False)
    origin = tmp_path / "origin.txt"
    origin.write_bytes(b"hello emojis \xf0\x9f\x98\x82\n")
    sha = files_mod.file_sha256(origin)
    good = DataFile("demo/hello.txt", sha, origin.as_uri())
    path = resolve_file(good)
    assert path == tmp_path / "cache" / "demo" / "hello.txt"
    assert path.read_bytes() == origin.read_bytes()

    bad = DataFile("demo/bad.txt", "0" * 64, origin.as_uri())
    with pytest.raises(DataError, match="sha256"):
        resolve_file(bad)
    missing = DataFile("demo/missing.txt", sha, (tmp_path / "gone.txt").as_uri())
    with pytest.raises(DataError, match=DATA_DIR_ENV) as err:
        resolve_file(missing)
    assert "\n" not in str(err.value)
    # Neither failure may leave a file (or a partial .part) that could be taken for data.
    assert sorted(p.name for p in (tmp_path / "cache" / "demo").iterdir()) == ["hello.txt"]


def test_verified_files_are_not_rehashed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    target = tmp_path / "f.bin"
    target.write_bytes(b"abc")
    sha = files_mod.file_sha256(target)
    calls = []
    real = files_mod.file_sha256
    monkeypatch.setattr(files_mod, "file_sha256", lambda p: calls.append(p) or real(p))
    for _ in range(3):
        verify_file(target, sha, "f.bin")
    assert len(calls) == 1
    target.write_bytes(b"abd")  # new content (and size/mtime): must be hashed again
    os.utime(target, ns=(1, 1))
    with pytest.raises(DataError, match="sha256"):
        verify_file(target, sha, "f.bin")


class _Evil:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (os.system, (f"touch {self.marker}",))


@pytest.mark.parametrize("protocol", [0, 2, pickle.HIGHEST_PROTOCOL])
def test_malicious_pickle_is_refused_without_running(tmp_path: Path, protocol: int) -> None:
    marker = tmp_path / "pwned"
    evil = tmp_path / "evil.pickle"
    evil.write_bytes(pickle.dumps(_Evil(marker), protocol=protocol))
    with pytest.raises(UnsafePickleError, match=r"system") as err:
        load_restricted_pickle(evil)
    assert str(evil) in str(err.value)
    assert not marker.exists()


def test_restricted_pickle_admits_plain_numpy(tmp_path: Path) -> None:
    path = tmp_path / "arr.pickle"
    # Protocol 4 (not 2, whose bytes go through _codecs.encode) uses the same numpy globals.
    path.write_bytes(pickle.dumps({"a": np.arange(4), "s": np.int64(7)}, protocol=4))
    loaded = load_restricted_pickle(path)
    assert np.array_equal(loaded["a"], np.arange(4)) and loaded["s"] == 7


@needs_data
def test_weibo_truncated_tag_file_is_misaligned(tmp_path: Path) -> None:
    paths = []
    for kind in ("post", "conv", "tag"):
        dst = tmp_path / f"valid_{kind}.txt"
        shutil.copyfile(SHARED_DATA / "weibo_conversation_hashtags" / dst.name, dst)
        paths.append(dst)
    lines = paths[2].read_text(encoding="utf-8").split("\n")
    paths[2].write_text("\n".join(lines[:-2]) + "\n", encoding="utf-8")  # drop the last post
    with pytest.raises(DataError, match="misaligned") as err:
        parse_weibo_split(*paths)
    for name, count in (("valid_post.txt", 4013), ("valid_conv.txt", 4013),
                        ("valid_tag.txt", 4012)):
        assert name in str(err.value) and str(count) in str(err.value)


def test_weibo_parsing_edge_cases(tmp_path: Path) -> None:
    assert parse_hashtags("a;;b;") == ["a", "b"]
    assert parse_hashtags(" x  y ; ;z") == ["x y", "z"]
    post, conv, tag = (tmp_path / n for n in ("p.txt", "c.txt", "t.txt"))
    post.write_text("w1 w2\nw3\n", encoding="utf-8")
    conv.write_text("r1\n\n", encoding="utf-8")  # the second post has no replies
    tag.write_text("a;;b;\nc\n", encoding="utf-8")
    first, second = parse_weibo_split(post, conv, tag)
    assert (first.post, first.conversation, first.hashtags) == (["w1", "w2"], ["r1"], ["a", "b"])
    assert (second.post, second.conversation, second.hashtags) == (["w3"], [], ["c"])
