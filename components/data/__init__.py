"""sha256-checked loaders for every data set the reproductions use.

Files are found in ``$EMOJITAGS_DATA_DIR`` (e.g. ../shared/data), else in a download cache,
else fetched from their pinned public origin; see :mod:`components.data.files`.
"""

from .deepmoji import (
    BENCHMARKS,
    Benchmark,
    deepmoji_vocabulary,
    deepmoji_wanted_emojis,
    load_deepmoji_benchmark,
)
from .errors import DataError, UnsafePickleError
from .files import (
    CACHE_DIR_ENV,
    DATA_DIR_ENV,
    OFFLINE_ENV,
    cache_dir,
    data_file,
    dataset_sha256s,
    file_sha256,
    resolve_file,
    verify_file,
)
from .manifest import DATASETS, MANIFEST, DataFile, dataset_files
from .raw_tweets import load_raw_tweets_2023
from .safe_pickle import load_restricted_pickle
from .tweeteval import (
    EmojiLabel,
    load_tweeteval_emoji,
    tweeteval_label_names,
    tweeteval_labels,
    tweeteval_mapping,
)
from .weibo import WeiboPost, load_weibo, load_weibo_train_tags, parse_hashtags

__all__ = [
    "BENCHMARKS",
    "CACHE_DIR_ENV",
    "DATASETS",
    "DATA_DIR_ENV",
    "MANIFEST",
    "OFFLINE_ENV",
    "Benchmark",
    "DataError",
    "DataFile",
    "EmojiLabel",
    "UnsafePickleError",
    "WeiboPost",
    "cache_dir",
    "data_file",
    "dataset_files",
    "dataset_sha256s",
    "deepmoji_vocabulary",
    "deepmoji_wanted_emojis",
    "file_sha256",
    "load_deepmoji_benchmark",
    "load_raw_tweets_2023",
    "load_restricted_pickle",
    "load_tweeteval_emoji",
    "load_weibo",
    "load_weibo_train_tags",
    "parse_hashtags",
    "resolve_file",
    "tweeteval_label_names",
    "tweeteval_labels",
    "tweeteval_mapping",
    "verify_file",
]
