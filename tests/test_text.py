"""components.text: tokenizer, emoji and hashtag helpers, vocabulary, featurizers."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest

from components.text import (
    HashtagSegmenter,
    TweetTokenizer,
    Vocabulary,
    batches,
    bow_featurizer,
    canonical_emoji,
    demojize_text,
    emoji_name,
    extract_emojis,
    extract_hashtags,
    is_emoji,
    pad_sequences,
    remove_emojis,
    remove_hashtags,
    segment_hashtag,
    tokenize,
    tweet_features,
)

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # man ZWJ woman ZWJ girl
TECHNOLOGIST = "\U0001f469\U0001f3fd\u200d\U0001f4bb"  # woman, medium skin tone, ZWJ, laptop
US_FLAG = "\U0001f1fa\U0001f1f8"
HEART_VS16 = "\u2764\ufe0f"

TOKEN_CASES = [
    # TweetEval: `@user` placeholders and stray U+FE0F where the label emoji was cut out.
    ("Sunday afternoon walking through Venice in the sun with @user \ufe0f \ufe0f @ Abbot Kinney, Venice ",
     ["sunday", "afternoon", "walking", "through", "venice", "in", "the", "sun", "with",
      "<user>", "@", "abbot", "kinney", ",", "venice"]),
    ("Love love love all these people #friends #SundayFunday @ San\u2026",
     ["love", "love", "love", "all", "these", "people", "#friends", "#sundayfunday", "@",
      "san", "\u2026"]),
    ("lol😂😂 so good!!! 🇺🇸 " + FAMILY + TECHNOLOGIST,
     ["lol", "😂", "😂", "so", "good", "!!!", US_FLAG, FAMILY, TECHNOLOGIST]),
    (":) :-) :( ;) :D XD xD :P :p :/ <3 XP :'( :-( ^_^",
     [":)", ":-)", ":(", ";)", ":D", "XD", "xD", ":P", ":p", ":/", "<3", "XP", ":'(", ":-(", "^_^"]),
    ("see http://t.co/abc :)and https://x.co/a?b=1, (www.site.com/p#top) now",
     ["see", "<url>", ":)", "and", "<url>", ",", "(", "<url>", ")", "now"]),
    ("I don't have 2 cats, 3.5 dogs or 1,000 birds at 10:30 but 5pm #1 @Foo_Bar",
     ["i", "don't", "have", "<number>", "cats", ",", "<number>", "dogs", "or", "<number>",
      "birds", "at", "<number>", "but", "5pm", "#", "<number>", "<user>"]),
    ("great:) Note:Dave a#b mail@x.com ❤️ ❤ keycap 1️⃣",
     ["great", ":)", "note", ":", "dave", "a", "#", "b", "mail", "@", "x", ".", "com",
      "❤", "❤", "keycap", "1⃣"]),
]


@pytest.mark.parametrize("text, expected", TOKEN_CASES)
def test_tokenizer_exact_tokens(text, expected):
    assert TweetTokenizer().tokenize(text) == expected
    assert tokenize(text) == expected


def test_tokenizer_options():
    text = "Soooooo HAPPY #Blessed @Foo 12 http://t.co/x 😂"
    assert TweetTokenizer(lowercase=False, placeholders=False).tokenize(text) == [
        "Soooooo", "HAPPY", "#Blessed", "@Foo", "12", "http://t.co/x", "😂"]
    assert tokenize(text, shorten_repeats=True, keep_hashtags=False, keep_emojis=False) == [
        "sooo", "happy", "#", "blessed", "<user>", "<number>", "<url>"]


def test_tokenizer_never_emits_invisible_leftovers():
    tokens = tokenize("\ufe0f \ufe0f\u200d x \u200b")
    assert tokens == ["x"]


def test_emoji_extraction_keeps_sequences_whole():
    text = f"hi {FAMILY} {US_FLAG}{US_FLAG} {TECHNOLOGIST}😂 {HEART_VS16}"
    assert extract_emojis(text) == [FAMILY, US_FLAG, US_FLAG, TECHNOLOGIST, "😂", "❤"]
    assert extract_emojis(text, canonical=False)[-1] == HEART_VS16
    assert canonical_emoji(HEART_VS16) == "❤"
    # The tokenizer agrees with the package on what the emojis are.
    assert [t for t in tokenize(text) if is_emoji(t)] == extract_emojis(text)


# Tweets where a one-pass shortcut could go wrong: emoji letters inside words (`ℹ`, `Ⓜ`), a
# keycap glued to a word, non-RGI joins, a bare skin tone, hashtags after `&` or `#`.
TRICKY = [f"hi {FAMILY} {US_FLAG}{US_FLAG} {TECHNOLOGIST}😂 {HEART_VS16}", "abcℹ️ info Ⓜ️etro x1\ufe0f\u20e3 #1\ufe0f\u20e3",
          "\U0001f9d1\u200d\U0001f9d1\u200d\U0001f9d2 🏽 \U0001faea \u2764 \u00a9 \u203c\ufe0f", "&#39; ##x #ok #Ok_2 a#b http://x.co/#y",
          "Love love love all these people #friends #SundayFunday @ San\u2026"]


@pytest.mark.parametrize("text", [t for t, _ in TOKEN_CASES] + TRICKY)
def test_one_pass_features_equal_the_three_separate_helpers(text):
    assert tweet_features(text) == (tokenize(text), extract_emojis(text), extract_hashtags(text))


def test_one_pass_features_equal_the_helpers_on_tweeteval():
    from components.data.tweeteval import load_tweeteval_emoji

    for text in load_tweeteval_emoji("test")["text"][:5000]:
        assert tweet_features(text) == (tokenize(text), extract_emojis(text), extract_hashtags(text)), text


def test_emoji_helpers():
    assert emoji_name("😂") == "face with tears of joy"
    assert emoji_name(US_FLAG) == "United States"
    assert demojize_text("so good😂 ok") == "so good face with tears of joy ok"
    assert remove_emojis(f"a 😂 \ufe0f b{FAMILY}\u200d  c") == "a b c"
    assert is_emoji("😂") and is_emoji(TECHNOLOGIST) and is_emoji("❤")
    assert not is_emoji("\ufe0f") and not is_emoji(":)") and not is_emoji("a") and not is_emoji("")


def test_hashtag_extraction_and_removal():
    text = "Love #friends #SundayFunday😂#tbt http://x.com/page#anchor a#b &#39; #1 #x_1"
    assert extract_hashtags(text) == ["friends", "SundayFunday", "tbt", "x_1"]
    assert remove_hashtags("Love #friends  #bff http://x.com/#a ok") == "Love http://x.com/#a ok"


@pytest.mark.parametrize("tag, words", [
    ("#SundayFunday", ["sunday", "funday"]),
    ("#sundayfunday", ["sunday", "funday"]),
    ("#SUNDAYFUNDAY", ["sunday", "funday"]),
    ("#tbt", ["tbt"]),
    ("#a", ["a"]),
    ("NBAFinals2023", ["nba", "finals", "2023"]),
    ("#happy_birthday", ["happy", "birthday"]),
    ("#throwbackthursday", ["throwback", "thursday"]),
])
def test_segment_hashtag(tag, words):
    assert segment_hashtag(tag) == words


def test_segmenter_learns_from_corpus():
    # `canon` is unknown to the built-in list, so alone it reads as `can on`.
    assert segment_hashtag("#canon") == ["can", "on"]
    corpus = ["my Canon camera", "new canon lens", "#canonlove #canonlove"] * 50
    seg = HashtagSegmenter.from_corpus(corpus)
    assert seg.segment("#canon") == ["canon"]
    # Hashtags are not counted as words, or `canonlove` would be one known word.
    assert seg.segment("#canonlove") == ["canon", "love"]


def test_a_word_written_apart_more_often_than_glued_is_split_as_a_compound():
    corpus = (["we love los angeles", "los angeles traffic", "moving to losangeles"] * 3
              + ["summertime fun", "summertime", "summer time"] + ["hi to by now", "toby says hi", "toby"])
    seg = HashtagSegmenter.from_corpus(corpus)
    assert seg.compounds == {"losangeles": ("los", "angeles")}  # apart 6, glued 3; "to by": a part under 3 letters
    assert seg.segment("#losangeles") == ["los", "angeles"]
    assert seg.segment("#summertime") == ["summertime"]  # glued 2, apart 1: a word
    assert seg.segment("#losangeleslove") == ["los", "angeles", "love"]


def test_vocabulary_build_encode_decode_roundtrip():
    vocab = Vocabulary.build([["b", "a", "b"], ["c", "a", "d"], ["<pad>"]], min_count=2)
    # Specials first; a (2) and b (2) tie on count and are ordered by string; c, d dropped.
    assert vocab.tokens == ["<pad>", "<unk>", "<bos>", "<eos>", "a", "b"]
    assert vocab.encode(["a", "zzz", "b"], add_bos=True, add_eos=True) == [2, 4, 1, 5, 3]
    assert vocab.decode([2, 4, 1, 5, 3, 4, 0]) == ["a", "<unk>", "b"]
    assert vocab.decode([4, 0], strip_special=False) == ["a", "<pad>"]
    restored = Vocabulary.from_dict(json.loads(json.dumps(vocab.to_dict())))
    assert restored.tokens == vocab.tokens and len(restored) == 6
    assert len(Vocabulary.build([["x", "y", "z"]], max_size=5)) == 5


@pytest.mark.parametrize("bad, problem", [
    ([], "must be a dict"),
    ({"format": "other", "tokens": []}, "format"),
    ({"format": "emojitags.vocabulary/1", "tokens": ["a"]}, "must start with"),
    ({"format": "emojitags.vocabulary/1", "tokens": ["<pad>", "<unk>", "<bos>", "<eos>", "a", "a"]},
     "appears twice"),
])
def test_vocabulary_from_dict_rejects_bad_input(bad, problem):
    with pytest.raises(ValueError, match=problem):
        Vocabulary.from_dict(bad)


def test_pad_sequences_pads_and_truncates():
    ids, lengths = pad_sequences([[5, 6, 7], [8], []], max_len=2)
    assert ids.dtype == np.int64 and ids.tolist() == [[5, 6], [8, 0], [0, 0]]
    assert lengths.tolist() == [2, 1, 0]
    ids, lengths = pad_sequences([[5, 6, 7], [8]], pad_id=9)
    assert ids.tolist() == [[5, 6, 7], [8, 9, 9]] and lengths.tolist() == [3, 1]


def test_batches_are_deterministic_and_cover_everything():
    first = [b.tolist() for b in batches(10, 4, shuffle=True, seed=3)]
    assert first == [b.tolist() for b in batches(10, 4, shuffle=True, seed=3)]
    assert first != [b.tolist() for b in batches(10, 4, shuffle=True, seed=4)]
    assert sorted(i for b in first for i in b) == list(range(10))
    assert [len(b) for b in first] == [4, 4, 2]
    assert [b.tolist() for b in batches(5, 2, shuffle=False)] == [[0, 1], [2, 3], [4]]
    assert len(list(batches(5, 2, shuffle=False, drop_last=True))) == 2


def test_bow_featurizer_on_token_lists():
    docs = [["I", "love", ":D"], ["😂", "love"], ["love", "love"]]
    vec = bow_featurizer("count", ngram_range=(1, 2))
    x = vec.fit_transform(docs)
    names = list(vec.get_feature_names_out())
    # No lowercasing, no re-tokenizing: `I` and `:D` survive; bigrams join with a space.
    assert names == [":D", "I", "I love", "love", "love :D", "love love", "😂", "😂 love"]
    assert x[2, names.index("love")] == 2 and x[2, names.index("love love")] == 1
    tfidf = pickle.loads(pickle.dumps(bow_featurizer("tfidf", max_features=2).fit(docs)))
    assert tfidf.transform([["love", "new"]]).shape == (1, 2)
    with pytest.raises(ValueError):
        bow_featurizer("bm25")
