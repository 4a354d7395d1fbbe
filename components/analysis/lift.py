"""Tweet-level association between using hashtags and using emojis.

The paper also reports a user-level Pearson correlation (0.223) between each user's share
of tweets with emojis and share with hashtags. None of the public data sets here carries
user ids, so that number cannot be reproduced and is deliberately not implemented.

Note on the paper's numbers: it reports 4.5% both, 14.43% / 21.64% "only" hashtags /
emojis, and lift 1.44. 0.045 / (0.1443 * 0.2164) = 1.44, whereas with 14.43% and 21.64% as
the *only* shares the lift would be 0.045 / (0.1893 * 0.2614) = 0.91; so its 14.43% and
21.64% are evidently the marginal shares (:attr:`Shares.p_hashtag`, :attr:`Shares.p_emoji`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Shares:
    """Shares of tweets (fractions in [0, 1], summing to 1) and the lift of hashtag & emoji.

    lift = P(hashtag and emoji) / (P(hashtag) P(emoji)); > 1 means tweets with hashtags use
    emojis more often than tweets at large. NaN when no tweet has a hashtag or an emoji.
    """

    hashtag_only: float
    emoji_only: float
    both: float
    neither: float
    lift: float

    @property
    def p_hashtag(self) -> float:
        """Share of tweets with at least one hashtag."""
        return self.hashtag_only + self.both

    @property
    def p_emoji(self) -> float:
        """Share of tweets with at least one emoji."""
        return self.emoji_only + self.both


def shares_from_counts(n_tweets: int, n_with_hashtag: int, n_with_emoji: int,
                       n_with_both: int) -> Shares:
    """:class:`Shares` from tweet counts, e.g. those a ``CooccurrenceCounter`` keeps."""
    if n_tweets <= 0:
        raise ValueError(f"n_tweets must be positive, got {n_tweets}")
    if not 0 <= n_with_both <= min(n_with_hashtag, n_with_emoji):
        raise ValueError("n_with_both must lie between 0 and both marginal counts")
    if n_with_hashtag + n_with_emoji - n_with_both > n_tweets:
        raise ValueError("more tweets with a hashtag or an emoji than tweets")
    n = float(n_tweets)
    p_h, p_e, both = n_with_hashtag / n, n_with_emoji / n, n_with_both / n
    lift = both / (p_h * p_e) if p_h > 0 and p_e > 0 else math.nan
    return Shares(
        hashtag_only=(n_with_hashtag - n_with_both) / n,
        emoji_only=(n_with_emoji - n_with_both) / n,
        both=both,
        neither=(n_tweets - n_with_hashtag - n_with_emoji + n_with_both) / n,
        lift=lift,
    )


def tweet_level_shares(has_hashtag: np.ndarray, has_emoji: np.ndarray) -> Shares:
    """:class:`Shares` of tweets with hashtags only, emojis only, both, neither; and lift.

    `has_hashtag[i]` / `has_emoji[i]` say whether tweet i holds at least one of each.
    """
    h = np.asarray(has_hashtag)
    e = np.asarray(has_emoji)
    if h.ndim != 1 or h.shape != e.shape:
        raise ValueError(f"need two 1-D arrays of one length, got {h.shape} and {e.shape}")
    if h.dtype != bool or e.dtype != bool:
        # A count array (e.g. number of hashtags) would be silently misread as a share.
        raise TypeError(f"has_hashtag and has_emoji must be bool arrays, got {h.dtype}, {e.dtype}")
    return shares_from_counts(int(h.size), int(h.sum()), int(e.sum()), int((h & e).sum()))
