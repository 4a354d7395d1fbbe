"""Tweet text processing: tokenizer, emoji and hashtag helpers, vocabulary, featurizers."""

from components.text.emojis import (
    canonical_emoji,
    demojize_text,
    emoji_name,
    extract_emojis,
    is_emoji,
    remove_emojis,
)
from components.text.features import TweetFeatures, tweet_features
from components.text.featurizers import bow_featurizer
from components.text.hashtags import (
    HashtagSegmenter,
    extract_hashtags,
    remove_hashtags,
    segment_hashtag,
)
from components.text.tokenizer import NUMBER_TOKEN, URL_TOKEN, USER_TOKEN, TweetTokenizer, tokenize
from components.text.vocab import (
    BOS,
    BOS_ID,
    EOS,
    EOS_ID,
    PAD,
    PAD_ID,
    SPECIALS,
    UNK,
    UNK_ID,
    Vocabulary,
    batches,
    pad_sequences,
)

__all__ = [
    "BOS", "BOS_ID", "EOS", "EOS_ID", "NUMBER_TOKEN", "PAD", "PAD_ID", "SPECIALS", "UNK",
    "UNK_ID", "URL_TOKEN", "USER_TOKEN",
    "HashtagSegmenter", "TweetFeatures", "TweetTokenizer", "Vocabulary",
    "batches", "bow_featurizer", "canonical_emoji", "demojize_text", "emoji_name",
    "extract_emojis", "extract_hashtags", "is_emoji", "pad_sequences", "remove_emojis",
    "remove_hashtags", "segment_hashtag", "tokenize", "tweet_features",
]
