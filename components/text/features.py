"""Tokens, emojis and hashtags of a tweet from one tokenizer scan.

`tweet_features(text)` equals `(tokenizer(text), extract_emojis(text), extract_hashtags(text))`
(tested on the fixtures and on TweetEval's tweets) at about the cost of the tokenizer alone:
the emojis come from the scan's own emoji matches instead of the `emoji` package's
per-character walk, which was 60% of the time (benchmarks/featurize.py).
"""

from __future__ import annotations

import re
from typing import NamedTuple

import emoji

from components.text.emojis import KEYCAP, canonical_emoji, extract_emojis
from components.text.hashtags import extract_hashtags
from components.text.tokenizer import TweetTokenizer

# Emoji characters the scan can swallow into a word or URL token (`ℹ`, `Ⓜ` are letters to
# the regex engine; a keycap glued to a word). A tweet holding one takes the package's walk.
_WORDLIKE = sorted({c for e in emoji.EMOJI_DATA for c in e if re.match(r"\w", c) and not c.isdigit()} | {KEYCAP})
_NEEDS_FULL_WALK = re.compile("[" + "".join(re.escape(c) for c in _WORDLIKE) + "]")


class TweetFeatures(NamedTuple):
    tokens: list[str]
    emojis: list[str]    # canonical (no variation selectors), in order, repeats kept
    hashtags: list[str]  # without `#`, original case


_DEFAULT = TweetTokenizer()


def emojis_of_matches(text: str, matches: list[str]) -> list[str]:
    """`extract_emojis(text)`, given the emojis the tokenizer matched in `text`."""
    if _NEEDS_FULL_WALK.search(text):
        return extract_emojis(text)
    out: list[str] = []
    for e in matches:
        if e in emoji.EMOJI_DATA:
            out.append(canonical_emoji(e))
        else:  # not one RGI emoji (a non-RGI ZWJ join, a newer pictograph): the package decides
            out.extend(extract_emojis(e))
    return out


def tweet_features(text: str, tokenizer: TweetTokenizer = _DEFAULT) -> TweetFeatures:
    tokens, matches = tokenizer.tokenize_with_emojis(text)
    return TweetFeatures(tokens, emojis_of_matches(text, matches),
                         extract_hashtags(text) if "#" in text else [])
