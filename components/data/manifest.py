"""The project's own manifest of every data file it reads.

Copied from ../shared/data/SOURCES.md on purpose: the project must be able to check (and
fetch) its data where that folder does not exist, so the expected sha256 and the public
origin of each file live in the code, pinned to an exact upstream commit.

Keys are paths relative to a data directory; the first component is the data set name.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DataFile:
    """One file of a data set: where it sits locally, what it must hash to, where it comes from."""

    path: str
    sha256: str
    url: str

    @property
    def dataset(self) -> str:
        return self.path.split("/", 1)[0]


def _github_raw(repo: str, commit: str, path_in_repo: str) -> str:
    # raw.githubusercontent.com at a full commit hash: immutable, unlike a branch name.
    return f"https://raw.githubusercontent.com/{repo}/{commit}/{path_in_repo}"


_TWEETEVAL = ("cardiffnlp/tweeteval", "4fbd22cd78421f05b1ecdb4fc5725bc7a7bd8f66")
_WEIBO = ("yuewang-cuhk/HashtagGeneration", "9d281db8d60918687f517ce8ff73b968e64e8486")
_DEEPMOJI = ("bfelbo/DeepMoji", "3edf6bb9b5e1096a64abe55a6a909aa05854969f")
_RAW_TWEETS = ("mina58/Hashtag-Recommender", "07ab2fbe9812aedf2adb2765a722eaf1d917d5e8")


def _entry(local: str, sha256: str, origin: tuple[str, str], path_in_repo: str) -> DataFile:
    return DataFile(local, sha256, _github_raw(*origin, path_in_repo))


_FILES: tuple[DataFile, ...] = (
    # tweeteval_emoji: SemEval-2018 Task 2 (US), cardiffnlp/tweeteval datasets/emoji/
    _entry("tweeteval_emoji/mapping.txt",
           "ac172bfbb0972d875a832224f48602472279be365454e3bce01084689100f4d3",
           _TWEETEVAL, "datasets/emoji/mapping.txt"),
    _entry("tweeteval_emoji/train_text.txt",
           "eacb6b0ee1fe2803d72a009c2e731fe07659f604318a979951d2f07c23c564a1",
           _TWEETEVAL, "datasets/emoji/train_text.txt"),
    _entry("tweeteval_emoji/train_labels.txt",
           "daee7da826683dbfa50ad3a29c60bc527e498f06c70eabee3745a99cc37ab3a5",
           _TWEETEVAL, "datasets/emoji/train_labels.txt"),
    _entry("tweeteval_emoji/val_text.txt",
           "3bc3742d6af404cea792671878684d110f3bc02fd79a2e34643789a521d81a26",
           _TWEETEVAL, "datasets/emoji/val_text.txt"),
    _entry("tweeteval_emoji/val_labels.txt",
           "21ba456f688668d049ff0fb1fa04469ee684cf4e2467c71d2c3fe5ca2ba1bd1a",
           _TWEETEVAL, "datasets/emoji/val_labels.txt"),
    _entry("tweeteval_emoji/test_text.txt",
           "e4de11de1597842c431dd67868e83322f5a432564dfd8558889ed8ac6a1a5e09",
           _TWEETEVAL, "datasets/emoji/test_text.txt"),
    _entry("tweeteval_emoji/test_labels.txt",
           "c1662b84788f36674ab8f0106f3e2e7d3e258ddf4959086ac7cc75b1e68dd1f6",
           _TWEETEVAL, "datasets/emoji/test_labels.txt"),
    # weibo_conversation_hashtags: yuewang-cuhk/HashtagGeneration data/Weibo/
    _entry("weibo_conversation_hashtags/valid_post.txt",
           "33a3a0fac1f889ced61cd75781444a7d3b86185cfaaa4a56cfbc6e7237c684d3",
           _WEIBO, "data/Weibo/valid_post.txt"),
    _entry("weibo_conversation_hashtags/valid_conv.txt",
           "9b48e59cbb06db6611ecc25be5dc572690ae64cc8f45c15d9ee4c4c857534049",
           _WEIBO, "data/Weibo/valid_conv.txt"),
    _entry("weibo_conversation_hashtags/valid_tag.txt",
           "0c0d316a657d65807d40acafac56002afe93df6a1ca492b4af0c1bb30ae17252",
           _WEIBO, "data/Weibo/valid_tag.txt"),
    _entry("weibo_conversation_hashtags/test_post.txt",
           "c33e139bc1a29a8a61784dfaef50638761ec0a9442db0e613e54f3f450e34c4f",
           _WEIBO, "data/Weibo/test_post.txt"),
    _entry("weibo_conversation_hashtags/test_conv.txt",
           "5d46976bde247fb1c5cd5fbf53ed3274aef183cfda8e3913406b639b116b83a5",
           _WEIBO, "data/Weibo/test_conv.txt"),
    _entry("weibo_conversation_hashtags/test_tag.txt",
           "f168807309fe472e90550573db5b8ff348d83bd16bcfa2813a8cb289c9bdab19",
           _WEIBO, "data/Weibo/test_tag.txt"),
    _entry("weibo_conversation_hashtags/train_tag.txt",
           "ceb73dcd7bc07f47ba7592e09f188334b9ac08668a9205cf22639bab13f7214d",
           _WEIBO, "data/Weibo/train_tag.txt"),
    # deepmoji_benchmarks: bfelbo/DeepMoji data/*/raw.pickle, data/filtering/, model/
    _entry("deepmoji_benchmarks/Olympic/raw.pickle",
           "05105b861d97dc1449a042d2b074d2982d2aaaac5a01aba4401ecb8a66e79ef2",
           _DEEPMOJI, "data/Olympic/raw.pickle"),
    _entry("deepmoji_benchmarks/PsychExp/raw.pickle",
           "d28e07dd450aa2b500968b998bfa4a48fa2f683526876289d5d778ae7c088ea7",
           _DEEPMOJI, "data/PsychExp/raw.pickle"),
    _entry("deepmoji_benchmarks/SCv1/raw.pickle",
           "45403acc488eedd42e9e43269303010d4cdb9900cbe3e7e4558f2183ac15cc25",
           _DEEPMOJI, "data/SCv1/raw.pickle"),
    _entry("deepmoji_benchmarks/SCv2-GEN/raw.pickle",
           "2a557c10e31c914a96259ca5c2ad474d9b437792528bb6d5c041eb84f0ca4f84",
           _DEEPMOJI, "data/SCv2-GEN/raw.pickle"),
    _entry("deepmoji_benchmarks/SE0714/raw.pickle",
           "320d1e3e2c6852864ed59b02c736d4f3fe90471fad1b49032bf509b6a8fb91bf",
           _DEEPMOJI, "data/SE0714/raw.pickle"),
    _entry("deepmoji_benchmarks/SS-Twitter/raw.pickle",
           "7b8b2ab6196bc4f8fb4fd9a9a90729fd9449c12b8a6fae8739d64a62d5256078",
           _DEEPMOJI, "data/SS-Twitter/raw.pickle"),
    _entry("deepmoji_benchmarks/SS-Youtube/raw.pickle",
           "2f9248cb2172e0e19a97f8d6d113967045baf454d5fa98236284ecfee77c7db1",
           _DEEPMOJI, "data/SS-Youtube/raw.pickle"),
    _entry("deepmoji_benchmarks/kaggle-insults/raw.pickle",
           "eea2746a07542ed5e00e61c9b02aaf91374829fe3a14a5b6b7cfb0a12cc60bfb",
           _DEEPMOJI, "data/kaggle-insults/raw.pickle"),
    _entry("deepmoji_benchmarks/vocabulary.json",
           "951e74fe4661b23e490e79d3a9496bd61d027b14b55dd99dd1ae2c1fc3e25f3e",
           _DEEPMOJI, "model/vocabulary.json"),
    _entry("deepmoji_benchmarks/wanted_emojis.csv",
           "8cdb3ebf46aaef8edb0769bc4d680d1d0308dc2305b81dd2183299f3f262f877",
           _DEEPMOJI, "data/filtering/wanted_emojis.csv"),
    # raw_tweets_2023: mina58/Hashtag-Recommender Data/
    _entry("raw_tweets_2023/SATweets.csv",
           "76ea5b372a31dbb53929a2b0fa9d21193d0dece2e0e8011a83f8f1bc0e8fd002",
           _RAW_TWEETS, "Data/SATweets.csv"),
    _entry("raw_tweets_2023/SINGAPORETweets.csv",
           "3091097a5c7c42b495e8b61a352aafdbb2fc3762b8e5d49b90ef3fe8174c7948",
           _RAW_TWEETS, "Data/SINGAPORETweets.csv"),
)

MANIFEST: dict[str, DataFile] = {f.path: f for f in _FILES}

DATASETS: tuple[str, ...] = (
    "tweeteval_emoji",
    "weibo_conversation_hashtags",
    "deepmoji_benchmarks",
    "raw_tweets_2023",
)


def dataset_files(name: str) -> tuple[DataFile, ...]:
    """All manifest entries of one data set, in manifest order."""
    if name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}; valid: {', '.join(DATASETS)}")
    return tuple(f for f in _FILES if f.dataset == name)
