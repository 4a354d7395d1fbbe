"""Scales, rows and data notes shared by the association, table1 and figure2 experiments.

These cells only count: `smoke` samples 2,000 tweets per data set, `cpu` and `paper` read
every tweet (the paper's 4.82 billion Gardenhose tweets of 2020 are not public).
"""

from experiments.emoji_hashtags.analysis_task import AnalysisConfig
from orchestration import Row

SMOKE_TWEETS = 2_000


def scales(**knobs) -> dict[str, AnalysisConfig]:
    """The three scales of one analysis; `knobs` are AnalysisConfig fields (analysis=...)."""
    return {
        "smoke": AnalysisConfig(max_tweets=SMOKE_TWEETS, **knobs),
        "cpu": AnalysisConfig(**knobs),
        "paper": AnalysisConfig(**knobs),  # counting has nothing to cut: the same as cpu
    }


TWEETEVAL_LABEL = Row("TweetEval + label emoji", {"source": "tweeteval_label"})
TWEETEVAL_TEXT = Row("TweetEval text only", {"source": "tweeteval_text"})
RAW_2023 = Row("raw tweets 2023", {"source": "raw_tweets_2023"})

DATA_NOTE = (
    "TweetEval + label emoji = tweeteval_emoji train+val+test (100,000 US tweets of 2015-2017), "
    "each tweet's label emoji (cut out by TweetEval) put back at the end of its text, so every "
    "tweet has an emoji; TweetEval text only = the published texts, emojis only from what "
    "remains in them; raw tweets 2023 = raw_tweets_2023 original texts (12,747 tweets around "
    "1 May 2023, South African and Singaporean trends, collected by searching trending "
    "hashtags, so nearly every tweet has one). Hashtags lower-cased, emojis without variation "
    "selectors, presence per tweet; emojis outside TweetEval's 20 are counted too"
)
