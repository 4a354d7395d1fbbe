"""Figure 3: tweets per second of our tokenizer + emoji/hashtag extraction, against ekphrasis's
SocialTokenizer and NLTK's TweetTokenizer, on TweetEval's 100,000 emoji tweets.

    python -m benchmarks featurize        # goal: >= 2x ekphrasis

Ours does more per tweet than either (tokens, plus the emoji and hashtag lists the analyses
need), so the comparison is not flattering to us. "ours" is `tweet_features`, one tokenizer
scan; "ours, three helpers" is the same output from `tokenize`, `extract_emojis` and
`extract_hashtags` called one after another (the `emoji` package walks each tweet again),
and the run counts the tweets on which the two disagree (the goal's "identical output").
"""

from __future__ import annotations

import time

import pandas as pd

from benchmarks.common import write_result
from components.data.tweeteval import load_tweeteval_emoji
from components.text import extract_emojis, extract_hashtags, tweet_features
from components.text.tokenizer import TweetTokenizer


def texts() -> list[str]:
    return pd.concat([load_tweeteval_emoji(s) for s in ("train", "val", "test")])["text"].tolist()


def ours(tweets: list[str]) -> list:
    return [tuple(tweet_features(t)) for t in tweets]


def three_helpers(tweets: list[str]) -> list:
    tok = TweetTokenizer()
    return [(tok(t), extract_emojis(t), extract_hashtags(t)) for t in tweets]


def tokenizers() -> dict:
    found = {"ours (tokens + emojis + hashtags)": ours, "ours, three helpers": three_helpers}
    try:
        from nltk.tokenize import TweetTokenizer as NltkTweetTokenizer

        nltk_tok = NltkTweetTokenizer()
        found["nltk TweetTokenizer"] = lambda ts: [nltk_tok.tokenize(t) for t in ts]
    except ImportError:
        pass
    try:
        from ekphrasis.classes.tokenizer import SocialTokenizer

        ek = SocialTokenizer(lowercase=True).tokenize
        found["ekphrasis SocialTokenizer"] = lambda ts: [ek(t) for t in ts]
    except ImportError:
        pass
    return found


def run(n: int = 0) -> dict:
    tweets = texts()
    tweets = tweets[:n] if n else tweets
    figures = {"tweets": len(tweets)}
    outputs = {}
    for name, fn in tokenizers().items():
        fn(tweets[:2000])  # compile the regexes, warm the caches
        start = time.perf_counter()
        outputs[name] = fn(tweets)
        figures[f"{name} tweets/s"] = len(tweets) / (time.perf_counter() - start)
    figures["tweets where one pass and the three helpers differ"] = sum(
        a != b for a, b in zip(outputs["ours (tokens + emojis + hashtags)"], outputs["ours, three helpers"], strict=True))
    ek = figures.get("ekphrasis SocialTokenizer tweets/s")
    ratio = figures["ours (tokens + emojis + hashtags) tweets/s"] / ek if ek else None
    figures["ours / ekphrasis"] = ratio
    same = figures["tweets where one pass and the three helpers differ"] == 0
    goals = {"ours / ekphrasis": {"goal": ">= 2.0 with identical output",
                                  "met": None if ratio is None else ratio >= 2.0 and same,
                                  "note": None if ek else "ekphrasis is not installed (pip install '.[bench]')"}}
    write_result("featurize", figures, goals)
    return figures
