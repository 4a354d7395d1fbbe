"""Raw tweets collected around 1 May 2023 (mina58/Hashtag-Recommender), emojis and hashtags intact.

Two CSVs (South Africa and Singapore trends) with columns id, created_at, source,
original_text, clean_text, favorite_count, retweet_count, hashtags, trend. ``original_text``
keeps emojis, hashtags, mentions and URLs; ``hashtags`` is a ", "-separated list without
the leading '#'. 34 tweet ids occur in both files; both rows are kept (``source_file``
tells them apart) so the loader stays a faithful concatenation.
"""

from __future__ import annotations

import pandas as pd

from .errors import DataError
from .files import data_file

FILES: tuple[str, ...] = ("SATweets.csv", "SINGAPORETweets.csv")
COLUMNS: tuple[str, ...] = (
    "id", "created_at", "source", "original_text", "clean_text",
    "favorite_count", "retweet_count", "hashtags", "trend",
)


def load_raw_tweets_2023() -> pd.DataFrame:
    """Both CSVs concatenated (12,781 rows) plus a ``source_file`` column.

    ``created_at`` is parsed to a UTC timestamp; text columns are read verbatim
    (keep_default_na=False, so a tweet reading "NA" or "null" stays text).
    """
    frames = []
    for name in FILES:
        path = data_file(f"raw_tweets_2023/{name}")
        frame = pd.read_csv(
            path,
            encoding="utf-8",
            keep_default_na=False,
            dtype={c: str for c in COLUMNS if c not in ("id", "favorite_count", "retweet_count")},
        )
        missing = [c for c in COLUMNS if c not in frame.columns]
        if missing:
            raise DataError(f"{path}: missing columns {missing}")
        frame["source_file"] = name
        frames.append(frame)
    tweets = pd.concat(frames, ignore_index=True)
    tweets["id"] = tweets["id"].astype("int64")
    tweets["created_at"] = pd.to_datetime(tweets["created_at"], utc=True,
                                          format="%Y-%m-%d %H:%M:%S%z")
    return tweets
